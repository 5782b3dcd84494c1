"""German quantity lexer: amounts, days, positions, percentages, months, dates, years, pay groups,
counts of things and bare numbers in a text, each with its verbatim text and offsets.

``parse_quantities(text)`` finds amounts (``1.234,56 EUR``, ``1,2 Mio. Euro``, ``450 T€``), days
(``380 Beratertage``), positions (``7,5 Stellen``, ``0,5 VZÄ``), percentages, months, dates (``ab
01.07.2027``, ``ab dem 1. Juli 2027``), years, Entgelt-/Besoldungsgruppen (``E 13 TVöD``,
``A12/E11``), counts of things (``20 batterieelektrischen Hochdachkombis``) and bare numbers. Month
names and scale words come from ``vorlagen.text`` (the one German text module).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel

from vorlagen.formatting import parse_german_number
from vorlagen.text import MONTH_PATTERN, SCALE_PATTERN, TARIFF_PRICE_PATTERN, month_number, scale_factor
from vorlagen.text.lexicon import COUNT_ATTRIBUTE, FIGURE_LABELS
from vorlagen.text.measures import UNITS as MEASURE_UNITS

QuantityKind = Literal["betrag", "tage", "stellen", "prozent", "monate", "datum", "gruppe", "jahr", "verweis", "adresse",
                       "nummer", "anzahl", "zahl"]

NUMBER = r"(?<![\w.,/])(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?(?![.,]?\d)"

_PATTERNS: list[tuple[QuantityKind, re.Pattern[str]]] = [
    ("datum", re.compile(r"(?:\b(?P<prep>ab|zum|vom|seit|bis)\s+(?:dem\s+)?)?"
                         r"(?<![\d.])(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.\s?(?P<y>\d{4})(?!\d)", re.I)),
    ("datum", re.compile(r"(?:\b(?P<prep>ab|zum|vom|seit|bis)\s+(?:dem\s+)?)?(?:(?P<d>\d{1,2})\.\s*)?"
                         r"(?P<mname>" + MONTH_PATTERN + r")\s+(?P<y>\d{4})\b", re.I)),
    ("gruppe", re.compile(r"\b(?:(?:Entgeltgruppe|Besoldungsgruppe)\s+)?(?:(?:A|EG|E)\s?\d{1,2}(?:[abc]|Ü)?)"
                          r"(?:\s*/\s*(?:(?:A|EG|E)\s?\d{1,2}(?:[abc]|Ü)?))*\b(?:\s+TVöD(?:-VKA)?)?"
                          r"|\bEntgeltgruppe\s+\d{1,2}(?:[abc]|Ü)?\b")),
    ("betrag", re.compile(r"(?P<num>-?" + NUMBER + r")\s*(?P<scale>" + SCALE_PATTERN + r")?"
                          r"\s*(?P<cur>EUR\b|Euro\b|€|TEUR\b|T€)", re.I)),
    ("betrag", re.compile(r"(?P<cur>EUR|€)\s*(?P<num>-?" + NUMBER + r")")),
    ("betrag", re.compile(TARIFF_PRICE_PATTERN)),
    ("prozent", re.compile(r"(?P<num>-?" + NUMBER + r")\s*(?:%|Prozent\b|v\.\s?H\.)", re.I)),
    ("tage", re.compile(r"(?P<num>-?" + NUMBER + r")\s*(?P<noun>Beratertage[n]?|Personentage[n]?|Arbeitstage[n]?|"
                        r"Tage[n]?|PT)\b")),
    ("stellen", re.compile(r"(?P<num>-?" + NUMBER + r")\s*(?P<noun>VZÄ|Vollzeitäquivalente[n]?|Vollzeitstellen|"
                           r"Planstellen|Planstelle|Stellen|Stelle)\b")),
    ("monate", re.compile(r"(?P<num>" + NUMBER + r")\s*Monate[n]?\b")),
    ("monate", re.compile(r"\b(?P<half>(?:ein(?:em)?\s+)?halbe[sn]?\s+Jahr(?:es)?|Jahresmitte|Mitte\s+des\s+Jahres|Halbjahr)\b", re.I)),
    ("jahr", re.compile(r"(?<![\d./])(?P<y>(?:19|20)\d{2})(?![\d])(?P<ff>\s*ff\.?)?")),
    # numbers that are no figures: a reference or fraction ("GRDrs 862/2021", "1/10-Anteil") and a house number
    ("verweis", re.compile(r"(?<![\w.,/])\d+/\d+(?:/\d+)?(?![\d,])")),
    ("adresse", re.compile(r"\b[A-ZÄÖÜ][\wäöüß.-]*(?:straße|strasse|allee|gasse|platz|weg|ring|damm|ufer)\s+\d{1,4}(?:\s?[a-z]\b)?(?!\d)")),
    # a number that names one of its kind, after the noun: "Bieter 7 hatte …", "landete auf Rang 5."
    ("nummer", re.compile(r"\b(?P<noun>[A-ZÄÖÜ][a-zäöüß]{2,}(?:-[A-Za-zÄÖÜäöüß]+)*)\s+\d{1,3}(?![\d.,]?\d)"
                          r"(?!\s*(?:[%€]|(?:" + MEASURE_UNITS + r")(?![\wäöüß²³])|(?:" + COUNT_ATTRIBUTE + r"){0,2}[A-ZÄÖÜ]))")),
    ("anzahl", re.compile(r"(?P<num>" + NUMBER + r")\s*(?P<x>x\s*)?(?P<adj>(?:" + COUNT_ATTRIBUTE + r"){0,2})"
                          r"(?P<noun>[A-ZÄÖÜ][\wäöüß-]+)")),
    ("zahl", re.compile(r"(?P<num>-?" + NUMBER + r")")),
]


class Quantity(BaseModel):
    """A quantity found in a text, with its verbatim text and character offsets in that text."""

    kind: QuantityKind
    text: str
    start: int
    end: int
    value: Decimal | None = None
    unit: str | None = None
    when: date | None = None
    preposition: str | None = None
    """``ab`` / ``zum`` / ``bis`` … before a date."""
    group: str | None = None
    """Entgelt-/Besoldungsgruppe(n) as written, alternatives kept (``A12/E11``)."""
    noun: str | None = None
    """The counted thing (``Hochdachkombis``, ``Beratertage``)."""
    multiplier: bool = False
    """Written as ``3x Hochdachkombi`` (a per-lot count)."""


def parse_quantities(text: str) -> list[Quantity]:
    """All quantities in ``text``, in order of appearance; each character belongs to at most one."""
    taken = [False] * len(text)
    found: list[Quantity] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(taken[match.start() : match.end()]):
                continue
            quantity = _quantity(kind, match)
            if quantity is None:
                continue
            found.append(quantity)
            for index in range(match.start(), match.end()):
                taken[index] = True
    return _propagate_units(text, sorted(found, key=lambda q: q.start))


_LIST_JOINER = re.compile(r"^\s*(?:,|\+|und|sowie|bzw\.|oder|plus)\s*$", re.I)


def _propagate_units(text: str, quantities: list[Quantity]) -> list[Quantity]:
    """``200 und 175 Beratertage`` / ``10 + 4 + 1 + 0,5 VZÄ``: bare numbers in a list take the unit
    of the list's last member."""
    result = list(quantities)
    for index in range(len(result) - 2, -1, -1):
        current, following = result[index], result[index + 1]
        if current.kind != "zahl" or following.kind not in ("betrag", "tage", "stellen", "prozent", "monate"):
            continue
        if not _LIST_JOINER.match(text[current.end : following.start]):
            continue
        value = current.value
        if following.kind == "betrag" and following.value is not None and current.value is not None:
            # ``1,2 und 3,4 Mio. EUR``: the scale of the last member applies to the list
            written = parse_german_number(re.search(NUMBER, following.text).group(0))  # type: ignore[union-attr]
            if written and following.value != written:
                value = current.value * (following.value / written)
        result[index] = current.model_copy(
            update={"kind": following.kind, "unit": following.unit, "noun": following.noun, "value": value}
        )
    return result


