"""Calculations over two figures the Vorlagen state, each read by the learned scorer.

"Um wie viel Euro lag A unter B?", "Um wie viel Prozent liegt A über B?", "Welchen Anteil hat A an B?":
the question names both figures by description and gives neither. Each description becomes a question
part (an amount, or a count when the question asks "wie viele"); the fact reader's candidates for it are
scored by the same trained scorer as fact answers; the best two distinct figures of one unit go to the
Decimal cost tool ``rechne``. A description without a figure scored at least ``answer.operand_floor`` gives
``None``: the caller falls back to the cost planners, and from there to a refusal — never a guess. Where the
verifier is not sure of a figure as the answer to its description, or the pair uses a lower-ranked one, the result
carries a notice to check that figure in its citation (``answer.check_below``, as fact answers do).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from langchain_core.documents import Document

from assistant.candidates import Candidate
from assistant.costs.answer import answer_plan, with_unsure_inputs
from assistant.costs.evidence import evidence_ref, passage_quantities
from assistant.costs.models import Operand, Operation, RechneInput
from assistant.costs.plan import CalculationPlan, PlannedInput
from assistant.costs.quantities import Quantity, parse_quantities
from assistant.costs.arithmetic import format_amount
from assistant.question import QuestionAnalysis, QuestionKind, QuestionPart, focus_terms
from assistant.reader import FactReader
from assistant.spans import AnswerType
from vorlagen.domain import Answer
from vorlagen.text import cut_at_word, lexicon, split_sentences


@dataclass(frozen=True)
class OperandQuestion:
    """The two figures a question sets against each other, and how."""

    operation: Operation
    first: str
    second: str


def operand_question(question: str) -> OperandQuestion | None:
    """The two figure descriptions of a difference or share question; None for any other question."""
    text = lexicon.QUESTION_END.sub("", _asking_sentence(question))
    if share := lexicon.SHARE_OF.search(text):
        return OperandQuestion("anteil", share["first"], share["second"])
    if not lexicon.HOW_MUCH.search(text):
        return None
    if against := lexicon.SET_AGAINST.search(text):
        return OperandQuestion(_change(text), against["first"], against["second"])
    if more := lexicon.MORE_THAN.search(text):
        return OperandQuestion(_change(text), more["first"], more["second"])
    comparison = lexicon.COMPARED_WITH.search(text)
    if comparison is None:
        return None
    first = lexicon.LEADING_QUESTION_WORDS.sub("", text[: comparison.start()].strip()).strip()
    second = comparison["rest"].strip()
    if not first or not second:
        return None
    return OperandQuestion(_change(text), first, second)


def _change(text: str) -> Operation:
    return "veraenderung_prozent" if lexicon.ASKS_IN_PERCENT.search(text) else "differenz"


def _asking_sentence(question: str) -> str:
    """The sentence that asks, without what stands around it: a sentence before it that sets the scene ("Beim
    Auftrag 2023 hatte … Rang 5. Um wie viel …?"), a topic before a colon ("Außenanlage der Schule: Wie viel …?")
    and a remark after the question mark ("… ? (auf zwei Nachkommastellen)")."""
    sentences = [question[start:end] for start, end in split_sentences(question.strip())]
    asking = [s for s in sentences if lexicon.HOW_MUCH.search(s) or lexicon.SHARE_OF.search(s)]
    sentence = (asking or sentences or [question])[-1].strip()
    return lexicon.TOPIC_BEFORE_QUESTION.sub("", sentence)


@dataclass(frozen=True)
class _Figure:
    candidate: Candidate
    quantity: Quantity


class StatedCalculation:
    """Difference, change in percent and share of two stated figures (see the module doc)."""

    def __init__(self, facts: FactReader) -> None:
        self.facts = facts

    def answer(self, analysis: QuestionAnalysis, documents: list[Document],
               settled_terms: frozenset[str] = frozenset()) -> Answer | None:
        if len(analysis.parts) != 1:
            return None  # "Wie viele …, und um wie viel lag …?": the fact reader answers each part
        asked = operand_question(analysis.question)
        if asked is None or _stated_figures(analysis.question):
            return None
        kind = AnswerType.ANZAHL if lexicon.ASKS_HOW_MANY.search(analysis.question) and asked.operation == "differenz" else AnswerType.BETRAG
        parts = [QuestionPart(text=text, answer_type=kind, focus=focus_terms(text, kind)) for text in (asked.first, asked.second)]
        operands = analysis.model_copy(update={"kind": QuestionKind.FACT, "parts": parts})
        rankings = self.facts.rankings(operands, documents, settled_terms)
        pair = self._pair([ranking.values for ranking in rankings])
        if pair is None:
            return None
        answer = answer_plan(analysis.question, _plan(asked, *pair), tables=None)
        unsure = [(_label(text), format_amount(figure.quantity.value or Decimal(0), figure.quantity.unit))
                  for text, figure, ranking in zip((asked.first, asked.second), pair, rankings, strict=True)
                  if not self.facts.sure(figure.candidate, ranking)]
        return with_unsure_inputs(answer, unsure)

    def _pair(self, ranked: list[list[Candidate]]) -> tuple[_Figure, _Figure] | None:
        """The best-scored pair of different figures of one unit, both scored at least ``operand_floor``."""
        threshold = self.facts.settings.operand_floor
        options = [[f for c in part if c.score >= threshold and (f := _figure(c)) is not None] for part in ranked]
        if len(options) != 2:
            return None
        pairs = [(a.candidate.score * b.candidate.score, a, b) for a in options[0] for b in options[1]
                 if a.quantity.value != b.quantity.value and a.quantity.unit == b.quantity.unit]
        if not pairs:
            return None
        _, first, second = max(pairs, key=lambda pair: pair[0])
        return first, second


def _stated_figures(question: str) -> bool:
    """The question gives figures itself: the cost planners compute with those."""
    return sum(1 for q in parse_quantities(question) if q.kind in ("betrag", "prozent")) >= 2


_FIGURE_KINDS = {AnswerType.BETRAG: frozenset({"betrag"}),
                 AnswerType.ANZAHL: frozenset({"anzahl", "zahl", "stellen", "tage", "monate"})}


def _figure(candidate: Candidate) -> _Figure | None:
    """The candidate as a figure of the asked kind (an amount with its currency, a count), with offsets in
    its chunk; None when its number belongs to something else (a postcode, a rank, a date)."""
    digit = next((i for i, ch in enumerate(candidate.raw_value) if ch.isdigit()), None)
    if digit is None:
        return None
    at = candidate.start + digit
    sentence = candidate.sentence
    text = candidate.document.page_content[sentence.start : sentence.end]
    for quantity in passage_quantities(text):  # cached: a sentence holds several candidates
        start, end = quantity.start + sentence.start, quantity.end + sentence.start
        if start <= at < end:
            if quantity.value is None or quantity.kind not in _FIGURE_KINDS.get(candidate.part.answer_type, frozenset()):
                return None
            return _Figure(candidate, quantity.model_copy(update={"start": start, "end": end}))
    return None


def _plan(asked: OperandQuestion, first: _Figure, second: _Figure) -> CalculationPlan:
    if asked.operation == "differenz":  # the amount by which one lies above the other: larger minus smaller
        ordered = sorted((first, second), key=lambda f: f.quantity.value or Decimal(0), reverse=True)
        description = "Differenz der beiden genannten Werte"
    else:  # change in percent and share: the second figure is the base
        ordered = [first, second]
        description = "Veränderung in Prozent" if asked.operation == "veraenderung_prozent" else "Anteil in Prozent"
    labels = {id(first): _label(asked.first), id(second): _label(asked.second)}
    operands = [Operand(value=f.quantity.value, unit=f.quantity.unit, label=labels[id(f)], origin="Dokument")
                for f in ordered]
    inputs = [PlannedInput.from_evidence(labels[id(f)], format_amount(f.quantity.value or Decimal(0), f.quantity.unit),
                                         evidence_ref(f.candidate.document, f.quantity)) for f in ordered]
    return CalculationPlan(tool="rechne", description=description,
                           tool_input=RechneInput(operation=asked.operation, operands=operands), inputs=inputs)


def _label(description: str, limit: int = 60) -> str:
    """The figure's description as the answer names it: without the verb and article it starts with."""
    text = lexicon.LEADING_VERB_ARTICLE.sub("", " ".join(description.split())) or " ".join(description.split())
    cut = cut_at_word(text, limit)
    return cut[:1].upper() + cut[1:]
