"""``vorlagen eval``: evaluate answers on a question set, gate on thresholds, compare two runs."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

import typer
from typer.core import TyperGroup
from rich.console import Console
from rich.table import Table

from eval.compare import STATUS_LABELS, ReportError, compare_reports, load_report
from eval.harness import run_evaluation
from eval.gates import GateError, check_gates, default_gates_path, load_gates
from eval.questions import QuestionSetError, load_questions
from eval.report import (
    SUMMARY_METRICS,
    comparison_counts,
    comparison_metric_rows,
    format_delta,
    format_value,
    metric_value,
    render_comparison_markdown,
    write_report,
)
from eval.results import GateResult, RunReport
from api.cli_context import cli_settings, print_report_summary
from vorlagen.settings import Settings, absolute

class _RunByDefault(TyperGroup):
    """``vorlagen eval FRAGEN.jsonl`` means ``vorlagen eval run FRAGEN.jsonl``."""

    def parse_args(self, ctx, args):  # type: ignore[no-untyped-def]
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


eval_app = typer.Typer(
    cls=_RunByDefault,
    help=(
        "Auswertung der Antwortqualität: Fragensatz durchlaufen, Kennzahlen je Frage und Fragetyp "
        "berechnen (ohne LLM-Richter), mit einfachem RAG vergleichen, Schwellen prüfen und zwei Läufe vergleichen."
    ),
    no_args_is_help=True,
)

SHORT_NAMES = {"ours": "Wir", "baseline": "Einfaches RAG", "baseline_llm": "Einfaches RAG + LLM"}
Mode = Literal["extractive", "local", "openai", "auto"]


def _console() -> Console:
    return Console(stderr=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    _console().print(f"[bold red]Fehler:[/bold red] {message}")
    return typer.Exit(code)


def _print_summary(console: Console, report: RunReport) -> None:
    table = Table(title=f"Auswertung „{report.question_set.name}“", show_lines=False)
    table.add_column("Metrik")
    for run in report.runs:
        table.add_column(SHORT_NAMES.get(run.name, run.label), justify="right")
    baseline = report.run("baseline")
    if baseline is not None and len(report.runs) > 1:
        table.add_column("wir − einfaches RAG", justify="right")
    for name, label, unit in SUMMARY_METRICS:
        values = [metric_value(run.overall, name) for run in report.runs]
        if name == "faithfulness" and all(value is None for value in values):
            continue
        row = [label, *(format_value(value, unit) for value in values)]
        if baseline is not None and len(report.runs) > 1:
            row.append(format_delta(values[0], metric_value(baseline.overall, name), unit))
        table.add_row(*row)
    console.print(table)


def run_settings(settings: Settings, mode: str | None, index: Path | None, corpus: list[Path] | None, scratch: Path) -> Settings:
    """The settings of a run: the answer mode, and the index in ``--index``, else (with ``--corpus``) in ``scratch``."""
    update: dict[str, object] = {}
    if mode:
        update["llm"] = settings.llm.model_copy(update={"mode": mode})
    if index is not None:
        update["data_dir"] = absolute(index)
    elif corpus:
        update["data_dir"] = scratch / "index"
    return settings.model_copy(update=update)


def _print_gate(console: Console, gate: GateResult) -> None:
    for check in gate.checks:
        value = "–" if check.value is None else f"{check.value:.3f}"
        mark = "[green]ok[/green]" if check.passed else "[bold red]VERFEHLT[/bold red]"
        relation = {"min": "≥", "max": "≤", "margin": "Vorsprung ≥"}[check.kind]
        console.print(f"  {mark} {check.metric} = {value} (Schwelle {relation} {check.threshold:g}) {check.note}")
    verdict = "[bold green]bestanden[/bold green]" if gate.passed else "[bold red]NICHT bestanden[/bold red]"
    console.print(f"Gate ({gate.gates_file}, {gate.section}): {verdict}")


@eval_app.command("run")
def run_command(
    ctx: typer.Context,
    questions: Annotated[Path, typer.Argument(help="Fragensatz im JSONL-Format von shared/eval/README.md.", metavar="FRAGEN.jsonl")],
    corpus: Annotated[
        list[Path] | None,
        typer.Option("--corpus", help="Dateien oder Ordner, die vorher eingelesen werden (mehrfach möglich). "
                     "Ohne --index entsteht der Index in einem temporären Ordner."),
    ] = None,
    index: Annotated[
        Path | None,
        typer.Option("--index", help="Ordner des Index (sonst VORLAGEN_DATA_DIR). Mit --corpus wird dort eingelesen."),
    ] = None,
    mode: Annotated[
        Mode | None, typer.Option("--mode", help="Antwortmodus: extractive, local (lokales LLM), openai (OpenAI-kompatibler Server) oder auto.")
    ] = None,
    baseline: Annotated[
        bool, typer.Option("--baseline/--no-baseline", help="Einfaches RAG (Chroma top-4, gleicher Embedder und Antwortgeber) im selben Lauf messen.")
    ] = True,
    baseline_llm: Annotated[
        bool, typer.Option("--baseline-llm/--no-baseline-llm", help="Zusätzlich einfaches RAG mit Sprachmodell messen "
                           "(LangChains Retrieval-Chain, Chroma top-4, „stuff“-Prompt, dasselbe Modell wie --mode).")
    ] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Zielordner für report.json, report.md und report.html.")] = None,
    gate: Annotated[bool, typer.Option("--gate", help="Schwellen prüfen; Exit-Code 1, wenn eine verfehlt wird.")] = False,
    gates_file: Annotated[
        Path | None, typer.Option("--gates", help="Eigene Schwellen-Datei (TOML) statt eval/gates.toml; schaltet --gate ein.", metavar="GATES.toml")
    ] = None,
    compare_with: Annotated[
        Path | None, typer.Option("--compare-with", help="report.json eines früheren Laufs: Vergleich im Bericht.", metavar="A.json")
    ] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Fortschrittsbalken anzeigen.")] = True,
) -> None:
    """Fragensatz auswerten und Bericht schreiben (report.json, report.md, report.html).

    Beispiel: vorlagen eval run ../shared/eval/questions.jsonl --corpus ../shared/corpus/seeds --gate
    """


    console = _console()
    settings = cli_settings(ctx)
    gate_path = gates_file or ((settings.evaluation.gates_file or default_gates_path()) if gate else None)
    try:
        question_set = load_questions(questions)
        before = load_report(compare_with) if compare_with else None
        gates = load_gates(gate_path) if gate_path else None
    except (QuestionSetError, ReportError, GateError) as error:
        raise _fail(str(error)) from error

    with tempfile.TemporaryDirectory(prefix="vorlagen-eval-", ignore_cleanup_errors=True) as scratch:
        settings = run_settings(settings, mode, index, corpus, Path(scratch))
        try:
            report = run_evaluation(settings, question_set, corpus=corpus or [], baseline=baseline,
                                    show_progress=progress, console=console, baseline_llm=baseline_llm)
        except RuntimeError as error:
            raise _fail(str(error)) from error

    if gates is not None and gate_path is not None:
        report.gate = check_gates(report, gates, gate_path)
    out_dir = out or settings.evaluation.reports_dir / f"{question_set.name}-{datetime.now():%Y%m%d-%H%M%S}"
    files = write_report(report, out_dir, before=before)
    _print_summary(console, report)
    console.print(f"Bericht: {files.html} (auch {files.markdown.name}, {files.json.name})")
    if report.gate is not None:
        _print_gate(console, report.gate)
        if not report.gate.passed:
            raise typer.Exit(1)


@eval_app.command("compare")
def compare_command(
    before: Annotated[Path, typer.Argument(help="report.json des früheren Laufs (A).", metavar="A.json")],
    after: Annotated[Path, typer.Argument(help="report.json des neuen Laufs (B).", metavar="B.json")],
    pipeline: Annotated[str, typer.Option("--pipeline", help="Welche Pipeline verglichen wird: ours oder baseline.")] = "ours",
    baseline_llm: Annotated[
        bool, typer.Option("--baseline-llm/--no-baseline-llm", help="Zusätzlich einfaches RAG mit Sprachmodell messen "
                           "(LangChains Retrieval-Chain, Chroma top-4, „stuff“-Prompt, dasselbe Modell wie --mode).")
    ] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Vergleich zusätzlich als compare.md in diesen Ordner schreiben.")] = None,
) -> None:
    """Zwei Läufe Frage für Frage vergleichen: behoben, verschlechtert, unverändert."""
    try:
        report_a, report_b = load_report(before), load_report(after)
    except ReportError as error:
        raise _fail(str(error)) from error
    comparison = compare_reports(report_a, report_b, pipeline=pipeline, labels=(before.name if before.name != after.name else str(before), str(after)))
    console = Console()
    if not comparison.same_question_set:
        console.print("[yellow]Achtung: Die Läufe verwenden unterschiedliche Fragensätze.[/yellow]")
    table = Table(title=f"Vergleich A → B ({pipeline})")
    for column in ("ID", "Typ", "Status", "Frage"):
        table.add_column(column, no_wrap=True)
    styles = {"fixed": "green", "broken": "bold red", "new": "cyan", "removed": "yellow"}
    for change in comparison.changes:
        style = styles.get(change.status, "")
        label = STATUS_LABELS[change.status]
        question = change.question if len(change.question) <= 30 else change.question[:29] + "…"
        table.add_row(change.id, change.type, f"[{style}]{label}[/{style}]" if style else label, question)
    console.print(table)
    metrics = Table(title="Kennzahlen A → B")
    for column in ("Metrik", "A", "B", "Änderung"):
        metrics.add_column(column, justify="right" if column != "Metrik" else "left")
    for row in comparison_metric_rows(comparison):
        metrics.add_row(*row)
    console.print(metrics)
    console.print(comparison_counts(comparison))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "compare.md").write_text(render_comparison_markdown(comparison), encoding="utf-8")
        console.print(f"Vergleich geschrieben: {out / 'compare.md'}")


@eval_app.command("drafts")
def drafts_command(
    ctx: typer.Context,
    cases: Annotated[Path, typer.Argument(help="Entwurfsfälle als JSONL (Format: eval/README.md).", metavar="FAELLE.jsonl")],
    corpus: Annotated[
        list[Path] | None,
        typer.Option("--corpus", help="Dateien oder Ordner, die vorher eingelesen werden (mehrfach möglich); ohne --index "
                     "in einen temporären Ordner."),
    ] = None,
    index: Annotated[Path | None, typer.Option("--index", help="Ordner des Index (sonst VORLAGEN_DATA_DIR).")] = None,
    mode: Annotated[Mode | None, typer.Option("--mode", help="Sprachmodell: extractive (keines), local, openai oder auto.")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Zielordner für drafts_report.json, drafts_report.md und entwuerfe/<Fall>.md.")
    ] = None,
    ids: Annotated[
        list[str] | None,
        typer.Option("--ids", help="Nur diese Fälle (Kennungen, mit Komma getrennt oder mehrfach), z. B. --ids d01,d04."),
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Höchstens so viele Fälle (die ersten).")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Den ganzen Bericht (Zusammenfassung und jeder Fall) als JSON auf der Standardausgabe.")
    ] = False,
) -> None:
    """Entwurfsprüfung: jeden Fall entwerfen und prüfen (Pflichtangaben, nicht belegte Angaben, Abschnitte, Zitate, Zeit;
    mit Sprachmodell je Abschnitt, ob das Modell ihn schrieb oder warum er beim Gerüst blieb).

    Beispiel: vorlagen eval drafts eval/sets/drafts_dev.jsonl --corpus ../shared/corpus/seeds --mode local --ids d01,d04
    """
    from eval.drafts import DraftSetError, load_cases, run_draft_eval, select_cases, summary_rows, write_draft_report

    console = _console()
    settings = cli_settings(ctx)
    wanted = [part.strip() for value in ids or [] for part in value.split(",") if part.strip()] or None
    try:
        select_cases(load_cases(cases), wanted, limit)
    except DraftSetError as error:
        raise _fail(str(error)) from error
    out_dir = out or settings.evaluation.reports_dir / f"{cases.stem}-{datetime.now():%Y%m%d-%H%M%S}"
    with tempfile.TemporaryDirectory(prefix="vorlagen-drafts-", ignore_cleanup_errors=True) as scratch:
        settings = run_settings(settings, mode, index, corpus, Path(scratch))
        with console.status("Entwürfe …") as status:
            report = run_draft_eval(settings, cases, corpus or [], use_model=(mode or settings.llm.mode) != "extractive",
                                    progress=lambda case: status.update(f"Entwurf {case} …"), ids=wanted, limit=limit,
                                    drafts_dir=out_dir / "entwuerfe")
    json_path, markdown_path = write_draft_report(report, out_dir)
    if as_json:
        print(report.model_dump_json(indent=2))
    print_report_summary(console, f"Entwurfsprüfung „{report.set_name}“", summary_rows(report.summary), markdown_path, json_path)


from api.cli_eval_decisions import decision_corpus_command, decisions_command  # noqa: E402 - after eval_app

eval_app.command("entscheidungen")(decisions_command)
eval_app.command("entscheidungen-korpus")(decision_corpus_command)
