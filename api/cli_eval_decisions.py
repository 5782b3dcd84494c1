"""``vorlagen eval entscheidungen``: the decision questions' set against an index (fully right chains, refusals
where nothing is recorded, invented results, latency), and ``vorlagen eval entscheidungen-korpus``: the small
papers dump the set is measured on."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.cli_context import cli_settings, print_report_summary
from vorlagen.settings import absolute


def decisions_command(
    ctx: typer.Context,
    questions: Annotated[Path, typer.Argument(help="Fragensatz (JSONL, Format: eval/README.md).", metavar="FRAGEN.jsonl")],
    corpus: Annotated[
        list[Path] | None,
        typer.Option("--corpus", help="Dateien oder Ordner, die vorher eingelesen werden (mehrfach möglich); ohne --index "
                     "in einen temporären Ordner."),
    ] = None,
    index: Annotated[Path | None, typer.Option("--index", help="Ordner des Index (sonst VORLAGEN_DATA_DIR).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Zielordner für entscheidungen_report.json und .md.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Zusammenfassung als JSON auf der Standardausgabe.")] = False,
) -> None:
    """Entscheidungsfragen auswerten: Kette ganz richtig (Ergebnis, Gremium, Datum), „kein Ergebnis erfasst“ richtig,
    erfundene Ergebnisse, gefundene Vorlage, erkannte Abweichungen zur Niederschrift, Latenz p50.

    Beispiel: vorlagen eval entscheidungen eval/sets/entscheidungen.jsonl --index /tmp/idx23
    """
    from eval.decisions import DecisionSetError, load_decision_set, run_decision_eval, summary_rows, write_decision_report

    console = Console(stderr=True)
    settings = cli_settings(ctx)
    try:
        load_decision_set(questions)
    except DecisionSetError as error:
        console.print(f"[bold red]Fehler:[/bold red] {error}")
        raise typer.Exit(2) from error
    with tempfile.TemporaryDirectory(prefix="vorlagen-entscheidungen-", ignore_cleanup_errors=True) as scratch:
        data_dir = absolute(index) if index is not None else Path(scratch) / "index" if corpus else settings.data_dir
        settings = settings.model_copy(update={"data_dir": data_dir})
        with console.status("Entscheidungsfragen …"):
            report = run_decision_eval(settings, questions, corpus or [])
    out_dir = out or settings.evaluation.reports_dir / f"{questions.stem}-{datetime.now():%Y%m%d-%H%M%S}"
    json_path, markdown_path = write_decision_report(report, out_dir)
    if as_json:
        print(report.summary.model_dump_json(indent=2))
    print_report_summary(console, f"Entscheidungsfragen „{report.set_name}“ ({report.documents} Vorlagen im Index)", summary_rows(report.summary), markdown_path, json_path)


def decision_corpus_command(
    questions: Annotated[Path, typer.Argument(help="Fragensatz (JSONL) mit den Drucksachen der Vorlagen.", metavar="FRAGEN.jsonl")],
    karlsruhe: Annotated[Path, typer.Option("--karlsruhe", help="Ordner mit den Karlsruher OParl-Dumps.", exists=True, file_okay=False)],
    out: Annotated[Path, typer.Option("--out", help="Zielordner des Vorlagen-Dumps (mit Sitzungen und Gremien daneben).")],
) -> None:
    """Die Vorlagen eines Entscheidungs-Fragensatzes und die mit ihnen verknüpften Vorlagen als kleinen OParl-Dump
    schreiben, Sitzungs- und Gremien-Dump daneben verlinkt (danach: vorlagen ingest ORDNER/entscheidungen-papers.jsonl.gz).
    """
    from eval.decisions import DecisionSetError, write_decision_corpus

    try:
        dump = write_decision_corpus(questions, karlsruhe, out)
    except DecisionSetError as error:
        Console(stderr=True).print(f"[bold red]Fehler:[/bold red] {error}")
        raise typer.Exit(2) from error
    Console().print(f"Geschrieben: {dump}")
