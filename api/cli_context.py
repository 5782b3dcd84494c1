"""The settings of one ``vorlagen`` command line: loaded once, at the start of the command."""

from __future__ import annotations

import typer
from pydantic import ValidationError

from vorlagen.settings import Settings, load_settings


def load_cli_settings() -> Settings:
    """``load_settings()`` with a German message (exit code 2) instead of a traceback."""
    try:
        return load_settings()
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'Einstellung'}: {e['msg']}" for e in error.errors())
        typer.secho(f"Die Einstellungen (VORLAGEN_…, .env) sind ungültig: {problems}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from error


def cli_settings(ctx: typer.Context) -> Settings:
    """The settings of this invocation: loaded by the ``vorlagen`` callback, or here when a sub-app
    (``vorlagen models`` …) runs on its own."""
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = load_cli_settings()
    return root.obj
