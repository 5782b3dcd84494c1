"""``vorlagen doctor``: where the index is and what it holds, which models embed and answer (and which
embedding backends and answer modes this installation can use), which settings.

Reads the registry read-only and opens no vector store: it never creates an index, and it can run
beside a server that owns the embedded Chroma store.
"""

from __future__ import annotations

import sqlite3
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from api.cli_context import cli_settings
from api.schemas import ModeOption
from assistant.llm import answer_mode, llama_cpp_available, plan_mode
from assistant.model_install import model_status as local_model_status
from ingest.identity import INGEST_VERSION, legacy_document_count
from vorlagen.embeddings import BackendOption, backend_options
from vorlagen.settings import Settings


class IndexReport(BaseModel):
    data_dir: str
    registry: str
    vector_store: str
    """The Chroma folder, or the Chroma server's URL."""
    exists: bool
    documents: int = 0
    chunks: int = 0
    legacy_ids: int = 0
    """Documents stored under the old id kind (bare file name): re-ingest their folders to migrate."""
    problem: str | None = None


class ModelsReport(BaseModel):
    embedding: str
    embedding_ok: bool
    """The configured embedding backend is installed (and, for ``openai``, configured)."""
    embedding_backends: list[BackendOption]
    """Every embedding backend and whether it is available here (and how to add it)."""
    configured_mode: str
    answer_mode: str
    """The mode answers are given in (``assistant.llm.answer_mode``: the same as ``/readyz`` and the
    answers' „Modus: …“)."""
    draft_mode: str
    """The mode drafts write their prose in (``plan_mode``: ``auto`` takes an available model)."""
    modes: list[ModeOption]
    """Every answer mode and whether it is available here (and how to add it)."""
    answer_ok: bool
    answer_detail: str
    local_model: str
    local_model_present: bool
    llama_cpp: bool
    model_server: str | None


class DoctorReport(BaseModel):
    index: IndexReport
    models: ModelsReport
    ingest_version: str
    settings: dict[str, Any]
    """All settings in use; secrets masked."""


