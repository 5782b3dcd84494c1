"""``vorlagen teams …``: the Microsoft Teams app package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.cli_context import cli_settings

teams_app = typer.Typer(help="Microsoft Teams: App-Paket für den Teams-Bot erzeugen.", no_args_is_help=True)


@teams_app.command("manifest")
def manifest_command(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help="Zieldatei (.zip); wird nie überschrieben.")] = Path(
        "vorlagen-teams-app.zip"),
    app_id: Annotated[str | None, typer.Option("--app-id", help="Microsoft-App-ID des Bots (Standard: VORLAGEN_TEAMS__APP_ID).")] = None,
    base_url: Annotated[str | None, typer.Option(
        "--basis-url", help="Öffentliche https-Adresse des Servers (Standard: VORLAGEN_TEAMS__PUBLIC_BASE_URL).")] = None,
    version: Annotated[str, typer.Option("--version", help="Version des App-Pakets, z. B. 1.0.0.")] = "1.0.0",
    developer: Annotated[str | None, typer.Option("--herausgeber", help="Name des Herausgebers (z. B. der Stadt).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als JSON ausgeben.")] = False,
) -> None:
    """Teams-App-Paket (manifest.json, zwei Symbole, gezippt) zum Hochladen durch eine Administratorin schreiben."""
    from api.teams.manifest import ManifestError, build_manifest, manifest_input, write_package

    console = Console()
    try:
        data = manifest_input(cli_settings(ctx).teams, app_id=app_id, base_url=base_url, version=version, developer=developer)
        path = write_package(data, out)
    except ManifestError as error:
        console.print(f"[red]Fehler:[/red] {error}")
        raise typer.Exit(code=1) from None
    manifest = build_manifest(data)
    if as_json:
        typer.echo(json.dumps({"datei": str(path), "app_id": manifest["id"], "valid_domains": manifest["validDomains"],
                               "manifest_version": manifest["manifestVersion"]}, ensure_ascii=False))
        return
    console.print(f"Teams-App-Paket geschrieben: [bold]{path}[/bold]")
    console.print(f"Bot-ID {manifest['id']}, gültige Domänen: {', '.join(manifest['validDomains'])}")
    console.print("Hochladen: Teams Admin Center → Teams-Apps → Apps verwalten → Hochladen.")
