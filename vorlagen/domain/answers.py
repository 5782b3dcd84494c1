"""What an answer is made of: quoted passages and citations (one way from a chunk to a citation), the ``Answer``
and the typed events of a streamed answer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import BaseModel, Field

from vorlagen.decision import DecisionChain
from vorlagen.domain.documents import ChunkMeta

if TYPE_CHECKING:
    from langchain_core.documents import Document


class PassageSource(BaseModel):
    """Where a passage stands: its document and chunk, the Vorlage's reference, section and page."""

    doc_id: str
    chunk_id: str
    source_name: str
    drucksache: str | None = None
    title: str | None = None
    section: str | None = None
    page: int | None = None


class QuotedPassage(PassageSource):
    """A verbatim passage of a stored document and where it stands (evidence of an answer or of a
    calculation input)."""

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
    """The kind of question the router decided: fact, calculation, metadata, list; decision for
    „Entscheidung / Stand“ questions (``assistant.decisions``)."""
    vorlagen: list[VorlageHit] = Field(default_factory=list)
    """For list questions: the Vorlagen found, best first. For a refused fact question: the Vorlagen to read on
    (named, not cited; ``assistant.about.VorlageAnswerer.nearest``)."""
    citations: list[Citation] = Field(default_factory=list)
    refused: bool = False
    mode: str = "extractive"
    support: float = 0.0
    """How well the best evidence covers the question (0..1); below the threshold: refusal."""
    notices: list[str] = Field(default_factory=list)
    """German notices to the user, e.g. that a model server was unreachable."""
    unsure: bool = False
    """A value of the direct answer may be wrong (the verifier is unsure of it, or a language model chose another
    than the best-ranked): a notice asks the user to check it in its citation and names the next rival value found.
    For a calculation over two stated figures: the verifier is unsure of an input, which the notice names."""
    calculation: list[CalculationStep] | None = None
    decision: DecisionChain | None = None
    """For questions about what became of a Vorlage („Wie wurde über … entschieden?“): the decision chain."""
    timings: dict[str, float] = Field(default_factory=dict)
    tokens: dict[str, int] = Field(default_factory=dict)


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
