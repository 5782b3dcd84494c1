"""The cost tools: exact Decimal arithmetic, formula in German words and figures, tables named (``rechne`` and
``zeitraum``, the general arithmetic, live in ``assistant.costs.arithmetic``).

Each tool is a plain function ``tool(input_model, ...) -> CostResult``; ``cost_tools(settings)`` wraps
them as LangChain ``StructuredTool``s (content: German text; artifact: the ``CostResult``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from langchain_core.tools import StructuredTool, ToolException
from pydantic import BaseModel, ValidationError

from assistant.costs.arithmetic import format_amount, rechne, zeitraum
from assistant.costs.models import (
    ROUNDING_RULE,
    AnteiligInput,
    BeratungskostenInput,
    CostError,
    CostResult,
    FinanzplanungInput,
    InputValue,
    PersonalkostenInput,
    Position,
    RechneInput,
    TableRef,
    YearRow,
    ZeitraumInput,
)
from assistant.costs.tables import CostTables, PersonnelRate, coverage_notice, split_alternatives
from vorlagen.formatting import format_date, format_eur, format_number, round_cents
from vorlagen.settings import Settings
from vorlagen.validation import german_validation_message

def months_from(start: date) -> int:
    """Months from ``start`` to the end of its year, the month of the start counted in full."""
    return 13 - start.month


def _start_notice(start: date) -> str | None:
    if start.day == 1:
        return None
    return (
        f"Beginn am {format_date(start)} (nicht am Monatsersten): der angebrochene Monat ist voll gerechnet."
    )


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def _fraction(months: int) -> str:
    return "" if months == 12 else f" × {months}/12"


# ---------------------------------------------------------------------------------------------
# personalkosten
# ---------------------------------------------------------------------------------------------


def _best_rate(position: Position, year: int, tables: CostTables, notices: list[str]) -> PersonnelRate:
    """The rate of the position's group; for alternatives (``A12/E11``) the higher available one."""
    rates: list[PersonnelRate] = []
    errors: list[CostError] = []
    for group in split_alternatives(position.group):
        try:
            rates.append(tables.personnel(group, year, position.stufe))
        except CostError as exc:
            errors.append(exc)
    if not rates:
        raise errors[0]
    best = max(rates, key=lambda rate: rate.annual)
    if len(rates) > 1:
        notices.append(
            f"{position.group}: von den Alternativen {', '.join(r.group for r in rates)} ist für {year} "
            f"der höhere Satz ({best.group}) angesetzt."
        )
    elif errors:
        notices.append(f"{position.group} ({year}): {best.group} angesetzt – {errors[0]}")
    return best


