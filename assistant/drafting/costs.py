"""The finance table of a draft: every figure comes from the cost tools of ``assistant.costs``.

Rows: Personalkosten (first year pro rata from the start month, ``personalkosten`` without workplace
and overhead), Arbeitsplatzkosten and Gemeinkosten (``personalkosten`` with them, minus the row above,
by ``rechne``), Beratung (``beratungskosten``), Sachkosten (``finanzplanung``), Summe (``rechne``).
A befristete position ends with its last month (``anteilig``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from assistant.costs.models import (
    AnteiligInput,
    BeratungskostenInput,
    BeratungsPosten,
    CostResult,
    FinanzplanungInput,
    Operand,
    PersonalkostenInput,
    Position,
    RechneInput,
)
from assistant.costs.tables import CostTables
from assistant.costs.tools import anteilig, beratungskosten, finanzplanung, personalkosten, rechne
from vorlagen.domain import DraftCostRow, DraftCostTable, DraftPosition, DraftRequest

PERSONAL = "Personalkosten"
ARBEITSPLATZ = "Sachkosten der Arbeitsplätze"
GEMEINKOSTEN = "Gemeinkosten"
BERATUNG = "Beratung"
SACHKOSTEN = "Sachkosten"
SUMME = "Summe"


def plan_years(request: DraftRequest) -> list[int]:
    """The Haushaltsjahre of the table: as requested, else from the earliest start (two years)."""
    if request.haushaltsjahre:
        return list(range(request.haushaltsjahre[0], request.haushaltsjahre[-1] + 1))
    if request.stellen:
        first = min(position.ab.year for position in request.stellen)
        return [first, first + 1]
    start = (request.datum or date.today()).year + 1
    return [start, start + 1]


@dataclass
class _Collector:
    years: list[int]
    rows: dict[str, dict[int, Decimal]] = field(default_factory=lambda: defaultdict(dict))
    tables: dict[str, None] = field(default_factory=dict)
    formulas: list[str] = field(default_factory=list)
    notices: dict[str, None] = field(default_factory=dict)

    def take(self, result: CostResult, label: str | None = None) -> dict[int, Decimal]:
        for ref in result.tables:
            self.tables[ref.label()] = None
        for notice in result.notices:
            self.notices[notice] = None
        if label:
            self.formulas.append(f"{label}: {result.formula}")
            self.formulas += [f"{label}, {row.label}: {row.formula}" for row in result.rows if len(result.rows) > 1]
        return {row.year: row.amount for row in result.rows if row.year is not None}

    def add(self, row: str, year: int, amount: Decimal) -> None:
        current = self.rows[row].get(year)
        self.rows[row][year] = amount if current is None else _sum([current, amount])


def _sum(amounts: list[Decimal]) -> Decimal:
    """Σ by the ``rechne`` tool (exact, then to the cent)."""
    if len(amounts) <= 1:
        return amounts[0] if amounts else Decimal("0.00")
    return rechne(RechneInput(operation="summe", operands=[Operand(value=a, unit="EUR") for a in amounts])).total


def _difference(minuend: Decimal, subtrahend: Decimal) -> Decimal:
    operands = [Operand(value=minuend, unit="EUR"), Operand(value=subtrahend, unit="EUR")]
    return rechne(RechneInput(operation="differenz", operands=operands)).total


def _positions_costs(positions: list[DraftPosition], years: list[int], tables: CostTables, out: _Collector) -> None:
    """Personal-, Arbeitsplatz- and Gemeinkosten of positions that share their last year: one tool call per
    variant for all of them (so the rows round exactly as the tool does); a single befristete position
    ends with its last month."""
    ends = {position.befristet_bis for position in positions}
    end = ends.pop() if len(ends) == 1 else None
    last = min(years[-1], end.year) if end is not None else years[-1]
    first = min(position.ab.year for position in positions)
    if last < first:
        return
    tool_positions = [
        Position(vza=p.total_vza, group=p.gruppe, start=p.ab, label=p.bezeichnung) for p in positions if p.ab.year <= last
    ]
    variants = {}
    for name, workplace, overhead in (("personal", False, False), ("arbeitsplatz", True, False), ("voll", True, True)):
        data = PersonalkostenInput(positions=tool_positions, end_year=last, include_workplace=workplace, include_overhead=overhead)
        label = "Personalkosten " + ", ".join(f"{p.anzahl} × {p.gruppe} ab {p.ab:%d.%m.%Y}" for p in positions) if name == "voll" else None
        variants[name] = out.take(personalkosten(data, tables), label)
    ends_early = end is not None and end.year == last and end.month < 12
    for year in range(first, last + 1):
        if year not in years:
            continue
        amounts = {name: values[year] for name, values in variants.items()}
        if ends_early and year == last:
            assert end is not None and len(positions) == 1
            position = positions[0]
            months = end.month - (position.ab.month - 1 if position.ab.year == year else 0)
            amounts = {
                name: anteilig(AnteiligInput(annual_amount=_full_year(position, name, year, tables), months=months)).total
                for name in amounts
            }
            out.notices[f"Befristung bis {end:%d.%m.%Y}: {year} mit {months} Monaten angesetzt."] = None
        out.add(PERSONAL, year, amounts["personal"])
        out.add(ARBEITSPLATZ, year, _difference(amounts["arbeitsplatz"], amounts["personal"]))
        out.add(GEMEINKOSTEN, year, _difference(amounts["voll"], amounts["arbeitsplatz"]))


def _full_year(position: DraftPosition, variant: str, year: int, tables: CostTables) -> Decimal:
    """The full-year amount of the position in ``year`` (as if it ran from 1 January)."""
    data = PersonalkostenInput(
        positions=[Position(vza=position.total_vza, group=position.gruppe, start=date(year, 1, 1))],
        end_year=year,
        include_workplace=variant != "personal",
        include_overhead=variant == "voll",
    )
    return personalkosten(data, tables).rows[-1].amount


def cost_table(request: DraftRequest, tables: CostTables) -> DraftCostTable | None:
    """The per-year finance table, or ``None`` when the request has no cost inputs.

    Raises ``CostError`` (German) when a cost cannot be computed (e.g. no table for a year)."""
    if not (request.stellen or request.tagessatz or request.sachkosten_je_jahr):
        return None
    years = plan_years(request)
    out = _Collector(years)
    permanent = [p for p in request.stellen if p.befristet_bis is None]
    if permanent:
        _positions_costs(permanent, years, tables, out)
    for position in (p for p in request.stellen if p.befristet_bis is not None):
        _positions_costs([position], years, tables, out)
    if request.beratertage_je_jahr is not None and request.tagessatz is not None:
        items = [BeratungsPosten(days=request.beratertage_je_jahr, day_rate=request.tagessatz, year=year) for year in years]
        for year, amount in out.take(beratungskosten(BeratungskostenInput(items=items)), BERATUNG).items():
            out.add(BERATUNG, year, amount)
    if request.sachkosten_je_jahr is not None:
        data = FinanzplanungInput(annual_amount=request.sachkosten_je_jahr, start=date(years[0], 1, 1), end_year=years[-1])
        for year, amount in out.take(finanzplanung(data), SACHKOSTEN).items():
            out.add(SACHKOSTEN, year, amount)
    rows: list[DraftCostRow] = []
    for label in (PERSONAL, ARBEITSPLATZ, GEMEINKOSTEN, BERATUNG, SACHKOSTEN):
        if label not in out.rows:
            continue
        amounts = [out.rows[label].get(year, Decimal("0.00")) for year in years]
        rows.append(DraftCostRow(label=label, amounts=amounts, total=_sum(amounts)))
    sums = [_sum([row.amounts[i] for row in rows]) for i in range(len(years))]
    rows.append(DraftCostRow(label=SUMME, amounts=sums, total=_sum(sums)))
    return DraftCostTable(
        years=years, rows=rows, tables=list(out.tables), formulas=out.formulas, notices=list(out.notices)
    )
