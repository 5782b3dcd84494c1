"""Drafting: the request for a new Vorlage and the draft (``assistant.drafting`` builds it)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from vorlagen.domain.answers import Citation
from vorlagen.domain.documents import Beratung

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
