"""Costs over several days or years from a rate the documents state, each input cited.

"Was kostet es, den Toilettenwagen zwei Tage am Stück zu mieten, wenn der zweite Tag den üblichen
Nachlass bekommt?" over "928,00 Euro pro Tag" and "Ab dem zweiten … Nutzungstag wird ein Preisnachlass
von 10 Prozent auf den Tagespreis gewährt"; "Was kostet die Sportbox in den ersten vier Jahren,
Anschaffung und Unterhalt zusammengerechnet?" over "Anschaffungskosten … 15.398,60 € incl.
Unterhaltungskosten für die ersten 2 Jahre" and "Die jährlichen Unterhaltungskosten nach den 2 Jahren …
1.620 €". No rate for the period in the documents: no plan (the fact handler answers instead); a
one-off amount or a discount the question asks for but the documents lack: a German message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from langchain_core.documents import Document

from assistant.costs.cues import ParsedQuestion, period_count
from assistant.costs.evidence import (
    Candidate,
    candidates,
    context_score,
    evidence_ref,
    line_bounds,
    passage_quantities,
    sentences,
    terms,
)
from assistant.costs.models import Operand, ZeitraumInput
from assistant.costs.plan import CalculationPlan, PlannedInput
from assistant.costs.quantities import Quantity
from assistant.costs.arithmetic import format_amount
from vorlagen.formatting import format_number
from vorlagen.text import NUMBER_WORDS, ORDINAL_WORDS, label_above, period_of

_UNITS: dict[str, tuple[str, str]] = {
    "stunde": ("Stunde", "Stunden"), "tag": ("Tag", "Tage"), "nacht": ("Nacht", "Nächte"),
    "woche": ("Woche", "Wochen"), "monat": ("Monat", "Monate"), "jahr": ("Jahr", "Jahre"),
}
"""Each period of ``vorlagen.text.PERIODS`` in singular and plural, as the answer names it."""
_PERIOD_TERMS = frozenset(terms(" ".join(" ".join(names) for names in _UNITS.values())))
"""The periods' own words in a question ("Tage", "Jahren"): they name no subject."""
_ONE_OFF_ASKED = re.compile(r"\b(?:anschaffung\w*|kauf\w*|einmalig\w*|investition\w*)", re.I)
_ONE_OFF = re.compile(r"\b(?:anschaffung\w*|einmalig\w*|kaufpreis\w*|investition\w*)", re.I)
_DISCOUNT_ASKED = re.compile(r"\b(?:nachlass\w*|rabatt\w*|ermäßig\w*|vergünstig\w*)", re.I)
_DISCOUNT = re.compile(r"\b(?:\w*nachlass\w*|rabatt\w*|ermäßigung\w*)", re.I)
_FROM_PERIOD = re.compile(r"\bab\s+(?:dem\s+)?(?P<k>" + "|".join(ORDINAL_WORDS) + r"|\d{1,2}\.)\s", re.I)
_CLAUSE_BREAK = re.compile(r"[.;:!?]\s|\n\s*\n|\bund\s+(?:die|der|das)\b", re.I)


def _number(written: str) -> int | None:
    written = written.lower().rstrip(".")
    if written in ORDINAL_WORDS:
        return ORDINAL_WORDS[written]
    written = NUMBER_WORDS.get(written, written)
    return int(written) if written.isdigit() else None


def _clause_before(text: str, quantity: Quantity) -> str:
    """The words of the figure's clause before it — or its form label on the line above."""
    start = max(line_bounds(text, quantity.start)[0] - 200, 0)
    return label_above(text, quantity.start) or _CLAUSE_BREAK.split(text[start : quantity.start])[-1]


def _is_rate(unit: str) -> Callable[[Quantity, str], bool]:
    """Accepts an amount stated per ``unit`` ("928,00 Euro pro Tag", "die jährlichen … betragen 1.620 €")."""

    def accept(quantity: Quantity, text: str) -> bool:
        after = text[quantity.end : quantity.end + 25]
        return unit in (period_of(after, at_start=True), period_of(_clause_before(text, quantity)))

    return accept


def _about(evidence: list[Document], rate: Candidate, subject: set[str]) -> bool:
    """The rate's sentence, or the title of its Vorlage, names something the question names."""
    document = evidence[rate.document_index]
    context = f"{_sentence(document.page_content, rate.quantity)} {document.metadata.get('title') or ''}"
    return context_score(context, subject, set()) > 0


def _named_rate(evidence: list[Document], rates: list[Candidate], question_terms: set[str]) -> Candidate:
    """The rate whose label (the words before it on its line, after any earlier figure) names what the
    question names — a fee table's row ("Hubrettungsbühne272,50 je Stunde"); a word in many labels
    ("Einsatz…") counts less than one in a single label. No label names it: the best-scored rate."""
    labels: list[frozenset[str]] = []
    for candidate in rates:
        text = evidence[candidate.document_index].page_content
        label = re.split(r"\d", text[line_bounds(text, candidate.quantity.start)[0] : candidate.quantity.start])[-1]
        labels.append(frozenset(terms(label)))
    distinct = set(labels)
    spread = {term: sum(1 for label in distinct if term in label) for term in question_terms}
    specificity = [sum(1 / spread[term] for term in label & question_terms) for label in labels]
    best = max(range(len(rates)), key=lambda index: (specificity[index], -index))  # ties: the better-scored rate
    return rates[best]


