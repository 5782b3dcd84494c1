"""Core of Vorlagen-Assistent: settings, domain model, formats, embeddings and the store."""
