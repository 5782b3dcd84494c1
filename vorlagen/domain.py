"""The domain model: one definition of each thing the product handles.

``Vorlage`` (a council document with its metadata and text), ``Chunk`` (a cited unit of it),
``Citation``, ``Answer``, ``DraftRequest`` and ``Draft``. Offsets are character offsets into ``Vorlage.text``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator, model_validator

from vorlagen.decision import DecisionChain

if TYPE_CHECKING:
    from langchain_core.documents import Document


class Beratung(BaseModel):
    """One step of the Beratungsfolge: which body handles the Vorlage, in which role, when."""

    gremium: str
    rolle: str | None = None
    datum: date | None = None
    oeffentlich: bool | None = None
    ergebnis: str | None = None
    """Result of the agenda item (OParl ``AgendaItem.result``, e.g. „einstimmig beschlossen“)."""
    beschlusstext: str | None = None
    """The resolution as recorded for the agenda item (OParl ``AgendaItem.resolutionText``), if any."""


PaperRelation = Literal["superordinated", "subordinated"]


class PaperLink(BaseModel):
    """A paper an OParl Paper names as ``superordinatedPaper`` or ``subordinatedPaper`` (Ergänzungen
    „…/1“, Änderungsanträge, Berichte). Councils fill the two lists in either direction, so the relation
    is kept as stated and the order of a chain comes from the papers' dates."""

    doc_id: str
    """The linked paper's OParl id (its ``doc_id`` once it is ingested)."""
    relation: PaperRelation


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
    links: list[PaperLink] = Field(default_factory=list)
    """Papers this one names as super- or subordinated (OParl)."""
    extractor: str | None = None
    """Which extraction produced text and fields (ingest version and chunking settings)."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def content_hash(self) -> str:
        """What is stored, not where it came from: text, spans, every extracted field and the
        extractor – a better extraction or a changed OParl consultation changes it."""
        stored = self.model_dump(mode="json", exclude={"doc_id", "source", "source_name", "content_hash"})
        _without_unset_additions(stored)
        return hashlib.sha256(json.dumps(stored, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()

    @property
    def year(self) -> int | None:
        return self.datum.year if self.datum else None

    def span_at(self, offset: int) -> TextSpan | None:
        for span in self.spans:
            if span.start <= offset < span.end:
                return span
        return None


def _without_unset_additions(stored: dict[str, Any]) -> None:
    """Fields added after the first stored indexes (paper links, the resolution text of a consultation) count
    for the hash only when set: a document without them keeps the hash it was stored with."""
    if not stored.get("links"):
        stored.pop("links", None)
    for beratung in stored.get("beratungsfolge") or []:
        if beratung.get("beschlusstext") is None:
            beratung.pop("beschlusstext", None)


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

    def metadata(self, vorlage: Vorlage, content_hash: str | None = None) -> dict[str, Any]:
        """Flat metadata for the vector store (only str/int/float/bool, no None).
        ``content_hash``: ``vorlage.content_hash`` if the caller has it already – it hashes the whole
        Vorlage, so a writer computes it once per Vorlage, not once per chunk."""
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
            content_hash=content_hash or vorlage.content_hash,
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
    jahr_von: int | None = Field(default=None, ge=1, le=9999)
    jahr_bis: int | None = Field(default=None, ge=1, le=9999)
    """Years as calendar dates have them (1–9999): a year beyond a 64-bit integer made Chroma refuse the
    where clause (a 500 found by fuzzing); now it is a 422 naming the field."""
    vorlagenart: str | None = None
    drucksache: str | None = None

    def is_empty(self) -> bool:
        return not any(self.model_dump().values())


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
    """For list questions: the Vorlagen found, best first."""
    citations: list[Citation] = Field(default_factory=list)
    refused: bool = False
    mode: str = "extractive"
    support: float = 0.0
    """How well the best evidence covers the question (0..1); below the threshold: refusal."""
    notices: list[str] = Field(default_factory=list)
    """German notices to the user, e.g. that a model server was unreachable."""
    calculation: list[CalculationStep] | None = None
    decision: DecisionChain | None = None
    """For questions about what became of a Vorlage („Wie wurde über … entschieden?“): the decision chain."""
    timings: dict[str, float] = Field(default_factory=dict)
    tokens: dict[str, int] = Field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Drafting: the request for a new Vorlage and the draft (assistant.drafting builds it)
# ---------------------------------------------------------------------------------------------

DraftSectionName = Literal[
    "Beschlussantrag", "Begründung", "Finanzielle Auswirkungen", "Personelle Auswirkungen", "Beteiligte Stellen", "Anlagen"
]
DRAFT_SECTIONS: tuple[DraftSectionName, ...] = (
    "Beschlussantrag", "Begründung", "Finanzielle Auswirkungen", "Personelle Auswirkungen", "Beteiligte Stellen", "Anlagen",
)


class DraftPosition(BaseModel):
    """Positions to create: how many, which Entgelt-/Besoldungsgruppe, share of full time, from when."""

    anzahl: int = Field(default=1, ge=1, le=500, description="Zahl der Stellen.")
    gruppe: str = Field(min_length=1, description="Entgelt- oder Besoldungsgruppe, z. B. „E 12“ oder „A 11“.")
    vza: Decimal = Field(default=Decimal(1), gt=0, le=50, description="Stellenanteil je Stelle in VZÄ (1 = Vollzeit).")
    ab: date = Field(description="Beginn der Besetzung.")
    befristet_bis: date | None = Field(default=None, description="Ende einer Befristung (leer: unbefristet).")
    bezeichnung: str | None = Field(default=None, description="Bezeichnung, z. B. „Sachbearbeitung Klimaanpassung“.")

    @property
    def total_vza(self) -> Decimal:
        return self.vza * self.anzahl


class DraftYearValue(BaseModel):
    """A value for one Haushaltsjahr (Beratertage, Sachkosten in EUR)."""

    jahr: int = Field(ge=2000, le=2100, description="Haushaltsjahr.")
    wert: Decimal = Field(gt=0, description="Wert in diesem Jahr (Tage bzw. EUR).")


class DraftOtherCost(BaseModel):
    """A further cost of the request („Lizenzkosten 20.000 EUR jährlich“, „2027 einmalig 50.000 EUR“)."""

    bezeichnung: str = Field(min_length=2, max_length=120, description="Kostenart, z. B. „Lizenzkosten“.")
    betrag: Decimal = Field(gt=0, description="Betrag in EUR.")
    jahr: int | None = Field(default=None, ge=2000, le=2100, description="Haushaltsjahr; leer: in jedem Haushaltsjahr.")


class DraftFigure(BaseModel):
    """A figure of the subject itself: a share or a quantity („60 Prozent der Beschäftigten“, „20 Ladesäulen“)."""

    text: str = Field(min_length=1, max_length=200, description="Die Angabe, wie sie in der Vorlage stehen soll.")
    wert: Decimal
    einheit: str = Field(default="", max_length=60, description="„%“ oder das gezählte Ding.")


def _unique_years(values: list[DraftYearValue], label: str) -> list[DraftYearValue]:
    years = [value.jahr for value in values]
    if len(set(years)) != len(years):
        raise ValueError(f"{label}: jedes Haushaltsjahr bitte nur einmal angeben.")
    return sorted(values, key=lambda value: value.jahr)


class DraftRequest(BaseModel):
    """What the author wants drafted: the facts of the new Vorlage and its cost inputs.

    Beratertage and Sachkosten are given either as one value for every Haushaltsjahr (``…_je_jahr``) or
    per year (``…_nach_jahr``)."""

    betreff: str = Field(min_length=3, max_length=300, description="Betreff der neuen Vorlage.")
    vorlagenart: str = Field(default="Beschlussvorlage", description="Beschluss-, Mitteilungs-, Informationsvorlage …")
    stadt: str | None = Field(default=None, description="Stadt; bestimmt die Stilvorlagen (gleiche Stadt zuerst).")
    amt: str | None = Field(default=None, description="Federführendes Amt oder Referat.")
    datum: date | None = Field(default=None, description="Datum der Vorlage (leer: heute).")
    beratungsfolge: list[Beratung] = Field(default_factory=list)
    fakten: list[str] = Field(default_factory=list, description="Die Fakten der Autorin, je Punkt ein Eintrag.")
    kennzahlen: list[DraftFigure] = Field(default_factory=list, description="Anteile und Mengen des Vorhabens.")
    stellen: list[DraftPosition] = Field(default_factory=list)
    beratertage_je_jahr: Decimal | None = Field(default=None, gt=0, description="Beratertage in jedem Haushaltsjahr.")
    beratertage_nach_jahr: list[DraftYearValue] = Field(default_factory=list, description="Beratertage je Haushaltsjahr einzeln.")
    tagessatz: Decimal | None = Field(default=None, gt=0, description="Tagessatz der Beratung in EUR.")
    sachkosten_je_jahr: Decimal | None = Field(default=None, gt=0, description="Sachkosten in jedem Haushaltsjahr in EUR.")
    sachkosten_nach_jahr: list[DraftYearValue] = Field(default_factory=list, description="Sachkosten je Haushaltsjahr einzeln (EUR).")
    weitere_kosten: list[DraftOtherCost] = Field(default_factory=list)
    haushaltsjahre: list[int] = Field(default_factory=list, description="Haushaltsjahre der Finanzplanung.")
    abschnitte: list[DraftSectionName] = Field(default_factory=lambda: list(DRAFT_SECTIONS))
    anlagen: list[str] = Field(default_factory=list, description="Titel der Anlagen.")
    beteiligte: list[str] = Field(default_factory=list, description="Beteiligte Stellen (Ämter, Gremien).")

    @field_validator("haushaltsjahre")
    @classmethod
    def _years(cls, value: list[int]) -> list[int]:
        if any(not 2000 <= year <= 2100 for year in value):
            raise ValueError("Haushaltsjahre bitte vierstellig angeben (z. B. 2027).")
        if value and max(value) - min(value) > 10:
            raise ValueError("Bitte höchstens elf Haushaltsjahre angeben.")
        return sorted(set(value))

    @field_validator("beratertage_nach_jahr")
    @classmethod
    def _days_per_year(cls, value: list[DraftYearValue]) -> list[DraftYearValue]:
        return _unique_years(value, "Beratertage")

    @field_validator("sachkosten_nach_jahr")
    @classmethod
    def _material_per_year(cls, value: list[DraftYearValue]) -> list[DraftYearValue]:
        return _unique_years(value, "Sachkosten")

    @field_validator("abschnitte")
    @classmethod
    def _sections(cls, value: list[DraftSectionName]) -> list[DraftSectionName]:
        chosen = set(value) or set(DRAFT_SECTIONS)
        return [name for name in DRAFT_SECTIONS if name in chosen]

    @model_validator(mode="after")
    def _consulting(self) -> DraftRequest:
        if self.beratertage_je_jahr is not None and self.beratertage_nach_jahr:
            raise ValueError("Beratertage bitte entweder für jedes Jahr gleich oder je Jahr einzeln angeben, nicht beides.")
        if self.sachkosten_je_jahr is not None and self.sachkosten_nach_jahr:
            raise ValueError("Sachkosten bitte entweder für jedes Jahr gleich oder je Jahr einzeln angeben, nicht beides.")
        if self.has_consulting_days != (self.tagessatz is not None):
            raise ValueError("Für Beratungskosten bitte Beratertage und Tagessatz angeben (beides).")
        return self

    @property
    def has_consulting_days(self) -> bool:
        return self.beratertage_je_jahr is not None or bool(self.beratertage_nach_jahr)

    @property
    def has_costs(self) -> bool:
        """Whether the request has anything for the finance table."""
        return bool(
            self.stellen or self.tagessatz or self.sachkosten_je_jahr or self.sachkosten_nach_jahr or self.weitere_kosten
        )


class DraftCostRow(BaseModel):
    """One row of the finance table: a cost type with its amount per year and in total.

    An amount is ``None`` where it cannot be computed (no cost table, no projection): the draft shows
    „[bitte ergänzen]“ there, and the row's total and the year's Summe are ``None`` too."""

    label: str
    amounts: list[Decimal | None]
    """Aligned with ``DraftCostTable.years``."""
    total: Decimal | None
    assumed: list[bool] = Field(default_factory=list)
    """Aligned with ``years``: the amount rests on a projected cost table (an „Annahme“)."""

    def is_assumed(self, index: int) -> bool:
        return index < len(self.assumed) and self.assumed[index]


class DraftCostTable(BaseModel):
    """Per-year finance table computed by the cost tools (``assistant.costs``)."""

    years: list[int]
    rows: list[DraftCostRow]
    """The cost rows, the last one is the Summe."""
    tables: list[str] = Field(default_factory=list)
    """Cost tables used, with version (``TVöD-VKA 2026 … (Version 2026-05-01)``)."""
    formulas: list[str] = Field(default_factory=list)
    notices: list[str] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)
    """How projected years were computed („Annahme: … fortgeschrieben mit 2,8 % je Jahr (Quelle: …)“)."""

    def assumed_years(self) -> list[int]:
        return [year for index, year in enumerate(self.years) if any(row.is_assumed(index) for row in self.rows)]


DraftFallback = Literal["zeitbudget", "zeitlimit", "fehler", "leer", "angaben_fehlen", "uebernommen"]
"""``zeitbudget``: the draft's time for the model (``drafting.model_budget_s``) was spent or would not
suffice; ``zeitlimit``: the call took longer than ``llm.timeout_s``; ``fehler``: the model failed;
``leer``: no text; ``angaben_fehlen``: the text lacked a figure of the skeleton; ``uebernommen``: the
text was only copied prompt or style text."""


class DraftSection(BaseModel):
    name: str
    text: str
    """Markdown body of the section (without its heading)."""
    mode: str = "skeleton"
    """``skeleton`` (deterministic) or the chat mode that wrote the prose (``local``, ``openai``)."""
    notices: list[str] = Field(default_factory=list)
    fallback: DraftFallback | None = None
    """Why a section meant for the language model kept its skeleton (its notice says it in German)."""


class Draft(BaseModel):
    """A draft of a new Vorlage: the request, its sections, the finance table, the past Vorlagen cited."""

    request: DraftRequest
    sections: list[DraftSection] = Field(default_factory=list)
    cost_table: DraftCostTable | None = None
    citations: list[Citation] = Field(default_factory=list)
    """Passages of past Vorlagen, numbered [n] where the text refers to them."""
    mode: str = "skeleton"
    notices: list[str] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _earlier_format(cls, data: Any) -> Any:
        """Drafts stored before 2026-12 (one section picked from past Vorlagen) stay readable."""
        if isinstance(data, dict) and "request" not in data and "section" in data:
            return {
                "request": {"betreff": data.get("topic") or data["section"], "abschnitte": []},
                "sections": [{"name": data["section"], "text": data.get("text", ""), "mode": data.get("mode", "extractive")}],
                "citations": data.get("citations", []),
                "mode": data.get("mode", "extractive"),
                "notices": data.get("notices", []),
            }
        return data

    def section(self, name: str) -> DraftSection | None:
        return next((section for section in self.sections if section.name == name), None)


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
