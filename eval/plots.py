"""The report's charts as PNG bytes (matplotlib, Agg backend; no display needed).

matplotlib is imported when the first chart is drawn, not with this module: every ``vorlagen`` command
imports the eval commands, and pyplot would be a large part of the start-up of each (``vorlagen ingest``, ``ask``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from eval.metrics import mean
from eval.questions import QUESTION_TYPES
from eval.results import PipelineRun, RunReport

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TYPE_LABELS = {"fact": "Fakt", "multi": "Mehrere Vorlagen", "calc": "Rechnung", "unanswerable": "Nicht beantwortbar"}
COLORS = ("#1f5f8b", "#e08a1e", "#5b9a3c", "#9b3d8f")


@cache
def _pyplot() -> Any:
    """``matplotlib.pyplot`` with the Agg backend (chosen before pyplot is imported)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=110)
    _pyplot().close(figure)
    return buffer.getvalue()


def _percent_axis(axis) -> None:  # noqa: ANN001 - matplotlib Axes
    from matplotlib.ticker import FuncFormatter

    axis.set_ylim(0, 1.05)
    axis.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value * 100:.0f} %"))
    axis.grid(axis="y", alpha=0.3)


def _legend_below(axis, entries: int) -> None:  # noqa: ANN001 - matplotlib Axes
    axis.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=min(entries, 2), frameon=False)


def accuracy_by_type(runs: Sequence[PipelineRun]) -> bytes:
    """Share of correctly answered questions per type (facts right, or correctly refused), per pipeline."""
    types = [t for t in QUESTION_TYPES if any(t in run.by_type for run in runs)]
    groups = [*types, "gesamt"]
    figure, axis = _pyplot().subplots(figsize=(7.5, 4.2))
    width = 0.8 / len(runs)
    for offset, run in enumerate(runs):
        values = [
            (run.by_type[t].correct if t in run.by_type else None) if t != "gesamt" else run.overall.correct
            for t in groups
        ]
        positions = [index + offset * width - 0.4 + width / 2 for index in range(len(groups))]
        bars = axis.bar(positions, [v or 0 for v in values], width, label=run.label, color=COLORS[offset % len(COLORS)])
        for bar, value in zip(bars, values, strict=True):
            if value is not None:
                axis.annotate(f"{value * 100:.0f} %", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                              ha="center", va="bottom", fontsize=8)
    axis.set_xticks(range(len(groups)), [TYPE_LABELS.get(g, "Gesamt") for g in groups])
    _percent_axis(axis)
    axis.set_title("Richtig beantwortet nach Fragetyp")
    _legend_below(axis, len(runs))
    return _png(figure)


def recall_curve(runs: Sequence[PipelineRun], depth: int) -> bytes:
    """Mean recall@k over the questions with gold sources, k = 1..depth."""
    figure, axis = _pyplot().subplots(figsize=(7.5, 4.2))
    ks = list(range(1, depth + 1))
    for offset, run in enumerate(runs):
        values = [mean(r.recall.get(k) for r in run.results if r.recall) for k in ks]
        axis.plot(ks, [v or 0 for v in values], marker="o", label=run.label, color=COLORS[offset % len(COLORS)])
    axis.set_xticks(ks)
    axis.set_xlabel("k (abgerufene Textabschnitte)")
    _percent_axis(axis)
    axis.set_title("Recall@k: Quelle unter den Dokumenten der ersten k Abschnitte")
    _legend_below(axis, len(runs))
    return _png(figure)


def latency_histogram(runs: Sequence[PipelineRun]) -> bytes:
    """Distribution of the total time per question, per pipeline."""
    figure, axis = _pyplot().subplots(figsize=(7.5, 4.2))
    all_values = [r.timings["total"] for run in runs for r in run.results if "total" in r.timings]
    bins = 20
    if all_values:
        low, high = min(all_values), max(all_values)
        bins = [low + (high - low) * i / 20 for i in range(21)] if high > low else 10
    for offset, run in enumerate(runs):
        values = [r.timings["total"] for r in run.results if "total" in r.timings]
        axis.hist(values, bins=bins, alpha=0.6, label=run.label, color=COLORS[offset % len(COLORS)])
    axis.set_xlabel("Gesamtzeit je Frage (Sekunden)")
    axis.set_ylabel("Fragen")
    axis.set_title("Latenz (gesamt)")
    _legend_below(axis, len(runs))
    axis.grid(axis="y", alpha=0.3)
    return _png(figure)


COMPARISON_METRICS = (
    ("correct", "Richtig"),
    ("fact_accuracy", "Fakten"),
    ("refusal_accuracy", "Ablehnung"),
    ("recall_at_5", "Recall@5"),
    ("mrr", "MRR"),
    ("citation_precision", "Zitatpräzision"),
    ("citation_validity", "Zitatgültigkeit"),
)


def comparison_chart(before: RunReport, after: RunReport, pipeline: str = "ours") -> bytes:
    """Key metrics of two runs side by side (our pipeline in each)."""
    runs = [(label, report.run(pipeline) or report.primary) for label, report in (("A (vorher)", before), ("B (nachher)", after))]
    figure, axis = _pyplot().subplots(figsize=(7.5, 4.2))
    width = 0.4
    for offset, (label, run) in enumerate(runs):
        values = [run.overall.metric(name) for name, _ in COMPARISON_METRICS]
        positions = [index + offset * width - 0.2 for index in range(len(COMPARISON_METRICS))]
        axis.bar(positions, [v or 0 for v in values], width, label=f"{label}: {run.label}", color=COLORS[offset * 2 % len(COLORS)])
    axis.set_xticks(range(len(COMPARISON_METRICS)), [label for _, label in COMPARISON_METRICS], fontsize=8)
    _percent_axis(axis)
    axis.set_title("Vergleich zweier Läufe")
    _legend_below(axis, 2)
    return _png(figure)
