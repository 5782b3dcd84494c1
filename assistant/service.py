"""The assistant's façade for the CLI, the API and the evaluation harness.

retrieve (hybrid) -> answer: a calculation (deterministic cost tools) when the question asks for
one, otherwise the extractive answer, rewritten by a language model when one is configured and its
answer passes the grounding check.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from langchain_core.documents import Document

from assistant.costs.answer import answer_calculation
from assistant.costs.models import CostError
from assistant.costs.tables import CostTables
from assistant.extractive import ExtractiveAnswerer
from assistant.generation import GroundedAnswerer
from assistant.llm import ChatModelProvider
from assistant.retrieval import HybridRetriever
from assistant.scope import cities_in
from ingest.metadata import known_cities
from vorlagen.domain import Answer, SearchFilters, StreamEvent
from vorlagen.settings import Settings
from vorlagen.store import VorlagenStore
from vorlagen.text import tokenize


class EmptyIndexError(RuntimeError):
    """No document has been ingested yet."""

    def __init__(self) -> None:
        super().__init__(
            "Der Index ist leer: Es wurden noch keine Vorlagen eingelesen. "
            "Bitte zuerst Dokumente einlesen (z. B. `vorlagen ingest ORDNER`)."
        )


class AssistantService:
    """Built once per process from Settings (and an open store)."""

    def __init__(
        self,
        settings: Settings,
        store: VorlagenStore | None = None,
        chat_models: ChatModelProvider | None = None,
    ) -> None:
        self.settings = settings
        self.store = store or VorlagenStore(settings)
        self.chat_models = chat_models or ChatModelProvider(settings)
        self.extractive = ExtractiveAnswerer(
            settings.answer, idf=self._idf, full_text=self._full_text,
            doc_tokens=self.store.doc_tokens,
        )
        self._cost_tables: CostTables | None = None

    # ---- building blocks ------------------------------------------------------------------------
    def _idf(self, token: str) -> float:
        return self.store.bm25_index().idf(token)

    def _full_text(self, doc_id: str) -> str | None:
        vorlage = self.store.get_vorlage(doc_id)
        return vorlage.text if vorlage else None

    def cost_tables(self) -> CostTables | None:
        """The cost tables (loaded once, on first use); None if they cannot be read."""
        if self._cost_tables is None:
            try:
                self._cost_tables = CostTables.from_settings(self.settings)
            except CostError:
                return None
        return self._cost_tables

    def retriever(self, filters: SearchFilters | None = None, k: int | None = None) -> HybridRetriever:
        return HybridRetriever(store=self.store, settings=self.settings.retrieval, k=k, filters=filters)

    # ---- public -----------------------------------------------------------------------------------
    def _named_cities(self, question: str) -> list[str]:
        return cities_in(question, set(known_cities()) | self.store.cities())

    def _hybrid(self, question: str, filters: SearchFilters | None, k: int | None) -> list[Document]:
        return self.retriever(filters, k).invoke(question)

    def retrieve(
        self, question: str, filters: SearchFilters | None = None, k: int | None = None
    ) -> list[Document]:
        """Hybrid retrieval, restricted to the city the question names (see ``assistant.scope``);
        empty when it names a city no indexed Vorlage belongs to."""
        if self.store.count_chunks() == 0:
            raise EmptyIndexError()
        filters = filters or SearchFilters()
        named = [] if filters.stadt else self._named_cities(question)
        if not named:
            return self._hybrid(question, filters, k)
        wanted = k or self.settings.retrieval.k

        def in_scope(document: Document) -> bool:
            stadt = document.metadata.get("stadt")
            if stadt:
                return stadt in named
            tokens = self.store.doc_tokens(str(document.metadata.get("doc_id"))) or frozenset()
            return any(set(tokenize(city)) <= tokens for city in named)

        documents = [d for d in self._hybrid(question, filters, wanted * 3) if in_scope(d)]
        if len(documents) < wanted:
            for city in named:
                if city in self.store.cities():
                    city_filter = filters.model_copy(update={"stadt": city})
                    documents += self._hybrid(question, city_filter, wanted)
        unique = list({d.metadata["chunk_id"]: d for d in documents}.values())[:wanted]
        for rank, document in enumerate(unique, start=1):
            document.metadata["rank"] = rank
        return unique

    def answer_from(self, question: str, documents: list[Document]) -> Answer:
        """Answer from given chunks (also used by the plain-RAG baseline of the harness):
        a calculation through the cost tools when the question asks for one, else extractive."""
        calculation = answer_calculation(
            question, documents, settings=self.settings, tables=self.cost_tables()
        )
        if calculation is not None:
            return calculation
        city_terms = frozenset(
            token for city in self._named_cities(question) for token in tokenize(city)
        )
        return self.extractive.answer(question, documents, settled_terms=city_terms)

    def _writer(self, answer: Answer) -> GroundedAnswerer | None:
        """The language model that rewrites an extractive answer, if one is configured and usable.
        Refusals and calculations stay as they are (refusal calibrated; figures from code)."""
        if answer.refused or answer.mode != "extractive":
            return None
        choice = self.chat_models.resolve()
        if choice.notice and self.settings.llm.mode != "auto":
            answer.notices.append(choice.notice)
        if choice.model is None:
            return None
        return GroundedAnswerer(choice.model, self.settings, choice.mode)

    def _evidence(self, question: str, documents: list[Document], answer: Answer) -> list:
        """The extractive answer's sentences first, then the next best, numbered 1..n."""
        passages = list(answer.citations)
        seen = {(c.doc_id, c.start) for c in passages}
        for extra in self.extractive.evidence(question, documents, self.settings.llm.evidence_passages):
            if len(passages) >= self.settings.llm.evidence_passages:
                break
            if (extra.doc_id, extra.start) not in seen:
                passages.append(extra)
                seen.add((extra.doc_id, extra.start))
        return [p.model_copy(update={"index": i}) for i, p in enumerate(passages, start=1)]

    def ask(self, question: str, filters: SearchFilters | None = None, k: int | None = None) -> Answer:
        started = time.perf_counter()
        documents = self.retrieve(question, filters, k)
        retrieved = time.perf_counter()
        answer = self.answer_from(question, documents)
        writer = self._writer(answer)
        if writer is not None:
            answer = writer.answer(question, self._evidence(question, documents, answer), answer)
        finished = time.perf_counter()
        answer.timings = {
            **answer.timings,
            "retrieve": round(retrieved - started, 4),
            "answer": round(finished - retrieved, 4),
            "total": round(finished - started, 4),
        }
        return answer

    async def astream(
        self, question: str, filters: SearchFilters | None = None, k: int | None = None
    ) -> AsyncIterator[StreamEvent]:
        """Events: ``token`` ({"text"}), ``notice`` ({"text"}), ``citations``, ``answer``, ``done``."""
        documents = await asyncio.to_thread(self.retrieve, question, filters, k)
        answer = await asyncio.to_thread(self.answer_from, question, documents)
        writer = await asyncio.to_thread(self._writer, answer)
        if writer is not None:
            evidence = self._evidence(question, documents, answer)
            async for event in writer.astream(question, evidence, answer):
                yield event
            return
        yield StreamEvent(type="token", data={"text": answer.text})
        for notice in answer.notices:
            yield StreamEvent(type="notice", data={"text": notice})
        yield StreamEvent(type="citations", data=answer.citations)
        yield StreamEvent(type="answer", data=answer)
        yield StreamEvent(type="done")
