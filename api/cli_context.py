"""The settings of one ``vorlagen`` command line: loaded once, at the start of the command."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from vorlagen.embeddings import EmbeddingUnavailableError
from vorlagen.settings import Settings, load_settings
from vorlagen.store import StoreUnavailableError, VorlagenStore
from vorlagen.validation import german_validation_message


def load_cli_settings() -> Settings:
    """``load_settings()`` with a German message (exit code 2) instead of a traceback."""
    try:
        return load_settings()
    except ValidationError as error:
        problems = german_validation_message(error, separator="; ")
        typer.secho(f"Die Einstellungen (VORLAGEN_…, .env) sind ungültig: {problems}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from error


def cli_settings(ctx: typer.Context) -> Settings:
    """The settings of this invocation: loaded by the ``vorlagen`` callback, or here when a sub-app
    (``vorlagen models`` …) runs on its own."""
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = load_cli_settings()
    return root.obj


def index_line(settings: Settings) -> str:
    """Which index a command works on (rich markup)."""
    return f"[dim]Index: {settings.chroma_server_url or settings.data_dir}[/dim]"


def open_store(settings: Settings) -> VorlagenStore:
    """The store, or the German reason it cannot be opened (vector store unreachable, embedding backend
    not installed or not configured) on stderr and exit code 3."""
    try:
        return VorlagenStore(settings)
    except (StoreUnavailableError, EmbeddingUnavailableError) as error:
        Console(stderr=True).print(f"[red]{escape(str(error))}[/red]")
        raise typer.Exit(3) from error


def failures_table(title: str, subject: str, rows: Iterable[tuple[str, str]]) -> Table:
    """What could not be done, one row each: ``subject`` (file, object) and the German reason."""
    table = Table(title=title, title_style="bold red")
    table.add_column(subject)
    table.add_column("Grund")
    for row in rows:
        table.add_row(*row)
    return table


def print_report_summary(console: Console, title: str, rows: Iterable[tuple[str, str]], markdown: Path, json_file: Path) -> None:
    """A report's key figures as a two-column table, then where the report was written."""
    table = Table(title=title)
    table.add_column("Kennzahl")
    table.add_column("Wert", justify="right")
    for label, value in rows:
        table.add_row(label, value)
    console.print(table)
    console.print(f"Bericht: {markdown} (auch {json_file.name})")
