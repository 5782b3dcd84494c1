"""The two general arithmetic tools and the units they share: ``rechne`` (sum, difference, value per unit, share
and change in per cent over stated figures) and ``zeitraum`` (costs over several periods: a one-off amount, then
a rate, discounted from some period on). Exact Decimal arithmetic, the formula in German words and figures;
the other cost tools and their LangChain wrapping are in ``assistant.costs.tools``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from assistant.costs.models import (
    ROUNDING_RULE,
    CostError,
    CostResult,
    InputValue,
    Operand,
    RechneInput,
    YearRow,
    ZeitraumInput,
)
from vorlagen.formatting import format_eur, format_number, round_cents

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
