"""The app as the tests serve it: the real app plus one extra calculation tool built here.

``POST /v1/calc/{tool}`` dispatches over a list of LangChain ``StructuredTool``s. The tests add a
small real one (``summe_mit_zuschlag``) so the dispatch, validation and Decimal output are tested
independently of which cost tools exist.
"""

from __future__ import annotations

from decimal import Decimal

from fastapi import FastAPI
from langchain_core.tools import StructuredTool
from pydantic import BaseModel, Field, field_validator

from api.app import create_app
from api.resources import default_tools
from vorlagen.formatting import format_eur, parse_german_number, round_cents
from vorlagen.settings import Settings


class SummeInput(BaseModel):
    betraege: list[str] = Field(min_length=1, description="Beträge im deutschen Format, z. B. „1.234,50“")
    zuschlag_prozent: Decimal = Field(ge=0, le=100)

    @field_validator("betraege")
    @classmethod
    def german_numbers(cls, values: list[str]) -> list[str]:
        for value in values:
            parse_german_number(value)  # raises a German ValueError
        return values


class SummeErgebnis(BaseModel):
    summe: Decimal
    text: str


def summe_mit_zuschlag(betraege: list[str], zuschlag_prozent: Decimal) -> tuple[str, SummeErgebnis]:
    base = sum((parse_german_number(value) for value in betraege), Decimal(0))
    total = round_cents(base * (1 + Decimal(zuschlag_prozent) / 100))
    return f"Summe mit Zuschlag: {format_eur(total)}", SummeErgebnis(summe=total, text=format_eur(total))


def sum_tool() -> StructuredTool:
    return StructuredTool.from_function(
        summe_mit_zuschlag, name="summe_mit_zuschlag",
        description="Summe mehrerer Beträge zuzüglich eines prozentualen Zuschlags.", args_schema=SummeInput,
        response_format="content_and_artifact",
    )


def create_test_app() -> FastAPI:
    settings = Settings()
    return create_app(settings, tools=[*default_tools(settings), sum_tool()])
