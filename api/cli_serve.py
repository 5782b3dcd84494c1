"""``vorlagen serve``: run the API and web UI with uvicorn.

Bound to loopback (``127.0.0.1``) unless ``--host``/``VORLAGEN_API__HOST`` says otherwise. Without
configured API keys the first start creates an access key (``api.auth.with_access_key``) and prints
a login URL; every start prints where the index lives.

With the embedded Chroma store (``PersistentClient`` in ``data_dir``) only ONE worker process may
open the index: the PersistentClient is not process-safe. Several workers need a Chroma server
(``VORLAGEN_CHROMA_SERVER_URL``); ``serve_app`` refuses anything else.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import typer
import uvicorn
from uvicorn.config import LOGGING_CONFIG

from api.access_key import AccessKeySetup, base_url, login_url, with_access_key
from api.cli_context import cli_settings
from vorlagen.settings import Settings

logger = logging.getLogger(__name__)


class ServeError(ValueError):
    """A configuration the server refuses to start with (German message)."""


def check_workers(settings: Settings, workers: int) -> None:
    if workers < 1:
        raise ServeError("Die Zahl der Worker muss mindestens 1 sein.")
    if workers > 1 and not settings.chroma_server_url:
        raise ServeError(
            f"{workers} Worker sind mit dem eingebetteten Index nicht möglich: Chromas PersistentClient "
            "darf nur von einem Prozess geöffnet werden. Entweder mit einem Worker starten oder einen "
            "Chroma-Server einrichten (VORLAGEN_CHROMA_SERVER_URL)."
        )


def start_banner(setup: AccessKeySetup, host: str, port: int) -> list[str]:
    """What ``vorlagen serve`` prints before uvicorn starts (German)."""
    settings = setup.settings
    index = settings.chroma_server_url or str(settings.data_dir)
    lines = [f"Vorlagen-Assistent: {base_url(host, port)}  (API-Dokumentation: {base_url(host, port)}docs)",
             f"Index: {index}"]
    if setup.generated_key is not None:
        first = "beim ersten Start erzeugt, " if setup.created else ""
        lines += [
            f"Zugangsschlüssel ({first}gespeichert in {setup.key_file}). Anmelden mit:",
            f"    {login_url(host, port, setup.generated_key)}",
        ]
    elif not settings.api.api_keys:
        lines.append(
            "Kein API-Schlüssel eingerichtet (VORLAGEN_API__API_KEYS): Hochladen und Löschen sind gesperrt"
            + ("." if settings.api.public_reads else ", Lesen ebenfalls.")
        )
    return lines


def worker_log_config() -> dict[str, Any]:
    """uvicorn's logging with each line prefixed by the worker's process id, so the log of several
    workers tells which one answered a request (``[4711] INFO: 127.0.0.1:5555 - "POST /v1/ask" 200``)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    for formatter in config["formatters"].values():
        formatter["fmt"] = "[%(process)d] " + formatter["fmt"]
    return config


def serve_app(
    settings: Settings, *, host: str | None = None, port: int | None = None, workers: int | None = None,
    log_level: str = "info",
) -> None:
    """Start uvicorn (blocks). Several workers: each process builds its app from the environment."""
    from api.app import create_app

    workers = workers if workers is not None else settings.api.workers
    check_workers(settings, workers)
    setup = with_access_key(settings)
    host = host or settings.api.host
    port = port or settings.api.port
    for line in start_banner(setup, host, port):
        typer.echo(line)
    if workers == 1:
        uvicorn.run(create_app(setup.settings), host=host, port=port, log_level=log_level)
    else:
        uvicorn.run("api.app:create_app_from_environment", factory=True, host=host, port=port, workers=workers,
                    log_level=log_level, log_config=worker_log_config())


def serve(
    ctx: typer.Context,
    host: str | None = typer.Option(None, help="Adresse (Standard: VORLAGEN_API__HOST, 127.0.0.1 – nur dieser Rechner)."),
    port: int | None = typer.Option(None, help="Port (Standard: VORLAGEN_API__PORT, 8000)."),
    workers: int | None = typer.Option(
        None, help="Worker-Prozesse; mehr als 1 nur mit Chroma-Server (VORLAGEN_CHROMA_SERVER_URL)."
    ),
) -> None:
    """Web-Oberfläche und API starten (http://HOST:PORT/, Dokumentation unter /docs).

    Ohne eingerichteten API-Schlüssel wird beim ersten Start ein Zugangsschlüssel erzeugt und eine
    Anmelde-Adresse ausgegeben.
    """
    try:
        serve_app(cli_settings(ctx), host=host, port=port, workers=workers)
    except ServeError as error:
        typer.secho(str(error), err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from error


def main() -> None:  # ``python -m api.cli_serve`` (the same as ``vorlagen serve``)
    typer.run(serve)


if __name__ == "__main__":
    main()
