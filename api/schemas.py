"""Request and response bodies of the HTTP API (the OpenAPI schema is generated from these)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from ingest.pipeline import IngestReport
from vorlagen.domain import Answer, Draft, SearchFilters
from vorlagen.store import Passage


class AskRequest(BaseModel):
    question: str = Field(min_length=1, description="Die Frage in natürlicher Sprache.")
    filters: SearchFilters | None = None
    k: int | None = Field(default=None, ge=1, le=50, description="Anzahl der Belegstellen (Standard: Einstellung).")


class ChatTurn(BaseModel):
    turn: int
    question: str
    retrieval_query: str
    """The question as sent to retrieval (a follow-up is combined with the earlier question)."""
    answer: Answer
    created_at: datetime


class ChatResponse(BaseModel):
    session: str
    turn: int
    retrieval_query: str
    answer: Answer


class ChatHistoryResponse(BaseModel):
    session: str
    turns: list[ChatTurn]


class DraftRequest(BaseModel):
    section: str = Field(min_length=1, max_length=120, description="Abschnitt, z. B. „Begründung“.")
    topic: str = Field(min_length=1, max_length=500, description="Worum es in der neuen Vorlage geht.")
    filters: SearchFilters | None = None


class DraftResponse(BaseModel):
    draft_id: str
    draft: Draft
    docx_url: str


class PassageView(Passage):
    """A passage plus where the cited quote lies in ``text`` (for highlighting)."""

    highlight_start: int | None = None
    highlight_end: int | None = None


class IngestJob(BaseModel):
    job_id: str
    filename: str
    status: Literal["wartend", "läuft", "fertig", "fehlgeschlagen"]
    message: str | None = None
    report: IngestReport | None = None
    """The ingest summary once the job has run (counts by outcome, failures, dropped noise, skipped OParl papers)."""
    created_at: datetime
    updated_at: datetime


class ToolInfo(BaseModel):
    name: str
    description: str
    args_schema: dict[str, Any]


class CalcResponse(BaseModel):
    tool: str
    text: str
    """The result in German words (what the tool returns as its content)."""
    result: Any
    """The structured result (e.g. ``CostResult``), amounts as exact decimal strings."""


class ComponentStatus(BaseModel):
    ok: bool
    detail: str
    data: dict[str, Any] = Field(default_factory=dict)


class ModeOption(BaseModel):
    """One answer mode and whether this installation can use it (``vorlagen doctor``, ``/readyz``, web UI)."""

    mode: Literal["extractive", "local", "openai"]
    available: bool
    detail: str
    """German: what the mode is, or what is missing and how to add it."""


class ReadyResponse(BaseModel):
    status: Literal["bereit", "nicht bereit"]
    index: ComponentStatus
    model: ComponentStatus
    modes: list[ModeOption] = Field(default_factory=list)
    """The answer modes and whether each is available here."""


class ErrorBody(BaseModel):
    detail: str
    errors: list[dict[str, Any]] | None = None
