"""``vorlagen serve``: run the API and web UI with uvicorn.

With the embedded Chroma store (``PersistentClient`` in ``data_dir``) only ONE worker process may
open the index: the PersistentClient is not process-safe. Several workers need a Chroma server
(``VORLAGEN_CHROMA_SERVER_URL``); ``serve_app`` refuses anything else.
"""

from __future__ import annotations

import logging

import typer
import uvicorn

from vorlagen.settings import Settings, get_settings

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


def serve_app(
    settings: Settings, *, host: str | None = None, port: int | None = None, workers: int | None = None,
    log_level: str = "info",
) -> None:
    """Start uvicorn (blocks). Several workers: each process builds its app from the environment."""
    from api.app import create_app

    workers = workers if workers is not None else settings.api.workers
    check_workers(settings, workers)
    if not settings.api.api_keys:
        logger.warning(
            "Kein API-Schlüssel eingerichtet (VORLAGEN_API__API_KEYS): Hochladen und Löschen sind gesperrt%s.",
            "" if settings.api.public_reads else ", Lesen ebenfalls",
        )
    host = host or settings.api.host
    port = port or settings.api.port
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level)
    else:
        uvicorn.run("api.app:create_app_from_environment", factory=True, host=host, port=port, workers=workers,
                    log_level=log_level)


def serve(
    host: str | None = typer.Option(None, help="Adresse (Standard: VORLAGEN_API__HOST, 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (Standard: VORLAGEN_API__PORT, 8000)."),
    workers: int | None = typer.Option(
        None, help="Worker-Prozesse; mehr als 1 nur mit Chroma-Server (VORLAGEN_CHROMA_SERVER_URL)."
    ),
) -> None:
    """Web-Oberfläche und API starten (http://HOST:PORT/, Dokumentation unter /docs)."""
    try:
        serve_app(get_settings(), host=host, port=port, workers=workers)
    except ServeError as error:
        typer.secho(str(error), err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from error


def main() -> None:  # ``python -m api.cli_serve`` until the lead mounts ``serve`` in ``vorlagen``
    typer.run(serve)


if __name__ == "__main__":
    main()
