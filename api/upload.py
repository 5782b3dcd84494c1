"""Upload checks: size limit (413, before the body is read into memory or disk) and file type (415)."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SUPPORTED_SUFFIXES = {".pdf": "PDF", ".txt": "Text", ".html": "HTML", ".htm": "HTML"}
MULTIPART_OVERHEAD = 64 * 1024
"""Bytes allowed on top of the file for the multipart envelope."""


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


def safe_filename(name: str) -> str:
    """A file name without folders or unusual characters (umlauts kept), never empty."""
    name = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name)
    name = re.sub(r"[^\w.\- ÄÖÜäöüß]", "_", name).strip(" .")
    suffix = Path(name).suffix[:16]  # a long name is shortened before its extension, never losing it
    return (name[: 180 - len(suffix)].rstrip(" .") + suffix if len(name) > 180 else name) or "upload"


def check_file_type(filename: str, head: bytes) -> str:
    """The kind of file (``PDF``/``Text``/``HTML``) from its name and first bytes; 415 otherwise."""
    suffix = Path(filename).suffix.lower()
    kind = SUPPORTED_SUFFIXES.get(suffix)
    allowed = ", ".join(sorted({s.lstrip(".").upper() for s in SUPPORTED_SUFFIXES} - {"HTM"}))
    if kind is None:
        raise HTTPException(415, f"Der Dateityp „{suffix or 'ohne Endung'}“ wird nicht unterstützt. Erlaubt sind {allowed}.")
    if kind == "PDF" and not head.lstrip(b"\r\n\t ").startswith(b"%PDF-"):
        raise HTTPException(415, f"„{filename}“ ist keine PDF-Datei (der Inhalt beginnt nicht mit %PDF).")
    if kind != "PDF" and (b"\x00" in head or head.startswith(b"%PDF-")):
        raise HTTPException(415, f"„{filename}“ ist keine Textdatei ({kind}); der Inhalt ist binär.")
    return kind
