"""Inputs and results of the cost tools.

Money is ``Decimal`` throughout. Inputs accept German numbers as text (``"1.200"``, ``"7,5"``) and
German dates (``"01.07.2027"``); every validation message is German. Rounding rule of every tool:
exact arithmetic, then commercial rounding (``ROUND_HALF_UP``) to the cent once per result row; a total
is the sum of its rounded rows, so a table always adds up.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from vorlagen.domain import QuotedPassage
from vorlagen.formatting import parse_german_number

ROUNDING_RULE = "Rundung: kaufmännisch auf volle Cent, je Ergebniszeile; Summen aus den gerundeten Zeilen."


class CostError(ValueError):
    """A cost calculation cannot be done as asked; the message is German and says what to change."""


def to_decimal(value: Any, field: str) -> Decimal:
    """A Decimal from a Decimal, int or German number text; German error otherwise."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError(f"{field}: „{value}“ ist keine Zahl.")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, str):
        text = value.strip()
        for suffix in ("EUR", "Euro", "€", "%", "Prozent", "VZÄ", "Tage", "Monate"):
            if text.endswith(suffix):
                text = text[: -len(suffix)].strip()
        try:
            return parse_german_number(text)
        except ValueError as exc:
            raise ValueError(f"{field}: {exc}") from None
    raise ValueError(f"{field}: „{value}“ ist keine Zahl.")


