"""Composition of the HTTP app: ``create_app(settings)`` builds everything once in the lifespan.

Everything an endpoint needs, the settings included, lives on ``app.state.resources`` and reaches it
through ``Depends`` (see ``api.resources``); there are no module-level singletons.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.staticfiles import StaticFiles
from langchain_core.tools import BaseTool

from api.access_key import with_access_key
from api.errors import install_error_handlers
from api.resources import build_resources
from api.routes import ask, calc, documents, drafts, health, search, ui, vorlagen
from api.teams import install_teams, router as teams_router
from api.upload import UploadSizeLimit
from vorlagen.settings import Settings, load_settings

DESCRIPTION = """
Fragen an frühere Verwaltungsvorlagen mit Belegen, Entwürfe für Abschnitte neuer Vorlagen,
Kostenrechnung in Code. Authentifizierung: `Authorization: Bearer <API-Schlüssel>`.
"""


def create_app(settings: Settings, *, tools: Sequence[BaseTool] | None = None) -> FastAPI:
    """The app. ``tools``: the calculation tools for ``/v1/calc`` (default: ``cost_tools(settings)``)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resources = await run_in_threadpool(build_resources, settings, list(tools) if tools is not None else None)
        app.state.resources = resources
        install_teams(app, resources)
        try:
            yield
        finally:
            await run_in_threadpool(resources.close)

    app = FastAPI(
        title="Vorlagen-Assistent",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.add_middleware(UploadSizeLimit, max_mb=settings.api.max_upload_mb, paths=("/v1/documents",))
    install_error_handlers(app)
    for module in (health, ask, search, documents, drafts, calc, vorlagen, ui):
        app.include_router(module.router)
    app.include_router(teams_router)
    app.mount("/static", StaticFiles(directory=ui.STATIC_DIR), name="static")
    return app


def create_app_from_environment() -> FastAPI:
    """Factory for uvicorn's ``--factory`` (several workers: each process loads the settings once;
    a key generated at first start is read from the data directory)."""
    return create_app(with_access_key(load_settings()).settings)
