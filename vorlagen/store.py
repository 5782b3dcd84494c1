"""The store: Chroma (dense) + persisted German BM25 + a document registry (INTERFACE DRAFT)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from vorlagen.domain import Chunk, Vorlage
from vorlagen.settings import Settings


class DocumentInfo(BaseModel):
    doc_id: str
    source_name: str
    source: str
    drucksache: str | None = None
    title: str | None = None
    datum: date | None = None
    vorlagenart: str | None = None
    stadt: str | None = None
    chunks: int
    content_hash: str


class Passage(BaseModel):
    """A cited chunk with its surroundings, for the UI's passage view."""

    doc_id: str
    chunk_id: str
    source_name: str
    drucksache: str | None = None
    title: str | None = None
    section: str | None = None
    page: int | None = None
    before: str
    text: str
    after: str
    start: int
    end: int


class VorlagenStore:
    """Owns the Chroma collection (embedded or server), the BM25 index and the registry.

    - ``upsert(vorlage, chunks) -> Literal["added", "replaced", "unchanged"]`` (content hash)
    - ``remove(doc_id) -> bool``
    - ``documents() -> list[DocumentInfo]``; ``get_vorlage(doc_id) -> Vorlage | None``
    - ``passage(doc_id, chunk_id, context_chars=600) -> Passage``
    - ``vectorstore`` (langchain_chroma.Chroma), ``bm25`` (a LangChain BaseRetriever)
    - ``count_chunks() -> int``
    """

    def __init__(self, settings: Settings) -> None:
        raise NotImplementedError
