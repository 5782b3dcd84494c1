"""The command line: ``vorlagen ingest | ask | docs | eval | calc | models | serve | doctor``.

The settings are loaded once per invocation (``vorlagen`` callback → ``ctx.obj``); every command that
touches the index says where it is.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from api.cli_calc import calc_app
from api.cli_context import cli_settings, index_line, load_cli_settings, open_store
from api.cli_doctor import doctor
from api.cli_draft import draft
from api.cli_bank import (
    bank_index_command,
    bank_papers_command,
    bank_split_command,
    learning_curve_command,
    train_command,
)
from api.cli_eval import eval_app
from api.cli_ingest import ingest
from api.cli_models import models_app
from api.cli_serve import serve
from api.cli_teams import teams_app
from api.cli_sync import sync
from assistant.service import AssistantService, EmptyIndexError
from vorlagen.domain import SearchFilters
from vorlagen.formatting import format_date


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
eval_app.command("bank-index")(bank_index_command)
eval_app.command("bank-papers")(bank_papers_command)
eval_app.command("bank-split")(bank_split_command)
eval_app.command("train")(train_command)
eval_app.command("learning-curve")(learning_curve_command)
app.add_typer(eval_app, name="eval")
app.add_typer(models_app, name="models")
app.add_typer(teams_app, name="teams")
app.command("ingest")(ingest)
app.command("serve", help="Web-Oberfläche und API starten (uvicorn).")(serve)
app.command("draft", help="Neue Vorlage entwerfen (.md und .docx) aus einer Zeile, einer Anfragedatei oder Optionen.")(draft)
app.command("sync", help="Vorlagen aus einem Ratsinformationssystem (OParl) abgleichen.")(sync)
app.add_typer(calc_app, name="calc", help="Kosten deterministisch berechnen (Personal, Beratung, anteilig, Finanzplanung).")
app.command("doctor", help="Zeigt Index (Dokumente, Abschnitte, Ort), Modelle, Embedding-Backends, Antwortmodi und Einstellungen.")(doctor)


@app.callback()
def _load(ctx: typer.Context) -> None:
    """Vorlagen-Assistent: Vorlagen einlesen, Fragen mit Belegen beantworten, Kosten rechnen – offline."""
    ctx.obj = load_cli_settings()


@app.command()
def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="Die Frage, auf Deutsch.", show_default=False)],
    stadt: Annotated[Optional[str], typer.Option(help="Nur Vorlagen dieser Stadt.")] = None,
    jahr: Annotated[
        Optional[str], typer.Option(help="Jahr oder Zeitraum, z. B. 2023 oder 2022-2024.")
    ] = None,
    art: Annotated[Optional[str], typer.Option(help="Vorlagenart, z. B. Beschlussvorlage.")] = None,
    drucksache: Annotated[Optional[str], typer.Option(help="Nur diese Drucksache.")] = None,
    k: Annotated[Optional[int], typer.Option(help="Anzahl der Abschnitte als Belege.")] = None,
    mode: Annotated[
        Optional[str],
        typer.Option("--mode", help="Antwortmodus: extractive, local, openai oder auto (sonst Einstellung)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Antwort als JSON (für Skripte).")] = False,
) -> None:
    """Eine Frage zu den eingelesenen Vorlagen beantworten – mit Belegen."""
    settings = cli_settings(ctx)
    if mode is not None:
        if mode not in ("extractive", "local", "openai", "auto"):
            _err().print(f"[red]--mode „{mode}“ gibt es nicht (extractive, local, openai, auto).[/red]")
            raise typer.Exit(2)
        settings = settings.model_copy(update={"llm": settings.llm.model_copy(update={"mode": mode})})
    filters = SearchFilters(stadt=stadt, vorlagenart=art, drucksache=drucksache)
    if jahr:
        try:
            first, _, last = jahr.partition("-")
            filters.jahr_von, filters.jahr_bis = int(first), int(last or first)
        except ValueError as error:
            _err().print(f"[red]--jahr „{jahr}“ ist kein Jahr (z. B. 2023 oder 2022-2024).[/red]")
            raise typer.Exit(2) from error
    service = AssistantService(settings, open_store(settings))
    try:
        answer = service.ask(question, filters, k)
    except EmptyIndexError as error:
        _err().print(f"[red]{error}[/red]")
        _err().print(
            f"Verwendeter Index: {settings.data_dir} – ein anderer Ordner lässt sich mit VORLAGEN_DATA_DIR "
            "wählen; „vorlagen doctor“ zeigt die Einstellungen."
        )
        raise typer.Exit(3) from error
    if as_json:
        print(answer.model_dump_json(indent=2))
        return
    for notice in answer.notices:
        _out().print(f"[yellow]Hinweis: {notice}[/yellow]")
    short, _, rest = answer.text.partition("\n")
    _out().print(f"\n[bold]Antwort:[/bold] [bold]{short}[/bold]")
    if rest:
        _out().print(rest)
    _out().print("")
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
    _out().print(index_line(settings))


@docs_app.command("list")
def docs_list(ctx: typer.Context) -> None:
    """Alle eingelesenen Dokumente mit Metadaten auflisten."""
    settings = cli_settings(ctx)
    store = open_store(settings)
    table = Table(title=f"{store.count_documents()} Dokumente im Index {settings.chroma_server_url or settings.data_dir}")
    for column in ("Dokument", "Drucksache", "Titel", "Datum", "Art", "Stadt", "Abschnitte"):
        table.add_column(column)
    for info in store.documents():
        name = info.source_name if info.doc_id == info.source_name else f"{info.source_name}\n[dim]{info.doc_id}[/dim]"
        table.add_row(
            name, info.drucksache or "–", (info.title or "–")[:60],
            format_date(info.datum) if info.datum else "–", info.vorlagenart or "–",
            info.stadt or "–", str(info.chunks),
        )
    _out().print(table)


@docs_app.command("remove")
def docs_remove(
    ctx: typer.Context,
    names: Annotated[
        list[str],
        typer.Argument(help="Dokument-ID, Dateiname oder Drucksachennummer.", show_default=False),
    ],
) -> None:
    """Dokumente samt ihrer Abschnitte aus dem Index entfernen."""
    store = open_store(cli_settings(ctx))
    missing, ambiguous = [], []
    for name in names:
        doc_ids = store.find_doc_ids(name)
        if name in doc_ids:
            doc_ids = [name]  # an exact id means that one document
        if not doc_ids:
            missing.append(name)
        elif len(doc_ids) > 1:
            ambiguous.append(f"„{name}“ passt auf {len(doc_ids)} Dokumente: {', '.join(doc_ids)}")
            continue
        for doc_id in doc_ids:
            store.remove(doc_id)
            _out().print(f"Entfernt: {doc_id}")
    for problem in ambiguous:
        _err().print(f"[red]{problem} – nichts entfernt; bitte die Kennung angeben.[/red]")
    if missing:
        _err().print(f"[red]Nicht im Index: {', '.join(missing)}[/red]")
    if missing or ambiguous:
        raise typer.Exit(1)


def main() -> None:  # pragma: no cover - console script entry point
    app()
