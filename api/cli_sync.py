"""``vorlagen sync``: Vorlagen live from an OParl endpoint (Ratsinformationssystem) into the index.

Exit codes (cron-friendly): 0 all synced; 1 some papers or files failed (the rest is stored);
2 an endpoint is unreachable, not OParl, or no endpoint is given; 3 the index cannot be opened.
"""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from api.cli_context import cli_settings, failures_table
from ingest.oparl_client import OParlError
from ingest.oparl_sync import OParlSync, SyncProgress, SyncReport
from vorlagen.embeddings import EmbeddingUnavailableError
from vorlagen.store import StoreUnavailableError, VorlagenStore


def sync(
    ctx: typer.Context,
    url: Annotated[
        Optional[str],
        typer.Argument(help="Adresse der OParl-Schnittstelle (System oder Body), z. B. https://…/oparl/v1/system.",
                       show_default=False),
    ] = None,
    body: Annotated[
        Optional[str], typer.Option("--body", help="Nur diese Körperschaft (ID, Kurzname oder Teil des Namens).")
    ] = None,
    all_endpoints: Annotated[
        bool, typer.Option("--all", help="Alle schon einmal synchronisierten Schnittstellen erneut abgleichen.")
    ] = False,
    full: Annotated[bool, typer.Option(
        "--vollstaendig",
        help="Alle Vorlagen neu auslesen, nicht nur die seit dem letzten Abgleich geänderten (nach einem Update, das "
             "Vorlagen anders ausliest, z. B. die Beratungsfolge); gleich Gebliebenes bleibt, Dateien mit "
             "unveränderter Prüfsumme werden nicht erneut geladen.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Bericht als JSON auf stdout (für Skripte).")] = False,
) -> None:
    """Vorlagen aus einem Ratsinformationssystem (OParl 1.0/1.1) abgleichen.

    Beim ersten Mal wird alles geholt, danach nur, was sich seit dem letzten Abgleich geändert hat
    (modified_since). Gelöschte Vorlagen verschwinden aus dem Index. Ein abgebrochener Abgleich setzt
    beim nächsten Aufruf dort fort, wo er stehen blieb. Exit-Codes: 0 gut, 1 einzelne Fehler,
    2 Schnittstelle nicht erreichbar/kein OParl, 3 Index nicht erreichbar.
    """
    out, err = Console(stderr=as_json), Console(stderr=True)
    settings = cli_settings(ctx)
    if (url is None) == (not all_endpoints) or (all_endpoints and body):
        err.print("[red]Bitte genau eines angeben: eine OParl-Adresse (optional mit --body) oder --all.[/red]")
        raise typer.Exit(2)
    try:
        store = VorlagenStore(settings)
    except (StoreUnavailableError, EmbeddingUnavailableError) as error:
        err.print(f"[red]{escape(str(error))}[/red]")
        raise typer.Exit(3) from error
    syncer = OParlSync(settings, store)
    targets = [(e.url, e.body_filter) for e in syncer.state.endpoints()] if all_endpoints else [(url, body)]
    if not targets:
        err.print("[red]Noch keine OParl-Schnittstelle gespeichert: zuerst `vorlagen sync URL` ausführen.[/red]")
        raise typer.Exit(2)
    reports, code = [], 0
    with Progress(
        SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[current]}"), TimeElapsedColumn(), console=out, disable=as_json,
    ) as progress:
        task = progress.add_task("Vorlagen", total=None, current="")

        def on_progress(event: SyncProgress) -> None:
            progress.update(task, description=event.body, total=event.papers_total, completed=event.papers_done,
                            current=f"{event.paper} ({event.status})")

        for target_url, target_body in targets:
            try:
                report = syncer.sync(str(target_url), target_body, progress=on_progress, full=full)
            except OParlError as error:  # this endpoint only: the others are still synced
                err.print(f"[red]Schnittstelle {target_url} nicht abgeglichen: {error}[/red]")
                reports.append(SyncReport(endpoint=str(target_url), error=str(error)))
                code = 2
                continue
            reports.append(report)
            code = max(code, 0 if report.ok else 1)
    syncer.close()
    unreachable = [r.endpoint for r in reports if r.error is not None]
    if unreachable and len(reports) > 1:
        err.print(f"[red]{len(unreachable)} von {len(reports)} Schnittstellen nicht abgeglichen "
                  f"({', '.join(unreachable)}); die übrigen sind abgeglichen.[/red]")
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in reports], ensure_ascii=False, indent=1))
        raise typer.Exit(code)
    for report in reports:
        for b in report.bodies:
            out.print(
                f"[bold]{b.name}[/bold]{' (fortgesetzt)' if b.resumed else ''}: {b.papers} Vorlagen in {b.pages} Seiten"
                f" · neu {len(b.added)} · ersetzt {len(b.replaced)} · unverändert {b.unchanged}"
                f" · entfernt {len(b.removed)} · ohne Text {len(b.without_text)}"
                f" · Dateien geladen {b.files_downloaded}, wiederverwendet {b.files_reused}"
                + (f" · erneut versucht {len(b.retried)}" if b.retried else "")
            )
            if b.failed:
                rows = ((failure.object_id, failure.message) for failure in b.failed)
                err.print(failures_table("Nicht abgeglichen", "Objekt", rows))
        if report.error is None:
            out.print(f"{report.requests} Anfragen · {report.seconds:.1f} s".replace(".", ","))
    out.print(f"Index: {store.count_documents()} Dokumente, {store.count_chunks()} Abschnitte.")
    raise typer.Exit(code)
