"""The command line: ``vorlagen ingest | ask | docs | eval | calc | models | serve``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli_calc import calc_app
from api.cli_eval import eval_app
from api.cli_models import models_app
from api.cli_serve import serve
from api.cli_sync import sync
from vorlagen.settings import Settings


def _out() -> Console:
    return Console()


def _err() -> Console:
    return Console(stderr=True)

app = typer.Typer(
    name="vorlagen",
    help="Vorlagen-Assistent: Vorlagen einlesen, Fragen mit Belegen beantworten, Kosten rechnen – offline.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
docs_app = typer.Typer(help="Eingelesene Dokumente auflisten oder entfernen.", no_args_is_help=True)
app.add_typer(docs_app, name="docs")
app.add_typer(eval_app, name="eval")
app.add_typer(models_app, name="models")
app.command("serve", help="Web-Oberfläche und API starten (uvicorn).")(serve)
app.command("sync", help="Vorlagen aus einem Ratsinformationssystem (OParl) abgleichen.")(sync)
app.add_typer(calc_app, name="calc", help="Kosten deterministisch berechnen (Personal, Beratung, anteilig, Finanzplanung).")


def _settings() -> Settings:
    """Fresh settings for each command (the environment and .env as they are now)."""
    return Settings()


def _open_store(settings: Settings):
    from vorlagen.store import StoreUnavailableError, VorlagenStore

    try:
        return VorlagenStore(settings)
    except StoreUnavailableError as error:
        _err().print(f"[red]{error}[/red]")
        raise typer.Exit(3) from error


@app.command()
def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Dateien oder Ordner: .txt, .pdf, .html, OParl-Dumps (.jsonl, .jsonl.gz, .jsonl.xz).",
            show_default=False,
        ),
    ],
) -> None:
    """Vorlagen einlesen: zerlegen, einbetten und im Index speichern.

    Unveränderte Dateien werden übersprungen, geänderte ersetzt. Fehlerhafte Dateien werden gemeldet,
    die übrigen trotzdem eingelesen; der Exit-Code ist dann 1.
    """
    from ingest.pipeline import IngestProgress, Ingestor

    settings = _settings()
    store = _open_store(settings)
    ingestor = Ingestor(settings, store)
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[current]}"),
        TimeElapsedColumn(),
        console=_out(),
    ) as progress:
        files_task = progress.add_task("Dateien", total=None, current="")
        docs_task = progress.add_task("Vorlagen", total=None, current="")

        def on_progress(event: IngestProgress) -> None:
            progress.update(files_task, total=event.file_count, completed=event.file_index, current=event.file)
            if event.vorlage:
                progress.update(docs_task, advance=1, current=f"{event.vorlage} ({event.status})")

        report = ingestor.ingest_paths(paths, progress=on_progress)
        progress.update(files_task, completed=progress.tasks[files_task].total or 0)

    _out().print(
        f"Neu: {len(report.added)} · ersetzt: {len(report.replaced)} · unverändert: {len(report.unchanged)}"
        f" · Duplikate: {len(report.duplicates)} · Abschnitte: {report.chunks_added}"
        f" · Dauer: {report.seconds:.1f} s".replace(".", ",")
    )
    _out().print(f"Index: {store.count_documents()} Dokumente, {store.count_chunks()} Abschnitte.")
    if report.failed:
        table = Table(title="Nicht eingelesen", title_style="bold red")
        table.add_column("Datei")
        table.add_column("Grund")
        for failure in report.failed:
            table.add_row(failure.source, failure.message)
        _err().print(table)
        raise typer.Exit(1)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="Die Frage, auf Deutsch.", show_default=False)],
    stadt: Annotated[Optional[str], typer.Option(help="Nur Vorlagen dieser Stadt.")] = None,
    jahr: Annotated[
        Optional[str], typer.Option(help="Jahr oder Zeitraum, z. B. 2023 oder 2022-2024.")
    ] = None,
    art: Annotated[Optional[str], typer.Option(help="Vorlagenart, z. B. Beschlussvorlage.")] = None,
    drucksache: Annotated[Optional[str], typer.Option(help="Nur diese Drucksache.")] = None,
    k: Annotated[Optional[int], typer.Option(help="Anzahl der Abschnitte als Belege.")] = None,
) -> None:
    """Eine Frage zu den eingelesenen Vorlagen beantworten – mit Belegen."""
    from assistant.service import AssistantService, EmptyIndexError
    from vorlagen.domain import SearchFilters

    settings = _settings()
    filters = SearchFilters(stadt=stadt, vorlagenart=art, drucksache=drucksache)
    if jahr:
        try:
            first, _, last = jahr.partition("-")
            filters.jahr_von, filters.jahr_bis = int(first), int(last or first)
        except ValueError as error:
            _err().print(f"[red]--jahr „{jahr}“ ist kein Jahr (z. B. 2023 oder 2022-2024).[/red]")
            raise typer.Exit(2) from error
    service = AssistantService(settings, _open_store(settings))
    try:
        answer = service.ask(question, filters, k)
    except EmptyIndexError as error:
        _err().print(f"[red]{error}[/red]")
        raise typer.Exit(3) from error
    for notice in answer.notices:
        _out().print(f"[yellow]Hinweis: {notice}[/yellow]")
    _out().print(f"\n[bold]Antwort:[/bold] {answer.text}\n")
    if answer.citations:
        table = Table(title="Belege", show_lines=True)
        for column in ("Nr.", "Vorlage", "Abschnitt", "Seite", "Zitat"):
            table.add_column(column)
        for citation in answer.citations:
            label = citation.drucksache or citation.source_name
            if citation.title:
                label = f"{label}\n{citation.title}"
            table.add_row(
                str(citation.index), label, citation.section or "–",
                str(citation.page) if citation.page else "–", citation.quote,
            )
        _out().print(table)
    _out().print(f"[dim]Modus: {answer.mode} · {answer.timings.get('total', 0):.2f} s[/dim]".replace(".", ","))


@docs_app.command("list")
def docs_list() -> None:
    """Alle eingelesenen Dokumente mit Metadaten auflisten."""
    from vorlagen.formatting import format_date

    store = _open_store(_settings())
    table = Table(title=f"{store.count_documents()} Dokumente im Index")
    for column in ("Dokument", "Drucksache", "Titel", "Datum", "Art", "Stadt", "Abschnitte"):
        table.add_column(column)
    for info in store.documents():
        table.add_row(
            info.source_name, info.drucksache or "–", (info.title or "–")[:60],
            format_date(info.datum) if info.datum else "–", info.vorlagenart or "–",
            info.stadt or "–", str(info.chunks),
        )
    _out().print(table)


@docs_app.command("remove")
def docs_remove(
    names: Annotated[
        list[str],
        typer.Argument(help="Dokument-ID, Dateiname oder Drucksachennummer.", show_default=False),
    ],
) -> None:
    """Dokumente samt ihrer Abschnitte aus dem Index entfernen."""
    store = _open_store(_settings())
    missing = []
    for name in names:
        doc_ids = store.find_doc_ids(name)
        if not doc_ids:
            missing.append(name)
        for doc_id in doc_ids:
            store.remove(doc_id)
            _out().print(f"Entfernt: {doc_id}")
    if missing:
        _err().print(f"[red]Nicht im Index: {', '.join(missing)}[/red]")
        raise typer.Exit(1)


def main() -> None:  # pragma: no cover - console script entry point
    app()
