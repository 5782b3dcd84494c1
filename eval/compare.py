"""What changed between two runs, question by question: fixed, broken, unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

from eval.results import MetricSummary, RunReport

ChangeStatus = Literal["fixed", "broken", "unchanged_right", "unchanged_wrong", "new", "removed"]
STATUS_LABELS: dict[str, str] = {
    "fixed": "behoben",
    "broken": "verschlechtert",
    "unchanged_right": "unverändert richtig",
    "unchanged_wrong": "unverändert falsch",
    "new": "neu",
    "removed": "entfallen",
}
DELTA_METRICS = (
    ("correct", "Richtig beantwortet"),
    ("fact_accuracy", "Faktengenauigkeit"),
    ("direct_answer", "Direkte Antwort"),
    ("median_answer_words", "Antwortlänge (Median, Wörter)"),
    ("refusal_accuracy", "Ablehnungsgenauigkeit"),
    ("recall_at_1", "Recall@1"),
    ("recall_at_5", "Recall@5"),
    ("recall_at_10", "Recall@10"),
    ("mrr", "MRR"),
    ("citation_precision", "Zitatpräzision"),
    ("citation_validity", "Zitatgültigkeit"),
    ("calc_exactness", "Rechengenauigkeit"),
    ("latency_p50_total_s", "Latenz p50 gesamt (s)"),
    ("latency_p95_total_s", "Latenz p95 gesamt (s)"),
)


class ReportError(ValueError):
    """An unreadable report.json (German message)."""


class QuestionChange(BaseModel):
    id: str
    type: str
    question: str
    status: ChangeStatus
    answer_before: str | None
    answer_after: str | None


class MetricDelta(BaseModel):
    metric: str
    label: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before


class Comparison(BaseModel):
    before: str
    after: str
    pipeline: str
    same_question_set: bool
    changes: list[QuestionChange]
    deltas: list[MetricDelta]

    def count(self, status: ChangeStatus) -> int:
        return sum(1 for change in self.changes if change.status == status)


def load_report(path: Path) -> RunReport:
    try:
        return RunReport.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ReportError(f"Bericht {path} kann nicht gelesen werden: {error.strerror or error}") from error
    except ValidationError as error:
        raise ReportError(f"{path} ist kein report.json von `vorlagen eval run`: {error.error_count()} Fehler, "
                          f"z. B. {error.errors()[0]['msg']}") from error


def _metric(summary: MetricSummary, name: str) -> float | None:
    try:
        return summary.metric(name)
    except KeyError:  # e.g. recall@10 not measured in that run
        return None


def _status(before: bool | None, after: bool | None) -> ChangeStatus:
    if before is None:
        return "new"
    if after is None:
        return "removed"
    if before == after:
        return "unchanged_right" if after else "unchanged_wrong"
    return "fixed" if after else "broken"


def compare_reports(before: RunReport, after: RunReport, pipeline: str = "ours", labels: tuple[str, str] = ("A", "B")) -> Comparison:
    """Compare one pipeline (default: ours) of two runs question by question."""
    run_before = before.run(pipeline) or before.primary
    run_after = after.run(pipeline) or after.primary
    ids = list(dict.fromkeys([r.id for r in run_before.results] + [r.id for r in run_after.results]))
    changes = []
    for question_id in ids:
        old, new = run_before.result(question_id), run_after.result(question_id)
        known = new or old
        assert known is not None
        changes.append(
            QuestionChange(
                id=question_id,
                type=known.type,
                question=known.question,
                status=_status(old.correct if old else None, new.correct if new else None),
                answer_before=old.answer if old else None,
                answer_after=new.answer if new else None,
            )
        )
    deltas = [
        MetricDelta(metric=name, label=label, before=_metric(run_before.overall, name), after=_metric(run_after.overall, name))
        for name, label in DELTA_METRICS
    ]
    return Comparison(
        before=labels[0],
        after=labels[1],
        pipeline=pipeline,
        same_question_set=before.question_set.sha256 == after.question_set.sha256,
        changes=changes,
        deltas=deltas,
    )
