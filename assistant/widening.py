"""Evidence widening, in one place: the retrieved chunks, then the whole text of the best-ranked Vorlagen
(a figure often stands a page away from the words of the question). Fact answers and calculations both
read their evidence through here; calculations over several named years add each year's best Vorlage
(``AssistantService._per_year``)."""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.documents import Document


def with_document_chunks(
    documents: list[Document], chunks_of: Callable[[str], list[Document]], top: int, max_chunks: int | None = None
) -> list[Document]:
    """The retrieved chunks, then the other chunks of the ``top`` best-ranked documents (in rank order) —
    of those with at most ``max_chunks`` chunks (a long report is not read whole); empty when that adds
    nothing."""
    retrieved = {d.metadata.get("chunk_id") for d in documents}
    doc_ids = list(dict.fromkeys(str(d.metadata.get("doc_id")) for d in documents))[:top]
    whole = [chunks_of(doc_id) for doc_id in doc_ids]
    rest = [c for chunks in whole if max_chunks is None or len(chunks) <= max_chunks
            for c in chunks if c.metadata.get("chunk_id") not in retrieved]
    return [*documents, *rest] if rest else []
