"""``vorlagen ingest``: files and folders into the index, with progress bars and a German summary
(``--json``: the ``IngestReport`` on stdout)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from api.cli_context import cli_settings, failures_table, index_line, open_store
from api.errors import DISK_FULL, is_disk_full
from ingest.oparl_lookups import OParlLookupFiles
from ingest.parallel import ParallelIngestor
from ingest.pipeline import IngestProgress, IngestReport
from ingest.summary import not_stored_lines
from vorlagen.store import VorlagenStore


def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Dateien oder Ordner: .txt, .pdf, .html, OParl-Dumps (.jsonl, .jsonl.gz, .jsonl.xz).",
            show_default=False,
        ),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Bericht (IngestReport) als JSON auf stdout (für Skripte).")
    ] = False,
    meetings: Annotated[
        Path | None,
        typer.Option("--sitzungen", help="OParl-Dump der Sitzungen (Meeting, mit Tagesordnungspunkten): Sitzungsdatum "
                     "und Beratungsergebnis je Beratung. Ohne Angabe: eine Datei *meetings*.jsonl[.gz|.xz] neben dem Vorlagen-Dump.",
                     exists=True, dir_okay=False, metavar="DATEI"),
    ] = None,
    organizations: Annotated[
        Path | None,
        typer.Option("--gremien", help="OParl-Dump der Gremien (Organization): Namen in der Beratungsfolge. Ohne Angabe: "
                     "eine Datei *organizations*.jsonl[.gz|.xz] neben dem Vorlagen-Dump.",
                     exists=True, dir_okay=False, metavar="DATEI"),
    ] = None,
) -> None:
    """Vorlagen einlesen: zerlegen, einbetten und im Index speichern.

    Unveränderte Dateien werden übersprungen, geänderte ersetzt. Fehlerhafte Dateien werden gemeldet,
    die übrigen trotzdem eingelesen; der Exit-Code ist dann 1. Die Zusammenfassung nennt auch, was
    gelesen, aber nicht gespeichert wurde (als Rauschen verworfene Textstücke, übersprungene
    OParl-Vorlagen); --json liefert die vollständigen Listen. Zu OParl-Dumps werden Gremien, Sitzungsdaten
    und Beratungsergebnisse aus den Dumps daneben (oder --gremien/--sitzungen) gelesen.
    """
    settings = cli_settings(ctx)
    out, err = Console(stderr=as_json), Console(stderr=True)
    out.print(index_line(settings))
    store = open_store(settings)
    ingestor = ParallelIngestor(settings, store, OParlLookupFiles(
        meetings=meetings.resolve() if meetings else None, organizations=organizations.resolve() if organizations else None,
    ))
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[current]}"),
        TimeElapsedColumn(),
        console=out,
    ) as progress:
        files_task = progress.add_task("Dateien", total=None, current="")
        docs_task = progress.add_task("Vorlagen", total=None, current="")

        def on_progress(event: IngestProgress) -> None:
            progress.update(files_task, total=event.file_count, completed=event.file_index, current=event.file)
            if event.vorlage:
                progress.update(docs_task, advance=1, current=f"{event.vorlage} ({event.status})")

        try:
            report = ingestor.ingest_paths(paths, progress=on_progress)
        except Exception as error:
            if not is_disk_full(error):
                raise
            progress.stop()
            err.print(f"[red]{DISK_FULL}[/red] ({settings.data_dir})")
            raise typer.Exit(4) from error
        progress.update(files_task, completed=progress.tasks[files_task].total or 0)

    if as_json:
        typer.echo(report.model_dump_json(indent=1))
    else:
        _print_summary(out, report, store)
    if report.failed:
        err.print(failures_table("Nicht eingelesen", "Datei", ((f.source, f.message) for f in report.failed)))
        raise typer.Exit(1)


def _print_summary(out: Console, report: IngestReport, store: VorlagenStore) -> None:
    out.print(
        f"Neu: {len(report.added)} · ersetzt: {len(report.replaced)} · unverändert: {len(report.unchanged)}"
        f" · Duplikate: {len(report.duplicates)} · Abschnitte: {report.chunks_added}"
        f" · Dauer: {report.seconds:.1f} s".replace(".", ",")
    )
    for conflict in report.conflicts:
        out.print(
            f"[yellow]Kennung „{conflict.doc_id}“ gehört schon einem anderen Dokument; beide behalten, "
            f"das neue als „{conflict.kept_as}“ ({conflict.source}).[/yellow]"
        )
    if report.replaced:
        out.print(f"Ersetzt (geänderte Quelle): {', '.join(report.replaced)}")
    if report.migrated:
        out.print(f"Alte Kennungen (Dateiname) auf Pfad-Kennungen umgestellt: {len(report.migrated)}")
    for line in not_stored_lines(report):
        out.print(line, markup=False, highlight=False)
    out.print(f"Index: {store.count_documents()} Dokumente, {store.count_chunks()} Abschnitte.")
