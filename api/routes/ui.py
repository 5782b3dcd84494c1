"""The web UI: server-rendered pages (Jinja2) plus small static JS/CSS; no build step."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.resources import SettingsDep
from api.routes.health import mode_options
from assistant.llm import answer_mode
from vorlagen.domain import DRAFT_SECTIONS

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=TEMPLATES_DIR)

SECTIONS = DRAFT_SECTIONS


def _page(request: Request, settings: SettingsDep, template: str, active: str, **context: object) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        template,
        {
            "active": active,
            "needs_key_for_reads": not settings.api.public_reads,
            "max_upload_mb": settings.api.max_upload_mb,
            **context,
        },
    )


@router.get("/", response_class=HTMLResponse)
async def chat_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    return _page(request, settings, "chat.html", "chat", modes=mode_options(settings),
                 answer_mode=answer_mode(settings).mode, configured_mode=settings.llm.mode)


@router.get("/entwurf", response_class=HTMLResponse)
async def draft_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    return _page(request, settings, "draft.html", "draft", sections=SECTIONS)


@router.get("/verlauf", response_class=HTMLResponse)
async def decision_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The Verlauf of one Vorlage (``?vorlage=<Kennung oder Drucksache>``), rendered from ``/v1/vorlagen/…/verlauf``."""
    return _page(request, settings, "verlauf.html", "chat", vorlage=request.query_params.get("vorlage", ""))


@router.get("/dokumente", response_class=HTMLResponse)
async def documents_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    return _page(request, settings, "documents.html", "documents")
