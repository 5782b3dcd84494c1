"""German error bodies: ``{"detail": "...", "errors": [...]}`` for every 4xx/5xx the API returns."""

from __future__ import annotations

import logging
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
    503: "Der Dienst ist vorübergehend nicht verfügbar.",
}

_VALIDATION_MESSAGES = {
    "missing": "Angabe fehlt.",
    "string_too_short": "Text ist zu kurz (mindestens {min_length} Zeichen).",
    "string_too_long": "Text ist zu lang (höchstens {max_length} Zeichen).",
    "string_type": "Erwartet wird ein Text.",
    "int_parsing": "Erwartet wird eine ganze Zahl.",
    "int_type": "Erwartet wird eine ganze Zahl.",
    "float_parsing": "Erwartet wird eine Zahl.",
    "decimal_parsing": "Erwartet wird eine Zahl.",
    "bool_parsing": "Erwartet wird „true“ oder „false“.",
    "greater_than": "Der Wert muss größer als {gt} sein.",
    "greater_than_equal": "Der Wert muss mindestens {ge} sein.",
    "less_than": "Der Wert muss kleiner als {lt} sein.",
    "less_than_equal": "Der Wert darf höchstens {le} sein.",
    "literal_error": "Erlaubt sind nur: {expected}.",
    "enum": "Erlaubt sind nur: {expected}.",
    "json_invalid": "Der Inhalt ist kein gültiges JSON.",
    "model_attributes_type": "Erwartet wird ein JSON-Objekt.",
    "dict_type": "Erwartet wird ein JSON-Objekt.",
    "list_type": "Erwartet wird eine Liste.",
    "extra_forbidden": "Dieses Feld ist nicht vorgesehen.",
    "date_from_datetime_parsing": "Erwartet wird ein Datum (JJJJ-MM-TT).",
    "date_parsing": "Erwartet wird ein Datum (JJJJ-MM-TT).",
}


def german_validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's error list in German: ``[{"feld": "body.question", "meldung": "..."}]``."""
    translated = []
    for error in errors:
        template = _VALIDATION_MESSAGES.get(error.get("type", ""))
        if template is None and error.get("type") == "value_error":
            # our own validators raise German ValueErrors; pydantic prefixes "Value error, "
            message = str(error.get("msg", "")).removeprefix("Value error, ")
        elif template is None:
            message = "Ungültiger Wert."
        else:
            try:
                message = template.format(**(error.get("ctx") or {}))
            except (KeyError, IndexError):
                message = template
        location = ".".join(str(part) for part in error.get("loc", ()))
        translated.append({"feld": location, "meldung": message})
    return translated


def error_response(status_code: int, detail: str, errors: list[dict[str, Any]] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"detail": detail}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status_code, headers=headers)


def invalid_body(error: ValidationError, prefix: str = "body") -> JSONResponse:
    errors = [{**item, "loc": (prefix, *item["loc"])} for item in error.errors()]
    return error_response(422, _STATUS_TEXT[422], german_validation_errors(errors))


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
        return error_response(422, _STATUS_TEXT[422], german_validation_errors(list(exc.errors())))

    @app.exception_handler(ServiceUnavailable)
    async def unavailable(request: Request, exc: ServiceUnavailable) -> JSONResponse:
        return error_response(503, exc.message, headers={"Retry-After": "30"})

    @app.exception_handler(StoreUnavailableError)
    async def store_unavailable(request: Request, exc: StoreUnavailableError) -> JSONResponse:
        return error_response(503, str(exc), headers={"Retry-After": "30"})

    @app.exception_handler(EmptyIndexError)
    async def empty_index(request: Request, exc: EmptyIndexError) -> JSONResponse:
        return error_response(409, str(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        if is_connection_error(exc):
            logger.warning("Abhängiger Dienst nicht erreichbar: %s", exc)
            return error_response(
                503,
                f"Ein benötigter Dienst (Index oder Sprachmodell-Server) ist nicht erreichbar: {exc}",
                headers={"Retry-After": "30"},
            )
        logger.exception("Unerwarteter Fehler bei %s %s", request.method, request.url.path)
        return error_response(500, "Interner Fehler des Servers. Details stehen im Server-Protokoll.")


def _default_phrase(status_code: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return ""