_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def to_date(value: Any, field: str) -> date:
    """A date from a date, ISO text or German ``TT.MM.JJJJ``; German error otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        match = _GERMAN_DATE.match(text)
        try:
            if match:
                day, month, year = (int(part) for part in match.groups())
                return date(year, month, day)
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError(f"{field}: „{value}“ ist kein Datum (erwartet TT.MM.JJJJ, z. B. 01.07.2027).")


# ---------------------------------------------------------------------------------------------
# Sources of inputs
# ---------------------------------------------------------------------------------------------


EvidenceRef = QuotedPassage
"""Where an input figure was read: a retrieved passage, its verbatim quote and the quote's offsets in the
document (passage ``metadata['start']`` + offset in the passage)."""


class InputValue(BaseModel):
    """One input of a calculation as shown to the user: name, value in German format, origin."""

    name: str
    value: str
    origin: str = "Eingabe"
    """``Frage``, ``Eingabe``, ``Tabelle: <name>`` or ``Dokument``."""
    evidence: EvidenceRef | None = None


class TableRef(BaseModel):
    name: str
    version: str
    path: str
    estimates: list[str] = Field(default_factory=list)
    """Which values of the table are estimates (field names, e.g. ``arbeitgeberanteil_prozent``)."""

    def label(self) -> str:
        text = f"{self.name} (Version {self.version})"
        if self.estimates:
            text += f"; geschätzt: {', '.join(self.estimates)}"
        return text


class YearRow(BaseModel):
    """One row of a result: a year (or a label) with its amount and how it was computed."""

    label: str
    year: int | None = None
    amount: Decimal
    formula: str
    assumed: bool = False
    """The amount rests on a cost table projected beyond its validity (an „Annahme“, see the notices)."""


class CostResult(BaseModel):
    """Result of every cost tool: total, rows, formula in German words and figures, tables used."""

    tool: str
    total: Decimal
    unit: str = "EUR"
    rows: list[YearRow] = Field(default_factory=list)
    formula: str
    tables: list[TableRef] = Field(default_factory=list)
    inputs: list[InputValue] = Field(default_factory=list)
    notices: list[str] = Field(default_factory=list)

    @property
    def table(self) -> str | None:
        """Name and version of the tables used, ``None`` for calculations without tables."""
        return "; ".join(ref.label() for ref in self.tables) or None


# ---------------------------------------------------------------------------------------------
# Tool inputs
# ---------------------------------------------------------------------------------------------


def _positive(value: Any, field: str, allow_zero: bool = False) -> Decimal:
    number = to_decimal(value, field)
    if number < 0 or (number == 0 and not allow_zero):
        bound = "darf nicht negativ sein" if allow_zero else "muss größer als 0 sein"
        raise ValueError(f"{field} {bound} (angegeben: {value}).")
    return number


class Position(BaseModel):
    """A position of the Stellenplan: VZÄ, Entgelt-/Besoldungsgruppe, start date."""

    vza: Decimal = Field(description="Stellenanteil in Vollzeitäquivalenten, z. B. 1 oder 0,5.")
    group: str = Field(
        description="Entgelt- oder Besoldungsgruppe, z. B. „E 13“, „A 12“ oder Alternativen „A12/E11“."
    )
    start: date = Field(description="Beginn der Besetzung, z. B. 01.07.2027.")
    stufe: int | None = Field(default=None, description="Erfahrungsstufe; leer: Referenzstufe der Tabelle.")
    label: str | None = Field(default=None, description="Bezeichnung der Stelle (optional).")

    @field_validator("vza", mode="before")
    @classmethod
    def _vza(cls, value: Any) -> Decimal:
        return _positive(value, "Stellenanteil (VZÄ)")

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, value: Any) -> date:
        return to_date(value, "Beginn")

    @field_validator("group")
    @classmethod
    def _group(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("Die Entgelt- oder Besoldungsgruppe fehlt (z. B. „E 13“ oder „A 12“).")
        return value.strip()

    @field_validator("stufe")
    @classmethod
    def _stufe(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 12:
            raise ValueError(f"Die Stufe muss zwischen 1 und 12 liegen (angegeben: {value}).")
        return value


class PersonalkostenInput(BaseModel):
    """Personnel cost of new positions per year, pro rata in the first year."""

    positions: list[Position] = Field(description="Die Stellen: VZÄ, Gruppe, Beginn.")
    end_year: int | None = Field(
        default=None,
        description="Letztes Jahr der Aufstellung; leer: das erste volle Jahr nach dem frühesten Beginn.",
    )
    include_workplace: bool = Field(default=True, description="Sachkosten des Arbeitsplatzes einrechnen.")
    include_overhead: bool = Field(default=True, description="Gemeinkostenzuschlag einrechnen.")

    @field_validator("positions")
    @classmethod
    def _positions(cls, value: list[Position]) -> list[Position]:
        if not value:
            raise ValueError("Bitte mindestens eine Stelle angeben (VZÄ, Gruppe, Beginn).")
        return value

    @model_validator(mode="after")
    def _years(self) -> PersonalkostenInput:
        first = min(position.start.year for position in self.positions)
        if self.end_year is not None and self.end_year < first:
            raise ValueError(f"Das letzte Jahr ({self.end_year}) liegt vor dem ersten Beginn ({first}).")
        if self.end_year is not None and self.end_year - first > 30:
            raise ValueError("Bitte höchstens 30 Jahre aufstellen.")
        return self


class BeratungsPosten(BaseModel):
    days: Decimal = Field(description="Beratertage, z. B. 200.")
    day_rate: Decimal = Field(description="Tagessatz in EUR, z. B. 1.200.")
    year: int | None = Field(default=None, description="Haushaltsjahr (optional).")
    label: str | None = Field(default=None, description="Bezeichnung (optional).")

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, value: Any) -> Decimal:
        return _positive(value, "Die Zahl der Beratertage")

    @field_validator("day_rate", mode="before")
    @classmethod
    def _rate(cls, value: Any) -> Decimal:
        return _positive(value, "Der Tagessatz")


class BeratungskostenInput(BaseModel):
    """Consultant days × day rate, per year."""

    items: list[BeratungsPosten] = Field(description="Posten aus Tagen und Tagessatz, optional je Jahr.")

    @field_validator("items")
    @classmethod
    def _items(cls, value: list[BeratungsPosten]) -> list[BeratungsPosten]:
        if not value:
            raise ValueError("Bitte mindestens einen Posten (Beratertage und Tagessatz) angeben.")
        return value


class AnteiligInput(BaseModel):
    """An annual amount for part of a year: by months or by a start date."""

    annual_amount: Decimal = Field(description="Jahresbetrag in EUR, z. B. 1.426.274.")
    months: int | None = Field(default=None, description="Zahl der Monate (1–12).")
    start: date | None = Field(default=None, description="Beginn, z. B. 01.07.2024 (ab dann bis Jahresende).")

    @field_validator("annual_amount", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> Decimal:
        return _positive(value, "Der Jahresbetrag", allow_zero=True)

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, value: Any) -> date | None:
        return None if value is None else to_date(value, "Beginn")

    @model_validator(mode="after")
    def _months_or_start(self) -> AnteiligInput:
        if (self.months is None) == (self.start is None):
            raise ValueError("Bitte entweder die Zahl der Monate oder ein Beginndatum angeben (nicht beides).")
        if self.months is not None and not 1 <= self.months <= 12:
            raise ValueError(f"Die Zahl der Monate muss zwischen 1 und 12 liegen (angegeben: {self.months}).")
        return self


class FinanzplanungInput(BaseModel):
    """A multi-year table: first year pro rata, then full years, optionally increasing yearly."""

    annual_amount: Decimal = Field(description="Jahresbetrag des ersten vollen Jahres in EUR.")
    start: date = Field(description="Beginn, z. B. 01.07.2024 (erstes Jahr anteilig).")
    end_year: int = Field(description="Letztes Jahr der Finanzplanung, z. B. 2027.")
    increase_percent: Decimal = Field(
        default=Decimal(0), description="Jährliche Steigerung in Prozent ab dem zweiten Jahr, z. B. 2,5."
    )

    @field_validator("annual_amount", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> Decimal:
        return _positive(value, "Der Jahresbetrag", allow_zero=True)

    @field_validator("increase_percent", mode="before")
    @classmethod
    def _increase(cls, value: Any) -> Decimal:
        number = to_decimal(value, "Die jährliche Steigerung")
        if number <= -100:
            raise ValueError(f"Die jährliche Steigerung muss größer als -100 % sein (angegeben: {value}).")
        return number

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, value: Any) -> date:
        return to_date(value, "Beginn")

    @model_validator(mode="after")
    def _years(self) -> FinanzplanungInput:
        if self.end_year < self.start.year:
            raise ValueError(f"Das letzte Jahr ({self.end_year}) liegt vor dem Beginn ({self.start.year}).")
        if self.end_year - self.start.year > 30:
            raise ValueError("Bitte höchstens 30 Jahre planen.")
        return self


class Operand(BaseModel):
    """A figure taken from a document or the question, with its unit and origin."""

    value: Decimal = Field(description="Der Wert, z. B. 756.150.")
    unit: str | None = Field(default=None, description="Einheit, z. B. EUR, VZÄ, Stellen, Tage.")
    label: str | None = Field(default=None, description="Bezeichnung, z. B. „Personalaufwendungen je Jahr“.")
    evidence: EvidenceRef | None = Field(default=None, description="Fundstelle im Dokument (optional).")
    origin: str = Field(default="Eingabe", description="Herkunft: Frage, Eingabe oder Dokument.")

    @field_validator("value", mode="before")
    @classmethod
    def _value(cls, value: Any) -> Decimal:
        return to_decimal(value, "Wert")


Operation = Literal["summe", "differenz", "je_einheit", "anteil", "veraenderung_prozent"]


class RechneInput(BaseModel):
    """Sum, difference, per-unit and share over figures taken from documents."""

    operation: Operation = Field(
        description=(
            "summe: alle Werte addieren; differenz: erster Wert minus die übrigen; "
            "je_einheit: erster Wert geteilt durch den zweiten (z. B. EUR je Stelle); "
            "anteil: erster Wert in Prozent des zweiten; "
            "veraenderung_prozent: Veränderung vom zweiten (alten) zum ersten (neuen) Wert in Prozent."
        )
    )
    operands: list[Operand] = Field(description="Die Werte in der Reihenfolge der Rechnung.")
    unit: str | None = Field(
        default=None, description="Einheit des Ergebnisses; leer: aus den Werten abgeleitet (z. B. EUR)."
    )
    per_unit_label: str | None = Field(default=None, description="Bezugseinheit bei je_einheit, z. B. „Stelle“.")

    @model_validator(mode="after")
    def _arity(self) -> RechneInput:
        count = len(self.operands)
        if self.operation in ("summe", "differenz") and count < 2:
            raise ValueError(f"Für „{self.operation}“ sind mindestens zwei Werte nötig (angegeben: {count}).")
        if self.operation in ("je_einheit", "anteil", "veraenderung_prozent") and count != 2:
            raise ValueError(f"Für „{self.operation}“ sind genau zwei Werte nötig (angegeben: {count}).")
        if self.operation in ("je_einheit", "anteil", "veraenderung_prozent") and self.operands[1].value == 0:
            raise ValueError("Division durch 0: der zweite Wert darf nicht 0 sein.")
        if self.operation in ("je_einheit",) and self.operands[1].value < 0:
            raise ValueError("Die Bezugsmenge (zweiter Wert) darf nicht negativ sein.")
        return self


class ZeitraumInput(BaseModel):
    """Costs over several periods (days, years …) from a stated rate per period: optionally a one-off
    amount that already covers the first ``included`` periods, and a discount in per cent from the
    ``discount_from``-th period on ("ab dem zweiten Nutzungstag 10 Prozent Preisnachlass")."""

    rate: Operand = Field(description="Betrag je Zeitraum, z. B. 928,00 EUR pro Tag.")
    periods: int = Field(ge=1, le=1000, description="Anzahl der Zeiträume, z. B. 2 (Tage).")
    period_name: str = Field(description="Bezeichnung eines Zeitraums im Singular, z. B. „Tag“ oder „Jahr“.")
    period_plural: str = Field(description="… im Plural, z. B. „Tage“ oder „Jahre“.")
    one_off: Operand | None = Field(default=None, description="Einmaliger Betrag, z. B. die Anschaffung.")
    included: int = Field(default=0, ge=0, description="Zeiträume, die der einmalige Betrag schon abdeckt.")
    discount_percent: Decimal | None = Field(default=None, ge=0, le=100, description="Nachlass in Prozent.")
    discount_from: int | None = Field(default=None, ge=1, description="Ab dem wievielten Zeitraum der Nachlass gilt.")
    discount_evidence: EvidenceRef | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ZeitraumInput:
        if self.included > self.periods:
            raise ValueError(f"Der einmalige Betrag deckt {self.included} Zeiträume ab, gefragt sind nur {self.periods}.")
        if (self.discount_percent is None) != (self.discount_from is None):
            raise ValueError("Ein Nachlass braucht den Prozentsatz und den Zeitraum, ab dem er gilt.")
        return self
