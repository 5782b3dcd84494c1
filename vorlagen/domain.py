"""The domain model: one definition of each thing the product handles.

``Vorlage`` (a council document with its metadata and text), ``Chunk`` (a cited unit of it),
``Citation``, ``Answer`` and ``Draft``. Offsets are character offsets into ``Vorlage.text``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, computed_field

if TYPE_CHECKING:
    from langchain_core.documents import Document


class Beratung(BaseModel):
    """One step of the Beratungsfolge: which body handles the Vorlage, in which role, when."""

    gremium: str
    rolle: str | None = None
    datum: date | None = None
    oeffentlich: bool | None = None


class TextSpan(BaseModel):
    """A span of ``Vorlage.text``: a PDF page or one attached file of an OParl paper."""

    start: int
    end: int
    page: int | None = None
    label: str | None = None


class Vorlage(BaseModel):
    doc_id: str
    """Stable id, unique per source: the OParl id for OParl papers, ``upload/<upload id>`` for uploads,
    the path relative to the ingest root for files (``seeds/vorlage.txt``; see ``ingest.identity``)."""
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
    extractor: str | None = None
    """Which extraction produced text and fields (ingest version and chunking settings)."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def content_hash(self) -> str:
        """What is stored, not where it came from: text, spans, every extracted field and the
        extractor – a better extraction or a changed OParl consultation changes it."""
        stored = self.model_dump(mode="json", exclude={"doc_id", "source", "source_name", "content_hash"})
        return hashlib.sha256(json.dumps(stored, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()

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
        return ChunkMeta(
            chunk_id=self.chunk_id,
            doc_id=self.doc_id,
            source_name=vorlage.source_name,
            start=self.start,
            end=self.end,
            section=self.section,
            page=self.page,
            part=self.part,
            drucksache=vorlage.drucksache,
            title=vorlage.title,
            vorlagenart=vorlage.vorlagenart,
            stadt=vorlage.stadt,
            year=vorlage.year,
            datum=vorlage.datum.isoformat() if vorlage.datum else None,
            content_hash=vorlage.content_hash,
        ).store_metadata()


class ChunkMeta(BaseModel):
    """The metadata of a stored chunk, as the vector store and the keyword index hand it back
    (``Document.metadata``): the one typed reading of it."""

    model_config = ConfigDict(extra="ignore")

    chunk_id: str
    doc_id: str
    source_name: str
    start: int = 0
    """Offset of the chunk in ``Vorlage.text``."""
    end: int = 0
    section: str | None = None
    page: int | None = None
    part: str | None = None
    drucksache: str | None = None
    title: str | None = None
    vorlagenart: str | None = None
    stadt: str | None = None
    year: int | None = None
    datum: str | None = None
    """ISO date of the Vorlage."""
    content_hash: str | None = None
    rank: int | None = None
    """Retrieval rank (1 = best), set by the retriever."""

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, Any]) -> ChunkMeta:
        values = dict(metadata)
        if not values.get("source_name"):
            values["source_name"] = values.get("drucksache") or values.get("doc_id") or ""
        return cls.model_validate(values)

    @classmethod
    def from_document(cls, document: Document) -> ChunkMeta:
        return cls.from_metadata(document.metadata)

    def store_metadata(self) -> dict[str, Any]:
        """Flat metadata for the vector store (only str/int/float/bool, no None, no rank)."""
        return self.model_dump(exclude_none=True, exclude={"rank"})


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
    """How well the passage answers (the answerer's sentence score); 0 where nothing scored it."""

    @classmethod
    def from_chunk(cls, document: Document, start: int, end: int, score: float = 0.0, **extra: Any) -> Self:
        """The passage ``document.page_content[start:end]`` of a retrieved chunk, with its offsets
        in the whole document: the one way from a chunk to a quoted passage or citation."""
        meta = ChunkMeta.from_document(document)
        return cls(
            doc_id=meta.doc_id,
            chunk_id=meta.chunk_id,
            source_name=meta.source_name,
            drucksache=meta.drucksache,
            title=meta.title,
            section=meta.section,
            page=meta.page,
            quote=document.page_content[start:end],
            start=meta.start + start,
            end=meta.start + end,
            score=round(score, 4),
            **extra,
        )


class Citation(QuotedPassage):
    """A quoted passage numbered [n] in an answer's text."""

    index: int


class CalculationStep(BaseModel):
    label: str
    amount: Decimal
    formula: str


class VorlageHit(BaseModel):
    """One Vorlage in a ranked list (list questions, ``GET /v1/search``)."""

    doc_id: str
    source_name: str
    drucksache: str | None = None
    datum: date | None = None
    title: str | None = None
    vorlagenart: str | None = None
    stadt: str | None = None
    gremien: list[str] = Field(default_factory=list)
    snippet: str = ""
    """The best-matching sentence of the Vorlage."""
    score: float = 0.0


class Answer(BaseModel):
    question: str
    text: str
    """The whole answer: the direct answer line first, then the supporting quotes."""
    short_answer: str | None = None
    """The direct answer: the asked value(s), each cited (first line of ``text``)."""
    kind: str = "fact"
    """The kind of question the router decided: fact, calculation, metadata, list."""
    vorlagen: list[VorlageHit] = Field(default_factory=list)
    """For list questions: the Vorlagen found, best first."""
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


class TokenEvent(BaseModel):
    """A piece of the answer text while it is written."""

    type: Literal["token"] = "token"
    text: str

    def sse_data(self) -> dict[str, Any]:
        return {"text": self.text}


class NoticeEvent(BaseModel):
    """A German notice to the user (e.g. the model server was unreachable)."""

    type: Literal["notice"] = "notice"
    text: str

    def sse_data(self) -> dict[str, Any]:
        return {"text": self.text}


class CitationsEvent(BaseModel):
    """The final, numbered citations."""

    type: Literal["citations"] = "citations"
    citations: list[Citation]

    def sse_data(self) -> list[dict[str, Any]]:
        return [citation.model_dump(mode="json") for citation in self.citations]


class AnswerEvent(BaseModel):
    """The final, authoritative answer."""

    type: Literal["answer"] = "answer"
    answer: Answer

    def sse_data(self) -> dict[str, Any]:
        return self.answer.model_dump(mode="json")


class DoneEvent(BaseModel):
    type: Literal["done"] = "done"

    def sse_data(self) -> dict[str, Any]:
        return {}


StreamEvent = Annotated[
    TokenEvent | NoticeEvent | CitationsEvent | AnswerEvent | DoneEvent, Field(discriminator="type")
]
"""One event of a streamed answer: ``token`` while the answer is written, ``notice``, ``citations``,
``answer`` (the final Answer), ``done``. Each event knows its server-sent-events payload."""


def answer_events(answer: Answer) -> list[StreamEvent]:
    """The events of an answer that is complete at once (no model writing)."""
    return [
        TokenEvent(text=answer.text),
        *(NoticeEvent(text=notice) for notice in answer.notices),
        CitationsEvent(citations=answer.citations),
        AnswerEvent(answer=answer),
        DoneEvent(),
    ]
