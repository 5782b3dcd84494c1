"""The rubric of a drafting case, computed without the drafting code.

- ``Expectation``: what a case's request must be understood as (positions, consulting days per year,
  Tagessatz, Sachkosten, further costs, Haushaltsjahre, figures the Betreff keeps, figures that must be
  named as unassigned) – written by hand for one-line requests, taken from the request for structured ones;
- ``expected_sums``: the finance table's Summe per year and in total, recomputed here from the TOML cost
  tables (read with ``tomllib``, own arithmetic in ``Decimal``; the drafting code is not called): monthly
  Entgelt of the reference Stufe × (12 + Jahressonderzahlung) × (1 + Arbeitgeberanteil), a year after the
  last table grown by the configured yearly increase, workplace Sachkosten and Gemeinkosten from the
  workplace table, months from the start month to the end month, rounded to the cent per group of
  positions that end together (open-ended ones together, each befristete alone – the documented rule);
- ``prompt_hits``: sentences sharing six words in a row with a drafting prompt (instructions, examples,
  labels) that the request itself does not contain;
- ``placeholders`` per section, ``empty_sections``, ``understood_problems``, ``betreff_problems``.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field

from vorlagen.domain import Draft, DraftRequest

ROOT = Path(__file__).resolve().parent.parent
TABLES_DIR = ROOT / "assistant" / "costs" / "tables"
PROMPTS_DIR = ROOT / "prompts"
CENT = Decimal("0.01")
PLACEHOLDER = "[bitte ergänzen"


class ExpectedPosition(BaseModel):
    anzahl: int = 1
    gruppe: str
    vza: Decimal = Decimal(1)
    ab: date
    befristet_bis: date | None = None


class ExpectedCost(BaseModel):
    bezeichnung: str
    betrag: Decimal
    jahr: int | None = None


class Expectation(BaseModel):
    """What the request must be understood as; ``None``/empty fields of a structured request come from it."""

    stadt: str | None = None
    stellen: list[ExpectedPosition] | None = None
    beratertage: dict[str, Decimal] | None = None
    """Per year (``"2027": 40``) or the same every year (``"*": 80``)."""
    tagessatz: Decimal | None = None
    sachkosten: dict[str, Decimal] | None = None
    weitere_kosten: list[ExpectedCost] | None = None
    jahre: list[int] = Field(default_factory=list)
    """The Haushaltsjahre of the finance table (first start to last end)."""
    betreff_zahlen: list[str] = Field(default_factory=list)
    nicht_zugeordnet: list[str] = Field(default_factory=list)
    kennzahlen: list[str] = Field(default_factory=list)

    def completed(self, request: DraftRequest | None) -> Expectation:
        """A structured request's own values where the expectation leaves them open."""
        if request is None:
            return self
        update: dict[str, object] = {}
        if self.stellen is None:
            update["stellen"] = [ExpectedPosition(**p.model_dump(include={"anzahl", "gruppe", "vza", "ab", "befristet_bis"}))
                                 for p in request.stellen]
        if self.beratertage is None:
            days = {"*": request.beratertage_je_jahr} if request.beratertage_je_jahr is not None else {}
            update["beratertage"] = days | {str(v.jahr): v.wert for v in request.beratertage_nach_jahr}
        if self.tagessatz is None:
            update["tagessatz"] = request.tagessatz
        if self.sachkosten is None:
            material = {"*": request.sachkosten_je_jahr} if request.sachkosten_je_jahr is not None else {}
            update["sachkosten"] = material | {str(v.jahr): v.wert for v in request.sachkosten_nach_jahr}
        if self.weitere_kosten is None:
            update["weitere_kosten"] = [ExpectedCost(**c.model_dump()) for c in request.weitere_kosten]
        if self.stadt is None:
            update["stadt"] = request.stadt
        return self.model_copy(update=update)


# --- the cost tables, read directly ------------------------------------------------------------------


def _number(text: object) -> Decimal:
    return Decimal(str(text).replace(".", "").replace(",", "."))


