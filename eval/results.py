"""Result models of an evaluation run (what ``report.json`` holds) and their summaries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal, get_origin

from pydantic import BaseModel, Field

from eval.metrics import CitationCheck, mean, percentile
from eval.questions import QUESTION_TYPES, QuestionType
from vorlagen.domain import Citation

STAGES = ("retrieve", "answer", "total")


class JudgeVerdict(BaseModel):
    """LLM-judged faithfulness of one answer: reported separately, never part of the gate."""

    faithful: bool | None
    reason: str


class QuestionResult(BaseModel):
    id: str
    type: QuestionType
    question: str
    expected_facts: list[list[str]]
    sources: list[str]

    answer: str = ""
    refused: bool = False
    support: float = 0.0
    """The answerer's support for its best evidence (what the refusal threshold is compared with)."""
    notices: list[str] = Field(default_factory=list)
    mode: str = ""
    citations: list[Citation] = Field(default_factory=list)
    retrieved_documents: list[str] = Field(default_factory=list)
    """Distinct documents of the ranking, best first."""
    error: str | None = None
    """The pipeline failed on this question (counts as wrong)."""

    recall: dict[int, float] | None = None
    """k -> recall@k for k = 1..max; None for questions without gold sources."""
    mrr: float | None = None
    first_gold_rank: int | None = None
    fact_groups: list[bool] = Field(default_factory=list)
    fact_correct: bool | None = None
    """None for unanswerable questions."""
    direct_correct: bool | None = None
    """Every expected fact in the first line (the short answer); None for unanswerable questions."""
    answer_words: int | None = None
    """Words of the answer text (markers not counted); None for refusals."""
    refusal_correct: bool = False
    citation_precision: float | None = None
    citation_checks: list[CitationCheck] = Field(default_factory=list)
    calc_expected: str | None = None
    calc_exact: bool | None = None
    wrong_value: bool | None = None
    """Answerable, answered, and no expected fact in the direct answer: a value that is not the one asked
    for (worse than a refusal); None for unanswerable questions."""
    unasked_calculation: bool = False
    """A question that asks for no arithmetic (not of type calc) answered by a calculation."""
    refusal_names_source: bool | None = None
    """Answerable and refused: whether the Vorlagen the refusal names (to read on) include a gold source;
    None otherwise."""
    unsure: bool = False
    """The answer carries the notice to check a value in its citation (``Answer.unsure``)."""

    timings: dict[str, float] = Field(default_factory=dict)
    tokens: dict[str, int] = Field(default_factory=dict)
    judge: JudgeVerdict | None = None

    @property
    def correct(self) -> bool:
        """Answerable: all facts and not refused; unanswerable: correctly refused."""
        if self.type == "unanswerable":
            return self.refusal_correct
        return bool(self.fact_correct) and self.refusal_correct

    @property
    def citation_validity(self) -> float | None:
        if not self.citation_checks:
            return None
        return sum(check.quote_occurs for check in self.citation_checks) / len(self.citation_checks)


class MetricSummary(BaseModel):
    questions: int
    correct: float | None
    recall: dict[int, float | None]
    mrr: float | None
    fact_accuracy: float | None
    direct_answer: float | None = None
    """„direkte Antwort“: share of answerable questions with every expected fact in the first line."""
    median_answer_words: float | None = None
    refusal_accuracy: float | None
    false_refusals: int
    """Answerable questions refused."""
    missed_refusals: int
    """Unanswerable questions answered (or refused with citations)."""
    citation_precision: float | None
    citation_validity: float | None
    """Micro average over all citations."""
    citation_exact_offsets: float | None
    citations: int
    calc_exactness: float | None
    wrong_values: float | None = None
    """Share of answerable questions answered with a value that is not expected."""
    unasked_calculations: int = 0
    refusals_naming_source: float | None = None
    """Share of the refused answerable questions whose refusal names a gold source among the Vorlagen to read on."""
    unflagged_wrong_values: float | None = None
    """Share of answerable questions answered with a value that is not expected and no notice to check it: the
    wrong values a user is not warned of."""
    flagged_right: float | None = None
    """Share of the right direct answers that carry the notice to check them (what the warning costs)."""
    latency: dict[str, dict[str, float | None]]
    """stage -> {"p50": s, "p95": s}"""
    tokens: dict[str, int]
    errors: int
    faithfulness: float | None = None
    """LLM judge (optional, never gated)."""

    @classmethod
    def is_metric(cls, name: str) -> bool:
        """Is ``name`` a metric ``metric()`` can return (the names gates use)?"""
        if name.startswith("recall_at_"):
            return name.removeprefix("recall_at_").isdigit()
        if name.startswith("latency_"):
            quantile, _, stage = name.removeprefix("latency_").removesuffix("_s").partition("_")
            return name.endswith("_s") and quantile in {"p50", "p95"} and stage in STAGES
        field = cls.model_fields.get(name)
        return field is not None and get_origin(field.annotation) not in (dict, list)

    def metric(self, name: str) -> float | None:
        """A metric by its gate name: ``fact_accuracy``, ``recall_at_5``, ``latency_p95_total_s`` …"""
        if name.startswith("recall_at_"):
            k = int(name.removeprefix("recall_at_"))
            if k not in self.recall:
                raise KeyError(name)
            return self.recall[k]
        if name.startswith("latency_") and name.endswith("_s"):
            quantile, _, stage = name.removeprefix("latency_").removesuffix("_s").partition("_")
            return self.latency.get(stage, {}).get(quantile)
        if name not in type(self).model_fields:
            raise KeyError(name)
        value = getattr(self, name)
        if isinstance(value, dict | list):
            raise KeyError(name)
        return None if value is None else float(value)


