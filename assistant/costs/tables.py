"""Cost tables: versioned TOML files with name, validity period and sources, selected by year.

Two kinds (``[tabelle] art``):

- ``personal``: annual personnel cost per VZÄ for each Entgelt-/Besoldungsgruppe, either from monthly
  amounts per Stufe (``stufen``) with the Jahressonderzahlung and the employer's share, or given
  directly as ``jahreskosten`` (a city's own Personalkostensätze);
- ``arbeitsplatz``: Sachkosten of an office workplace per year and the Gemeinkosten rate.

The shipped tables live in ``assistant/costs/tables``; ``Settings.costs.tables_dir`` adds the user's
own tables, which take precedence whenever they cover the year asked for. For a year, the table whose
validity period covers most days of that year is used (ties: the newer one).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from assistant.costs.models import CostError, TableRef, to_decimal
from vorlagen.formatting import format_date, format_number
from vorlagen.settings import Settings
from vorlagen.validation import german_validation_message

SHIPPED_TABLES_DIR = Path(__file__).parent / "tables"

_GROUP = re.compile(
    r"^(?:(?:entgeltgruppe|eg|e)(?:\s*e(?=\s*\d))?\s*(?P<e>\d{1,2})\s*(?P<e_suffix>[abc]|ü|ue)?"
    r"|(?:(?:besoldungsgruppe|besgr\.?)\s*)?a\s*(?P<a>\d{1,2})"
    r"|(?P<s_kind>s|p)\s*(?P<s>\d{1,2})\s*(?P<s_suffix>[ab])?)$",
    re.IGNORECASE,
)


def normalize_group(text: str) -> str:
    """``E13`` / ``EG 13`` / ``Entgeltgruppe 13`` -> ``E 13``; ``A12`` -> ``A 12``; ``E 9c`` stays.

    Trailing ``TVöD``/``TVöD-VKA``/``BBesO`` etc. are ignored. Raises ``CostError`` (German) for text
    that is no Entgelt- or Besoldungsgruppe.
    """
    cleaned = re.sub(r"\b(tvöd|tvoed|tv-?l|vka|bund|besoldung|lbesg|bbeso)\b[-\s]*", " ", text, flags=re.I)
    cleaned = re.sub(r"[\s\-]+", " ", cleaned).strip()
    match = _GROUP.match(cleaned)
    if not match:
        raise CostError(
            f"„{text.strip()}“ ist keine bekannte Entgelt- oder Besoldungsgruppe "
            "(Beispiele: „E 13“, „E 9c“, „A 12“)."
        )
    if match.group("e"):
        suffix = (match.group("e_suffix") or "").lower().replace("ue", "ü")
        return f"E {int(match.group('e'))}{suffix.replace('ü', 'Ü')}"
    if match.group("a"):
        return f"A {int(match.group('a'))}"
    return f"{match.group('s_kind').upper()} {int(match.group('s'))}{(match.group('s_suffix') or '').lower()}"


def split_alternatives(text: str) -> list[str]:
    """``A12/E11`` -> ``["A 12", "E 11"]``; ``A13/E13 TVöD`` -> ``["A 13", "E 13"]``."""
    parts = [part for part in re.split(r"\s*(?:/|\boder\b|\bbzw\.)\s*", text) if part.strip()]
    return [normalize_group(part) for part in parts]


# ---------------------------------------------------------------------------------------------
# File models
# ---------------------------------------------------------------------------------------------


class Source(BaseModel):
    betrifft: str
    titel: str
    herausgeber: str
    jahr: int
    url: str
    belegt_durch: str | None = None


class TableHeader(BaseModel):
    art: Literal["personal", "arbeitsplatz"]
    name: str
    version: str
    gueltig_von: date
    gueltig_bis: date | None = None
    hinweis: str = ""

    @model_validator(mode="after")
    def _period(self) -> TableHeader:
        if self.gueltig_bis is not None and self.gueltig_bis < self.gueltig_von:
            raise ValueError("gueltig_bis liegt vor gueltig_von.")
        return self

    def days_in_year(self, year: int) -> int:
        first = max(self.gueltig_von, date(year, 1, 1))
        last = min(self.gueltig_bis or date(year, 12, 31), date(year, 12, 31))
        return max(0, (last - first).days + 1)

    def period_text(self) -> str:
        end = format_date(self.gueltig_bis) if self.gueltig_bis else "offen"
        return f"{format_date(self.gueltig_von)} bis {end}"


class GroupRates(BaseModel):
    stufen: list[Decimal | None] | None = None
    """Monthly amount per Stufe (index 0 = Stufe 1); ``None`` where the Stufe does not exist."""
    jahressonderzahlung_prozent: Decimal = Decimal(0)
    jahreskosten: Decimal | None = None
    """Annual employer cost per VZÄ given directly (already includes the employer's share)."""

    @field_validator("stufen", mode="before")
    @classmethod
    def _stufen(cls, value: Any) -> list[Decimal | None] | None:
        if value is None:
            return None
        return [None if item in ("-", "", None) else to_decimal(item, "Stufe") for item in value]

    @field_validator("jahressonderzahlung_prozent", "jahreskosten", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Decimal | None:
        return None if value is None else to_decimal(value, "Wert")

    @model_validator(mode="after")
    def _one_form(self) -> GroupRates:
        if (self.stufen is None) == (self.jahreskosten is None):
            raise ValueError("Jede Gruppe braucht entweder „stufen“ oder „jahreskosten“.")
        return self


class PersonnelCalc(BaseModel):
    referenzstufe: int = 3
    arbeitgeberanteil_prozent: Decimal = Decimal(0)
    arbeitgeberanteil_erlaeuterung: str = ""
    schaetzungen: list[str] = Field(default_factory=list)
    schaetzungen_erlaeuterung: str = ""

    @field_validator("arbeitgeberanteil_prozent", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Decimal:
        return to_decimal(value, "arbeitgeberanteil_prozent")


class WorkplaceValues(BaseModel):
    sachkosten_arbeitsplatz: Decimal
    gemeinkosten_prozent: Decimal
    schaetzungen: list[str] = Field(default_factory=list)
    schaetzungen_erlaeuterung: str = ""

    @field_validator("sachkosten_arbeitsplatz", "gemeinkosten_prozent", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Decimal:
        return to_decimal(value, "Wert")


class CostTable(BaseModel):
    path: Path
    user: bool = False
    """Loaded from the user's folder (takes precedence over shipped tables)."""
    tabelle: TableHeader
    quellen: list[Source] = Field(default_factory=list)
    berechnung: PersonnelCalc | None = None
    gruppen: dict[str, GroupRates] = Field(default_factory=dict)
    werte: WorkplaceValues | None = None

    @model_validator(mode="after")
    def _kind(self) -> CostTable:
        if self.tabelle.art == "personal":
            if not self.gruppen:
                raise ValueError("Eine Personalkostentabelle braucht den Abschnitt [gruppen].")
            if self.berechnung is None:
                self.berechnung = PersonnelCalc()
            self.gruppen = {normalize_group(name): rates for name, rates in self.gruppen.items()}
        elif self.werte is None:
            raise ValueError("Eine Arbeitsplatztabelle braucht den Abschnitt [werte].")
        return self

    @property
    def estimates(self) -> list[str]:
        if self.berechnung is not None:
            return self.berechnung.schaetzungen
        return self.werte.schaetzungen if self.werte else []

    def ref(self) -> TableRef:
        return TableRef(
            name=self.tabelle.name, version=self.tabelle.version, path=str(self.path), estimates=self.estimates
        )


@dataclass(frozen=True)
class PersonnelRate:
    """Annual personnel cost of one VZÄ of a group in a year, with the way it was derived."""

    group: str
    annual: Decimal
    formula: str
    table: CostTable
    assumption: str | None = None
    """Set when the rate is projected beyond the table (``Projection``): the German „Annahme“ sentence."""


def coverage_notice(table: CostTable, year: int) -> str | None:
    """A German notice when ``table`` covers only part of ``year``, else ``None``."""
    days = table.tabelle.days_in_year(year)
    total = (date(year, 12, 31) - date(year, 1, 1)).days + 1
    if days >= total:
        return None
    return (
        f"„{table.tabelle.name}“ gilt {table.tabelle.period_text()} und deckt das Jahr {year} nur teilweise ab; "
        f"ihre Werte sind für das ganze Jahr {year} angesetzt."
    )


@dataclass(frozen=True)
class WorkplaceRate:
    sachkosten: Decimal
    gemeinkosten_prozent: Decimal
    table: CostTable
    assumption: str | None = None


@dataclass(frozen=True)
class Projection:
    """A year after the last cost table: that table's values, personnel costs grown by a stated yearly
    tariff increase (an assumption with its source, never silent). Used by drafts (``Settings.costs``)."""

    percent: Decimal
    source: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Projection | None:
        percent = settings.costs.projection_percent
        return None if percent is None else cls(percent, settings.costs.projection_source)

    def factor(self, years: int) -> Decimal:
        return (1 + self.percent / 100) ** years


def _last_year(table: CostTable) -> int:
    return (table.tabelle.gueltig_bis or table.tabelle.gueltig_von).year


# ---------------------------------------------------------------------------------------------
# Loading and selection
# ---------------------------------------------------------------------------------------------


def load_table(path: Path, user: bool = False) -> CostTable:
    """Read and validate one TOML table; German ``CostError`` naming the file when it is malformed."""
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CostError(f"Die Kostentabelle {path} kann nicht gelesen werden: {exc}") from exc
    try:
        return CostTable(path=path, user=user, **raw)
    except ValidationError as exc:
        raise CostError(f"Die Kostentabelle {path} ist fehlerhaft: {german_validation_message(exc)}") from exc


class CostTables:
    """All cost tables available to a process; pick by year (and group)."""

    def __init__(self, tables: list[CostTable], projection: Projection | None = None) -> None:
        if not tables:
            raise CostError("Es ist keine Kostentabelle vorhanden.")
        self.tables = tables
        self.projection = projection

    def projecting(self, projection: Projection | None) -> CostTables:
        """The same tables; years after the last table of a kind are projected (``Projection``)."""
        return CostTables(self.tables, projection)

    @classmethod
    def load(cls, user_dir: Path | None = None, shipped_dir: Path = SHIPPED_TABLES_DIR) -> CostTables:
        tables = [load_table(path) for path in sorted(shipped_dir.glob("*.toml"))]
        if user_dir is not None:
            if not user_dir.is_dir():
                raise CostError(f"Der Ordner für eigene Kostentabellen {user_dir} existiert nicht.")
            tables += [load_table(path, user=True) for path in sorted(user_dir.glob("*.toml"))]
        return cls(tables)

    @classmethod
    def from_settings(cls, settings: Settings) -> CostTables:
        return cls.load(settings.costs.tables_dir)

    def _candidates(self, kind: str, year: int) -> list[CostTable]:
        """Tables of a kind covering ``year``: user tables first, then most days in the year, newest."""
        covering = [t for t in self.tables if t.tabelle.art == kind and t.tabelle.days_in_year(year) > 0]
        return sorted(
            covering,
            key=lambda t: (t.user, t.tabelle.days_in_year(year), t.tabelle.gueltig_von),
            reverse=True,
        )

    def covers(self, kind: str, year: int) -> bool:
        """Whether some table of ``kind`` (``personal`` / ``arbeitsplatz``) covers part of ``year``, or
        the year can be projected from an earlier one."""
        return bool(self._candidates(kind, year)) or self._projection_base(kind, year) is not None

    def _projection_base(self, kind: str, year: int, group: str | None = None) -> CostTable | None:
        """The newest table of ``kind`` (with ``group``) ending before ``year``, if years are projected."""
        if self.projection is None:
            return None
        earlier = [
            t for t in self.tables
            if t.tabelle.art == kind and _last_year(t) < year and (group is None or group in t.gruppen)
        ]
        return max(earlier, key=lambda t: (t.user, _last_year(t), t.tabelle.gueltig_von), default=None)

    def _no_table(self, kind: str, year: int) -> CostError:
        label = "Personalkostentabelle" if kind == "personal" else "Tabelle der Arbeitsplatzkosten"
        periods = sorted(
            {t.tabelle.period_text() for t in self.tables if t.tabelle.art == kind}
        )
        known = "; ".join(periods) or "keine"
        return CostError(
            f"Für das Jahr {year} liegt keine {label} vor (vorhanden: {known}). "
            "Bitte eine eigene Tabelle für dieses Jahr im Ordner VORLAGEN_COSTS__TABLES_DIR ablegen."
        )

    def workplace(self, year: int) -> WorkplaceRate:
        candidates = self._candidates("arbeitsplatz", year)
        if not candidates:
            base = self._projection_base("arbeitsplatz", year)
            if base is None:
                raise self._no_table("arbeitsplatz", year)
            assert base.werte is not None
            assumption = (
                f"Annahme: Für {year} gibt es keine Tabelle der Arbeitsplatzkosten; die Werte von „{base.tabelle.name}“ "
                f"(gültig bis {format_date(base.tabelle.gueltig_bis or base.tabelle.gueltig_von)}) sind unverändert übernommen."
            )
            return WorkplaceRate(base.werte.sachkosten_arbeitsplatz, base.werte.gemeinkosten_prozent, base, assumption)
        table = candidates[0]
        assert table.werte is not None
        return WorkplaceRate(table.werte.sachkosten_arbeitsplatz, table.werte.gemeinkosten_prozent, table)

    def personnel(self, group: str, year: int, stufe: int | None = None) -> PersonnelRate:
        """Annual cost of one VZÄ of ``group`` in ``year``; German ``CostError`` when not possible."""
        canonical = normalize_group(group)
        candidates = self._candidates("personal", year)
        for table in candidates:
            if canonical in table.gruppen:
                return _rate(table, canonical, stufe)
        base = self._projection_base("personal", year, canonical)
        if base is not None and self.projection is not None:
            return _projected(_rate(base, canonical, stufe), year, self.projection)
        if not candidates:
            raise self._no_table("personal", year)
        known_anywhere = any(canonical in t.gruppen for t in self.tables if t.tabelle.art == "personal")
        if known_anywhere:
            years = sorted(
                {
                    y
                    for t in self.tables
                    if t.tabelle.art == "personal" and canonical in t.gruppen
                    for y in range(t.tabelle.gueltig_von.year, (t.tabelle.gueltig_bis or t.tabelle.gueltig_von).year + 1)
                }
            )
            raise CostError(
                f"Für die Gruppe {canonical} liegt für das Jahr {year} keine Tabelle vor "
                f"(vorhanden für: {', '.join(str(y) for y in years)})."
            )
        names = ", ".join(t.tabelle.name for t in candidates)
        raise CostError(f"Die Gruppe {canonical} ist in den Tabellen für {year} nicht enthalten ({names}).")


def _rate(table: CostTable, group: str, stufe: int | None) -> PersonnelRate:
    rates = table.gruppen[group]
    calc = table.berechnung
    assert calc is not None
    if rates.jahreskosten is not None:
        formula = f"{group}: Jahreskosten je VZÄ laut Tabelle {format_number(rates.jahreskosten, 2)} EUR"
        return PersonnelRate(group, rates.jahreskosten, formula, table)
    assert rates.stufen is not None
    level = stufe or calc.referenzstufe
    if not 1 <= level <= len(rates.stufen) or rates.stufen[level - 1] is None:
        available = [str(index + 1) for index, value in enumerate(rates.stufen) if value is not None]
        raise CostError(
            f"Die Stufe {level} gibt es für {group} in „{table.tabelle.name}“ nicht "
            f"(vorhanden: Stufen {', '.join(available)})."
        )
    monthly = rates.stufen[level - 1]
    assert monthly is not None
    special = rates.jahressonderzahlung_prozent / 100
    share = calc.arbeitgeberanteil_prozent / 100
    annual = monthly * (12 + special) * (1 + share)
    text = f"{group} Stufe {level}: {format_number(monthly, 2)} EUR × "
    if special:
        text += (
            f"(12 + {format_number(special)} Jahressonderzahlung "
            f"[{format_number(rates.jahressonderzahlung_prozent)} %]) Monatsentgelte"
        )
    else:
        text += "12 Monatsentgelte"
    if share:
        text += f" × (1 + {format_number(calc.arbeitgeberanteil_prozent)} % Arbeitgeberanteil)"
    text += f" = {format_number(annual, 2)} EUR je VZÄ und Jahr"
    return PersonnelRate(group, annual, text, table)


def _projected(rate: PersonnelRate, year: int, projection: Projection) -> PersonnelRate:
    """``rate`` of the table's last year grown by ``projection`` for each year up to ``year``."""
    table = rate.table
    steps = year - _last_year(table)
    annual = rate.annual * projection.factor(steps)
    percent = format_number(projection.percent)
    end = format_date(table.tabelle.gueltig_bis or table.tabelle.gueltig_von)
    formula = (
        f"{rate.formula}; fortgeschrieben auf {year}: × (1 + {percent} %)^{steps} = {format_number(annual, 2)} EUR "
        f"je VZÄ und Jahr (Annahme)"
    )
    assumption = (
        f"Annahme: Für {year} gibt es keine Personalkostentabelle; die Werte von „{table.tabelle.name}“ (gültig bis "
        f"{end}) sind mit {percent} % Tarifsteigerung je Jahr fortgeschrieben (Quelle der Annahme: {projection.source})."
    )
    return PersonnelRate(rate.group, annual, formula, table, assumption)
