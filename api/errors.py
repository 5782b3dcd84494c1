"""German error bodies: ``{"detail": "...", "errors": [...]}`` for every 4xx/5xx the API returns."""

from __future__ import annotations

import errno
import logging
import sqlite3
import traceback
from typing import Any

import httpx
from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.resources import ServiceUnavailable
from assistant.service import EmptyIndexError
from vorlagen.store import StoreUnavailableError
from vorlagen.validation import FieldError, german_field_errors

logger = logging.getLogger(__name__)

_STATUS_TEXT = {
    400: "Ungültige Anfrage.",
    401: "Anmeldung erforderlich.",
    403: "Zugriff verweigert.",
    404: "Nicht gefunden.",
    405: "Diese Methode ist hier nicht erlaubt.",
    413: "Die Anfrage ist zu groß.",
    415: "Dieser Dateityp wird nicht unterstützt.",
    422: "Die Anfrage enthält ungültige Angaben.",
    500: "Interner Fehler des Servers.",
    507: "Kein Speicherplatz mehr frei.",
    503: "Der Dienst ist vorübergehend nicht verfügbar.",
}

def error_response(status_code: int, detail: str, errors: list[FieldError] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"detail": detail}
    if errors:
        body["errors"] = [error.api_dict() for error in errors]
    return JSONResponse(body, status_code=status_code, headers=headers)


def invalid_body(error: ValidationError, prefix: str = "body") -> JSONResponse:
    errors = [{**item, "loc": (prefix, *item["loc"])} for item in error.errors()]
    return error_response(422, _STATUS_TEXT[422], german_field_errors(errors))


VECTOR_STORE_DOWN = (
    "Der Vektorspeicher (Chroma) ist nicht erreichbar; die Anfrage wurde nicht bearbeitet. Bitte in einigen "
    "Sekunden erneut versuchen – der Zustand steht unter /readyz."
)
DISK_FULL = (
    "Im Datenordner ist kein Speicherplatz mehr frei; es wurde nichts gespeichert und nichts Gespeichertes "
    "verändert. Bitte Platz schaffen und den Vorgang wiederholen."
)


def _chain(error: BaseException) -> list[BaseException]:
    """The error and its causes (``raise … from …`` and implicit context), without cycles."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def is_disk_full(error: BaseException) -> bool:
    """No space left: ENOSPC anywhere in the chain, SQLite's ``database or disk is full``, or Chroma
    reporting either."""
    for item in _chain(error):
        if isinstance(item, OSError) and item.errno == errno.ENOSPC:
            return True
        text = str(item).lower()
        if "disk is full" in text or "no space left" in text:
            return True
    return False


def _raised_in_vector_store(error: BaseException) -> bool:
    for item in _chain(error):
        for frame in traceback.extract_tb(item.__traceback__):
            if "/chromadb/" in frame.filename or "/langchain_chroma/" in frame.filename:
                return True
    return False


def is_vector_store_down(error: BaseException) -> bool:
    """A connection failure while talking to the Chroma server (it stopped, restarts, or is unreachable)."""
    return _raised_in_vector_store(error) and any(
        is_connection_error(item) or "could not connect" in str(item).lower() for item in _chain(error)
    )


def is_connection_error(error: BaseException) -> bool:
    """Errors that mean 'a server we depend on (Chroma, model server) is unreachable'."""
    names = {cls.__name__ for cls in type(error).__mro__}
    return isinstance(error, ConnectionError | httpx.TransportError | TimeoutError) or bool(
        names & {"APIConnectionError", "APITimeoutError", "ConnectError"}
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail
        if not isinstance(detail, str) or detail == _default_phrase(exc.status_code):
            detail = _STATUS_TEXT.get(exc.status_code, "Fehler.")
        return error_response(exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, _STATUS_TEXT[422], german_field_errors(exc.errors()))

    @app.exception_handler(ServiceUnavailable)
    async def unavailable(request: Request, exc: ServiceUnavailable) -> JSONResponse:
        return error_response(503, exc.message, headers={"Retry-After": "30"})

    @app.exception_handler(StoreUnavailableError)
    async def store_unavailable(request: Request, exc: StoreUnavailableError) -> JSONResponse:
        return error_response(503, str(exc), headers={"Retry-After": "30"})

    @app.exception_handler(EmptyIndexError)
    async def empty_index(request: Request, exc: EmptyIndexError) -> JSONResponse:
        return error_response(409, str(exc))

    def dependency_failure(request: Request, exc: BaseException) -> JSONResponse | None:
        """503/507 for a dependency that failed (Chroma down, disk full, a server unreachable)."""
        if is_vector_store_down(exc):
            logger.warning("Chroma nicht erreichbar bei %s %s: %r", request.method, request.url.path, exc)
            return error_response(503, VECTOR_STORE_DOWN, headers={"Retry-After": "10"})
        if is_disk_full(exc):
            logger.error("Kein Speicherplatz bei %s %s: %r", request.method, request.url.path, exc)
            return error_response(507, DISK_FULL)
        if is_connection_error(exc):
            logger.warning("Abhängiger Dienst nicht erreichbar: %s", exc)
            return error_response(
                503,
                f"Ein benötigter Dienst (Index oder Sprachmodell-Server) ist nicht erreichbar: {exc}",
                headers={"Retry-After": "30"},
            )
        return None

    def internal_error(request: Request, exc: BaseException) -> JSONResponse:
        logger.error("Unerwarteter Fehler bei %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "Interner Fehler des Servers. Details stehen im Server-Protokoll.")

    # Handlers for these classes answer without re-raising (the generic one below re-raises after
    # answering, and uvicorn then drops the kept-alive connection of the client).
    @app.exception_handler(httpx.TransportError)
    @app.exception_handler(OSError)
    @app.exception_handler(sqlite3.OperationalError)
    async def infrastructure_error(request: Request, exc: Exception) -> JSONResponse:
        return dependency_failure(request, exc) or internal_error(request, exc)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        return dependency_failure(request, exc) or internal_error(request, exc)


def _default_phrase(status_code: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return ""