@lru_cache(maxsize=4)
def _tables(directory: Path = TABLES_DIR) -> tuple[dict, ...]:
    return tuple(tomllib.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.toml")))


def _days_in(table: dict, year: int) -> int:
    head = table["tabelle"]
    first = max(head["gueltig_von"], date(year, 1, 1))
    last = min(head.get("gueltig_bis") or date(year, 12, 31), date(year, 12, 31))
    return max(0, (last - first).days + 1)


def _last_year(table: dict) -> int:
    return (table["tabelle"].get("gueltig_bis") or table["tabelle"]["gueltig_von"]).year


def _annual(table: dict, group: str) -> Decimal:
    rates, calc = table["gruppen"][group], table.get("berechnung", {})
    if "jahreskosten" in rates:
        return _number(rates["jahreskosten"])
    monthly = _number(rates["stufen"][int(calc.get("referenzstufe", 3)) - 1])
    special = _number(rates.get("jahressonderzahlung_prozent", "0")) / 100
    return monthly * (12 + special) * (1 + _number(calc.get("arbeitgeberanteil_prozent", "0")) / 100)


def personnel_rate(group: str, year: int, percent: Decimal | None) -> Decimal | None:
    """Annual cost of one VZÄ: the covering table with the most days in the year (newest on a tie), else
    the newest earlier table grown by ``percent`` per year."""
    personal = [t for t in _tables() if t["tabelle"]["art"] == "personal" and group in t.get("gruppen", {})]
    covering = [t for t in personal if _days_in(t, year) > 0]
    if covering:
        best = max(covering, key=lambda t: (_days_in(t, year), t["tabelle"]["gueltig_von"]))
        return _annual(best, group)
    earlier = [t for t in personal if _last_year(t) < year]
    if not earlier or percent is None:
        return None
    base = max(earlier, key=lambda t: (_last_year(t), t["tabelle"]["gueltig_von"]))
    return _annual(base, group) * (1 + percent / 100) ** (year - _last_year(base))


def workplace_rate(year: int) -> tuple[Decimal, Decimal] | None:
    """(Sachkosten per workplace, Gemeinkosten in %): the covering table, else the newest earlier one."""
    tables = [t for t in _tables() if t["tabelle"]["art"] == "arbeitsplatz"]
    covering = [t for t in tables if _days_in(t, year) > 0]
    pool = covering or [t for t in tables if _last_year(t) < year]
    if not pool:
        return None
    best = max(pool, key=lambda t: (_days_in(t, year) if covering else _last_year(t), t["tabelle"]["gueltig_von"]))
    return _number(best["werte"]["sachkosten_arbeitsplatz"]), _number(best["werte"]["gemeinkosten_prozent"])


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _months(position: ExpectedPosition, year: int) -> int:
    if position.ab.year > year or (position.befristet_bis and position.befristet_bis.year < year):
        return 0
    first = position.ab.month if position.ab.year == year else 1
    last = position.befristet_bis.month if position.befristet_bis and position.befristet_bis.year == year else 12
    return max(0, last - first + 1)


def _full_cost(position: ExpectedPosition, year: int, percent: Decimal | None) -> Decimal | None:
    rate, workplace = personnel_rate(position.gruppe, year, percent), workplace_rate(year)
    if rate is None or workplace is None:
        return None
    vza = position.vza * position.anzahl
    return rate * vza * (1 + workplace[1] / 100) + workplace[0] * vza


def _group_cost(group: list[ExpectedPosition], year: int, percent: Decimal | None) -> Decimal | None:
    """One group's cost in ``year``, rounded once; a befristete position ends pro rata with its last month
    (the full-year amount rounded, then the months)."""
    single = group[0] if len(group) == 1 else None
    if single and single.befristet_bis and single.befristet_bis.year == year and single.befristet_bis.month < 12:
        full = _full_cost(single, year, percent)
        return None if full is None else _round(_round(full) * _months(single, year) / 12)
    total = Decimal(0)
    for position in group:
        months = _months(position, year)
        if months:
            full = _full_cost(position, year, percent)
            if full is None:
                return None
            total += full * months / 12
    return _round(total)


def _per_year(values: dict[str, Decimal] | None, years: list[int]) -> dict[int, Decimal]:
    values = values or {}
    if "*" in values:
        return {year: values["*"] for year in years}
    return {int(year): value for year, value in values.items()}


def expected_sums(expect: Expectation, percent: Decimal | None) -> tuple[list[Decimal | None], Decimal | None]:
    """The Summe per year of ``expect.jahre`` and in total (``None`` where a year has no table and no projection)."""
    years = expect.jahre
    positions = expect.stellen or []
    groups = ([[p for p in positions if p.befristet_bis is None]] if any(p.befristet_bis is None for p in positions) else [])
    groups += [[p] for p in positions if p.befristet_bis is not None]
    days = _per_year(expect.beratertage, years)
    material = _per_year(expect.sachkosten, years)
    sums: list[Decimal | None] = []
    for year in years:
        parts = [_group_cost(group, year, percent) for group in groups if any(_months(p, year) for p in group)]
        if expect.tagessatz is not None and year in days:
            parts.append(_round(days[year] * expect.tagessatz))
        if year in material:
            parts.append(_round(material[year]))
        parts += [_round(c.betrag) for c in expect.weitere_kosten or [] if c.jahr in (None, year)]
        sums.append(None if any(p is None for p in parts) else sum((p for p in parts if p is not None), Decimal("0.00")))
    total = None if any(s is None for s in sums) else sum((s for s in sums if s is not None), Decimal("0.00"))
    return sums, total


def totals_problems(expect: Expectation, draft: Draft, percent: Decimal | None) -> list[str]:
    """Differences between the draft's finance table and the independent recomputation."""
    table = draft.cost_table
    if not expect.jahre:
        return [] if table is None else ["Finanztabelle ohne erwartete Haushaltsjahre"]
    if table is None:
        return ["keine Finanztabelle"]
    if table.years != expect.jahre:
        return [f"Haushaltsjahre {table.years} statt {expect.jahre}"]
    sums, total = expected_sums(expect, percent)
    summe = table.rows[-1]
    problems = [f"{year}: {got} statt {want}" for year, got, want in zip(table.years, summe.amounts, sums) if got != want]
    if summe.total != total:
        problems.append(f"Summe: {summe.total} statt {total}")
    # the table must add up in itself: each year's Summe is the sum of its rows, the total the sum of the years
    for index, year in enumerate(table.years):
        cells = [row.amounts[index] for row in table.rows[:-1]]
        if None not in cells and summe.amounts[index] != sum(cells, Decimal("0.00")):  # type: ignore[arg-type]
            problems.append(f"{year}: Summe ist nicht die Summe der Zeilen")
    return problems


# --- understanding, Betreff, sections, prompt text ----------------------------------------------------


def understood_problems(expect: Expectation, request: DraftRequest) -> list[str]:
    problems = []
    if expect.stadt != request.stadt:
        problems.append(f"Stadt {request.stadt!r} statt {expect.stadt!r}")
    got_positions = sorted((p.anzahl, p.gruppe, p.vza, p.ab, p.befristet_bis) for p in request.stellen)
    want_positions = sorted((p.anzahl, p.gruppe, p.vza, p.ab, p.befristet_bis) for p in expect.stellen or [])
    if got_positions != want_positions:
        problems.append(f"Stellen {got_positions} statt {want_positions}")
    days = {"*": request.beratertage_je_jahr} if request.beratertage_je_jahr is not None else {}
    days |= {str(v.jahr): v.wert for v in request.beratertage_nach_jahr}
    if days != (expect.beratertage or {}) or request.tagessatz != expect.tagessatz:
        problems.append(f"Beratung {days} × {request.tagessatz} statt {expect.beratertage} × {expect.tagessatz}")
    material = {"*": request.sachkosten_je_jahr} if request.sachkosten_je_jahr is not None else {}
    material |= {str(v.jahr): v.wert for v in request.sachkosten_nach_jahr}
    if material != (expect.sachkosten or {}):
        problems.append(f"Sachkosten {material} statt {expect.sachkosten}")
    others = sorted((c.bezeichnung, c.betrag, c.jahr or 0) for c in request.weitere_kosten)
    if others != sorted((c.bezeichnung, c.betrag, c.jahr or 0) for c in expect.weitere_kosten or []):
        problems.append(f"weitere Kosten {others}")
    texts = [figure.text for figure in request.kennzahlen]
    problems += [f"Kennzahl „{k}“ fehlt" for k in expect.kennzahlen if k not in texts]
    return problems


def betreff_problems(expect: Expectation, draft: Draft) -> list[str]:
    betreff = draft.request.betreff
    problems = [f"Betreff ohne „{figure}“" for figure in expect.betreff_zahlen if figure not in betreff]
    if re.search(r"\b(?:auf|für|von|mit|zum|zur|in|ab|bis|und)$|[:,;–-]$", betreff.strip()):
        problems.append(f"Betreff endet mitten im Satz: „{betreff}“")
    return problems


def section_texts(draft: Draft) -> dict[str, str]:
    return {section.name: section.text for section in draft.sections}


def placeholders(draft: Draft) -> dict[str, int]:
    return {name: text.count(PLACEHOLDER) for name, text in section_texts(draft).items()}


def empty_sections(draft: Draft, expected: list[str]) -> list[str]:
    texts = section_texts(draft)
    return [name for name in expected if not texts.get(name, "").strip()]


_ROLE = re.compile(r"^###\s*(?:system|human|ai)\s*$", re.MULTILINE)
_WORDS = re.compile(r"[0-9a-zäöüß]+")


def _runs(text: str, length: int = 6) -> set[tuple[str, ...]]:
    words = _WORDS.findall(text.lower())
    return {tuple(words[i : i + length]) for i in range(len(words) - length + 1)}


@lru_cache(maxsize=1)
def _prompt_runs() -> frozenset[tuple[str, ...]]:
    runs: set[tuple[str, ...]] = set()
    for path in sorted(PROMPTS_DIR.glob("draft_*.txt")):
        raw = path.read_text(encoding="utf-8")
        first = _ROLE.search(raw)
        body = raw[first.start() :] if first else raw
        runs |= _runs(re.sub(r"\{[a-z_]+\}", "\n", _ROLE.sub("\n", body)))
    return frozenset(runs)


def prompt_hits(markdown: str, request_text: str) -> list[str]:
    """Lines of the draft sharing six words in a row with a drafting prompt (not with the request)."""
    own = _runs(request_text)
    hits = []
    for line in markdown.splitlines():
        shared = (_runs(line) & _prompt_runs()) - own
        if shared:
            hits.append(" ".join(sorted(shared)[0]))
    return hits
