"""Answers to calculation questions: inputs with citations, formula and result, in German.

``answer_calculation(question, evidence, tables=…)`` returns ``None`` when the question is not a
calculation (``assistant.costs.is_calculation_question`` decides it cheaply beforehand);
otherwise an ``Answer`` in mode ``rechner`` whose figures all come from the question, the cost tables or
the cited evidence passages. When a figure is missing or the input is invalid, the answer says so in
German and gives no number. A figure the planners read from a Vorlage is picked by the words around it, with no
verifier to judge the pick: the answer is marked ``unsure`` and a notice names each such input to check in its
citation (``inputs_notice``; the calculations of ``assistant.operands`` mark only the inputs their verifier
doubts).
"""

from __future__ import annotations

from decimal import Decimal

from langchain_core.documents import Document

from assistant.costs.models import CostError, EvidenceRef
from assistant.costs.plan import CalculationPlan
from assistant.costs.planners import plan_calculation
from assistant.costs.tables import CostTables
from assistant.costs.arithmetic import format_amount
from vorlagen.domain import Answer, CalculationStep, Citation
from vorlagen.settings import Settings

MODE = "rechner"


def answer_calculation(
    question: str,
    evidence: list[Document],
    *,
    tables: CostTables | None,
    settings: Settings | None = None,
) -> Answer | None:
    """Answer a calculation question through the cost tools, or ``None`` if it is none.

    ``tables``: the cost tables the caller loaded once (needed for Personalkosten only); when they are
    ``None``, they are read from the caller's ``settings`` so the answer can say why they are missing.
    """
    plan = plan_calculation(question, evidence)
    if plan is None:
        return None
    answer = answer_plan(question, plan, tables=tables, settings=settings)
    # the planners pick a document's figure by the words around it, with no verifier to judge the pick
    read = [(item.name, item.value) for item in plan.inputs if item.origin == "Dokument"]
    return with_unsure_inputs(answer, read, verified=False)


def inputs_notice(readings: list[tuple[str, str]], verified: bool = True) -> str:
    """The notice on a calculation's inputs read from the Vorlagen, given as (description, value): the arithmetic
    is exact, the reading of its inputs may not be. ``verified``: a verifier judged them and is unsure of them;
    otherwise no verifier judged them."""
    named = "; ".join(f"{label} = {value}" for label, value in readings)
    inputs = "diese Eingabe ist" if len(readings) == 1 else "diese Eingaben sind"
    how = "unsicher gelesen" if verified else "ohne Prüfung aus den Vorlagen gelesen"
    return f"Bitte im Beleg prüfen: Die Rechnung ist exakt, aber {inputs} {how}: {named}."


def with_unsure_inputs(answer: Answer, readings: list[tuple[str, str]], verified: bool = True) -> Answer:
    """``answer`` marked ``unsure`` with the notice naming ``readings``; unchanged when refused or nothing to name."""
    if answer.refused or not readings:
        return answer
    notice = inputs_notice(readings, verified)
    return answer.model_copy(update={"unsure": True, "notices": [*answer.notices, notice]})


def answer_plan(
    question: str, plan: CalculationPlan, *, tables: CostTables | None, settings: Settings | None = None
) -> Answer:
    """Run ``plan`` and render its result with the inputs, citations and formula (or its German message)."""
    if plan.error:
        return _refusal(question, plan.error)
    if plan.tool == "personalkosten" and tables is None:
        if settings is None:
            return _refusal(question, "Für Personalkosten werden Kostentabellen benötigt; sie sind nicht geladen.")
        try:
            tables = CostTables.from_settings(settings)
        except CostError as exc:
            return _refusal(question, str(exc))
    try:
        result = plan.run(tables)
    except CostError as exc:
        return _refusal(question, str(exc))
    citations = _citations(plan)
    index_of = {(c.chunk_id, c.quote): c.index for c in citations}
    origins = {"aus der Frage" if item.origin == "Frage" else _source_label(item.evidence) for item in plan.inputs}
    one_source = next(iter(origins)) if len(origins) == 1 and "aus der Frage" not in origins else None
    header = f"Eingaben ({one_source}):" if one_source else "Eingaben:"  # one Drucksache is named once
    lines = [f"Ergebnis ({plan.description}): {_result_text(result.total, result.unit, plan)}", "", header]
    for item in plan.inputs:
        origin = "aus der Frage" if item.origin == "Frage" else _source_label(item.evidence)
        marker = f" [{index_of[(item.evidence.chunk_id, item.evidence.quote)]}]" if item.evidence else ""
        lines.append(f"- {item.name}: {item.value}{'' if one_source else f' ({origin})'}{marker}")
    if result.table:
        lines.append(f"- Kostentabellen: {result.table}")
    if result.tool == "personalkosten":
        lines += ["", "Je Jahr:"] + [
            f"- {row.label}: {format_amount(row.amount, 'EUR')} – {row.formula}" for row in result.rows
        ]
    elif len(result.rows) > 1 and result.tool != "zeitraum":  # its formula names every part already
        lines += ["", "Je Jahr:"] + [f"- {row.label}: {format_amount(row.amount, 'EUR')}" for row in result.rows]
    lines += ["", f"Rechnung: {result.formula}"]
    lines += [f"Hinweis: {notice}" for notice in result.notices]
    steps = [CalculationStep(label=row.label, amount=row.amount, formula=row.formula) for row in result.rows]
    if len(result.rows) > 1:
        steps.append(CalculationStep(label="Summe", amount=result.total, formula=result.formula))
    return Answer(
        question=question,
        text="\n".join(lines),
        citations=citations,
        mode=MODE,
        support=1.0,
        notices=result.notices,
        calculation=steps,
    )


def _result_text(total: Decimal, unit: str, plan: CalculationPlan) -> str:
    text = format_amount(total, unit or None)
    per_unit = getattr(plan.tool_input, "per_unit_label", None)
    return f"{text} je {per_unit}" if per_unit else text


def _source_label(ref: EvidenceRef | None) -> str:
    if ref is None:
        return "Eingabe"
    if ref.drucksache:
        return f"Drucksache {ref.drucksache}"
    return ref.source_name


def _citations(plan: CalculationPlan) -> list[Citation]:
    citations: list[Citation] = []
    seen: set[tuple[str, str]] = set()
    for item in plan.inputs:
        ref = item.evidence
        if ref is None or (ref.chunk_id, ref.quote) in seen:
            continue
        seen.add((ref.chunk_id, ref.quote))
        citations.append(Citation(index=len(citations) + 1, **ref.model_dump()))
    return citations


def _refusal(question: str, message: str) -> Answer:
    return Answer(question=question, text=message, refused=True, mode=MODE, notices=[message])
