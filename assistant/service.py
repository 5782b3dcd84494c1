"""The assistant's façade for the CLI, the API, the Teams bot and the evaluation harness.

ask = put everyday words in the Vorlagen's terms (``assistant.wording``) -> analyse the question once
(``assistant.question``) -> retrieve (hybrid, scoped to the city the question names: ``assistant.scope``)
-> the router's one handler for its kind (fact, calculation, metadata, list: ``assistant.router``) -> where
a language model is configured for composition and the answer is a fact answer, the model rewrites it
behind the grounding check (``assistant.generation``). The answer keeps the question as asked.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from langchain_core.documents import Document

from assistant.about import VorlageAnswerer
from assistant.costs.answer import answer_calculation
from assistant.costs.models import CostError
from assistant.costs.parser import is_calculation_question
from assistant.costs.tables import CostTables
from assistant.decision_chain import DecisionChainBuilder
from assistant.decisions import DecisionAnswerer
from assistant.extractive import ExtractiveAnswerer
from assistant.operands import StatedCalculation
from assistant.reader import FactReader
from assistant.scorer import AnswerScorer
from assistant.widening import with_document_chunks
from assistant.generation import GroundedAnswerer
from assistant.choice import CandidateChooser
from assistant.llm import ChatModelChoice, ChatModelProvider, answers_use_a_model
from assistant.question import QuestionAnalysis, QuestionKind, analyze_question
from assistant.router import AnswerTask, build_router
from assistant.scope import CityScopedRetriever, named_cities, unindexed_line
from assistant.wording import EverydayWords, Reworded
from vorlagen.domain import Answer, Citation, SearchFilters, StreamEvent, VorlageHit, answer_events
from vorlagen.settings import Settings
from vorlagen.store import VorlagenStore
from vorlagen.text import tokenize


@dataclass(frozen=True)
class PreparedQuestion:
    """A question made ready once, shared by ``ask``, ``ask_ranked`` and ``astream``: the words searched
    (everyday words in the Vorlagen's terms), its analysis, the cities it names, and the retrieval plan."""

    asked: str
    reworded: Reworded
    analysis: QuestionAnalysis
    named: list[str]
    filters: SearchFilters | None
    k: int

    @property
    def searched(self) -> str:
        return self.reworded.question


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
        scorer: AnswerScorer | None = None,
    ) -> None:
        """``scorer``: the answer scorer to use instead of the trained one named in the settings
        (training collects candidates before a scorer for their features exists)."""
        self.settings = settings
        self.store = store or VorlagenStore(settings)
        self.chat_models = chat_models or ChatModelProvider(settings)
        self.extractive = ExtractiveAnswerer(
            settings.answer, idf=self._idf, doc_tokens=self.store.doc_tokens
        )
        self.facts = FactReader(self.extractive, settings.answer, scorer or AnswerScorer.load(settings.answer.scorer),
                                chunks_of=self.store.chunks_of, doc_tokens=self.store.doc_tokens,
                                similarities=self.store.similarities)
        self.about = VorlageAnswerer(self.extractive, self.store.get_vorlage, settings.answer)
        self.router = build_router(self.facts, self.about, self._calculate, StatedCalculation(self.facts))
        self.decisions = DecisionAnswerer(
            self.extractive, DecisionChainBuilder(self.store.get_vorlage, self.store.linked_papers, self.store.chunks_of),
            self.store.find_doc_ids, settings.answer,
        )
        self.wording = EverydayWords.load(settings.answer.everyday_words)
        self._cost_tables: CostTables | None = None

    # ---- building blocks ------------------------------------------------------------------------
    def _idf(self, token: str) -> float:
        return self.store.bm25_index().idf(token)

    def cost_tables(self) -> CostTables | None:
        """The cost tables (loaded once, on first use); None if they cannot be read."""
        if self._cost_tables is None:
            try:
                self._cost_tables = CostTables.from_settings(self.settings)
            except CostError:
                return None
        return self._cost_tables

    def _calculate(self, question: str, documents: list[Document]) -> Answer | None:
        """A calculation over the retrieved chunks; when a figure is missing there, over the whole
        text of the best-ranked Vorlagen (a figure often stands in another section than the one found)."""
        answer = answer_calculation(question, documents, tables=self.cost_tables())
        if answer is not None and not answer.refused:
            return answer  # (None: no plan over these chunks — a rate per period may stand elsewhere in the Vorlage)
        settings = self.settings.answer
        widened = with_document_chunks(documents, self.store.chunks_of, settings.calculation_documents,
                                       settings.calculation_max_chunks)
        retried = answer_calculation(question, widened, tables=self.cost_tables()) if widened else None
        if retried is not None and not retried.refused:
            return retried
        per_year = self._per_year(question)
        again = answer_calculation(question, per_year, tables=self.cost_tables()) if per_year else None
        return again if again is not None and not again.refused else answer

    def _per_year(self, question: str) -> list[Document]:
        """Figures of several years ("die 2024 und 2025 bestellten Lkw zusammen") often stand in one Vorlage
        per year, and the retriever may rank only one of them high: for each named year the best Vorlage of
        that year (retrieved with the year as filter; no long report), its best chunk first, then all its
        chunks. Empty for fewer than two years."""
        years = sorted(set(self.analyze(question).years))
        if len(years) < 2:
            return []
        named = named_cities(question, self.store)
        limit = self.settings.answer.calculation_max_chunks
        firsts: list[Document] = []
        rest: list[Document] = []
        for year in years:
            for document in self.retrieve(question, SearchFilters(jahr_von=year, jahr_bis=year), None, named):
                chunks = self.store.chunks_of(str(document.metadata.get("doc_id")))
                if len(chunks) <= limit:
                    firsts.append(document)
                    rest += [c for c in chunks if c.metadata.get("chunk_id") != document.metadata.get("chunk_id")]
                    break
        return [*firsts, *rest] if len(firsts) == len(years) else []

    def retriever(
        self, filters: SearchFilters | None = None, k: int | None = None, named: list[str] | None = None
    ) -> CityScopedRetriever:
        """The retriever every interface uses: hybrid, scoped to the city a question names (``named``:
        the cities, if already looked up for this question)."""
        return CityScopedRetriever(store=self.store, settings=self.settings.retrieval, k=k, filters=filters,
                                   named=named)

    def reword(self, question: str) -> Reworded:
        """The question with everyday words the Vorlagen use less than their own terms in those terms."""
        return self.wording.reword(question, self.store.bm25_index().document_frequency)

    def analyze(self, question: str) -> QuestionAnalysis:
        return analyze_question(question, is_calculation_question)

    # ---- retrieval --------------------------------------------------------------------------------
    def retrieve(
        self, question: str, filters: SearchFilters | None = None, k: int | None = None,
        named: list[str] | None = None,
    ) -> list[Document]:
        """Hybrid retrieval, restricted to the city the question names (see ``assistant.scope``);
        empty when it names a city no indexed Vorlage belongs to."""
        if self.store.is_empty():
            raise EmptyIndexError()
        return self.retriever(filters, k, named).invoke(question)

    def retrieval_plan(
        self, analysis: QuestionAnalysis, filters: SearchFilters | None = None, k: int | None = None
    ) -> tuple[SearchFilters | None, int]:
        """Filters and depth for a question: a list question brings its own years and looks deeper."""
        if analysis.kind is not QuestionKind.LIST:
            return filters, k or self.settings.retrieval.k
        given = filters or SearchFilters()
        implied = {name: value for name, value in analysis.filters.model_dump().items()
                   if value is not None and getattr(given, name) is None}
        return given.model_copy(update=implied), k or self.settings.retrieval.list_k

    def search(self, query: str, filters: SearchFilters | None = None, k: int | None = None) -> list[VorlageHit]:
        """Vorlagen about a subject, best first (``GET /v1/search``, the web UI's list view)."""
        documents = self.retrieve(query, filters, k or self.settings.retrieval.list_k)
        return [hit for hit, _ in self.about.hits(query, documents)]

    # ---- answering --------------------------------------------------------------------------------
    @staticmethod
    def settled_terms(named: list[str]) -> frozenset[str]:
        """The words of the cities the question names: settled by retrieval, no evidence of an answer."""
        return frozenset(token for city in named for token in tokenize(city))

    def _model(self, notices: list[str]) -> ChatModelChoice | None:
        """The chat model for the answer's language-model tasks, or None: ``extractive``, or ``auto``
        while measurements keep it off (``llm.auto_uses_model``), or no model available."""
        if not answers_use_a_model(self.settings):  # with resolve(): the steps of answer_mode (/readyz, doctor)
            return None
        choice = self.chat_models.resolve()
        if choice.notice and self.settings.llm.mode != "auto":
            notices.append(choice.notice)
        return choice if choice.model is not None else None

    def answer_from(
        self, question: str, documents: list[Document], analysis: QuestionAnalysis | None = None,
        named: list[str] | None = None,
    ) -> Answer:
        """Answer from given chunks (also used by the plain-RAG baseline of the harness): the router's
        handler for the question's kind; a language model, where one is in use, chooses among a fact
        answer's candidates."""
        decided = self.decisions.answer(question, documents)  # „Wie wurde über … entschieden?“: the decision chain
        if decided is not None:
            return decided
        analysis = analysis or self.analyze(question)
        named = named if named is not None else named_cities(question, self.store)
        notices: list[str] = []
        choice = self._model(notices) if self.settings.llm.choose and analysis.kind is QuestionKind.FACT else None
        chooser = CandidateChooser(choice.model, choice.mode, self.settings.llm.timeout_s) if choice and choice.model else None
        task = AnswerTask(analysis=analysis, documents=documents, settled_terms=self.settled_terms(named),
                          chooser=chooser)
        answer = self.router.invoke(task)
        answer.notices[:0] = notices
        if answer.refused and answer.kind in (QuestionKind.FACT.value, QuestionKind.CALCULATION.value) and documents:
            return self.about.with_nearest_vorlagen(answer, question, documents)
        if answer.refused and not documents and (line := unindexed_line(named, self.store.cities())):
            return answer.model_copy(update={"text": f"{answer.text}\n{line}", "short_answer": answer.text})
        return answer

    def _writer(self, answer: Answer) -> GroundedAnswerer | None:
        """The language model that rewrites a fact answer in its own words (``llm.compose``).
        Refusals, calculations, metadata and list answers stay as they are."""
        if not self.settings.llm.compose or answer.refused or answer.kind != QuestionKind.FACT.value:
            return None
        choice = self._model([])
        if choice is None or choice.model is None:
            return None
        return GroundedAnswerer(choice.model, self.settings, choice.mode)

    def _evidence(self, answer: Answer, documents: list[Document], question: str) -> list[Citation]:
        """The answer's own citations first, then the next best sentences, numbered 1..n."""
        passages = list(answer.citations)
        seen = {(c.doc_id, c.start) for c in passages}
        limit = self.settings.llm.evidence_passages
        for extra in self.extractive.evidence(question, documents, limit):
            if len(passages) >= limit:
                break
            if (extra.doc_id, extra.start) not in seen:
                passages.append(extra)
                seen.add((extra.doc_id, extra.start))
        return [p.model_copy(update={"index": i}) for i, p in enumerate(passages, start=1)]

    def prepare(self, question: str, filters: SearchFilters | None = None, k: int | None = None) -> PreparedQuestion:
        """Reword, analyse, look up the named cities and plan retrieval — once per question."""
        reworded = self.reword(question)
        analysis = self.analyze(reworded.question)
        named = named_cities(reworded.question, self.store)
        filters, k = self.retrieval_plan(analysis, filters, k)
        return PreparedQuestion(question, reworded, analysis, named, filters, k)

    def ask_ranked(
        self, question: str, depth: int, filters: SearchFilters | None = None
    ) -> tuple[list[Document], Answer]:
        """One retrieval ``depth`` deep (for recall@k), the answer from its top chunks: what the
        evaluation needs, without retrieving twice."""
        started = time.perf_counter()
        prepared = self.prepare(question, filters)
        ranking = self.retrieve(prepared.searched, prepared.filters, max(depth, prepared.k), prepared.named)
        answer = self._answer(prepared, ranking[: prepared.k], started)
        return ranking, answer

    def ask(self, question: str, filters: SearchFilters | None = None, k: int | None = None) -> Answer:
        started = time.perf_counter()
        prepared = self.prepare(question, filters, k)
        documents = self.retrieve(prepared.searched, prepared.filters, prepared.k, prepared.named)
        return self._answer(prepared, documents, started)

    def _answer(self, prepared: PreparedQuestion, documents: list[Document], started: float) -> Answer:
        retrieved = time.perf_counter()
        answer = self.answer_from(prepared.searched, documents, prepared.analysis, prepared.named)
        writer = self._writer(answer)
        if writer is not None:
            answer = writer.answer(prepared.searched, self._evidence(answer, documents, prepared.searched), answer)
        finished = time.perf_counter()
        timings = {**answer.timings, "retrieve": round(retrieved - started, 4),
                   "answer": round(finished - retrieved, 4), "total": round(finished - started, 4)}
        return _asked(answer, prepared, timings)

    async def astream(
        self, question: str, filters: SearchFilters | None = None, k: int | None = None
    ) -> AsyncIterator[StreamEvent]:
        """Events: ``token``, ``notice``, ``citations``, ``answer``, ``done`` (see ``StreamEvent``)."""
        prepared = await asyncio.to_thread(self.prepare, question, filters, k)
        documents = await asyncio.to_thread(self.retrieve, prepared.searched, prepared.filters, prepared.k, prepared.named)
        answer = await asyncio.to_thread(self.answer_from, prepared.searched, documents, prepared.analysis, prepared.named)
        answer = _asked(answer, prepared)
        writer = await asyncio.to_thread(self._writer, answer)
        if writer is not None:
            evidence = self._evidence(answer, documents, prepared.searched)
            async for event in writer.astream(prepared.searched, evidence, answer):
                yield event
            return
        for event in answer_events(answer):
            yield event


def _asked(answer: Answer, prepared: PreparedQuestion, timings: dict[str, float] | None = None) -> Answer:
    """The answer to the question as asked (a copy: the answer built is never changed afterwards), with a
    notice when it was searched in other words."""
    notices = list(answer.notices)
    notice = prepared.reworded.notice()
    if notice and notice not in notices:
        notices.insert(0, notice)
    update: dict[str, object] = {"question": prepared.asked, "notices": notices}
    if timings is not None:
        update["timings"] = timings
    return answer.model_copy(update=update)
