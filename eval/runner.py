"""Runs a question set through the pipelines and scores every answer (with a progress bar)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from eval import metrics
from eval.judge import FaithfulnessJudge
from eval.pipelines import EvalPipeline, PipelineOutput
from eval.questions import EvalQuestion, QuestionSet
from eval.results import PipelineRun, QuestionResult
from vorlagen.domain import Answer

DEFAULT_KS: tuple[int, ...] = (1, 5, 10)


def score_question(
    question: EvalQuestion,
    output: PipelineOutput,
    document_text: metrics.DocumentTextLookup,
    ranking_depth: int,
) -> QuestionResult:
    """All deterministic metrics of one answer."""
    answer = output.answer
    retrieval = metrics.retrieval_scores(output.ranking, question.sources, range(1, ranking_depth + 1))
    result = _base_result(question, answer)
    result.retrieved_documents = [
        str(document.metadata.get("source_name") or document.metadata.get("doc_id")) for document in output.ranking
    ]
    result.retrieved_documents = list(dict.fromkeys(result.retrieved_documents))
    if retrieval is not None:
        result.recall, result.mrr, result.first_gold_rank = retrieval.recall, retrieval.mrr, retrieval.first_gold_rank
    if question.answerable:
        result.fact_groups = metrics.fact_groups_matched(question.expected_facts, answer.text)
        result.fact_correct = all(result.fact_groups) and not answer.refused
        direct = metrics.fact_groups_matched(question.expected_facts, metrics.first_line(answer))
        result.direct_correct = all(direct) and not answer.refused
        result.wrong_value = not answer.refused and not any(direct)
        if answer.refused:
            result.refusal_names_source = any(metrics.is_gold(hit.model_dump(), question.sources) for hit in answer.vorlagen)
    result.unsure = answer.unsure
    result.unasked_calculation = question.type != "calc" and not answer.refused and answer.kind == "calculation"
    if not answer.refused:
        result.answer_words = metrics.answer_words(answer.text)
    result.refusal_correct = metrics.refusal_correct(question.answerable, answer)
    result.citation_precision = metrics.citation_precision(answer.citations, question.sources)
    texts: dict[str, str | None] = {}
    for citation in answer.citations:
        if citation.doc_id not in texts:
            texts[citation.doc_id] = document_text(citation.doc_id)
    result.citation_checks = [
        metrics.check_citation(citation, texts[citation.doc_id], question.sources) for citation in answer.citations
    ]
    expected = metrics.expected_calc_value(question.calc) if question.type == "calc" else None
    if expected is not None:
        result.calc_expected = str(expected)
        result.calc_exact = metrics.calc_exact(expected, answer)
    result.timings = dict(output.timings)
    result.tokens = dict(answer.tokens)
    return result


def _base_result(question: EvalQuestion, answer: Answer | None) -> QuestionResult:
    result = QuestionResult(
        id=question.id,
        type=question.type,
        question=question.question,
        expected_facts=question.expected_facts,
        sources=question.sources,
    )
    if answer is not None:
        result.answer, result.refused, result.mode, result.citations = (
            answer.text,
            answer.refused,
            answer.mode,
            list(answer.citations),
        )
        result.support, result.notices = answer.support, list(answer.notices)
    return result


def failed_result(question: EvalQuestion, error: Exception, ranking_depth: int) -> QuestionResult:
    """A question the pipeline failed on: scored as wrong in every metric that applies."""
    result = _base_result(question, None)
    result.error = f"{type(error).__name__}: {error}"
    if question.answerable:
        result.fact_groups = [False] * len(question.expected_facts)
        result.fact_correct = False
        result.direct_correct = False
        result.recall = {k: 0.0 for k in range(1, ranking_depth + 1)}
        result.mrr = 0.0
    if question.type == "calc" and metrics.expected_calc_value(question.calc) is not None:
        result.calc_exact = False
    return result


class EvalRunner:
    """Asks every question of a set through each pipeline (interleaved, so load affects all alike)."""

    def __init__(
        self,
        pipelines: Sequence[EvalPipeline],
        document_text: metrics.DocumentTextLookup,
        ks: Sequence[int] = DEFAULT_KS,
        judge: FaithfulnessJudge | None = None,
        console: Console | None = None,
    ) -> None:
        if not pipelines:
            raise ValueError("Mindestens eine Pipeline ist nötig.")
        self._pipelines = list(pipelines)
        self._document_text = document_text
        self._ks = sorted(set(ks))
        self._judge = judge
        self._console = console or Console(stderr=True)

    @property
    def ks(self) -> list[int]:
        return self._ks

    def run(self, question_set: QuestionSet, show_progress: bool = True) -> list[PipelineRun]:
        depth = max(self._ks)
        results: dict[str, list[QuestionResult]] = {pipeline.name: [] for pipeline in self._pipelines}
        modes: dict[str, str] = {}
        total = len(question_set.questions) * len(self._pipelines)
        with Progress(
            TextColumn("[bold]Auswertung[/bold] {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("Rest"),
            TimeRemainingColumn(),
            console=self._console,
            disable=not show_progress,
            transient=False,
        ) as progress:
            task = progress.add_task(question_set.name, total=total)
            for question in question_set.questions:
                for pipeline in self._pipelines:
                    progress.update(task, description=f"{question_set.name}: {question.id} · {pipeline.name}")
                    result = self._ask(pipeline, question, depth)
                    modes.setdefault(pipeline.name, result.mode)
                    results[pipeline.name].append(result)
                    progress.advance(task)
        return [
            PipelineRun.from_results(pipeline.name, pipeline.label, modes.get(pipeline.name, ""), results[pipeline.name], self._ks)
            for pipeline in self._pipelines
        ]

    def _ask(self, pipeline: EvalPipeline, question: EvalQuestion, depth: int) -> QuestionResult:
        started = time.perf_counter()
        try:
            output = pipeline.run(question.question, depth)
        except Exception as error:  # noqa: BLE001 - one failing question must not end the run; it is reported
            result = failed_result(question, error, depth)
            result.timings = {"total": time.perf_counter() - started}
            return result
        result = score_question(question, output, self._document_text, depth)
        if self._judge is not None and not output.answer.refused:
            result.judge = self._judge.judge(question.question, output.answer)
        return result
