"""Uploads: size limit (413, before the body is read into memory or disk), file type (415), the
stored file (named by a generated upload id, never by the user's file name) and its ingest job.

The original file name is kept for display only (``Vorlage.source_name``, the job). A file whose
ingestion fails, or that adds nothing (same content already stored), is removed from the upload folder.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
import uuid
from pathlib import Path

from fastapi import HTTPException, UploadFile
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import DISK_FULL, is_disk_full
from api.repository import ApiRepository
from ingest.pipeline import Ingestor
from ingest.summary import not_stored_lines

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = {".pdf": "PDF", ".txt": "Text", ".html": "HTML", ".htm": "HTML"}
MULTIPART_OVERHEAD = 64 * 1024
"""Bytes allowed on top of the file for the multipart envelope."""
READ_CHUNK = 1024 * 1024


def too_large_message(max_mb: int) -> str:
    return f"Die Datei ist zu groß. Erlaubt sind höchstens {max_mb} MB."


class _BodyTooLarge(Exception):
    pass


class UploadSizeLimit:
    """ASGI middleware: refuse request bodies above ``max_bytes`` on the given paths with 413.

    Checks the Content-Length header first and counts the streamed bytes as well (chunked uploads).
    """

    def __init__(self, app: ASGIApp, max_mb: int, paths: tuple[str, ...], methods: tuple[str, ...] = ("POST",)) -> None:
        self.app = app
        self.max_mb = max_mb
        self.max_bytes = max_mb * 1024 * 1024 + MULTIPART_OVERHEAD
        self.paths = paths
        self.methods = methods

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in self.methods or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._refuse(send)
            return

        received = 0
        started = exceeded = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if exceeded:  # the form parser turned the refusal into its own 400: answer 413 instead
                if not started:
                    started = True
                    await self._refuse(send)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": too_large_message(self.max_mb)}, ensure_ascii=False).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")],
            }
        )
        await send({"type": "http.response.body", "body": body})


MAX_NAME_CHARS = 180


def safe_filename(name: str) -> str:
    """A display name without folders or unusual characters (umlauts kept), never empty; a long name
    is shortened in its stem, so its ending (``.pdf``) stays."""
    name = unicodedata.normalize("NFC", Path(name.replace("\\", "/").replace("\x00", "")).name)
    name = re.sub(r"[^\w.\- ÄÖÜäöüß]", "_", name).strip(" .")
    if len(name) > MAX_NAME_CHARS:
        suffix = Path(name).suffix if len(Path(name).suffix) <= 16 else ""
        name = name[: MAX_NAME_CHARS - len(suffix)].rstrip(" .") + suffix
    return name or "upload"


def check_file_type(filename: str, head: bytes) -> str:
    """The kind of file (``PDF``/``Text``/``HTML``) from its name and first bytes; 415 otherwise."""
    suffix = Path(filename).suffix.lower()
    kind = SUPPORTED_SUFFIXES.get(suffix)
    allowed = ", ".join(sorted({s.lstrip(".").upper() for s in SUPPORTED_SUFFIXES} - {"HTM"}))
    if kind is None:
        shown = suffix[:20] + ("…" if len(suffix) > 20 else "") if suffix else "ohne Endung"
        raise HTTPException(415, f"Der Dateityp „{shown}“ von „{filename}“ wird nicht unterstützt. Erlaubt sind {allowed}.")
    if kind == "PDF" and not head.lstrip(b"\r\n\t ").startswith(b"%PDF-"):
        raise HTTPException(415, f"„{filename}“ ist keine PDF-Datei (der Inhalt beginnt nicht mit %PDF).")
    if kind != "PDF" and (b"\x00" in head or head.startswith(b"%PDF-")):
        raise HTTPException(415, f"„{filename}“ ist keine Textdatei ({kind}); der Inhalt ist binär.")
    return kind


class StoredUpload(BaseModel):
    """An uploaded file in the upload folder, waiting to be ingested."""

    upload_id: str
    original_name: str
    """The user's file name, made safe; for display only."""
    path: Path
    """``<upload_dir>/<upload_id><suffix>``."""
    kind: str


async def store_upload(file: UploadFile, upload_dir: Path, max_mb: int) -> StoredUpload:
    """Check and write the upload to ``upload_dir`` under a generated name; nothing is left behind
    when a check fails (422 empty, 415 type, 413 size)."""
    original = safe_filename(file.filename or "")
    head = await file.read(8192)
    if not head:
        raise HTTPException(422, "Die hochgeladene Datei ist leer.")
    kind = check_file_type(original, head)
    upload_id = uuid.uuid4().hex
    upload_dir.mkdir(parents=True, exist_ok=True)
    target = upload_dir / f"{upload_id}{Path(original).suffix.lower()}"
    partial = upload_dir / f".{upload_id}.teil"
    max_bytes = max_mb * 1024 * 1024
    try:
        size = 0
        with partial.open("wb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > max_bytes:
                    raise HTTPException(413, too_large_message(max_mb))
                out.write(chunk)
                chunk = await file.read(READ_CHUNK)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return StoredUpload(upload_id=upload_id, original_name=original, path=target, kind=kind)


def _shown(message: str, upload: StoredUpload) -> str:
    """A loader's message names the stored file; the user knows the file by its original name."""
    return message.replace(str(upload.path), upload.original_name).replace(upload.path.name, upload.original_name)


def run_upload_job(ingestor: Ingestor, repository: ApiRepository, job_id: str, upload: StoredUpload) -> None:
    """Runs in the single ingestion thread; records the outcome on the job."""
    repository.update_job(job_id, "läuft")
    try:
        report = ingestor.ingest_upload(upload.path, upload_id=upload.upload_id, original_name=upload.original_name)
    except Exception as error:  # noqa: BLE001 - the job shows the German message
        logger.exception("Einlesen von %s fehlgeschlagen", upload.path)
        upload.path.unlink(missing_ok=True)
        message = DISK_FULL if is_disk_full(error) else f"Einlesen von „{upload.original_name}“ fehlgeschlagen: {error}"
        repository.update_job(job_id, "fehlgeschlagen", message)
        return
    if report.stored_nothing:  # failed, or the same content is stored already: the file is not kept
        upload.path.unlink(missing_ok=True)
    if report.failed:
        messages = "; ".join(_shown(failure.message, upload) for failure in report.failed)
        repository.update_job(job_id, "fehlgeschlagen", messages, report)
        return
    parts = [f"{len(report.added)} neu", f"{len(report.replaced)} ersetzt"]
    if report.unchanged:
        parts.append(f"{len(report.unchanged)} unverändert")
    if report.duplicates:
        parts.append(f"{len(report.duplicates)} bereits unter anderem Namen vorhanden")
    message = " ".join([f"Eingelesen: {', '.join(parts)}; {report.chunks_added} Abschnitte.", *not_stored_lines(report)])
    repository.update_job(job_id, "fertig", message, report)
