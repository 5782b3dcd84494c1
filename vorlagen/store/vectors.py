"""The Chroma side of the store: connecting (embedded or server) and the metadata filters as ``where``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import chromadb
from chromadb.config import Settings as ChromaClientSettings

from vorlagen.domain import SearchFilters
from vorlagen.settings import Settings


class StoreUnavailableError(RuntimeError):
    """The vector store cannot be reached (German message for the user)."""


def connect_chroma(settings: Settings) -> chromadb.ClientAPI:
    """The embedded ``PersistentClient`` in ``settings.chroma_path`` (one process only), or an
    ``HttpClient`` for ``settings.chroma_server_url`` (several processes share one store)."""
    client_settings = ChromaClientSettings(anonymized_telemetry=False, allow_reset=False)
    url = settings.chroma_server_url
    try:
        if url:
            parsed = urlparse(url)
            return chromadb.HttpClient(
                host=parsed.hostname or "localhost",
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=client_settings,
            )
        return chromadb.PersistentClient(path=str(settings.chroma_path), settings=client_settings)
    except Exception as error:  # chromadb raises plain exceptions for unreachable servers
        where = url or str(settings.chroma_path)
        raise StoreUnavailableError(f"Der Vektorspeicher ({where}) ist nicht erreichbar: {error}") from error


def chroma_where(filters: SearchFilters | None) -> dict[str, Any] | None:
    """Chroma ``where`` clause for the metadata filters."""
    if filters is None:
        return None
    clauses: list[dict[str, Any]] = []
    if filters.stadt:
        clauses.append({"stadt": filters.stadt})
    if filters.vorlagenart:
        clauses.append({"vorlagenart": filters.vorlagenart})
    if filters.drucksache:
        clauses.append({"drucksache": filters.drucksache})
    if filters.jahr_von is not None:
        clauses.append({"year": {"$gte": filters.jahr_von}})
    if filters.jahr_bis is not None:
        clauses.append({"year": {"$lte": filters.jahr_bis}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
