"""Documents: list, upload (ingested in the background), delete, cited passages."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from fastapi import APIRouter, File, HTTPException, Query, UploadFile, status
from fastapi.concurrency import run_in_threadpool

from api.auth import ReadAccess, WriteAccess
from api.errors import DISK_FULL, is_disk_full
from api.repository import ApiRepository
from api.resources import IngestorDep, RepositoryDep, ResourcesDep, SettingsDep, StoreDep
from api.schemas import IngestJob, PassageView
from api.upload import check_file_type, safe_filename, too_large_message
from vorlagen.store import DocumentInfo

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/documents", tags=["Dokumente"])

_READ_CHUNK = 1024 * 1024


@router.get("", response_model=list[DocumentInfo], dependencies=[ReadAccess], summary="Alle Dokumente mit Metadaten")
async def list_documents(store: StoreDep) -> list[DocumentInfo]:
    return await run_in_threadpool(store.documents)


@router.post(
    "",
    response_model=IngestJob,
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[WriteAccess],
    summary="Dokument hochladen (PDF, TXT, HTML); wird im Hintergrund eingelesen",
    responses={413: {"description": "Datei zu groß"}, 415: {"description": "Dateityp nicht unterstützt"}},
)
async def upload_document(
    resources: ResourcesDep, settings: SettingsDep, ingestor: IngestorDep, file: UploadFile = File(description="PDF-, TXT- oder HTML-Datei")
) -> IngestJob:
    filename = safe_filename(file.filename or "")
    head = await file.read(8192)
    if not head:
        raise HTTPException(422, "Die hochgeladene Datei ist leer.")
    check_file_type(filename, head)

    max_bytes = settings.api.max_upload_mb * 1024 * 1024
    upload_dir = resources.upload_dir
    upload_dir.mkdir(parents=True, exist_ok=True)
    target = upload_dir / filename
    partial = target.with_name(f".{target.name}.teil")
    size = 0
    with partial.open("wb") as out:
        chunk = head
        while chunk:
            size += len(chunk)
            if size > max_bytes:
                out.close()
                partial.unlink(missing_ok=True)
                raise HTTPException(413, too_large_message(settings.api.max_upload_mb))
            out.write(chunk)
            chunk = await file.read(_READ_CHUNK)
    partial.replace(target)

    job = await run_in_threadpool(resources.repository.create_job, filename)
    resources.ingest_executor.submit(_ingest, ingestor, resources.repository, job.job_id, target)
    return job


def _ingest(ingestor: object, repository: ApiRepository, job_id: str, path: Path) -> None:
    """Runs in the single ingestion thread; records the outcome on the job."""
    repository.update_job(job_id, "läuft")
    try:
        report = ingestor.ingest_paths([path])  # type: ignore[attr-defined]
    except Exception as error:  # noqa: BLE001 - the job shows the German message
        logger.exception("Einlesen von %s fehlgeschlagen", path)
        message = DISK_FULL if is_disk_full(error) else f"Einlesen fehlgeschlagen: {error}"
        repository.update_job(job_id, "fehlgeschlagen", message)
        return
    data = report.model_dump(mode="json")
    if report.failed:
        messages = "; ".join(failure.message for failure in report.failed)
        repository.update_job(job_id, "fehlgeschlagen", messages, data)
        return
    parts = [f"{len(report.added)} neu", f"{len(report.replaced)} ersetzt"]
    if report.unchanged:
        parts.append(f"{len(report.unchanged)} unverändert")
    if report.duplicates:
        parts.append(f"{len(report.duplicates)} bereits unter anderem Namen vorhanden")
    message = f"Eingelesen: {', '.join(parts)}; {report.chunks_added} Abschnitte."
    repository.update_job(job_id, "fertig", message, data)


@router.get("/jobs", response_model=list[IngestJob], dependencies=[ReadAccess], summary="Letzte Hochladevorgänge")
async def list_jobs(repository: RepositoryDep) -> list[IngestJob]:
    return await run_in_threadpool(repository.jobs)


@router.get("/jobs/{job_id}", response_model=IngestJob, dependencies=[ReadAccess], summary="Stand eines Hochladevorgangs")
async def get_job(job_id: str, repository: RepositoryDep) -> IngestJob:
    job = await run_in_threadpool(repository.job, job_id)
    if job is None:
        raise HTTPException(404, f"Kein Hochladevorgang mit der Kennung „{job_id}“.")
    return job


@router.get(
    "/{doc_id:path}/passages/{chunk_id}",
    response_model=PassageView,
    dependencies=[ReadAccess],
    summary="Belegstelle mit Umgebung",
)
async def get_passage(
    doc_id: str,
    chunk_id: str,
    store: StoreDep,
    context: int = Query(600, ge=0, le=5000, description="Zeichen Kontext vor und nach der Stelle"),
    quote: str | None = Query(None, max_length=5000, description="Zitat, das hervorgehoben werden soll"),
) -> PassageView:
    try:
        passage = await run_in_threadpool(store.passage, doc_id, chunk_id, context)
    except (KeyError, LookupError) as error:
        raise HTTPException(404, f"Die Belegstelle „{chunk_id}“ im Dokument „{doc_id}“ gibt es nicht.") from error
    if passage is None:
        raise HTTPException(404, f"Die Belegstelle „{chunk_id}“ im Dokument „{doc_id}“ gibt es nicht.")
    view = PassageView.model_validate(passage.model_dump())
    if quote:
        start, end = locate_quote(passage.text, quote)
        view.highlight_start, view.highlight_end = start, end
    return view


def locate_quote(text: str, quote: str) -> tuple[int | None, int | None]:
    """Where ``quote`` lies in ``text``: exact, else ignoring differences in white space."""
    position = text.find(quote)
    if position >= 0:
        return position, position + len(quote)
    words = quote.split()
    if not words:
        return None, None
    pattern = r"\s+".join(re.escape(word) for word in words)
    match = re.search(pattern, text)
    return (match.start(), match.end()) if match else (None, None)


@router.delete(
    "/{doc_id:path}", status_code=status.HTTP_204_NO_CONTENT, dependencies=[WriteAccess], summary="Dokument löschen"
)
async def delete_document(doc_id: str, store: StoreDep, resources: ResourcesDep) -> None:
    documents = await run_in_threadpool(store.documents)
    removed = await run_in_threadpool(store.remove, doc_id)
    if not removed:
        raise HTTPException(404, f"Kein Dokument mit der Kennung „{doc_id}“.")
    # an uploaded file goes with its document (nothing is kept that the operator deleted)
    upload_dir = resources.upload_dir.resolve()
    for document in documents:
        source = Path(document.source).resolve()
        if document.doc_id == doc_id and source.parent == upload_dir:
            source.unlink(missing_ok=True)
