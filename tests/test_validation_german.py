"""German wording of pydantic validation errors (vorlagen/validation.py), with real pydantic errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from vorlagen.validation import FieldError, german_error, german_field_errors, german_validation_message


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Decimal
    count: int = Field(gt=0)


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=3)
    day: date
    kind: Literal["fact", "calc"]
    items: list[Inner]

    @field_validator("title")
    @classmethod
    def _no_placeholder(cls, value: str) -> str:
        if value == "XXX":
            raise ValueError("Der Titel ist nur ein Platzhalter.")
        return value


def _errors(data: dict) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        Sample.model_validate(data)
    return info.value


def test_each_error_type_becomes_german_per_field() -> None:
    error = _errors({
        "title": "ab",
        "day": "31.02.2024",
        "kind": "fakt",
        "items": [{"amount": "zwölf", "count": "drei"}, {"amount": "1", "count": 0, "extra": 1}],
        "unexpected": True,
    })
    fields = {item.location: item.message for item in german_field_errors(error)}
    assert fields == {
        "title": "Text ist zu kurz (mindestens 3 Zeichen).",
        "day": "Erwartet wird ein Datum (JJJJ-MM-TT).",
        "kind": "„fakt“ ist nicht erlaubt (erlaubt: 'fact' oder 'calc').",
        "items.0.amount": "Erwartet wird eine Zahl.",
        "items.0.count": "Erwartet wird eine ganze Zahl.",
        "items.1.count": "Der Wert muss größer als 0 sein.",
        "items.1.extra": "Dieses Feld ist nicht vorgesehen.",
        "unexpected": "Dieses Feld ist nicht vorgesehen.",
    }


def test_missing_and_wrong_type() -> None:
    error = _errors({"title": 5, "kind": "calc", "items": "keine Liste"})
    fields = german_field_errors(error)
    assert FieldError(feld="title", meldung="Erwartet wird ein Text.") in fields
    assert FieldError(feld="day", meldung="Angabe fehlt.") in fields
    assert FieldError(feld="items", meldung="Erwartet wird eine Liste.") in fields
    assert fields[0].api_dict() == {"feld": "title", "meldung": "Erwartet wird ein Text."}


def test_own_validator_message_is_shown_as_written() -> None:
    error = _errors({"title": "XXX", "day": "2024-01-02", "kind": "calc", "items": []})
    (only,) = error.errors()
    assert only["msg"].startswith("Value error, ")
    assert german_error(only) == "Der Titel ist nur ein Platzhalter."
    assert german_validation_message(error) == "Der Titel ist nur ein Platzhalter."


def test_one_message_names_fields_and_joins_once() -> None:
    error = _errors({"title": "XXX", "kind": "calc", "items": [{"amount": "x", "count": 1}, {"amount": "y", "count": 1}]})
    assert german_validation_message(error, separator="; ") == (
        "Der Titel ist nur ein Platzhalter.; day: Angabe fehlt.; "
        "items.0.amount: Erwartet wird eine Zahl.; items.1.amount: Erwartet wird eine Zahl."
    )
    assert german_validation_message(error).count("\n") == 3


def test_api_shaped_errors_and_unknown_types() -> None:
    """FastAPI hands over plain error dicts (with a ``body`` prefix); an unknown type gets a German fallback."""
    errors = [
        {"type": "missing", "loc": ("body", "question"), "msg": "Field required", "input": {}},
        {"type": "url_parsing", "loc": ("query", "link"), "msg": "Input should be a valid URL", "input": "x"},
    ]
    assert [item.api_dict() for item in german_field_errors(errors)] == [
        {"feld": "body.question", "meldung": "Angabe fehlt."},
        {"feld": "query.link", "meldung": "Ungültiger Wert."},
    ]