def personalkosten(data: PersonalkostenInput, tables: CostTables) -> CostResult:
    """Cost per year of a list of positions, pro rata in the first year, optionally with
    Sachkosten of the workplace and the Gemeinkosten rate (each per VZÄ)."""
    first_year = min(position.start.year for position in data.positions)
    notices: list[str] = [n for n in (_start_notice(p.start) for p in data.positions) if n]
    last_year = data.end_year or max(position.start.year for position in data.positions) + 1
    if data.end_year is None and not tables.covers("personal", last_year):
        notices.append(f"Für {last_year} liegt noch keine Personalkostentabelle vor; die Aufstellung endet {last_year - 1}.")
        last_year -= 1
    used: dict[str, TableRef] = {}
    rows: list[YearRow] = []
    for year in range(first_year, last_year + 1):
        year_total = Decimal(0)
        lines: list[str] = []
        assumed = False
        for position in data.positions:
            if position.start.year > year:
                continue
            months = months_from(position.start) if position.start.year == year else 12
            rate = _best_rate(position, year, tables, notices)
            used[rate.table.tabelle.name] = rate.table.ref()
            notice = rate.assumption or coverage_notice(rate.table, year)
            if notice and notice not in notices:
                notices.append(notice)
            assumed = assumed or rate.assumption is not None
            personnel = rate.annual * position.vza
            parts = [f"Personal {format_number(position.vza)} VZÄ × {format_eur(rate.annual)}"]
            annual = personnel
            if data.include_workplace or data.include_overhead:
                workplace = tables.workplace(year)
                used[workplace.table.tabelle.name] = workplace.table.ref()
                if workplace.assumption:
                    assumed = True
                    if workplace.assumption not in notices:
                        notices.append(workplace.assumption)
                if data.include_workplace:
                    annual += workplace.sachkosten * position.vza
                    parts.append(
                        f"Sachkosten {format_number(position.vza)} × {format_eur(workplace.sachkosten)}"
                    )
                if data.include_overhead:
                    annual += personnel * workplace.gemeinkosten_prozent / 100
                    parts.append(f"Gemeinkosten {format_number(workplace.gemeinkosten_prozent)} % der Personalkosten")
            share = annual * months / 12
            year_total += share
            label = position.label or position.group
            lines.append(
                f"{label} ab {format_date(position.start)}: ({' + '.join(parts)}){_fraction(months)} "
                f"= {format_eur(share)} [{rate.formula}]"
            )
        amount = round_cents(year_total)
        rows.append(YearRow(label=str(year), year=year, amount=amount, formula="; ".join(lines), assumed=assumed))
    total = sum((row.amount for row in rows), Decimal(0))
    formula = (
        "Personalkosten je Jahr = Σ Stellen: (VZÄ × Jahrespersonalkosten der Gruppe"
        + (" + VZÄ × Sachkosten je Arbeitsplatz" if data.include_workplace else "")
        + (" + Gemeinkostenzuschlag auf die Personalkosten" if data.include_overhead else "")
        + ") × Monate ab Beginn / 12. "
        + " | ".join(f"{row.label}: {format_eur(row.amount)}" for row in rows)
        + f" | Summe {_span(first_year, last_year)}: {format_eur(total)}. {ROUNDING_RULE}"
    )
    inputs = [
        InputValue(
            name=position.label or f"Stelle {index}",
            value=f"{format_number(position.vza)} VZÄ {position.group} ab {format_date(position.start)}"
            + (f", Stufe {position.stufe}" if position.stufe else ""),
        )
        for index, position in enumerate(data.positions, start=1)
    ]
    return CostResult(
        tool="personalkosten",
        total=total,
        rows=rows,
        formula=formula,
        tables=list(used.values()),
        inputs=inputs,
        notices=notices,
    )


# ---------------------------------------------------------------------------------------------
# beratungskosten
# ---------------------------------------------------------------------------------------------


def beratungskosten(data: BeratungskostenInput) -> CostResult:
    """Consultant days × day rate, one row per year (items without a year form one row)."""
    by_year: dict[int | None, list[Any]] = defaultdict(list)
    for item in data.items:
        by_year[item.year].append(item)
    rows: list[YearRow] = []
    for year in sorted(by_year, key=lambda y: (y is None, y or 0)):
        items = by_year[year]
        amount = round_cents(sum((item.days * item.day_rate for item in items), Decimal(0)))
        by_rate: dict[Decimal, list[Decimal]] = defaultdict(list)
        for item in items:
            by_rate[item.day_rate].append(item.days)
        terms = []
        for rate, days in by_rate.items():
            days_text = " + ".join(format_number(d) for d in days)
            if len(days) > 1:
                days_text = f"({days_text})"
            terms.append(f"{days_text} Tage × {format_eur(rate)}")
        formula = f"{' + '.join(terms)} = {format_eur(amount)}"
        rows.append(YearRow(label=str(year) if year else "gesamt", year=year, amount=amount, formula=formula))
    total = sum((row.amount for row in rows), Decimal(0))
    formula = "Beratungskosten = Beratertage × Tagessatz. " + " | ".join(
        f"{row.label}: {row.formula}" for row in rows
    )
    if len(rows) > 1:
        formula += f" | Summe: {format_eur(total)}"
    inputs = [
        InputValue(
            name=item.label or ("Beratertage " + (str(item.year) if item.year else "")).strip(),
            value=f"{format_number(item.days)} Tage × {format_eur(item.day_rate)}",
        )
        for item in data.items
    ]
    return CostResult(tool="beratungskosten", total=total, rows=rows, formula=formula, inputs=inputs)


