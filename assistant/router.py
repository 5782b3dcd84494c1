"""The answer router: the kind of a question is decided once, then one handler answers it.

A LangChain ``Runnable`` (``RunnableBranch`` over named ``RunnableLambda`` handlers) from an
``AnswerTask`` (the analysed question and its retrieved chunks) to an ``Answer``:

- calculation → the cost tools (``assistant.costs``); no plan → the fact handler; a change asked for
  ("um wie viel …") that the tools cannot compute → a value the documents state, if the fact handler finds one;
- metadata (about the Vorlage itself) → ``VorlageAnswerer.answer``; field unknown → the fact handler;
- list → ``VorlageAnswerer.list_answer``;
- fact (everything else) → ``FactReader`` (candidates scored by the learned scorer).

A new kind of question gets a cue in ``assistant.question`` and a branch here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from langchain_core.documents import Document
from langchain_core.runnables import Runnable, RunnableBranch, RunnableLambda
from pydantic import BaseModel, ConfigDict, Field

from assistant.about import VorlageAnswerer
from assistant.choice import CandidateChooser
from assistant.costs.cues import calculation_kind
from assistant.operands import StatedCalculation
from assistant.reader import FactReader
from assistant.question import QuestionAnalysis, QuestionKind
from vorlagen.domain import Answer
from vorlagen.text.lexicon import TOTAL

_STATED_CHANGE = re.compile(r"\bum\s+wie\s+viel(?:\s+prozent)?\b", re.I)
"""A change asked for: when the cost tools find no two figures, the documents may state the change."""
_STATED_CHANGE_VALUE = re.compile(r"\d\s*(?:%|Prozent\b|Euro\b|EUR\b|€)", re.I)

CalculationHandler = Callable[[str, list[Document]], Answer | None]
"""(question, documents) -> the calculation's answer, or None when no calculation can be planned."""


class AnswerTask(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    analysis: QuestionAnalysis
    documents: list[Document]
    settled_terms: frozenset[str] = Field(default_factory=frozenset)
    """Question tokens already enforced by retrieval (the city it was restricted to)."""
    chooser: CandidateChooser | None = None
    """A language model that chooses among a fact answer's candidates, where one is in use."""


def build_router(
    facts: FactReader, about: VorlageAnswerer, calculate: CalculationHandler, operands: StatedCalculation | None = None
) -> Runnable[AnswerTask, Answer]:
    """``operands``: differences and shares of two figures the Vorlagen state, read by the learned scorer; the
    cost planners (``calculate``) take every other calculation and what ``operands`` does not find."""

    def fact(task: AnswerTask) -> Answer:
        return facts.answer(task.analysis, task.documents, task.settled_terms, task.chooser)

    def calculation(task: AnswerTask) -> Answer:
        read = operands.answer(task.analysis, task.documents, task.settled_terms) if operands else None
        if read is not None and not read.refused:
            return _kind(read, QuestionKind.CALCULATION)
        answer = calculate(task.analysis.question, task.documents)
        if answer is None:
            return fact(task)
        if answer.refused:  # a message of the cost parser never answers a question: a value stated, if any
            stated = fact(task)  # "Um wie viel Prozent liegen … über …?" – "etwa 220 % über den Preisen der Vorjahre"
            if not stated.refused and _states_what_is_asked(task.analysis.question, stated):
                return stated
        return _kind(answer, QuestionKind.CALCULATION)

    def metadata(task: AnswerTask) -> Answer:
        answer = about.answer(task.analysis, task.documents)
        return answer if answer is not None else fact(task)

    def listing(task: AnswerTask) -> Answer:
        return about.list_answer(task.analysis, task.documents)

    def kind_is(kind: QuestionKind) -> Callable[[AnswerTask], bool]:
        return lambda task: task.analysis.kind is kind

    return RunnableBranch(
        (kind_is(QuestionKind.CALCULATION), RunnableLambda(calculation, name="rechnung")),
        (kind_is(QuestionKind.METADATA), RunnableLambda(metadata, name="vorlagen_angaben")),
        (kind_is(QuestionKind.LIST), RunnableLambda(listing, name="vorlagen_liste")),
        RunnableLambda(fact, name="fakten"),
    ).with_config(run_name="antwort_router")


def _states_what_is_asked(question: str, stated: Answer) -> bool:
    """Whether a value the documents state answers a calculation the tools could not do: a change asked for
    („um wie viel …“) needs a figure with its unit, a sum („… zusammen / insgesamt“) one the Vorlage states as a
    total – one item of the sum is a wrong value, not an answer."""
    if _STATED_CHANGE.search(question) and not (stated.short_answer and _STATED_CHANGE_VALUE.search(stated.short_answer)):
        return False
    if calculation_kind(question) == "summe":
        return bool(stated.citations) and all(TOTAL.search(citation.quote) for citation in stated.citations)
    return True


def _kind(answer: Answer, kind: QuestionKind) -> Answer:
    answer.kind = kind.value
    if answer.short_answer is None:
        answer.short_answer = answer.text.split("\n", 1)[0]
    return answer
