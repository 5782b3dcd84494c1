"""Planners: from a calculation question (and the evidence passages) to a ``CalculationPlan``.

``plan_calculation(question, evidence)`` decides with the cue table of ``assistant.costs.cues``
whether the question is a calculation and which; ``PLANNERS`` maps that kind to its planner. Figures
the question does not give are read from the evidence passages (``assistant.costs.evidence``); each
keeps the Document and the verbatim quote it came from. Nothing is guessed: when a figure is missing or
ambiguous the plan carries a German message instead of inputs.

Sums, differences and per-year picks over figures the documents state live in
``assistant.costs.stated``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from langchain_core.documents import Document
from pydantic import ValidationError

from assistant.costs.cues import PERCENT_CHANGE, CalculationKind, ParsedQuestion, calculation_kind
from assistant.costs.evidence import (
    candidates,
    evidence_ref,
    figure_context,
    label_from_context,
    noun_stem,
    passage_quantities,
    question_years,
    terms,
    window,
)
from assistant.costs.models import (
    AnteiligInput,
    BeratungskostenInput,
    BeratungsPosten,
    CostError,
    FinanzplanungInput,
    Operand,
    Operation,
    PersonalkostenInput,
    Position,
    RechneInput,
)
from assistant.costs.periods import plan_over_periods
from assistant.costs.plan import CalculationPlan, PlannedInput, bare_amount_error
from assistant.costs.quantities import Quantity
from assistant.costs.stated import plan_stated_difference, plan_stated_sum
from assistant.costs.tables import normalize_group
from assistant.costs.arithmetic import format_amount
from vorlagen.formatting import format_date, format_eur, format_number
from vorlagen.validation import german_validation_message

Planner = Callable[[ParsedQuestion, list[Document]], CalculationPlan | None]
"""None: the question is no calculation after all (``zeitraum`` without a rate per period in the documents)."""

POSITION_STEMS = frozenset(noun_stem(word) for word in ("Stelle", "Planstelle", "Vollzeitstelle", "VZÄ"))
"""Per-unit nouns that any count of positions (``17,5 VZÄ``, ``7,5 Stellen``) divides."""

_from_question = PlannedInput.from_question
_from_evidence = PlannedInput.from_evidence


def plan_consulting(q: ParsedQuestion, evidence: list[Document]) -> CalculationPlan:
    description = "Beratungskosten"
    days = q.find("tage")
    amounts = q.find("betrag")
    bare = [x for x in q.find("zahl") if _near(q.text, x, "tagessatz")]
    if bare and not amounts:
        return CalculationPlan.refusal("beratungskosten", description, bare_amount_error(bare[0]))
    years = [int(x.value) for x in q.find("jahr") if x.value is not None]
    year = years[0] if len(years) == 1 else None
    question_terms = terms(q.text)
    inputs: list[PlannedInput] = []
    if amounts:
        rate = amounts[0].value
        assert rate is not None
        inputs.append(_from_question("Tagessatz", format_eur(rate)))
    else:
        found = candidates(evidence, {"betrag"}, question_terms | {"tagessatz"},
                           accept=lambda x, text: "tagessatz" in window(text, x, 6, 0).lower(), years=years)
        if not found:
            return CalculationPlan.refusal("beratungskosten", description,
                                           "Der Tagessatz steht weder in der Frage noch in den gefundenen Vorlagen.")
        best = found[0]
        rate = best.quantity.value
        assert rate is not None
        inputs.append(_from_evidence("Tagessatz", format_eur(rate), evidence_ref(evidence[best.document_index], best.quantity)))
    if days:
        day_values = [x.value for x in days if x.value is not None]
        inputs += [_from_question("Beratertage", format_number(value)) for value in day_values]
    else:
        found = candidates(evidence, {"tage"}, question_terms,
                           accept=lambda x, text: "tagessatz" in window(text, x, 0, 8).lower(), years=years)
        if not found:
            return CalculationPlan.refusal("beratungskosten", description,
                                           "Die Zahl der Beratertage steht weder in der Frage noch in den gefundenen Vorlagen.")
        best = found[0]
        assert best.quantity.value is not None
        day_values = [best.quantity.value]
        inputs.append(_from_evidence("Beratertage", format_number(best.quantity.value),
                                     evidence_ref(evidence[best.document_index], best.quantity)))
    data = BeratungskostenInput(items=[BeratungsPosten(days=value, day_rate=rate, year=year) for value in day_values])
    return CalculationPlan(tool="beratungskosten", description=description, tool_input=data, inputs=inputs)


def _near(text: str, quantity: Quantity, word: str, distance: int = 40) -> bool:
    return word in text[max(0, quantity.start - distance) : quantity.start].lower()


def plan_personnel(q: ParsedQuestion, _evidence: list[Document]) -> CalculationPlan:
    description = "Personalkosten"
    groups = q.find("gruppe")
    positions_q = q.find("stellen")
    dates = [x for x in q.find("datum") if x.preposition in (None, "ab", "zum", "vom", "seit")]
    if not positions_q:
        return CalculationPlan.refusal("personalkosten", description,
                                       "Bitte den Stellenumfang angeben (z. B. „1,5 VZÄ“ oder „2 Stellen“).")
    if not dates:
        return CalculationPlan.refusal("personalkosten", description, "Bitte den Beginn angeben (z. B. „ab 01.07.2027“).")
    positions: list[Position] = []
    inputs: list[PlannedInput] = []
    for index, amount in enumerate(positions_q):
        group = _nearest(groups, amount)
        when = _nearest(dates, amount)
        try:
            normalize_group(group.group.split("/")[0] if group.group else "")
        except CostError as exc:
            return CalculationPlan.refusal("personalkosten", description, str(exc))
        assert amount.value is not None and when.when is not None and group.group is not None
        positions.append(Position(vza=amount.value, group=group.group, start=when.when))
        inputs.append(_from_question(f"Stelle {index + 1}",
                                     f"{format_number(amount.value)} VZÄ {group.group} ab {format_date(when.when)}"))
    years = [int(x.value) for x in q.find("jahr") if x.value is not None]
    end_year = max(years) if years and max(years) >= min(p.start.year for p in positions) else None
    data = PersonalkostenInput(
        positions=positions,
        end_year=end_year,
        include_workplace=not re.search(r"ohne\s+(?:Arbeitsplatz|Sachkosten)", q.text, re.I),
        include_overhead=not re.search(r"ohne\s+(?:\w+\s+)?Gemeinkosten", q.text, re.I),
    )
    return CalculationPlan(tool="personalkosten", description=description, tool_input=data, inputs=inputs)


def _nearest(found: list[Quantity], anchor: Quantity) -> Quantity:
    return min(found, key=lambda x: (abs(x.start - anchor.start), x.start))


def plan_partial(q: ParsedQuestion, _evidence: list[Document]) -> CalculationPlan:
    description = "Anteiliger Jahresbetrag"
    amounts = q.find("betrag")
    if not amounts:
        return CalculationPlan.refusal("anteilig", description, bare_amount_error(q.find("zahl")[0]))
    amount = amounts[0]
    assert amount.value is not None
    inputs = [_from_question("Jahresbetrag", format_eur(amount.value))]
    start = next((x for x in q.find("datum") if x.preposition in (None, "ab", "zum", "seit")), None)
    months = next(iter(q.find("monate")), None)
    if start is not None and start.when is not None:
        data = AnteiligInput(annual_amount=amount.value, start=start.when)
        inputs.append(_from_question("Beginn", format_date(start.when)))
    elif months is not None and months.value is not None:
        data = AnteiligInput(annual_amount=amount.value, months=int(months.value))
        inputs.append(_from_question("Monate", format_number(months.value)))
    else:
        return CalculationPlan.refusal("anteilig", description,
                                       "Bitte die Zahl der Monate oder den Beginn angeben (z. B. „ab 01.07.2024“).")
    return CalculationPlan(tool="anteilig", description=description, tool_input=data, inputs=inputs)


def plan_finance(q: ParsedQuestion, _evidence: list[Document]) -> CalculationPlan:
    description = "Finanzplanung"
    amounts = q.find("betrag")
    if not amounts:
        bare = q.find("zahl")
        error = bare_amount_error(bare[0]) if bare else "Bitte den Jahresbetrag angeben (z. B. „1.426.274 EUR“)."
        return CalculationPlan.refusal("finanzplanung", description, error)
    amount = amounts[0]
    assert amount.value is not None
    dates = [x for x in q.find("datum") if x.preposition in (None, "ab", "zum", "seit")]
    years = sorted(int(x.value) for x in q.find("jahr") if x.value is not None)
    half = next((x for x in q.find("monate") if x.value == 6 and not x.text[0].isdigit()), None)
    if dates and dates[0].when is not None:
        start = dates[0].when
    elif years:
        start = date(years[0], 7 if half else 1, 1)
    else:
        return CalculationPlan.refusal("finanzplanung", description, "Bitte den Beginn angeben (z. B. „ab 01.07.2024“).")
    end_candidates = [y for y in years if y > start.year]
    end_dates = [x.when.year for x in q.find("datum") if x.preposition == "bis" and x.when]
    end_year = max(end_candidates + end_dates, default=start.year + 3)
    percents = q.find("prozent")
    increase = percents[0].value if percents and percents[0].value is not None else Decimal(0)
    data = FinanzplanungInput(annual_amount=amount.value, start=start, end_year=end_year, increase_percent=increase)
    inputs = [
        _from_question("Jahresbetrag", format_eur(amount.value)),
        _from_question("Beginn", format_date(start)),
        _from_question("Letztes Jahr", str(end_year)),
        _from_question("Jährliche Steigerung", f"{format_number(increase)} %"),
    ]
    return CalculationPlan(tool="finanzplanung", description=description, tool_input=data, inputs=inputs)


def plan_per_unit(q: ParsedQuestion, evidence: list[Document]) -> CalculationPlan:
    noun = q.per_unit_noun() or "Einheit"
    description = f"Durchschnittlicher Betrag je {noun}"
    unit_stem = noun_stem(noun)
    question_terms = terms(q.text)
    years = question_years(q.text)
    amounts = q.find("betrag")
    counts = [
        x for x in q.find("stellen", "anzahl", "tage")
        if x.kind == "stellen" or (x.noun is not None and noun_stem(x.noun) == unit_stem)
    ]
    bare = q.find("zahl")
    inputs: list[PlannedInput] = []
    if not amounts and bare:
        # a figure in the question without a unit: refuse rather than guess what it is
        return CalculationPlan.refusal("rechne", description, bare_amount_error(bare[0]))
    if amounts:
        assert amounts[0].value is not None
        dividend = Operand(value=amounts[0].value, unit="EUR", label="Betrag", origin="Frage")
        inputs.append(_from_question("Betrag", format_eur(amounts[0].value)))
    else:
        found = candidates(evidence, {"betrag"}, question_terms, years=years)
        if not found or found[0].score < 1:
            return CalculationPlan.refusal(
                "rechne", description, "Der Gesamtbetrag steht weder in der Frage noch eindeutig in den gefundenen Vorlagen."
            )
        best = found[0]
        assert best.quantity.value is not None
        ref = evidence_ref(evidence[best.document_index], best.quantity)
        text = evidence[best.document_index].page_content
        context = figure_context(text, best.quantity, list(passage_quantities(text)))
        label = label_from_context(context, question_terms, unit_stem) or "Betrag"
        dividend = Operand(value=best.quantity.value, unit="EUR", label=label, origin="Dokument", evidence=ref)
        inputs.append(_from_evidence(label, format_eur(best.quantity.value), ref))
    if counts:
        count = counts[0]
        assert count.value is not None
        divisor = Operand(value=count.value, unit=count.unit, label=f"Anzahl {count.noun or noun}", origin="Frage")
        inputs.append(_from_question(f"Anzahl {count.noun or noun}", format_amount(count.value, count.unit)))
    else:
        def matches(quantity: Quantity, _text: str) -> bool:
            if quantity.kind == "stellen" and unit_stem in POSITION_STEMS:
                return True
            if quantity.noun is None:
                return False
            thing = noun_stem(quantity.noun)
            return thing == unit_stem or thing in question_terms

        found = candidates(evidence, {"stellen", "anzahl", "tage"}, question_terms, accept=matches, years=years)
        if not found:
            return CalculationPlan.refusal(
                "rechne", description, f"Die Anzahl („{noun}“) steht weder in der Frage noch in den gefundenen Vorlagen."
            )
        best = found[0]
        assert best.quantity.value is not None
        ref = evidence_ref(evidence[best.document_index], best.quantity)
        divisor = Operand(value=best.quantity.value, unit=best.quantity.unit, label=f"Anzahl {best.quantity.noun}",
                          origin="Dokument", evidence=ref)
        inputs.append(_from_evidence(f"Anzahl {best.quantity.noun}",
                                     format_amount(best.quantity.value, best.quantity.unit), ref))
    data = RechneInput(operation="je_einheit", operands=[dividend, divisor], per_unit_label=noun)
    return CalculationPlan(tool="rechne", description=description, tool_input=data, inputs=inputs)


def plan_with_figures(operation: Operation, description: str, numbers: list[Quantity]) -> CalculationPlan:
    """Sum, difference or share of the figures the question gives."""
    units = {x.unit for x in numbers if x.unit}
    if not units and any(x.kind == "zahl" for x in numbers) and operation != "anteil":
        return CalculationPlan.refusal("rechne", description, bare_amount_error(numbers[0]))
    operands = [Operand(value=x.value, unit=x.unit, label=x.noun, origin="Frage") for x in numbers if x.value is not None]
    inputs = [_from_question(x.noun or f"Wert {i}", format_amount(x.value, x.unit))
              for i, x in enumerate(numbers, 1) if x.value is not None]
    data = RechneInput(operation=operation, operands=operands)
    return CalculationPlan(tool="rechne", description=description, tool_input=data, inputs=inputs)


def _numbers(q: ParsedQuestion) -> list[Quantity]:
    return q.find("betrag", "stellen", "tage", "zahl", "anzahl")


def plan_share(q: ParsedQuestion, _evidence: list[Document]) -> CalculationPlan:
    return plan_with_figures("anteil", "Anteil in Prozent", _numbers(q))


def plan_difference(q: ParsedQuestion, evidence: list[Document]) -> CalculationPlan:
    numbers = _numbers(q)
    in_percent = bool(PERCENT_CHANGE.search(q.text))
    if len(numbers) >= 2 and in_percent:
        # "von 300.000 EUR auf 400.000 EUR": the new value first, the old one as the base
        return plan_with_figures("veraenderung_prozent", "Veränderung in Prozent", [numbers[1], numbers[0]])
    if len(numbers) >= 2:
        return plan_with_figures("differenz", "Differenz", numbers)
    return plan_stated_difference(q, evidence, in_percent=in_percent)


def plan_sum(q: ParsedQuestion, evidence: list[Document]) -> CalculationPlan:
    numbers = _numbers(q)
    if len(numbers) >= 2:
        return plan_with_figures("summe", "Summe", numbers)
    return plan_stated_sum(q, evidence)


def plan_undetermined(_q: ParsedQuestion, _evidence: list[Document]) -> CalculationPlan:
    return CalculationPlan.refusal(
        "rechne", "Rechnung",
        "Welche Rechnung ist gemeint? Bitte die Werte und die Rechenart nennen (z. B. „Summe von 300.000 EUR und "
        "400.000 EUR“ oder „Personalaufwendungen je Stelle“).",
    )


PLANNERS: dict[CalculationKind, Planner] = {
    "beratungskosten": plan_consulting,
    "personalkosten": plan_personnel,
    "finanzplanung": plan_finance,
    "anteilig": plan_partial,
    "zeitraum": plan_over_periods,
    "je_einheit": plan_per_unit,
    "anteil": plan_share,
    "differenz": plan_difference,
    "summe": plan_sum,
    "unbestimmt": plan_undetermined,
}
"""From the kind of calculation (``assistant.costs.cues.CUES``) to its planner."""


def plan_calculation(question: str, evidence: list[Document]) -> CalculationPlan | None:
    """The plan for a calculation question, or ``None`` when the question is not a calculation."""
    parsed = ParsedQuestion.parse(question)
    kind = calculation_kind(parsed)
    if kind is None:
        return None
    try:
        return PLANNERS[kind](parsed, evidence)
    except ValidationError as exc:
        return CalculationPlan.refusal("rechne", "Rechnung", german_validation_message(exc))