# ---------------------------------------------------------------------------------------------
# anteilig
# ---------------------------------------------------------------------------------------------


def anteilig(data: AnteiligInput) -> CostResult:
    """An annual amount for part of a year: amount × months / 12."""
    notices: list[str] = []
    if data.start is not None:
        months = months_from(data.start)
        basis = f"ab {format_date(data.start)}: {months} Monate"
        if notice := _start_notice(data.start):
            notices.append(notice)
    else:
        assert data.months is not None
        months = data.months
        basis = f"{months} Monate"
    amount = round_cents(data.annual_amount * months / 12)
    formula = f"Anteiliger Betrag = Jahresbetrag × Monate / 12 ({basis}): {format_eur(data.annual_amount)} × {months}/12 = {format_eur(amount)}"
    year = data.start.year if data.start else None
    return CostResult(
        tool="anteilig",
        total=amount,
        rows=[YearRow(label=str(year) if year else f"{months} Monate", year=year, amount=amount, formula=formula)],
        formula=f"{formula}. {ROUNDING_RULE}",
        inputs=[
            InputValue(name="Jahresbetrag", value=format_eur(data.annual_amount)),
            InputValue(name="Zeitraum", value=basis),
        ],
        notices=notices,
    )


# ---------------------------------------------------------------------------------------------
# finanzplanung
# ---------------------------------------------------------------------------------------------


def finanzplanung(data: FinanzplanungInput) -> CostResult:
    """Multi-year table: first year pro rata from the start month, then full years, each year
    increased by ``increase_percent`` over the previous one (compound)."""
    first_year = data.start.year
    factor = 1 + data.increase_percent / 100
    rows: list[YearRow] = []
    for year in range(first_year, data.end_year + 1):
        steps = year - first_year
        months = months_from(data.start) if year == first_year else 12
        amount = round_cents(data.annual_amount * factor**steps * months / 12)
        growth = f" × {format_number(factor)}^{steps}" if data.increase_percent and steps else ""
        formula = f"{format_eur(data.annual_amount)}{growth}{_fraction(months)} = {format_eur(amount)}"
        rows.append(YearRow(label=str(year), year=year, amount=amount, formula=formula))
    total = sum((row.amount for row in rows), Decimal(0))
    increase = (
        f", jährliche Steigerung {format_number(data.increase_percent)} % ab {first_year + 1}"
        if data.increase_percent
        else ""
    )
    formula = (
        f"Finanzplanung ab {format_date(data.start)}: erstes Jahr anteilig ({months_from(data.start)} Monate), "
        f"danach volle Jahre{increase}. "
        + " | ".join(f"{row.label}: {row.formula}" for row in rows)
        + f" | Summe {_span(first_year, data.end_year)}: {format_eur(total)}. {ROUNDING_RULE}"
    )
    notices = [n for n in [_start_notice(data.start)] if n]
    inputs = [
        InputValue(name="Jahresbetrag", value=format_eur(data.annual_amount)),
        InputValue(name="Beginn", value=format_date(data.start)),
        InputValue(name="Letztes Jahr", value=str(data.end_year)),
        InputValue(name="Jährliche Steigerung", value=f"{format_number(data.increase_percent)} %"),
    ]
    return CostResult(tool="finanzplanung", total=total, rows=rows, formula=formula, inputs=inputs, notices=notices)


# ---------------------------------------------------------------------------------------------
# Dispatch
# ---------------------------------------------------------------------------------------------

ToolInput = PersonalkostenInput | BeratungskostenInput | AnteiligInput | FinanzplanungInput | RechneInput | ZeitraumInput

_TOOLS: dict[type[BaseModel], Callable[[Any, CostTables | None], CostResult]] = {
    PersonalkostenInput: lambda data, tables: personalkosten(data, _require(tables)),
    BeratungskostenInput: lambda data, _tables: beratungskosten(data),
    AnteiligInput: lambda data, _tables: anteilig(data),
    FinanzplanungInput: lambda data, _tables: finanzplanung(data),
    RechneInput: lambda data, _tables: rechne(data),
    ZeitraumInput: lambda data, _tables: zeitraum(data),
}


