"""The decision chain of a Vorlage: what became of it, as the council information system recorded it.

A ``DecisionChain`` holds the Vorlage a question or request is about and the papers linked to it
(Ergänzungen „…/1“, Änderungsanträge, Berichte), oldest first; each paper with its consultations
(Gremium, date, role, the recorded result) and, where the paper's own minutes (files named „Protokoll“,
„Niederschrift“, „Auszug“) state the vote, that passage – marked when it says something else than the
recorded result. ``decision`` is the latest recorded result (the short answer); None when no result is
recorded, which is said, never guessed from the text.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class MinutesPassage(BaseModel):
    """The vote as a paper's own minutes state it (verbatim), and where."""

    doc_id: str
    label: str
    """The file's name, e.g. „Protokoll GR 16.12.2025 TOP 5“."""
    quote: str
    """The vote, verbatim from the minutes (e.g. „Abstimmungsergebnis: Einstimmige Zustimmung“)."""
    start: int
    """Offset of ``quote`` in the Vorlage's text."""
    end: int
    chunk_id: str | None = None
    """The stored chunk holding the quote (for the passage view), if it was kept."""
    citation: int | None = None
    """Its number [n] among the answer's citations."""


class DecisionStep(BaseModel):
    """One consultation of one paper."""

    doc_id: str
    drucksache: str | None = None
    gremium: str
    datum: date | None = None
    rolle: str | None = None
    ergebnis: str | None = None
    """The result recorded for the agenda item (OParl ``AgendaItem.result``); None: none recorded."""
    beschlusstext: str | None = None
    """The recorded resolution text (OParl ``AgendaItem.resolutionText``), if published."""
    minutes: MinutesPassage | None = None
    differs: bool = False
    """The minutes state another vote than the recorded result (both are shown, each cited)."""
    difference: str | None = None
    """How they differ, in German."""


class ChainPaper(BaseModel):
    """A paper of the chain: the Vorlage asked about or one linked to it."""

    doc_id: str
    drucksache: str | None = None
    title: str | None = None
    datum: date | None = None
    vorlagenart: str | None = None
    asked: bool = False
    """The Vorlage the question or request named or found."""
    indexed: bool = True
    """False for a linked paper that is not in the index (only its id is known)."""
    steps: list[DecisionStep] = Field(default_factory=list)
    """Its consultations, oldest first."""
    citation: int | None = None
    """Its number [n] among the answer's citations."""

    @property
    def label(self) -> str:
        return f"Drucksache {self.drucksache}" if self.drucksache else self.doc_id


class DecisionChain(BaseModel):
    """What became of a Vorlage: its papers oldest first, the latest recorded result first in the text."""

    vorlage_id: str
    """``doc_id`` of the Vorlage asked about."""
    drucksache: str | None = None
    title: str | None = None
    papers: list[ChainPaper] = Field(default_factory=list)
    """The Vorlage and its linked papers, oldest first."""
    decision: DecisionStep | None = None
    """The latest recorded result (of the Vorlage or a follow-up Vorlage; motions count only when asked
    about); None when nothing is recorded."""
    short_answer: str
    """„Gemeinderat, 16.12.2025: mehrheitlich beschlossen (Drucksache 2025/1234)“, or that no result is recorded."""
    notes: list[str] = Field(default_factory=list)
    """German remarks: recorded result and minutes differ, linked papers not in the index."""

    @property
    def recorded(self) -> bool:
        return self.decision is not None

    def steps(self) -> list[DecisionStep]:
        """Every consultation of every paper, oldest first (undated ones last, in chain order)."""
        ordered = [step for paper in self.papers for step in paper.steps]
        return sorted(ordered, key=lambda step: (step.datum is None, step.datum or date.min))
