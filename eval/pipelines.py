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

from langchain_classic.chains import create_retrieval_chain
from langchain_classic.chains.combine_documents import create_stuff_documents_chain
from langchain_core.documents import Document
from langchain_core.language_models import BaseChatModel
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.vectorstores import VectorStore

from vorlagen.domain import Answer, Citation, SearchFilters

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

    def ask_ranked(self, question: str, depth: int, filters: SearchFilters | None = None) -> tuple[list[Document], Answer]: ...


class AssistantPipeline:
    """Our pipeline: one retrieval of the service for both the ranking and the answer (``ask_ranked``).

    Stage timings come from ``Answer.timings`` (measured inside the service); where the service
    does not report a stage, the wall-clock time measured here is used.
    """

    name = "ours"
    label = "Vorlagen-Assistent"

    def __init__(self, service: QuestionService) -> None:
        self._service = service

    def run(self, question: str, ranking_depth: int) -> PipelineOutput:
        started = time.perf_counter()
        ranking, answer = self._service.ask_ranked(question, ranking_depth)
        finished = time.perf_counter()
        total = answer.timings.get("total", finished - started)
        retrieve = answer.timings.get("retrieve", total)
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


STUFF_PROMPT = (
    "Beantworte die Frage nur mit dem folgenden Kontext aus Vorlagen des Gemeinderats. "
    "Wenn der Kontext die Antwort nicht enthält, sage das. Antworte kurz auf Deutsch.\n\n{context}"
)


class PlainRagChainPipeline:
    """The peer a user builds in an afternoon: LangChain's retrieval chain (Chroma top-k, a "stuff"
    prompt) with the same chat model; the retrieved chunks are its citations."""

    name = "baseline_llm"
    label = "Einfaches RAG mit Sprachmodell (LangChain-Retrieval-Chain, Chroma top-4, „stuff“)"

    def __init__(self, vectorstore: VectorStore, chat_model: BaseChatModel, k: int = 4) -> None:
        self._vectorstore = vectorstore
        self._k = k
        prompt = ChatPromptTemplate.from_messages([("system", STUFF_PROMPT), ("human", "{input}")])
        retriever = vectorstore.as_retriever(search_kwargs={"k": k})
        self._chain = create_retrieval_chain(retriever, create_stuff_documents_chain(chat_model, prompt))

    def run(self, question: str, ranking_depth: int) -> PipelineOutput:
        started = time.perf_counter()
        ranking = self._vectorstore.similarity_search(question, k=max(ranking_depth, self._k))
        retrieved = time.perf_counter()
        result = self._chain.invoke({"input": question})
        finished = time.perf_counter()
        context: list[Document] = result.get("context", [])
        citations = [
            Citation.from_chunk(document, 0, len(document.page_content), index=index)
            for index, document in enumerate(context, start=1)
        ]
        answer = Answer(question=question, text=str(result.get("answer", "")).strip(), citations=citations,
                        mode=self.name)
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
