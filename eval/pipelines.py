"""The pipelines an evaluation compares: ours (the AssistantService) and the plain-RAG baseline.

Both return the chunk ranking (for recall/MRR), the answer and per-stage timings. The baseline is
the LangChain quickstart: ``Chroma.similarity_search(question, k=4)`` with the same embedder and the
same answerer, no BM25, no section metadata.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from langchain_core.documents import Document
from langchain_core.vectorstores import VectorStore

from vorlagen.domain import Answer, SearchFilters

AnswerFunction = Callable[[str, list[Document]], Answer]
"""The product's answerer applied to given chunks: (question, documents) -> Answer."""


@dataclass
class PipelineOutput:
    ranking: list[Document]
    """Retrieved chunks, best first (at least as deep as the largest recall@k)."""
    answer: Answer
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per stage: retrieve, answer, total."""


class EvalPipeline(Protocol):
    name: str
    label: str

    def run(self, question: str, ranking_depth: int) -> PipelineOutput: ...


class QuestionService(Protocol):
    """What the evaluation needs of ``assistant.service.AssistantService``."""

    def retrieve(self, question: str, filters: SearchFilters | None = None, k: int | None = None) -> list[Document]: ...

    def ask(self, question: str, filters: SearchFilters | None = None, k: int | None = None) -> Answer: ...


class AssistantPipeline:
    """Our pipeline: the service's hybrid retrieval for the ranking, ``ask`` for the answer.

    Stage timings come from ``Answer.timings`` (measured inside the service); where the service
    does not report a stage, the wall-clock time measured here is used.
    """

    name = "ours"
    label = "Vorlagen-Assistent"

    def __init__(self, service: QuestionService) -> None:
        self._service = service

    def run(self, question: str, ranking_depth: int) -> PipelineOutput:
        started = time.perf_counter()
        ranking = self._service.retrieve(question, k=ranking_depth)
        retrieved = time.perf_counter()
        answer = self._service.ask(question)
        finished = time.perf_counter()
        total = answer.timings.get("total", finished - retrieved)
        retrieve = answer.timings.get("retrieve", retrieved - started)
        timings = {"retrieve": retrieve, "answer": answer.timings.get("answer", max(total - retrieve, 0.0)), "total": total}
        return PipelineOutput(ranking=ranking, answer=answer, timings=timings)


class PlainRagPipeline:
    """The peer baseline: dense similarity search top-k (default 4), then the same answerer."""

    name = "baseline"
    label = "Einfaches RAG (LangChain-Quickstart, Chroma top-4)"

    def __init__(self, vectorstore: VectorStore, answer: AnswerFunction, k: int = 4) -> None:
        self._vectorstore = vectorstore
        self._answer = answer
        self._k = k

    def run(self, question: str, ranking_depth: int) -> PipelineOutput:
        started = time.perf_counter()
        # One search deep enough for recall@10; the answerer sees only the top k, as in the quickstart.
        ranking = self._vectorstore.similarity_search(question, k=max(ranking_depth, self._k))
        retrieved = time.perf_counter()
        answer = self._answer(question, ranking[: self._k])
        finished = time.perf_counter()
        timings = {"retrieve": retrieved - started, "answer": finished - retrieved, "total": finished - started}
        return PipelineOutput(ranking=ranking, answer=answer, timings=timings)


def bind_answer_function(service: object) -> AnswerFunction:
    """The ONE place binding the product's answerer for the baseline: (question, documents) -> Answer."""
    answer_from = getattr(service, "answer_from", None)
    if not callable(answer_from):
        raise RuntimeError(
            "Der Assistent stellt keine Antwortfunktion für vorgegebene Textstellen bereit "
            "(AssistantService.answer_from); der Vergleich mit einfachem RAG ist so nicht möglich. "
            "Mit --no-baseline läuft die Auswertung ohne Vergleich."
        )
    return answer_from
