"""Pydantic validation errors in German: one translation table, two presentations.

- ``german_field_errors`` – one entry per field (``feld``/``meldung``), for the API's 422 bodies;
- ``german_validation_message`` – one text for the CLI, the cost tools and the eval loader.

Messages of our own validators (``raise ValueError("…")`` in a model) are German already and are shown as
written, without pydantic's ``Value error, `` prefix; every other pydantic error type is translated here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

_MESSAGES = {
    "missing": "Angabe fehlt.",
    "string_too_short": "Text ist zu kurz (mindestens {min_length} Zeichen).",
    "string_too_long": "Text ist zu lang (höchstens {max_length} Zeichen).",
    "string_type": "Erwartet wird ein Text.",
    "int_parsing": "Erwartet wird eine ganze Zahl.",
    "int_type": "Erwartet wird eine ganze Zahl.",
    "int_from_float": "Erwartet wird eine ganze Zahl.",
    "float_parsing": "Erwartet wird eine Zahl.",
    "float_type": "Erwartet wird eine Zahl.",
    "decimal_parsing": "Erwartet wird eine Zahl.",
    "decimal_type": "Erwartet wird eine Zahl.",
    "bool_parsing": "Erwartet wird „true“ oder „false“.",
    "bool_type": "Erwartet wird „true“ oder „false“.",
    "greater_than": "Der Wert muss größer als {gt} sein.",
    "greater_than_equal": "Der Wert muss mindestens {ge} sein.",
    "less_than": "Der Wert muss kleiner als {lt} sein.",
    "less_than_equal": "Der Wert darf höchstens {le} sein.",
    "too_short": "Zu wenige Einträge (mindestens {min_length}).",
    "too_long": "Zu viele Einträge (höchstens {max_length}).",
    "literal_error": "„{input}“ ist nicht erlaubt (erlaubt: {expected}).",
    "enum": "„{input}“ ist nicht erlaubt (erlaubt: {expected}).",
    "json_invalid": "Der Inhalt ist kein gültiges JSON.",
    "model_type": "Erwartet wird ein JSON-Objekt.",
    "model_attributes_type": "Erwartet wird ein JSON-Objekt.",
    "dict_type": "Erwartet wird ein JSON-Objekt.",
    "list_type": "Erwartet wird eine Liste.",
    "extra_forbidden": "Dieses Feld ist nicht vorgesehen.",
    "date_type": "Erwartet wird ein Datum (JJJJ-MM-TT).",
    "date_parsing": "Erwartet wird ein Datum (JJJJ-MM-TT).",
    "date_from_datetime_parsing": "Erwartet wird ein Datum (JJJJ-MM-TT).",
    "date_from_datetime_inexact": "Erwartet wird ein Datum ohne Uhrzeit (JJJJ-MM-TT).",
    "datetime_type": "Erwartet wird Datum und Uhrzeit (JJJJ-MM-TTTHH:MM).",
    "datetime_parsing": "Erwartet wird Datum und Uhrzeit (JJJJ-MM-TTTHH:MM).",
    "datetime_from_date_parsing": "Erwartet wird Datum und Uhrzeit (JJJJ-MM-TTTHH:MM).",
}
_FALLBACK = "Ungültiger Wert."
_OWN_MESSAGE_PREFIXES = {"value_error": "Value error, ", "assertion_error": "Assertion failed, "}

ErrorItem = Mapping[str, Any]
"""One entry of ``ValidationError.errors()`` (pydantic's ``ErrorDetails``) or of FastAPI's error list."""


class FieldError(BaseModel):
    """One invalid field, as the API shows it: ``{"feld": "body.question", "meldung": "Angabe fehlt."}``."""

    model_config = ConfigDict(populate_by_name=True, frozen=True)

    location: str = Field(alias="feld")
    """Dotted path of the field (``body.items.0.days``); empty for an error of the whole object."""
    message: str = Field(alias="meldung")

    def api_dict(self) -> dict[str, str]:
        return self.model_dump(by_alias=True)


def _location(error: ErrorItem) -> str:
    return ".".join(str(part) for part in error.get("loc", ()))


def _german_expected(expected: Any) -> str:
    return str(expected).replace(" or ", " oder ")


def german_error(error: ErrorItem) -> str:
    """The German message of one pydantic error, without the field name."""
    kind = str(error.get("type", ""))
    if kind in _OWN_MESSAGE_PREFIXES:  # our validators' own German text
        return str(error.get("msg", "")).removeprefix(_OWN_MESSAGE_PREFIXES[kind])
    template = _MESSAGES.get(kind)
    if template is None:
        return _FALLBACK
    context = dict(error.get("ctx") or {})
    if "expected" in context:
        context["expected"] = _german_expected(context["expected"])
    try:
        return template.format(input=error.get("input"), **context)
    except (KeyError, IndexError):
        return template


def _errors(errors: ValidationError | Iterable[ErrorItem]) -> Sequence[ErrorItem]:
    return errors.errors() if isinstance(errors, ValidationError) else list(errors)


def german_field_errors(errors: ValidationError | Iterable[ErrorItem]) -> list[FieldError]:
    """One German message per invalid field (the API's 422 ``errors`` list)."""
    return [FieldError(feld=_location(error), meldung=german_error(error)) for error in _errors(errors)]


def german_validation_message(errors: ValidationError | Iterable[ErrorItem], separator: str = "\n") -> str:
    """All problems as one German text: our validators' messages as written, every other one as
    ``feld: Meldung``; repeated messages once."""
    messages: list[str] = []
    for error in _errors(errors):
        message = german_error(error)
        location = _location(error)
        if error.get("type") not in _OWN_MESSAGE_PREFIXES and location:
            message = f"{location}: {message}"
        if message not in messages:
            messages.append(message)
    return separator.join(messages)