def _require(tables: CostTables | None) -> CostTables:
    if tables is None:
        raise CostError("Für Personalkosten werden Kostentabellen benötigt.")
    return tables


def run_tool(data: ToolInput, tables: CostTables | None = None) -> CostResult:
    """Run the tool whose input ``data`` is (``tables`` only needed for Personalkosten)."""
    return _TOOLS[type(data)](data, tables)


# ---------------------------------------------------------------------------------------------
# Presentation and LangChain tools
# ---------------------------------------------------------------------------------------------


def render_result(result: CostResult) -> str:
    """Plain German text of a result: result, rows, formula, tables, notices."""
    lines = [f"Ergebnis: {format_amount(result.total, result.unit or None)}"]
    if len(result.rows) > 1:
        lines += [f"- {row.label}: {format_eur(row.amount)}" for row in result.rows]
    lines.append(f"Rechnung: {result.formula}")
    if result.table:
        lines.append(f"Tabellen: {result.table}")
    lines += [f"Hinweis: {notice}" for notice in result.notices]
    return "\n".join(lines)


def _structured_tool(
    name: str, description: str, schema: type[BaseModel], run: Callable[[Any], CostResult]
) -> StructuredTool:
    def call(**kwargs: Any) -> tuple[str, CostResult]:
        try:
            result = run(schema.model_validate(kwargs))
        except ValidationError as exc:
            raise ToolException(german_validation_message(exc)) from exc
        except CostError as exc:
            raise ToolException(str(exc)) from exc
        return render_result(result), result

    def on_validation_error(exc: Any) -> str:
        return german_validation_message(exc) if isinstance(exc, ValidationError) else str(exc)

    return StructuredTool.from_function(
        func=call,
        name=name,
        description=description,
        args_schema=schema,
        response_format="content_and_artifact",
        handle_tool_error=True,
        handle_validation_error=on_validation_error,
    )


def cost_tools(settings: Settings, tables: CostTables | None = None) -> list[StructuredTool]:
    """The six cost tools as LangChain tools (for ``bind_tools`` and agents)."""
    loaded = tables or CostTables.from_settings(settings)
    return [
        _structured_tool(
            "personalkosten",
            "Personalkosten neuer Stellen je Jahr (TVöD-VKA/Besoldung laut Kostentabelle), im ersten Jahr "
            "anteilig ab Beginn, wahlweise mit Sachkosten des Arbeitsplatzes und Gemeinkosten.",
            PersonalkostenInput,
            lambda data: personalkosten(data, loaded),
        ),
        _structured_tool(
            "beratungskosten",
            "Beratungskosten: Beratertage × Tagessatz, je Jahr.",
            BeratungskostenInput,
            beratungskosten,
        ),
        _structured_tool(
            "anteilig",
            "Anteil eines Jahresbetrags für einen Teil des Jahres (nach Monaten oder ab einem Beginndatum).",
            AnteiligInput,
            anteilig,
        ),
        _structured_tool(
            "finanzplanung",
            "Mehrjährige Finanzplanung: erstes Jahr anteilig, danach volle Jahre, optional mit jährlicher Steigerung.",
            FinanzplanungInput,
            finanzplanung,
        ),
        _structured_tool(
            "rechne",
            "Summe, Differenz, Wert je Einheit (z. B. EUR je Stelle), Anteil oder Veränderung in Prozent über Zahlen "
            "aus Dokumenten.",
            RechneInput,
            rechne,
        ),
        _structured_tool(
            "zeitraum",
            "Kosten für mehrere Tage, Monate oder Jahre aus einem Betrag je Zeitraum, optional mit einmaligem Betrag "
            "(der die ersten Zeiträume abdeckt) und Nachlass in Prozent ab einem Zeitraum.",
            ZeitraumInput,
            zeitraum,
        ),
    ]
