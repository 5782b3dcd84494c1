"""The domain model: one definition of each thing the product handles.

``Vorlage`` (a council document with its metadata and text), ``Chunk`` (a cited unit of it),
``Citation``, ``Answer`` and ``Draft``. Offsets are character offsets into ``Vorlage.text``.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field


class Beratung(BaseModel):
    """One step of the Beratungsfolge: which body handles the Vorlage, in which role, when."""

    gremium: str
    rolle: str | None = None
    datum: date | None = None
    oeffentlich: bool | None = None
    ergebnis: str | None = None
    """Result of the agenda item (OParl ``AgendaItem.result``, e.g. „einstimmig beschlossen“)."""


class TextSpan(BaseModel):
    """A span of ``Vorlage.text``: a PDF page or one attached file of an OParl paper."""

    start: int
    end: int
    page: int | None = None
    label: str | None = None


class Vorlage(BaseModel):
    doc_id: str
    """Stable id: the Drucksachennummer's OParl id for OParl papers, the file name for files."""
    source: str
    """Where it came from: a file path or an OParl URL."""
    source_name: str
    """Short name as users and question sets refer to it (file name, or the Drucksachennummer)."""
    text: str
    spans: list[TextSpan] = Field(default_factory=list)

    drucksache: str | None = None
    title: str | None = None
    datum: date | None = None
    vorlagenart: str | None = None
    referat: str | None = None
    """Referat / Dezernat responsible."""
    amt: str | None = None
    """Amt / Dienststelle responsible."""
    stadt: str | None = None
    beratungsfolge: list[Beratung] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def year(self) -> int | None:
        return self.datum.year if self.datum else None

    def span_at(self, offset: int) -> TextSpan | None:
        for span in self.spans:
            if span.start <= offset < span.end:
                return span
        return None


class Chunk(BaseModel):
    chunk_id: str
    doc_id: str
    text: str
    start: int
    end: int
    section: str | None = None
    page: int | None = None
    part: str | None = None
    """Attached file the chunk comes from (OParl ``auxiliaryFile.name``)."""

    def metadata(self, vorlage: Vorlage) -> dict[str, Any]:
        """Flat metadata for the vector store (only str/int/float/bool, no None)."""
        values: dict[str, Any] = {
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "source_name": vorlage.source_name,
            "start": self.start,
            "end": self.end,
            "section": self.section,
            "page": self.page,
            "part": self.part,
            "drucksache": vorlage.drucksache,
            "title": vorlage.title,
            "vorlagenart": vorlage.vorlagenart,
            "stadt": vorlage.stadt,
            "year": vorlage.year,
            "datum": vorlage.datum.isoformat() if vorlage.datum else None,
            "content_hash": vorlage.content_hash,
        }
        return {key: value for key, value in values.items() if value is not None}


class SearchFilters(BaseModel):
    """Metadata filters of a question (all optional)."""

    stadt: str | None = None
    jahr_von: int | None = None
    jahr_bis: int | None = None
    vorlagenart: str | None = None
    drucksache: str | None = None

    def is_empty(self) -> bool:
        return not any(self.model_dump().values())


class QuotedPassage(BaseModel):
    """A verbatim passage of a stored document and where it stands (evidence of an answer or of a
    calculation input)."""

    doc_id: str
    chunk_id: str
    source_name: str
    drucksache: str | None = None
    title: str | None = None
    section: str | None = None
    page: int | None = None
    quote: str
    """The cited passage, verbatim from the document."""
    start: int
    """Offset of ``quote`` in the document text."""
    end: int
    score: float = 0.0


class Citation(QuotedPassage):
    """A quoted passage numbered [n] in an answer's text."""

    index: int


class CalculationStep(BaseModel):
    label: str
    amount: Decimal
    formula: str


class Answer(BaseModel):
    question: str
    text: str
    citations: list[Citation] = Field(default_factory=list)
    refused: bool = False
    mode: str = "extractive"
    support: float = 0.0
    """How well the best evidence covers the question (0..1); below the threshold: refusal."""
    notices: list[str] = Field(default_factory=list)
    """German notices to the user, e.g. that a model server was unreachable."""
    calculation: list[CalculationStep] | None = None
    timings: dict[str, float] = Field(default_factory=dict)
    tokens: dict[str, int] = Field(default_factory=dict)


class Draft(BaseModel):
    section: str
    topic: str
    text: str
    citations: list[Citation] = Field(default_factory=list)
    mode: str = "extractive"
    notices: list[str] = Field(default_factory=list)


class StreamEvent(BaseModel):
    """One event of a streamed answer: ``token`` ({"text"}) while the answer is written, ``notice``
    ({"text"}), ``citations`` (list of Citation), ``answer`` (the final, authoritative Answer), ``done``."""

    type: Literal["token", "notice", "citations", "answer", "done", "error"]
    data: Any = None
