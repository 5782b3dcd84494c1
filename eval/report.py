"""Writes a run's ``report.json``, ``report.md`` and a self-contained ``report.html`` (charts inline)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from jinja2 import Environment, StrictUndefined, select_autoescape

from eval import plots
from eval.compare import STATUS_LABELS, Comparison, compare_reports
from eval.results import MetricSummary, PipelineRun, QuestionResult, RunReport
from vorlagen.formatting import format_number

# (metric name, German label, unit): "%" share, "s" seconds, "n" count, "x" plain number
SUMMARY_METRICS = (
    ("correct", "Richtig beantwortet", "%"),
    ("fact_accuracy", "Faktengenauigkeit", "%"),
    ("direct_answer", "Direkte Antwort (Fakten in der ersten Zeile)", "%"),
    ("median_answer_words", "Antwortlänge (Median, Wörter)", "x"),
    ("refusal_accuracy", "Ablehnungsgenauigkeit", "%"),
    ("false_refusals", "Unnötig abgelehnt (beantwortbar)", "n"),
    ("missed_refusals", "Nicht abgelehnt (unbeantwortbar)", "n"),
    ("wrong_values", "Falscher Wert (Anteil beantwortbarer Fragen)", "%"),
    ("unasked_calculations", "Ungefragte Rechnungen", "n"),
    ("refusals_naming_source", "Ablehnung nennt die richtige Vorlage (Anteil der unnötigen Ablehnungen)", "%"),
    ("unflagged_wrong_values", "Falscher Wert ohne Prüfhinweis (Anteil beantwortbarer Fragen)", "%"),
    ("flagged_right", "Richtige Antwort mit Prüfhinweis (Anteil der richtigen)", "%"),
    ("recall_at_1", "Recall@1", "%"),
    ("recall_at_5", "Recall@5", "%"),
    ("recall_at_10", "Recall@10", "%"),
    ("mrr", "MRR (Dokumente)", "x"),
    ("citation_precision", "Zitatpräzision", "%"),
    ("citation_validity", "Zitatgültigkeit", "%"),
    ("citation_exact_offsets", "Zitat-Offsets exakt", "%"),
    ("citations", "Zitate", "n"),
    ("calc_exactness", "Rechengenauigkeit", "%"),
    ("latency_p50_retrieve_s", "Latenz p50 Abruf", "s"),
    ("latency_p95_retrieve_s", "Latenz p95 Abruf", "s"),
    ("latency_p50_answer_s", "Latenz p50 Antwort", "s"),
    ("latency_p95_answer_s", "Latenz p95 Antwort", "s"),
    ("latency_p50_total_s", "Latenz p50 gesamt", "s"),
    ("latency_p95_total_s", "Latenz p95 gesamt", "s"),
    ("errors", "Fehler im Lauf", "n"),
    ("faithfulness", "Treue laut LLM-Prüfer (nicht im Gate)", "%"),
)
TYPE_METRICS = ("questions", "correct", "recall_at_1", "recall_at_5", "recall_at_10", "mrr", "fact_accuracy",
                "direct_answer", "refusal_accuracy", "citation_precision", "citation_validity", "calc_exactness", "latency_p95_total_s")
TYPE_HEADERS = ("Typ", "Fragen", "Richtig", "R@1", "R@5", "R@10", "MRR", "Fakten", "Direkt", "Ablehnung", "Zitatpräz.",
                "Zitatgült.", "Rechnung", "p95 s")


@dataclass(frozen=True)
class ReportFiles:
    json: Path
    markdown: Path
    html: Path


def metric_value(summary: MetricSummary, name: str) -> float | None:
    if name in {"questions", "citations"}:
        return float(getattr(summary, name))
    try:
        return summary.metric(name)
    except KeyError:
        return None


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "%":
        return f"{format_number(value * 100, 1)} %"
    if unit == "s":
        return f"{format_number(value, 3)} s"
    if unit == "n":
        return format_number(int(value))
    return format_number(value, 3)


def format_delta(ours: float | None, other: float | None, unit: str) -> str:
    if ours is None or other is None:
        return "–"
    delta = ours - other
    sign = "+" if delta > 0 else ("±" if delta == 0 else "−")
    if unit == "%":
        return f"{sign}{format_number(abs(delta) * 100, 1)} Pp"
    if unit == "s":
        return f"{sign}{format_number(abs(delta), 3)} s"
    if unit == "n":
        return f"{sign}{format_number(int(abs(delta)))}"
    return f"{sign}{format_number(abs(delta), 3)}"


def summary_rows(report: RunReport) -> list[list[str]]:
    """Rows: label, one value per pipeline, and (with a baseline) ours minus baseline."""
    ours, baseline = report.primary, report.run("baseline")
    rows = []
    for name, label, unit in SUMMARY_METRICS:
        values = [metric_value(run.overall, name) for run in report.runs]
        if all(value is None for value in values) and name == "faithfulness":
            continue
        row = [label, *(format_value(value, unit) for value in values)]
        if baseline is not None and len(report.runs) > 1:
            row.append(format_delta(metric_value(ours.overall, name), metric_value(baseline.overall, name), unit))
        rows.append(row)
    return rows


def type_rows(run: PipelineRun) -> list[list[str]]:
    units = {name: unit for name, _, unit in SUMMARY_METRICS} | {"questions": "n"}
    return [
        [plots.TYPE_LABELS.get(question_type, question_type),
         *(format_value(metric_value(summary, name), units[name]) for name in TYPE_METRICS)]
        for question_type, summary in run.by_type.items()
    ]


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def question_row(result: QuestionResult) -> dict[str, str]:
    citations_ok = sum(check.quote_occurs for check in result.citation_checks)
    return {
        "id": result.id,
        "type": plots.TYPE_LABELS.get(result.type, result.type),
        "status": "richtig" if result.correct else "falsch",
        "facts": "–" if result.fact_correct is None else f"{sum(result.fact_groups)}/{len(result.fact_groups)}",
        "refusal": ("abgelehnt" if result.refused else "beantwortet") + ("" if result.refusal_correct else " (falsch)"),
        "rank": str(result.first_gold_rank) if result.first_gold_rank else "–",
        "citations": f"{citations_ok}/{len(result.citation_checks)} gültig" if result.citation_checks else "keine",
        "time": format_value(result.timings.get("total"), "s"),
        "answer": _short(result.error or result.answer),
    }


def _differences(report: RunReport) -> list[dict[str, str]]:
    baseline = report.run("baseline")
    if baseline is None or baseline is report.primary:
        return []
    rows = []
    for result in report.primary.results:
        other = baseline.result(result.id)
        if other is not None and other.correct != result.correct:
            rows.append({"id": result.id, "ours": "richtig" if result.correct else "falsch",
                         "baseline": "richtig" if other.correct else "falsch", "question": _short(result.question, 120)})
    return rows


def _table(headers: list[str] | tuple[str, ...], rows: list[list[str]]) -> str:
    escape = lambda cell: str(cell).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(escape(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _summary_headers(report: RunReport) -> list[str]:
    headers = ["Metrik", *(run.label for run in report.runs)]
    if report.run("baseline") is not None and len(report.runs) > 1:
        headers.append("Unterschied (wir − einfaches RAG)")
    return headers


def _headline(report: RunReport) -> str | None:
    ours, baseline = report.primary, report.run("baseline")
    if baseline is None or baseline is ours:
        return None
    return (f"Wir vs. einfaches RAG auf denselben {ours.overall.questions} Fragen: "
            f"{format_value(ours.overall.correct, '%')} gegenüber {format_value(baseline.overall.correct, '%')} "
            f"richtig beantwortet, Faktengenauigkeit {format_value(ours.overall.fact_accuracy, '%')} gegenüber "
            f"{format_value(baseline.overall.fact_accuracy, '%')}.")


def render_markdown(report: RunReport, comparison: Comparison | None = None) -> str:
    qs = report.question_set
    parts = [
        f"# Auswertung „{qs.name}“ ({sum(qs.counts.values())} Fragen)",
        "",
        f"- Erstellt: {report.created_at:%d.%m.%Y %H:%M} · Dauer {format_value(report.duration_s, 's')}",
        f"- Fragensatz: `{qs.path}` (SHA-256 {qs.sha256[:12]}) · "
        + ", ".join(f"{plots.TYPE_LABELS.get(t, t)}: {n}" for t, n in qs.counts.items()),
        f"- Korpus/Index: {', '.join(f'`{c}`' for c in report.corpus) or '–'}",
        f"- Antwortmodus: {report.primary.mode or '–'} · Commit: {report.git_commit or '–'}",
        "",
    ]
    if headline := _headline(report):
        parts += [f"**{headline}**", ""]
    parts += ["## Übersicht", "", _table(_summary_headers(report), summary_rows(report)), ""]
    for run in report.runs:
        parts += [f"## Nach Fragetyp: {run.label}", "", _table(TYPE_HEADERS, type_rows(run)), ""]
    if report.gate:
        parts += [f"## Gate: {'bestanden' if report.gate.passed else 'NICHT bestanden'}", "",
                  f"Schwellen aus `{report.gate.gates_file}`, Abschnitt `{report.gate.section}`.", ""]
        parts.append(_table(["Metrik", "Art", "Schwelle", "Wert", "Ergebnis"], [
            [c.metric, c.kind, format_number(c.threshold, 3), "–" if c.value is None else format_number(c.value, 3),
             ("ok" if c.passed else "VERFEHLT") + (f" ({c.note})" if c.note else "")] for c in report.gate.checks]))
        parts.append("")
    if differences := _differences(report):
        parts += ["## Wo sich wir und einfaches RAG unterscheiden", "",
                  _table(["ID", "Wir", "Einfaches RAG", "Frage"],
                         [[d["id"], d["ours"], d["baseline"], d["question"]] for d in differences]), ""]
    if comparison is not None:
        parts += render_comparison_markdown(comparison).splitlines() + [""]
    for run in report.runs:
        parts += [f"## Fragen im Einzelnen: {run.label}", "",
                  _table(["ID", "Typ", "Ergebnis", "Fakten", "Ablehnung", "Rang Quelle", "Zitate", "Zeit", "Antwort"],
                         [list(question_row(result).values()) for result in run.results]), ""]
    return "\n".join(parts)


_UNITS = {name: unit for name, _, unit in SUMMARY_METRICS}


def _delta_unit(metric: str) -> str:
    """The unit ``SUMMARY_METRICS`` gives the metric (the answer length is words, not a share)."""
    return _UNITS.get(metric) or ("s" if metric.startswith("latency") else "%")


def comparison_metric_rows(comparison: Comparison) -> list[list[str]]:
    return [
        [d.label, format_value(d.before, _delta_unit(d.metric)), format_value(d.after, _delta_unit(d.metric)),
         format_delta(d.after, d.before, _delta_unit(d.metric))]
        for d in comparison.deltas
    ]


def comparison_change_rows(comparison: Comparison) -> list[list[str]]:
    """Only the questions whose outcome changed (fixed, broken, new, removed)."""
    return [
        [c.id, STATUS_LABELS[c.status], _short(c.question, 90), _short(c.answer_before or "–", 90),
         _short(c.answer_after or "–", 90)]
        for c in comparison.changes
        if c.status in {"fixed", "broken", "new", "removed"}
    ]


def comparison_counts(comparison: Comparison) -> str:
    return ", ".join(f"{label}: {comparison.count(status)}" for status, label in STATUS_LABELS.items())  # type: ignore[arg-type]


def render_comparison_markdown(comparison: Comparison) -> str:
    lines = [f"## Vergleich {comparison.before} → {comparison.after} ({comparison.pipeline})", ""]
    if not comparison.same_question_set:
        lines += ["*Achtung: Die Läufe verwenden unterschiedliche Fragensätze.*", ""]
    lines += [comparison_counts(comparison), "",
              _table(["Metrik", comparison.before, comparison.after, "Änderung"], comparison_metric_rows(comparison)), ""]
    if changed := comparison_change_rows(comparison):
        lines.append(_table(["ID", "Status", "Frage", f"Antwort {comparison.before}", f"Antwort {comparison.after}"],
                            changed))
    else:
        lines.append("Keine Frage hat ihr Ergebnis geändert.")
    return "\n".join(lines)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_html(report: RunReport, comparison: Comparison | None = None, before: RunReport | None = None) -> str:
    charts = [
        ("Richtig beantwortet nach Fragetyp", plots.accuracy_by_type(report.runs)),
        ("Recall@k", plots.recall_curve(report.runs, max(report.ks))),
        ("Latenz", plots.latency_histogram(report.runs)),
    ]
    if before is not None:
        charts.append(("Vergleich mit dem früheren Lauf", plots.comparison_chart(before, report)))
    environment = Environment(autoescape=select_autoescape(default=True), undefined=StrictUndefined)
    template = environment.from_string(
        resources.files("eval").joinpath("report_template.html").read_text(encoding="utf-8")
    )
    return template.render(
        report=report,
        headline=_headline(report),
        summary_headers=_summary_headers(report),
        summary_rows=summary_rows(report),
        type_headers=TYPE_HEADERS,
        runs=[(run, type_rows(run), [question_row(result) for result in run.results]) for run in report.runs],
        differences=_differences(report),
        charts=[(title, _data_uri(png)) for title, png in charts],
        comparison=comparison,
        comparison_counts=comparison_counts(comparison) if comparison else "",
        comparison_metrics=comparison_metric_rows(comparison) if comparison else [],
        comparison_changes=comparison_change_rows(comparison) if comparison else [],
        type_labels=plots.TYPE_LABELS,
        format_number=format_number,
    )


def write_report(report: RunReport, out_dir: Path, before: RunReport | None = None) -> ReportFiles:
    """Write the three report files; with ``before`` also a comparison against that earlier run."""
    out_dir.mkdir(parents=True, exist_ok=True)
    comparison = compare_reports(before, report, labels=("vorher", "jetzt")) if before is not None else None
    files = ReportFiles(out_dir / "report.json", out_dir / "report.md", out_dir / "report.html")
    files.json.write_text(report.model_dump_json(indent=2), encoding="utf-8")
    files.markdown.write_text(render_markdown(report, comparison), encoding="utf-8")
    files.html.write_text(render_html(report, comparison, before), encoding="utf-8")
    return files
