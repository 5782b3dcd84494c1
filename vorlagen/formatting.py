"""German number, money and date formats (output) and parsing of German numbers (input)."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def round_cents(amount: Decimal) -> Decimal:
    """Commercial rounding to the cent (0,005 -> 0,01)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_number(value: Decimal | int | float, decimals: int | None = None) -> str:
    """``1234567.8`` -> ``1.234.567,8``; ``decimals`` fixes the number of decimal places."""
    number = Decimal(str(value))
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    text = format(abs(number), "f")
    integer, _, fraction = text.partition(".")
    grouped = f"{int(integer):,}".replace(",", ".")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def format_eur(amount: Decimal | int | float) -> str:
    """``1234.5`` -> ``1.234,50 EUR`` (always to the cent)."""
    return f"{format_number(round_cents(Decimal(str(amount))), 2)} EUR"


def format_date(value: date) -> str:
    """``date(2021, 12, 2)`` -> ``02.12.2021``."""
    return value.strftime("%d.%m.%Y")


_GERMAN_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def parse_german_number(text: str) -> Decimal:
    """Parse ``1.234.567,89`` / ``7,5`` / ``1200`` into a Decimal.

    A lone dot followed by exactly three digits is a thousands separator (``1.200`` = 1200),
    as in German Vorlagen. Raises ``ValueError`` with a German message otherwise.
    """
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace("\u2009", "")
    if _GERMAN_NUMBER.match(cleaned):
        return Decimal(cleaned.replace(".", "").replace(",", "."))
    if _PLAIN_NUMBER.match(cleaned):
        try:
            return Decimal(cleaned)
        except InvalidOperation:  # pragma: no cover - regex guarantees a number
            pass
    raise ValueError(f"„{text}“ ist keine Zahl im deutschen Format (z. B. 1.234,56).")
