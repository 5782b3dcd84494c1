"""Physical measures in German text: which dimension a question asks for, which one a stated value has.

"Wie lang wird der erste Bauabschnitt?" asks for a length; "350 Metern" is one, "vier Bauabschnitte" is a count
of something else. "Mit welcher Leistung …?" asks for a power ("2.000 kWp"), "Wie viel Fläche …?" for an area
("99 m²"). The answer layer (``assistant.candidates``) compares the two; the units also make a number before
them a quantity (``UNITS``, used by the lexicon's ``COUNTS``).
"""

from __future__ import annotations

import re
from enum import StrEnum


class Dimension(StrEnum):
    LENGTH = "Länge"
    AREA = "Fläche"
    VOLUME = "Volumen"
    MASS = "Masse"
    POWER = "Leistung"
    ENERGY = "Energie"


# Units after a number, per dimension (case matters: "t" and "m" are units, "T" and "M" are not)
_UNITS: dict[Dimension, str] = {
    Dimension.AREA: r"m²|m2|qm|Quadratmeter\w*|ha|Hektar|km²",
    Dimension.VOLUME: r"m³|m3|Kubikmeter\w*|Liter\w*",
    Dimension.LENGTH: r"m|cm|mm|km|Meter[ns]?|Kilometer[ns]?|Zentimeter[ns]?|Millimeter[ns]?|lfd\.\s?m",
    Dimension.MASS: r"t|kg|Tonnen|Tonne|Kilogramm",
    Dimension.ENERGY: r"kWh|MWh|GWh|Kilowattstunden|Megawattstunden|Gigawattstunden",
    Dimension.POWER: r"kWp|kW|MWp|MW|Kilowatt(?:peak)?|Megawatt(?:peak)?",
}
UNITS = "|".join(_UNITS.values())
"""Every unit of a measure, as alternatives of a regular expression (longer ones before their prefixes)."""

_STATED: tuple[tuple[Dimension, re.Pattern[str]], ...] = tuple(
    (dimension, re.compile(rf"\d[\d.,]*\s*(?:{units})(?![\w³²])|\b(?:{units})\s*$"))
    for dimension, units in _UNITS.items()
)

# Question words per dimension: a unit noun after "wie viel(e)" or a word for the dimension itself
_ASKED: tuple[tuple[Dimension, re.Pattern[str]], ...] = (
    (Dimension.AREA, re.compile(
        r"\bwie\s?viele?n?\s+(?:\w+\s+)?(?:quadratmeter\w*|hektar|qm)\b|\bwie\s+viel\s+\w*fläche\b|"
        r"\bwie\s+groß\b[^?,;]*?fläche|\bwelche\s+(?:\w+\s+)?fläche\b|\bflächengröße\b", re.I)),
    (Dimension.VOLUME, re.compile(r"\bwie\s?viele?n?\s+(?:kubikmeter\w*|liter\w*)\b|\bwelches\s+volumen\b", re.I)),
    (Dimension.LENGTH, re.compile(
        r"\bwie\s+(?:lang|breit|tief)\b|\bwie\s+hoch\s+(?:und\b|(?:wird|soll|darf|ist|sind)\b[^?,]*\bwerden\b)|"
        r"\bwie\s?viele?n?\s+(?:meter\w*|kilometer\w*|zentimeter\w*)\b|\bwelche\s+(?:länge|breite|höhe|tiefe)\b|"
        r"\b(?:die|der)\s+(?:gesamt)?länge\b", re.I)),
    (Dimension.MASS, re.compile(
        r"\bwie\s+schwer\b|\bwie\s?viele?n?\s+(?:tonnen|kilogramm|kg)\b|\bwelches\s+gewicht\b", re.I)),
    (Dimension.ENERGY, re.compile(
        r"\bwie\s?viele?n?\s+(?:kilowattstunden|megawattstunden|kwh|mwh|gwh)\b|\bwie\s+viel\s+(?:strom|energie)\b",
        re.I)),
    (Dimension.POWER, re.compile(
        r"\bwelche[rnm]?\s+(?:\w+\s+)?leistung\b|\bwie\s?viele?n?\s+(?:kilowatt|megawatt|kwp?|mwp?)\b|"
        r"\bwie\s+(?:groß|hoch)\s+(?:ist|wird|soll|war)\s+(?:die|ihre|seine)\s+(?:\w+\s+)?leistung\b", re.I)),
)

ASKS_MEASURE = re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in _ASKED), re.I)
"""A question that asks for a measure at all (the answer type is then a quantity, not money)."""


def asked_dimension(question: str) -> Dimension | None:
    """The dimension a question (part) asks for: "Wie lang …" -> length, "Auf wie vielen Metern …" -> length,
    "Wie viel Fläche …" -> area, "Mit welcher Leistung …" -> power; None if it asks for none."""
    found = [(match.start(), dimension) for dimension, pattern in _ASKED if (match := pattern.search(question))]
    return min(found)[1] if found else None


def stated_dimension(value: str) -> Dimension | None:
    """The dimension of a stated quantity by its unit: "350 Metern" -> length, "99 m²" -> area,
    "2.000 kWp" -> power; None for a count of things ("vier Bauabschnitte") or a bare number."""
    for dimension, pattern in _STATED:
        if pattern.search(value):
            return dimension
    return None
