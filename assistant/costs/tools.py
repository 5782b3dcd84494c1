"""The five cost tools: exact Decimal arithmetic, formula in German words and figures, tables named.

Each tool is a plain function ``tool(input_model, ...) -> CostResult``; ``cost_tools(settings)`` wraps
them as LangChain ``StructuredTool``s (content: German text; artifact: the ``CostResult``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from langchain_core.tools import StructuredTool, ToolException
from pydantic import BaseModel, ValidationError

from assistant.costs.models import (
    ROUNDING_RULE,
    AnteiligInput,
    BeratungskostenInput,
    CostError,
    CostResult,
    FinanzplanungInput,
    InputValue,
    Operand,
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

_UNIT_ALIASES = {
    "eur": "EUR",
    "euro": "EUR",
    "€": "EUR",
    "vzä": "VZÄ",
    "vollzeitäquivalente": "VZÄ",
    "vollzeitäquivalent": "VZÄ",
    "stelle": "Stellen",
    "stellen": "Stellen",
    "planstelle": "Stellen",
    "planstellen": "Stellen",
    "tag": "Tage",
    "tage": "Tage",
    "beratertage": "Tage",
    "beratertag": "Tage",
    "personentage": "Tage",
    "monat": "Monate",
    "monate": "Monate",
    "%": "%",
    "prozent": "%",
}
_UNIT_FAMILY = {"VZÄ": "stellen", "Stellen": "stellen"}
_SINGULAR = {"Stellen": "Stelle", "Tage": "Tag", "Monate": "Monat", "VZÄ": "VZÄ"}


def normalize_unit(unit: str | None) -> str | None:
    if unit is None or not unit.strip():
        return None
    return _UNIT_ALIASES.get(unit.strip().lower(), unit.strip())


def format_amount(value: Decimal, unit: str | None) -> str:
    """German figure with unit: EUR always to the cent, other units exact (``7,5 Stellen``)."""
    if unit == "EUR":
        return format_eur(value)
    text = format_number(value.normalize() if value == value.to_integral() else value)
    if unit == "%":
        return f"{text} %"
    return f"{text} {unit}" if unit else text


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
# rechne
# ---------------------------------------------------------------------------------------------


def _common_unit(operands: list[Operand]) -> str | None:
    units = [normalize_unit(op.unit) for op in operands if normalize_unit(op.unit)]
    families = {_UNIT_FAMILY.get(unit, unit) for unit in units}
    if len(families) > 1:
        listed = ", ".join(dict.fromkeys(u for u in units if u))
        raise CostError(f"Die Werte haben verschiedene Einheiten ({listed}) und lassen sich so nicht verrechnen.")
    return units[0] if units else None


def _operand_text(op: Operand, unit: str | None) -> str:
    return format_amount(op.value, normalize_unit(op.unit) or unit)


def _round(value: Decimal, unit: str | None) -> Decimal:
    if unit == "EUR":
        return round_cents(value)
    if value == value.to_integral():
        return value.quantize(Decimal(1))
    exact = value.normalize()
    if -exact.as_tuple().exponent <= 4:  # type: ignore[operator]
        return exact
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _exact_text(value: Decimal) -> str:
    shown = value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    return format_number(shown.normalize()) + ("…" if shown != value else "")


def rechne(data: RechneInput) -> CostResult:
    """Sum, difference, per-unit value and share over figures (e.g. taken from documents)."""
    ops = data.operands
    notices: list[str] = []
    if data.operation in ("summe", "differenz"):
        unit = normalize_unit(data.unit) or _common_unit(ops)
        if unit and any(normalize_unit(op.unit) is None for op in ops):
            notices.append(f"Werte ohne Einheit sind als {unit} gerechnet.")
        if data.operation == "summe":
            exact = sum((op.value for op in ops), Decimal(0))
            sign = " + "
            name = "Summe"
        else:
            exact = ops[0].value - sum((op.value for op in ops[1:]), Decimal(0))
            sign = " − "
            name = "Differenz"
        result = _round(exact, unit)
        formula = f"{name}: {sign.join(_operand_text(op, unit) for op in ops)} = {format_amount(result, unit)}"
    elif data.operation == "je_einheit":
        unit = normalize_unit(data.unit) or normalize_unit(ops[0].unit)
        divisor_unit = normalize_unit(ops[1].unit)
        per = data.per_unit_label or _SINGULAR.get(divisor_unit or "", divisor_unit or "Einheit")
        exact = ops[0].value / ops[1].value
        result = _round(exact, unit)
        formula = (
            f"Wert je {per}: {_operand_text(ops[0], unit)} ÷ {_operand_text(ops[1], None)} "
            f"= {format_amount(result, unit)} je {per}"
        )
        if result != exact:
            formula += f" (kaufmännisch gerundet; exakt {_exact_text(exact)})"
    elif data.operation == "veraenderung_prozent":
        _common_unit(ops)
        unit = "%"
        exact = (ops[0].value - ops[1].value) / ops[1].value * 100
        result = _round(exact, unit)
        formula = (
            f"Veränderung: ({_operand_text(ops[0], None)} − {_operand_text(ops[1], None)}) ÷ "
            f"{_operand_text(ops[1], None)} × 100 = {format_amount(result, unit)}"
        )
        if result != exact:
            formula += f" (kaufmännisch gerundet; exakt {_exact_text(exact)} %)"
    else:
        _common_unit(ops)
        unit = "%"
        exact = ops[0].value / ops[1].value * 100
        result = _round(exact, unit)
        formula = (
            f"Anteil: {_operand_text(ops[0], None)} ÷ {_operand_text(ops[1], None)} × 100 "
            f"= {format_amount(result, unit)}"
        )
    inputs = [
        InputValue(
            name=op.label or f"Wert {index}",
            value=format_amount(op.value, normalize_unit(op.unit)),
            origin=op.origin,
            evidence=op.evidence,
        )
        for index, op in enumerate(ops, start=1)
    ]
    return CostResult(
        tool="rechne",
        total=result,
        unit=unit or "",
        rows=[YearRow(label=data.operation, amount=result, formula=formula)],
        formula=f"{formula}." + (f" {ROUNDING_RULE}" if unit == "EUR" and result != exact else ""),  # exact: nothing to say
        inputs=inputs,
        notices=notices,
    )


def zeitraum(data: ZeitraumInput) -> CostResult:
    """Costs over ``periods`` periods: the one-off amount (covering the first ``included``), then the
    rate for each further period — discounted from the ``discount_from``-th period on. Each period's
    amount is rounded to the cent, the total is their sum."""
    unit = normalize_unit(data.rate.unit) or "EUR"
    rate = data.rate.value
    discounted = round_cents(rate * (100 - data.discount_percent) / 100) if data.discount_percent is not None else rate
    full = discounted_count = 0
    for period in range(data.included + 1, data.periods + 1):
        if data.discount_from is not None and period >= data.discount_from:
            discounted_count += 1
        else:
            full += 1
    parts: list[tuple[str, Decimal]] = []
    if data.one_off is not None:
        covered = f" (deckt die ersten {data.included} {data.period_plural} ab)" if data.included else ""
        parts.append((f"{_operand_text(data.one_off, unit)}{covered}", data.one_off.value))
    if full:
        parts.append((f"{full} × {format_amount(rate, unit)}", full * rate))
    if discounted_count:
        percent = format_number(data.discount_percent or Decimal(0))
        parts.append((f"{discounted_count} × ({format_amount(rate, unit)} − {percent} % = {format_amount(discounted, unit)})",
                      discounted_count * discounted))
    total = sum((amount for _, amount in parts), Decimal(0))
    formula = f"{data.periods} {data.period_plural}: {' + '.join(text for text, _ in parts)} = {format_amount(total, unit)}"
    inputs = [InputValue(name=f"Betrag je {data.period_name}", value=format_amount(rate, unit), origin=data.rate.origin,
                         evidence=data.rate.evidence)]
    if data.one_off is not None:
        inputs.insert(0, InputValue(name=data.one_off.label or "Einmalig", value=format_amount(data.one_off.value, unit),
                                    origin=data.one_off.origin, evidence=data.one_off.evidence))
    rounded = discounted != rate * (100 - (data.discount_percent or Decimal(0))) / 100
    return CostResult(
        tool="zeitraum",
        total=total,
        unit=unit,
        rows=[YearRow(label=text, amount=amount, formula=text) for text, amount in parts],
        formula=f"{formula}." + (f" {ROUNDING_RULE}" if rounded else ""),
        inputs=inputs,
    )


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
