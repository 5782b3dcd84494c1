"""The assistant's façade used by the CLI, the API and the evaluation harness (INTERFACE DRAFT)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Literal

from langchain_core.documents import Document
from pydantic import BaseModel

from vorlagen.domain import Answer, SearchFilters
from vorlagen.settings import Settings


class StreamEvent(BaseModel):
    """One server-sent event of a streamed answer: tokens, then citations, then done."""

    type: Literal["token", "notice", "citations", "answer", "done", "error"]
    data: Any = None


class AssistantService:
    """Retrieve -> answer (extractive / LLM) -> calculate. Built once per process from Settings.

    - ``retrieve(question, filters, k) -> list[Document]``: fused hybrid retrieval; each Document's
      metadata is ``Chunk.metadata(...)`` plus ``score`` (fused) and ``rank``.
    - ``ask(question, filters, k) -> Answer``
    - ``astream(question, filters, k) -> AsyncIterator[StreamEvent]``
    """

    def __init__(self, settings: Settings, store: Any | None = None) -> None:
        raise NotImplementedError

    def retrieve(self, question: str, filters: SearchFilters | None = None, k: int | None = None) -> list[Document]:
        raise NotImplementedError

    def ask(self, question: str, filters: SearchFilters | None = None, k: int | None = None) -> Answer:
        raise NotImplementedError

    async def astream(
        self, question: str, filters: SearchFilters | None = None, k: int | None = None
    ) -> AsyncIterator[StreamEvent]:
        raise NotImplementedError
        yield  # pragma: no cover
