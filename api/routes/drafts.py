"""Drafting a section of a new Vorlage: ``POST /v1/draft`` and the .docx download."""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.auth import ReadAccess
from api.resources import RepositoryDep, ServiceDep
from api.schemas import DraftRequest, DraftResponse
from assistant.drafting import draft_section, draft_to_docx

router = APIRouter(prefix="/v1/draft", tags=["Entwürfe"], dependencies=[ReadAccess])

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.post("", response_model=DraftResponse, summary="Abschnitt einer neuen Vorlage entwerfen (mit Belegen)")
async def create_draft(body: DraftRequest, request: Request, service: ServiceDep, repository: RepositoryDep) -> DraftResponse:
    draft = await run_in_threadpool(draft_section, service, body.section.strip(), body.topic.strip(), body.filters)
    draft_id = await run_in_threadpool(repository.save_draft, draft)
    return DraftResponse(draft_id=draft_id, draft=draft, docx_url=str(request.url_for("draft_docx", draft_id=draft_id).path))


@router.get(
    "/{draft_id}.docx",
    name="draft_docx",
    response_class=Response,
    responses={200: {"content": {DOCX_MEDIA_TYPE: {}}, "description": "Der Entwurf als Word-Dokument"}},
    summary="Entwurf als .docx herunterladen",
)
async def draft_docx(draft_id: str, repository: RepositoryDep) -> Response:
    draft = await run_in_threadpool(repository.draft, draft_id)
    if draft is None:
        raise HTTPException(404, f"Keinen Entwurf mit der Kennung „{draft_id}“ gefunden.")
    content = await run_in_threadpool(draft_to_docx, draft)
    stem = re.sub(r"[^\wÄÖÜäöüß-]+", "_", f"Entwurf_{draft.section}_{draft.topic}")[:80]
    filename = f"{stem}.docx"
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, media_type=DOCX_MEDIA_TYPE, headers={"Content-Disposition": disposition})