def _quantity(kind: QuantityKind, match: re.Match[str]) -> Quantity | None:
    def make(**fields: Any) -> Quantity:
        return Quantity(kind=kind, text=match.group(0), start=match.start(), end=match.end(), **fields)

    groups = match.groupdict()
    if kind == "datum":
        month = month_number(groups["mname"]) if groups.get("mname") else int(groups["m"])
        try:
            when = date(int(groups["y"]), month or 0, int(groups.get("d") or 1))
        except ValueError:
            return None
        prep = (groups.get("prep") or "").lower() or None
        return make(when=when, preposition=prep)
    if kind == "gruppe":
        return make(group=match.group(0).strip())
    if kind in ("verweis", "adresse"):
        return make()
    if kind == "nummer":  # "Tagessatz 800?" is a figure with its label, not the 800th rate
        return None if groups["noun"].lower().endswith(FIGURE_LABELS) else make(noun=groups["noun"])
    if kind == "monate":
        if groups.get("half"):
            return make(value=Decimal(6), unit="Monate")
        return make(value=parse_german_number(groups["num"]), unit="Monate")
    if kind == "jahr":
        return make(value=Decimal(groups["y"]), unit="ff." if groups.get("ff") else None)
    value = parse_german_number(groups["num"])
    if kind == "betrag":
        currency = (groups.get("cur") or "EUR").upper()
        if groups.get("scale"):
            value *= scale_factor(groups["scale"]) or 1
        if currency in ("TEUR", "T€"):
            value *= 1000
        return make(value=value, unit="EUR")
    if kind == "prozent":
        return make(value=value, unit="%")
    if kind == "tage":
        return make(value=value, unit="Tage", noun=groups["noun"])
    if kind == "stellen":
        noun = groups["noun"]
        return make(value=value, unit="VZÄ" if noun.startswith(("VZÄ", "Vollzeit")) else "Stellen", noun=noun)
    if kind == "anzahl":
        return make(value=value, noun=groups["noun"], multiplier=bool(groups.get("x")))
    return make(value=value)
