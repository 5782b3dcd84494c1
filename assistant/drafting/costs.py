"""The finance table of a draft: every figure comes from the cost tools of ``assistant.costs``.

Rows: Personalkosten (first year pro rata from the start month, ``personalkosten`` without workplace
and overhead), Arbeitsplatzkosten and Gemeinkosten (``personalkosten`` with them, minus the row above,
by ``rechne``), Beratung (``beratungskosten``, days per year), Sachkosten (``finanzplanung`` for the same
amount every year, else the amounts per year), further costs per Kostenart, Summe (``rechne``).
A befristete position ends with its last month (``anteilig``).

The Haushaltsjahre run from the first start to the last end of anything in the request. A year no cost
table covers is projected from the latest table (``CostTables.projecting``, an „Annahme“ with its source);
where even that is impossible the cell is ``None`` („[bitte ergänzen]“) and the rest of the table stands.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from assistant.costs.models import (
    AnteiligInput,
    BeratungskostenInput,
    BeratungsPosten,
    CostError,
    CostResult,
    FinanzplanungInput,
    Operand,
    PersonalkostenInput,
    Position,
    RechneInput,
)
from assistant.costs.tables import CostTables
from assistant.costs.arithmetic import rechne
from assistant.costs.tools import anteilig, beratungskosten, finanzplanung, personalkosten
from vorlagen.domain import DraftCostRow, DraftCostTable, DraftPosition, DraftRequest
from vorlagen.formatting import round_cents

PERSONAL = "Personalkosten"
ARBEITSPLATZ = "Sachkosten der Arbeitsplätze"
GEMEINKOSTEN = "Gemeinkosten"
BERATUNG = "Beratung"
SACHKOSTEN = "Sachkosten"
SUMME = "Summe"
MAX_YEARS = 11


def _position_end_year(position: DraftPosition, explicit: bool) -> int:
    if position.befristet_bis is not None:
        return position.befristet_bis.year
    # an open-ended position: up to its first full year, unless the author named the Haushaltsjahre
    return position.ab.year if explicit else position.ab.year + 1


def plan_years(request: DraftRequest) -> list[int]:
    """The Haushaltsjahre of the table: from the first start to the last end of anything in the request
    (named Haushaltsjahre, positions with their Befristung, values per year); without any, the two years
    after the draft date."""
    explicit = bool(request.haushaltsjahre)
    firsts: list[int] = list(request.haushaltsjahre[:1])
    lasts: list[int] = list(request.haushaltsjahre[-1:])
    for position in request.stellen:
        firsts.append(position.ab.year)
        lasts.append(_position_end_year(position, explicit))
    dated = [v.jahr for v in (*request.beratertage_nach_jahr, *request.sachkosten_nach_jahr)]
    dated += [cost.jahr for cost in request.weitere_kosten if cost.jahr is not None]
    firsts += dated
    lasts += dated
    if not firsts:
        start = (request.datum or date.today()).year + 1
        return [start, start + 1]
    first, last = min(firsts), max(lasts)
    return list(range(first, min(last, first + MAX_YEARS - 1) + 1))


@dataclass
class _Collector:
    years: list[int]
    rows: dict[str, dict[int, Decimal | None]] = field(default_factory=lambda: defaultdict(dict))
    assumed: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
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

    def add(self, row: str, year: int, amount: Decimal | None, assumed: bool = False) -> None:
        if year not in self.years:
            return
        if assumed:
            self.assumed[row].add(year)
        if year in self.rows[row] and (self.rows[row][year] is None or amount is None):
            self.rows[row][year] = None
            return
        current = self.rows[row].get(year)
        self.rows[row][year] = amount if current is None else _sum([current, amount])  # type: ignore[list-item]


def _sum(amounts: list[Decimal]) -> Decimal:
    """Σ by the ``rechne`` tool (exact, then to the cent)."""
    if len(amounts) <= 1:
        return amounts[0] if amounts else Decimal("0.00")
    return rechne(RechneInput(operation="summe", operands=[Operand(value=a, unit="EUR") for a in amounts])).total


def _sum_or_none(amounts: list[Decimal | None]) -> Decimal | None:
    return None if any(a is None for a in amounts) else _sum([a for a in amounts if a is not None])


def _difference(minuend: Decimal, subtrahend: Decimal) -> Decimal:
    operands = [Operand(value=minuend, unit="EUR"), Operand(value=subtrahend, unit="EUR")]
    return rechne(RechneInput(operation="differenz", operands=operands)).total


_VARIANTS = (("personal", False, False), ("arbeitsplatz", True, False), ("voll", True, True))


def _year_of(positions: list[DraftPosition], year: int, tables: CostTables, out: _Collector) -> tuple[dict[str, Decimal], bool]:
    """The three variants' amounts of ``positions`` in ``year`` (one tool call each, so that the rows round
    exactly as the tool does) and whether a value was projected."""
    # a position that began in an earlier year counts from 1 January: the tool computes only ``year``
    tool_positions = [
        Position(vza=p.total_vza, group=p.gruppe, start=p.ab if p.ab.year == year else date(year, 1, 1), label=p.bezeichnung)
        for p in positions
        if p.ab.year <= year
    ]
    amounts: dict[str, Decimal] = {}
    assumed = False
    for name, workplace, overhead in _VARIANTS:
        data = PersonalkostenInput(positions=tool_positions, end_year=year, include_workplace=workplace, include_overhead=overhead)
        result = personalkosten(data, tables)
        label = None
        if name == "voll":
            label = "Personalkosten " + ", ".join(f"{p.anzahl} × {p.gruppe} ab {p.ab:%d.%m.%Y}" for p in positions) + f", {year}"
        out.take(result.model_copy(update={"formula": result.rows[-1].formula}), label)
        amounts[name] = result.rows[-1].amount
        assumed = assumed or result.rows[-1].assumed
    return amounts, assumed


def _full_year(position: DraftPosition, variant: str, year: int, tables: CostTables) -> Decimal:
    """The full-year amount of the position in ``year`` (as if it ran from 1 January)."""
    data = PersonalkostenInput(
        positions=[Position(vza=position.total_vza, group=position.gruppe, start=date(year, 1, 1))],
        end_year=year,
        include_workplace=variant != "personal",
        include_overhead=variant == "voll",
    )
    return personalkosten(data, tables).rows[-1].amount


def _positions_costs(positions: list[DraftPosition], years: list[int], tables: CostTables, out: _Collector) -> None:
    """Personal-, Arbeitsplatz- and Gemeinkosten of positions that share their end, year by year; a single
    befristete position ends with its last month. A year that cannot be computed stays open (``None``)."""
    ends = {position.befristet_bis for position in positions}
    end = ends.pop() if len(ends) == 1 else None
    first = min(position.ab.year for position in positions)
    last = min(years[-1], end.year) if end is not None else years[-1]
    for year in range(max(first, years[0]), last + 1):
        try:
            amounts, assumed = _year_of(positions, year, tables, out)
            if end is not None and end.year == year and end.month < 12:
                assert len(positions) == 1
                position = positions[0]
                months = end.month - (position.ab.month - 1 if position.ab.year == year else 0)
                amounts = {
                    name: anteilig(AnteiligInput(annual_amount=_full_year(position, name, year, tables), months=months)).total
                    for name in amounts
                }
                out.notices[f"Befristung bis {end:%d.%m.%Y}: {year} mit {months} Monaten angesetzt."] = None
        except CostError as error:
            out.notices[f"{PERSONAL} {year}: {error} Der Betrag ist im Entwurf offen („[bitte ergänzen]“)."] = None
            for row in (PERSONAL, ARBEITSPLATZ, GEMEINKOSTEN):
                out.add(row, year, None)
            continue
        out.add(PERSONAL, year, amounts["personal"], assumed)
        out.add(ARBEITSPLATZ, year, _difference(amounts["arbeitsplatz"], amounts["personal"]), assumed)
        out.add(GEMEINKOSTEN, year, _difference(amounts["voll"], amounts["arbeitsplatz"]), assumed)


def consulting_days(request: DraftRequest, years: list[int]) -> dict[int, Decimal]:
    """Beratertage per Haushaltsjahr: the same number every year, or as given per year."""
    if request.beratertage_je_jahr is not None:
        return {year: request.beratertage_je_jahr for year in years}
    return {value.jahr: value.wert for value in request.beratertage_nach_jahr}


def _material_costs(request: DraftRequest, years: list[int], out: _Collector) -> None:
    if request.sachkosten_je_jahr is not None:
        data = FinanzplanungInput(annual_amount=request.sachkosten_je_jahr, start=date(years[0], 1, 1), end_year=years[-1])
        for year, amount in out.take(finanzplanung(data), SACHKOSTEN).items():
            out.add(SACHKOSTEN, year, amount)
    for value in request.sachkosten_nach_jahr:
        out.add(SACHKOSTEN, value.jahr, round_cents(value.wert))
        out.formulas.append(f"{SACHKOSTEN}, {value.jahr}: laut Anfrage {round_cents(value.wert)} EUR")
    for cost in request.weitere_kosten:
        for year in [cost.jahr] if cost.jahr is not None else years:
            out.add(cost.bezeichnung, year, round_cents(cost.betrag))


def _position_groups(positions: list[DraftPosition]) -> list[list[DraftPosition]]:
    """Open-ended positions together (one tool call), each befristete position alone."""
    permanent = [p for p in positions if p.befristet_bis is None]
    return ([permanent] if permanent else []) + [[p] for p in positions if p.befristet_bis is not None]


_ASSUMPTION_YEAR = re.compile(r"^Annahme: Für (\d{4}) (.*)$")


def merged_notices(notices: list[str]) -> list[str]:
    """„Annahme: Für 2028 …“ and „Annahme: Für 2029 …“ with the same rest as one notice („Für 2028 und 2029 …“)."""
    merged: dict[str, list[str]] = {}
    for notice in notices:
        match = _ASSUMPTION_YEAR.match(notice)
        key = match.group(2) if match else notice
        merged.setdefault(key, [])
        if match:
            merged[key].append(match.group(1))
    result = []
    for rest, years in merged.items():
        if not years:
            result.append(rest)
            continue
        listed = years[0] if len(years) == 1 else ", ".join(years[:-1]) + " und " + years[-1]
        result.append(f"Annahme: Für {listed} {rest}")
    return result


def cost_table(request: DraftRequest, tables: CostTables) -> DraftCostTable | None:
    """The per-year finance table, or ``None`` when the request has no cost inputs. Never raises for a
    year without a cost table: such a year is projected (if ``tables`` project) or left open."""
    if not request.has_costs:
        return None
    years = plan_years(request)
    out = _Collector(years)
    for group in _position_groups(request.stellen):
        _positions_costs(group, years, tables, out)
    if request.tagessatz is not None:
        days = consulting_days(request, years)
        items = [BeratungsPosten(days=days[year], day_rate=request.tagessatz, year=year) for year in years if year in days]
        if items:
            for year, amount in out.take(beratungskosten(BeratungskostenInput(items=items)), BERATUNG).items():
                out.add(BERATUNG, year, amount)
    _material_costs(request, years, out)
    rows: list[DraftCostRow] = []
    labels = [PERSONAL, ARBEITSPLATZ, GEMEINKOSTEN, BERATUNG, SACHKOSTEN]
    labels += [label for label in out.rows if label not in labels]
    for label in labels:
        if label not in out.rows:
            continue
        amounts = [out.rows[label].get(year, Decimal("0.00")) for year in years]
        assumed = [year in out.assumed[label] for year in years]
        rows.append(DraftCostRow(label=label, amounts=amounts, total=_sum_or_none(amounts), assumed=assumed))
    sums = [_sum_or_none([row.amounts[i] for row in rows]) for i in range(len(years))]
    summe_assumed = [any(row.is_assumed(i) for row in rows) for i in range(len(years))]
    rows.append(DraftCostRow(label=SUMME, amounts=sums, total=_sum_or_none(sums), assumed=summe_assumed))
    notices = merged_notices(list(out.notices))
    return DraftCostTable(
        years=years,
        rows=rows,
        tables=list(out.tables),
        formulas=out.formulas,
        notices=[n for n in notices if not n.startswith("Annahme:")],
        assumptions=[n for n in notices if n.startswith("Annahme:")],
    )
