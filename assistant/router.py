"""The answer router: the kind of a question is decided once, then one handler answers it.

A LangChain ``Runnable`` (``RunnableBranch`` over named ``RunnableLambda`` handlers) from an
``AnswerTask`` (the analysed question and its retrieved chunks) to an ``Answer``:

- calculation → the cost tools (``assistant.costs``); no plan → the fact handler;
- metadata (about the Vorlage itself) → ``VorlageAnswerer.answer``; field unknown → the fact handler;
- list → ``VorlageAnswerer.list_answer``;
- fact (everything else) → ``FactAnswerer``.

A new kind of question gets a cue in ``assistant.question`` and a branch here.
"""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.documents import Document
from langchain_core.runnables import Runnable, RunnableBranch, RunnableLambda
from pydantic import BaseModel, ConfigDict, Field

from assistant.about import VorlageAnswerer
from assistant.choice import CandidateChooser
from assistant.facts import FactAnswerer
from assistant.question import QuestionAnalysis, QuestionKind
from vorlagen.domain import Answer

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
    facts: FactAnswerer, about: VorlageAnswerer, calculate: CalculationHandler
) -> Runnable[AnswerTask, Answer]:
    def fact(task: AnswerTask) -> Answer:
        return facts.answer(task.analysis, task.documents, task.settled_terms, task.chooser)

    def calculation(task: AnswerTask) -> Answer:
        answer = calculate(task.analysis.question, task.documents)
        return _kind(answer, QuestionKind.CALCULATION) if answer is not None else fact(task)

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


def _kind(answer: Answer, kind: QuestionKind) -> Answer:
    answer.kind = kind.value
    if answer.short_answer is None:
        answer.short_answer = answer.text.split("\n", 1)[0]
    return answer