def _share(flags: Sequence[bool | None]) -> float | None:
    return mean(float(flag) for flag in flags if flag is not None)


def summarize(results: Sequence[QuestionResult], ks: Sequence[int]) -> MetricSummary:
    checks = [check for result in results for check in result.citation_checks]
    tokens: dict[str, int] = {}
    for result in results:
        for key, value in result.tokens.items():
            tokens[key] = tokens.get(key, 0) + value
    latency = {
        stage: {
            "p50": percentile([r.timings[stage] for r in results if stage in r.timings], 50),
            "p95": percentile([r.timings[stage] for r in results if stage in r.timings], 95),
        }
        for stage in STAGES
    }
    judged = [result.judge.faithful for result in results if result.judge and result.judge.faithful is not None]
    return MetricSummary(
        questions=len(results),
        correct=_share([result.correct for result in results]),
        recall={k: mean(result.recall.get(k) for result in results if result.recall) for k in ks},
        mrr=mean(result.mrr for result in results),
        fact_accuracy=_share([result.fact_correct for result in results]),
        direct_answer=_share([result.direct_correct for result in results]),
        median_answer_words=percentile([float(r.answer_words) for r in results if r.answer_words is not None], 50),
        refusal_accuracy=_share([result.refusal_correct for result in results]),
        false_refusals=sum(1 for r in results if r.type != "unanswerable" and r.refused),
        missed_refusals=sum(1 for r in results if r.type == "unanswerable" and not r.refusal_correct),
        citation_precision=mean(result.citation_precision for result in results),
        citation_validity=_share([check.quote_occurs for check in checks]),
        citation_exact_offsets=_share([check.exact_offsets for check in checks]),
        citations=len(checks),
        calc_exactness=_share([result.calc_exact for result in results]),
        wrong_values=_share([result.wrong_value for result in results]),
        unasked_calculations=sum(1 for result in results if result.unasked_calculation),
        refusals_naming_source=_share([result.refusal_names_source for result in results]),
        unflagged_wrong_values=_share([None if r.wrong_value is None else r.wrong_value and not r.unsure
                                       for r in results]),
        flagged_right=_share([r.unsure for r in results if r.direct_correct]),
        latency=latency,
        tokens=tokens,
        errors=sum(1 for result in results if result.error),
        faithfulness=_share(judged) if judged else None,
    )


class PipelineRun(BaseModel):
    name: str
    """``ours`` or ``baseline``."""
    label: str
    """German description shown in reports."""
    mode: str
    results: list[QuestionResult]
    overall: MetricSummary
    by_type: dict[str, MetricSummary]

    @classmethod
    def from_results(
        cls, name: str, label: str, mode: str, results: list[QuestionResult], ks: Sequence[int]
    ) -> PipelineRun:
        by_type = {
            question_type: summarize([r for r in results if r.type == question_type], ks)
            for question_type in QUESTION_TYPES
            if any(r.type == question_type for r in results)
        }
        return cls(name=name, label=label, mode=mode, results=results, overall=summarize(results, ks), by_type=by_type)

    def result(self, question_id: str) -> QuestionResult | None:
        return next((result for result in self.results if result.id == question_id), None)


class GateCheck(BaseModel):
    metric: str
    kind: Literal["min", "max", "margin"]
    """min/max: the value of our pipeline; margin: ours minus the baseline must be at least the threshold."""
    threshold: float
    value: float | None
    passed: bool
    note: str = ""


class GateResult(BaseModel):
    gates_file: Path
    section: str
    passed: bool
    checks: list[GateCheck]


class QuestionSetInfo(BaseModel):
    name: str
    path: Path
    sha256: str
    counts: dict[str, int]


class RunReport(BaseModel):
    created_at: datetime
    question_set: QuestionSetInfo
    corpus: list[str]
    """Ingested paths, or the index folder used."""
    settings: dict[str, object]
    """The settings that shape answers (mode, k, embedder …), for reproducibility."""
    git_commit: str | None = None
    duration_s: float
    ks: list[int]
    runs: list[PipelineRun]
    judge_model: str | None = None
    gate: GateResult | None = None

    def run(self, name: str) -> PipelineRun | None:
        return next((run for run in self.runs if run.name == name), None)

    @property
    def primary(self) -> PipelineRun:
        return self.run("ours") or self.runs[0]
