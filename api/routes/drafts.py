"""Drafting new Vorlagen: ``/v1/drafts`` (parse, draft, stream, .docx/.md) and the older ``/v1/draft``.

All endpoints use the one ``assistant.drafting.Drafter``; drafts are stored in the API database.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterable
from typing import Annotated, get_args
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, Field, ValidationError, model_validator
from starlette.concurrency import iterate_in_threadpool

from api.auth import ReadAccess
from api.repository import ApiRepository
from api.resources import RepositoryDep, ServiceDep, SettingsDep
from api.schemas import DraftRequest as SectionDraftBody
from api.schemas import DraftResponse
from assistant.drafting import (
    Drafter,
    DraftingError,
    ParsedRequest,
    UnassignedFigure,
    UnderstoodItem,
    render_docx,
    render_markdown,
    understood_items,
)
from assistant.service import AssistantService
from vorlagen.domain import DRAFT_SECTIONS, Draft, DraftRequest, DraftSectionName
from vorlagen.settings import Settings
from vorlagen.validation import german_validation_message

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["Entwürfe"], dependencies=[ReadAccess])

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ParseBody(BaseModel):
    text: str = Field(min_length=3, max_length=2000, description="Das Vorhaben in einer Zeile, z. B. „Einrichtung einer "
                      "Koordinierungsstelle Klimaanpassung zum 01.04.2027 mit 2 Stellen E 12“.")


class DraftsBody(BaseModel):
    """Either a structured ``request`` or a one-line ``text`` (parsed like ``/v1/drafts/parse``)."""

    request: DraftRequest | None = None
    text: str | None = Field(default=None, max_length=2000)
    abschnitte: list[DraftSectionName] | None = Field(default=None, description="Nur diese Abschnitte (Standard: alle).")
    sprachmodell: bool = Field(default=True, description="Prosa vom Sprachmodell schreiben lassen, wenn eines eingestellt ist.")
    trotzdem: bool = Field(default=False, description="Auch entwerfen, wenn Zahlen des Texts keinem Feld zugeordnet sind "
                           "(sonst 422 mit der Liste).")

    @model_validator(mode="after")
    def _one_of(self) -> DraftsBody:
        if (self.request is None) == (not self.text or not self.text.strip()):
            raise ValueError("Bitte entweder „request“ (strukturiert) oder „text“ (eine Zeile) angeben.")
        return self


class DraftsResponse(BaseModel):
    draft_id: str
    draft: Draft
    markdown: str
    understood: list[UnderstoodItem]
    notes: list[str] = Field(default_factory=list)
    """Assumptions made while reading a one-line request."""
    unassigned: list[UnassignedFigure] = Field(default_factory=list)
    """Figures of a one-line request no field took (only with ``trotzdem``)."""
    docx_url: str
    markdown_url: str


def get_drafter(service: ServiceDep, settings: SettingsDep) -> Drafter:
    return Drafter(settings, service)


DrafterDep = Annotated[Drafter, Depends(get_drafter)]


class ResolvedRequest(BaseModel):
    request: DraftRequest
    notes: list[str]
    unassigned: list[UnassignedFigure] = Field(default_factory=list)
    use_model: bool


def resolved_request(body: DraftsBody, drafter: DrafterDep) -> ResolvedRequest:
    """The structured request (a one-line ``text`` parsed); a dependency, so that the stream refuses
    unusable input with 422 before it starts."""
    unassigned: list[UnassignedFigure] = []
    if body.request is not None:
        request, notes = body.request, []
    else:
        try:
            parsed = drafter.parse(body.text or "")
        except ValidationError as error:
            raise HTTPException(422, "Aus dem Text ließ sich keine Anfrage bilden: " + german_validation_message(error)) from error
        request, notes = parsed.request, parsed.notes
        if parsed.unassigned and not body.trotzdem:
            listed = "; ".join(f"„{u.text}“ ({u.grund})" for u in parsed.unassigned)
            raise HTTPException(
                422,
                f"Angaben des Texts sind keinem Feld zugeordnet: {listed}. Bitte genauer fassen, strukturiert als "
                "„request“ senden oder mit „trotzdem“: true ohne diese Angaben entwerfen.",
            )
        unassigned = parsed.unassigned
    if body.abschnitte:
        request = request.model_copy(update={"abschnitte": [name for name in DRAFT_SECTIONS if name in body.abschnitte]})
    return ResolvedRequest(request=request, notes=notes, unassigned=unassigned,
                           use_model=body.sprachmodell)


Resolved = Annotated[ResolvedRequest, Depends(resolved_request)]


def _urls(request: Request, draft_id: str) -> tuple[str, str]:
    return (
        str(request.url_for("drafts_docx", draft_id=draft_id).path),
        str(request.url_for("drafts_markdown", draft_id=draft_id).path),
    )


def _draft_and_save(drafter: Drafter, repository: ApiRepository, request: DraftRequest, use_model: bool) -> tuple[Draft, str]:
    try:
        draft = drafter.draft(request, use_model)
    except DraftingError as error:
        raise HTTPException(422, str(error)) from error
    return draft, repository.save_draft(draft)


@router.post("/drafts/parse", response_model=ParsedRequest, summary="Einzeiliges Vorhaben verstehen (vor dem Entwurf)")
async def parse_request(body: ParseBody, drafter: DrafterDep) -> ParsedRequest:
    try:
        return await run_in_threadpool(drafter.parse, body.text)
    except ValidationError as error:
        raise HTTPException(422, "Aus dem Text ließ sich keine Anfrage bilden: " + german_validation_message(error)) from error


@router.post("/drafts", response_model=DraftsResponse, summary="Neue Vorlage entwerfen (ganz oder einzelne Abschnitte)")
async def create_drafts(resolved: Resolved, request: Request, drafter: DrafterDep, repository: RepositoryDep) -> DraftsResponse:
    draft, draft_id = await run_in_threadpool(_draft_and_save, drafter, repository, resolved.request, resolved.use_model)
    docx_url, markdown_url = _urls(request, draft_id)
    return DraftsResponse(
        draft_id=draft_id, draft=draft, markdown=render_markdown(draft), notes=resolved.notes, unassigned=resolved.unassigned,
        understood=understood_items(draft.request, resolved.unassigned), docx_url=docx_url, markdown_url=markdown_url,
    )


@router.post(
    "/drafts/stream",
    response_class=EventSourceResponse,
    summary="Neue Vorlage entwerfen, Abschnitte als Server-Sent Events",
    description="Ereignisse: `understood` (verstandene Angaben), `notice`, `section` (je fertigem Abschnitt), "
    "`draft` (vollständiger Entwurf mit `draft_id`, `docx_url`, `markdown_url`), `error`, zuletzt `done`.",
)
async def stream_drafts(
    resolved: Resolved, request: Request, drafter: DrafterDep, repository: RepositoryDep
) -> AsyncIterable[ServerSentEvent]:
    for note in resolved.notes:
        yield ServerSentEvent(event="notice", data={"text": note})
    for figure in resolved.unassigned:
        yield ServerSentEvent(event="notice", data={"text": f"Nicht zugeordnet: „{figure.text}“ – {figure.grund}"})
    try:
        async for event in iterate_in_threadpool(drafter.events(resolved.request, resolved.use_model)):
            if event.type == "done":
                break
            if event.type == "draft" and event.draft is not None:
                draft_id = await run_in_threadpool(repository.save_draft, event.draft)
                docx_url, markdown_url = _urls(request, draft_id)
                data = {"draft_id": draft_id, "draft": event.draft.model_dump(mode="json"),
                        "markdown": render_markdown(event.draft), "docx_url": docx_url, "markdown_url": markdown_url}
                yield ServerSentEvent(event="draft", data=data)
                continue
            yield ServerSentEvent(event=event.type, data=event.model_dump(mode="json", exclude_none=True))
    except DraftingError as error:
        yield ServerSentEvent(event="error", data={"detail": str(error)})
    except Exception:  # noqa: BLE001 - the client gets a German error event, the log the trace
        logger.exception("Fehler beim Entwerfen")
        yield ServerSentEvent(event="error", data={"detail": "Der Entwurf konnte nicht erzeugt werden. Details stehen im Server-Protokoll."})
    yield ServerSentEvent(event="done", data={})


def _stored(repository: ApiRepository, draft_id: str) -> Draft:
    draft = repository.draft(draft_id)
    if draft is None:
        raise HTTPException(404, f"Keinen Entwurf mit der Kennung „{draft_id}“ gefunden.")
    return draft


def _disposition(draft: Draft, suffix: str) -> str:
    stem = re.sub(r"[^\wÄÖÜäöüß-]+", "_", f"Entwurf_{draft.request.betreff}")[:80]
    filename = f"{stem}.{suffix}"
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


_DOCX_RESPONSES = {200: {"content": {DOCX_MEDIA_TYPE: {}}, "description": "Der Entwurf als Word-Dokument"}}


async def _docx(draft_id: str, repository: ApiRepository) -> Response:
    draft = await run_in_threadpool(_stored, repository, draft_id)
    content = await run_in_threadpool(render_docx, draft)
    return Response(content, media_type=DOCX_MEDIA_TYPE, headers={"Content-Disposition": _disposition(draft, "docx")})


@router.get("/drafts/{draft_id}.docx", name="drafts_docx", response_class=Response, responses=_DOCX_RESPONSES,
            summary="Entwurf als .docx herunterladen")
async def drafts_docx(draft_id: str, repository: RepositoryDep) -> Response:
    return await _docx(draft_id, repository)


@router.get("/drafts/{draft_id}.md", name="drafts_markdown", response_class=Response,
            responses={200: {"content": {"text/markdown": {}}}}, summary="Entwurf als Markdown herunterladen")
async def drafts_markdown(draft_id: str, repository: RepositoryDep) -> Response:
    draft = await run_in_threadpool(_stored, repository, draft_id)
    return Response(render_markdown(draft), media_type="text/markdown; charset=utf-8",
                    headers={"Content-Disposition": _disposition(draft, "md")})


# --- the earlier endpoint: one section from a topic ------------------------------------------------

_SECTION_NAMES: tuple[str, ...] = get_args(DraftSectionName)


def _legacy(service: AssistantService, settings: Settings, body: SectionDraftBody, repository: ApiRepository) -> tuple[Draft, str]:
    drafter = Drafter(settings, service)
    try:
        request = drafter.parse(body.topic.strip()).request
    except ValidationError as error:
        raise HTTPException(422, "Aus dem Thema ließ sich keine Anfrage bilden: " + german_validation_message(error)) from error
    section = next((name for name in _SECTION_NAMES if name.lower() == body.section.strip().lower()), None)
    if section is None:
        raise HTTPException(422, f"Unbekannter Abschnitt „{body.section}“; möglich sind: {', '.join(_SECTION_NAMES)}.")
    update: dict[str, object] = {"abschnitte": [section]}
    if body.filters is not None and body.filters.stadt and not request.stadt:
        update["stadt"] = body.filters.stadt
    return _draft_and_save(drafter, repository, request.model_copy(update=update), True)


@router.post("/draft", response_model=DraftResponse, summary="Einen Abschnitt entwerfen (ältere Schnittstelle; besser /v1/drafts)")
async def create_draft(body: SectionDraftBody, request: Request, service: ServiceDep, settings: SettingsDep,
                       repository: RepositoryDep) -> DraftResponse:
    draft, draft_id = await run_in_threadpool(_legacy, service, settings, body, repository)
    return DraftResponse(draft_id=draft_id, draft=draft, docx_url=_urls(request, draft_id)[0])


@router.get("/draft/{draft_id}.docx", name="draft_docx", response_class=Response, responses=_DOCX_RESPONSES,
            summary="Entwurf als .docx herunterladen (ältere Schnittstelle)")
async def draft_docx(draft_id: str, repository: RepositoryDep) -> Response:
    return await _docx(draft_id, repository)