def index_report(settings: Settings) -> IndexReport:
    report = IndexReport(
        data_dir=str(settings.data_dir),
        registry=str(settings.registry_path),
        vector_store=settings.chroma_server_url or str(settings.chroma_path),
        exists=settings.registry_path.is_file(),
    )
    if not report.exists:
        return report
    try:
        with sqlite3.connect(f"{settings.registry_path.as_uri()}?mode=ro", uri=True) as db:
            report.documents = int(db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
            report.chunks = int(db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
            ids = [row[0] for row in db.execute("SELECT doc_id FROM documents WHERE doc_id = source_name")]
        report.legacy_ids = legacy_document_count(ids)
    except sqlite3.Error as error:
        report.problem = f"Das Register {settings.registry_path} ist nicht lesbar: {error}"
    return report


def models_report(settings: Settings) -> ModelsReport:
    from api.routes.health import mode_options, model_status as answer_model_status  # the checks /readyz makes

    embedding = settings.embedding
    backends = backend_options(embedding)
    local = local_model_status(settings)
    answer = answer_model_status(settings)
    return ModelsReport(
        embedding=embedding.backend + (f" ({embedding.model_path})" if embedding.model_path else ""),
        embedding_ok=any(option.available for option in backends if option.backend == embedding.backend),
        embedding_backends=backends,
        configured_mode=settings.llm.mode,
        answer_mode=answer_mode(settings).mode,
        draft_mode=plan_mode(settings).mode,
        modes=mode_options(settings),
        answer_ok=answer.ok,
        answer_detail=answer.detail,
        local_model=str(local.path),
        local_model_present=local.present,
        llama_cpp=llama_cpp_available(),
        model_server=settings.llm.base_url,
    )


def doctor_report(settings: Settings) -> DoctorReport:
    return DoctorReport(
        index=index_report(settings),
        models=models_report(settings),
        ingest_version=INGEST_VERSION,
        settings=settings.model_dump(mode="json"),
    )


def _flatten(values: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows += _flatten(value, f"{name}__")
        else:
            rows.append((f"VORLAGEN_{name.upper()}", "–" if value is None else str(value)))
    return rows


def _print_options(console: Console, title: str, options: list[tuple[str, bool, str]]) -> None:
    """A list of choices (name, available, how to add it) under a title."""
    console.print(f"  {title}:")
    for name, available, detail in options:
        mark = "[green]verfügbar[/green]" if available else "[yellow]nicht verfügbar[/yellow]"
        console.print(f"    {name}: {mark} – {escape(detail)}")


def _yes(flag: bool) -> str:
    return "ja" if flag else "nein"


def print_report(report: DoctorReport, console: Console) -> None:
    index = report.index
    console.print("[bold]Index[/bold]")
    console.print(f"  Ordner: {index.data_dir}")
    console.print(f"  Vektorspeicher: {index.vector_store}")
    if index.problem:
        console.print(f"  [red]{index.problem}[/red]")
    elif not index.exists:
        console.print("  [yellow]Noch kein Index an diesem Ort – „vorlagen ingest ORDNER“ legt ihn an.[/yellow]")
    else:
        console.print(f"  {index.documents} Dokumente, {index.chunks} Abschnitte")
    if index.legacy_ids:
        console.print(
            f"  [yellow]{index.legacy_ids} Dokumente tragen noch die alte Kennung (nur Dateiname); erneutes "
            "„vorlagen ingest“ ihrer Ordner stellt sie auf Pfad-Kennungen um.[/yellow]"
        )
    models = report.models
    console.print("[bold]Modelle[/bold]")
    console.print(f"  Embeddings: {models.embedding}")
    if not models.embedding_ok:
        console.print("  [red]Das eingestellte Embedding-Backend ist hier nicht verfügbar: Einlesen und Fragen "
                      "scheitern (siehe unten, wie es hinzukommt).[/red]")
    _print_options(console, "Verfügbare Embedding-Backends (VORLAGEN_EMBEDDING__BACKEND)",
                   [(b.backend, b.available, b.detail) for b in models.embedding_backends])
    console.print(f"  Antwortmodus: eingestellt {models.configured_mode} → verwendet {models.answer_mode} "
                  f"(Entwürfe: {models.draft_mode})")
    console.print(f"  {'' if models.answer_ok else '[red]'}{escape(models.answer_detail)}{'' if models.answer_ok else '[/red]'}")
    _print_options(console, "Verfügbare Modi (VORLAGEN_LLM__MODE)", [(o.mode, o.available, o.detail) for o in models.modes])
    console.print(f"  Lokales Modell: {models.local_model} (vorhanden: {_yes(models.local_model_present)}, "
                  f"llama-cpp-python: {_yes(models.llama_cpp)})")
    console.print(f"  Modellserver: {models.model_server or 'keiner eingestellt'}")
    console.print(f"[bold]Einlese-Version[/bold] {report.ingest_version}")
    table = Table(title="Einstellungen in Gebrauch", title_justify="left")
    table.add_column("Variable")
    table.add_column("Wert")
    for name, value in _flatten(report.settings):
        table.add_row(name, value)
    console.print(table)


def doctor(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Als JSON ausgeben (für Skripte).")] = False,
) -> None:
    """Zeigt Index (Dokumente, Abschnitte, Ort), Modelle, verfügbare Embedding-Backends und Antwortmodi
    und alle Einstellungen in Gebrauch.

    Öffnet den Index nur lesend und legt nichts an. Exit-Code 1, wenn das Antwortmodell nicht
    bereit ist, das eingestellte Embedding-Backend fehlt oder das Register nicht lesbar ist.
    """
    report = doctor_report(cli_settings(ctx))
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        print_report(report, Console())
    if report.index.problem or not report.models.answer_ok or not report.models.embedding_ok:
        raise typer.Exit(1)