def _sentence(text: str, quantity: Quantity) -> str:
    return next((text[s:e] for s, e in sentences(text) if s <= quantity.start < e), text[quantity.start : quantity.end])


def _periods_in(sentence: str, unit: str, pattern: str) -> int | None:
    """``für die ersten 2 Jahre`` / ``nach den 2 Jahren`` in a sentence -> 2."""
    singular, plural = _UNITS[unit]
    match = re.search(pattern + r"\s+(?P<k>\d{1,2}|\w+)\s+(?:" + singular + "|" + plural[:4] + r")", sentence, re.I)
    return _number(match.group("k")) if match else None


def plan_over_periods(q: ParsedQuestion, evidence: list[Document]) -> CalculationPlan | None:
    """The plan for "… N Tage/Jahre …" cost questions, or None when no rate per period is stated."""
    asked = period_count(q.text)
    if asked is None:
        return None
    periods, unit = asked
    singular, plural = _UNITS[unit]
    question_terms = terms(q.text)
    subject = question_terms - _PERIOD_TERMS
    rates = [rate for rate in candidates(evidence, {"betrag"}, question_terms, accept=_is_rate(unit))
             if _about(evidence, rate, subject)]
    if not rates:
        return None  # no rate of what the question names: no calculation, the fact answer decides
    rate = _named_rate(evidence, rates, question_terms)
    rate_text = evidence[rate.document_index].page_content
    description = f"Kosten für {periods} {plural}"
    inputs: list[PlannedInput] = []
    one_off_operand: Operand | None = None
    included = 0
    if _ONE_OFF_ASKED.search(q.text):
        found = [c for c in candidates(evidence, {"betrag"}, question_terms,
                                       accept=lambda x, text: bool(_ONE_OFF.search(_clause_before(text, x))))
                 if c.quantity.value != rate.quantity.value]
        if not found:
            return CalculationPlan.refusal("zeitraum", description,
                                           "Der einmalige Betrag (Anschaffung) steht nicht in den gefundenen Vorlagen.")
        one_off = found[0]
        one_off_text = evidence[one_off.document_index].page_content
        included = _periods_in(_sentence(one_off_text, one_off.quantity), unit, r"(?:für|in)\s+die\s+ersten") or 0
        included = included or _periods_in(_sentence(rate_text, rate.quantity), unit, r"nach\s+(?:den|dem|der)") or 0
        one_off_operand = _operand(evidence, one_off, "Anschaffung")
        inputs.append(PlannedInput.from_evidence("Anschaffung", _amount(one_off.quantity), one_off_operand.evidence))
    rate_operand = _operand(evidence, rate, f"Betrag je {singular}")
    inputs.append(PlannedInput.from_evidence(f"Betrag je {singular}", _amount(rate.quantity), rate_operand.evidence))
    discount: tuple[Decimal, int, Document, Quantity] | None = None
    if _DISCOUNT_ASKED.search(q.text):
        discount = _discount(evidence, rate)
        if discount is None:
            return CalculationPlan.refusal("zeitraum", description,
                                           "Der Nachlass steht nicht in den gefundenen Vorlagen.")
        percent, first, document, quantity = discount
        ref = evidence_ref(document, quantity)
        inputs.append(PlannedInput.from_evidence(f"Nachlass ab dem {first}. {singular}", f"{format_number(percent)} %", ref))
    data = ZeitraumInput(
        rate=rate_operand, periods=periods, period_name=singular, period_plural=plural, one_off=one_off_operand,
        included=min(included, periods),
        discount_percent=discount[0] if discount else None, discount_from=discount[1] if discount else None,
    )
    return CalculationPlan(tool="zeitraum", description=description, tool_input=data, inputs=inputs)


def _discount(evidence: list[Document], rate: Candidate) -> tuple[Decimal, int, Document, Quantity] | None:
    """A percentage discount from the k-th period on, stated in the rate's Vorlage."""
    doc_id = evidence[rate.document_index].metadata.get("doc_id")
    for document in evidence:
        if document.metadata.get("doc_id") != doc_id:
            continue
        text = document.page_content
        spans = list(sentences(text))
        for index, (start, end) in enumerate(spans):
            if not text[start:end].rstrip().endswith((".", "!", "?")) and index + 1 < len(spans):
                end = spans[index + 1][1]  # a sentence the PDF's line break cut in two
            sentence = text[start:end]
            start_at = _FROM_PERIOD.search(sentence)
            if not _DISCOUNT.search(sentence) or start_at is None:
                continue
            first = _number(start_at.group("k"))
            percents = [x for x in passage_quantities(text) if x.kind == "prozent" and start <= x.start < end]
            if first and percents and percents[0].value is not None:
                return percents[0].value, first, document, percents[0]
    return None


def _operand(evidence: list[Document], candidate: Candidate, label: str) -> Operand:
    quantity = candidate.quantity
    assert quantity.value is not None
    ref = evidence_ref(evidence[candidate.document_index], quantity)
    return Operand(value=quantity.value, unit=quantity.unit or "EUR", label=label, origin="Dokument", evidence=ref)


def _amount(quantity: Quantity) -> str:
    return format_amount(quantity.value or Decimal(0), quantity.unit or "EUR")
