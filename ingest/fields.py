"""The metadata fields of a Vorlage other than title and Beratungsfolge: one function per field, and
one per strategy where a field has several (tried in order; the first that finds a value wins).

Every value comes from an explicit statement in the document; a field it does not state stays None.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from ingest.header import (
    DATE_PATTERN,
    FOOTER,
    TABLE_MARKER,
    VORLAGENARTEN,
    blocks_of,
    find_dates,
    join_lines,
    normalize_space,
    parse_date_match,
    type_of_line,
    value_continuation,
)

_DRUCKSACHE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\b(?P<ds>GRDrs\.?\s*\d{1,4}/\d{4})"),
    re.compile(r"\b(?P<ds>WP\s*\d{2}-\d{2}\s+SV\s*\d{1,3}/\d{1,4})"),
    re.compile(r"(?<![\w-])(?P<ds>SV\s*\d{1,3}/\d{1,4})\b"),
    re.compile(r"Vorlage(?:\s*-?\s*Nr\.?)?\s*:\s*(?P<ds>\d{4}/\d{3,4}(?:/\d{1,3})?)"),
    re.compile(r"(?<![\w-])(?P<ds>DS\s*\d{1,4}/\d{4})\b"),
    re.compile(r"Drucksachen?(?:-?\s*Nr\.?|nummer)?\s*:?\s*(?P<ds>[A-Z]{0,6}\s?\d[\d/.-]*\d)"),
    re.compile(
        r"(?:Anfrage|Antrag|Haushaltsantrag|Änderungsantrag)\s+(?:vom\s+\S+\s+)?Nr\.\s*(?P<ds>\d{1,5}/\d{4})"
    ),
    re.compile(r"^\s*Nr\.\s*(?P<ds>\d{1,5}/\d{4})\s*$", re.MULTILINE),
    re.compile(r"(?:zur|zum)\s+(?:Anfrage|Antrag)\s+(?:Nr\.\s*)?(?P<ds>\d{1,5}/\d{4})"),
)
_SKIP_DATE_LINE = re.compile(r"^\s*(?:Anlage|Eingang|Beschluss\b|Telefon\s*:?\s*$)", re.IGNORECASE)
_REFERAT = re.compile(
    r"^\s*(?:(?P<label>Referat|Dezernat(?:/e)?|Dez\.|Geschäftsbereich)\s*:?\s+(?P<value>\S[^\n]*)"
    r"|Verantwortlich\s*:\s*(?P<verantwortlich>Dez(?:ernat|\.)\s*[\w/ -]+?))\s*$",
    re.MULTILINE,
)
_AMT = re.compile(r"^\s*(?:Dienststelle|Amt|Fachbereich|Federführendes Amt)\s*:[ \t]*(?P<value>[^\n]*)$", re.MULTILINE)


# ---- Drucksachennummer ------------------------------------------------------------------------


def extract_drucksache(header: str, text: str) -> str | None:
    """The first known number format, in the header first, then in the first 8,000 characters."""
    for region in (header, text[:8000]):
        for pattern in _DRUCKSACHE_PATTERNS:
            match = pattern.search(region)
            if match:
                return normalize_space(match.group("ds"))
    return None


# ---- Vorlagenart --------------------------------------------------------------------------------


def extract_vorlagenart(header_lines: Sequence[str], title: str | None) -> str | None:
    """A document type line in the first 40 header lines, else the title's first word."""
    for line in header_lines[:40]:
        found = type_of_line(line)
        if found:
            return found[0]
    if title:
        first = re.match(r"^([A-Za-zÄÖÜäöüß]+)", title)
        if first and first.group(1).lower() in VORLAGENARTEN:
            return VORLAGENARTEN[first.group(1).lower()]
    return None


# ---- Datum --------------------------------------------------------------------------------------


def datum_from_footer(text: str) -> date | None:
    """A page footer "09.05.2023 | Amt … | 2" (Wiesbaden template)."""
    footer = FOOTER.search(text)
    if not footer:
        return None
    return parse_date_match(DATE_PATTERN.match(footer.group("date")))  # type: ignore[arg-type]


def datum_from_dateline(text: str, cities: Sequence[str]) -> date | None:
    """A dateline "Stuttgart, 22.06.2018" / "Erlangen, den 20. Februar 2025"."""
    city_names = "|".join(re.escape(city) for city in cities)
    dateline = re.compile(
        rf"(?:\b(?:{city_names})|^[ \t]*[A-ZÄÖÜ][a-zäöüß]+),[ \t]*\n?[ \t]*(?:den[ \t]+)?(?P<date>{DATE_PATTERN.pattern})",
        re.MULTILINE | re.IGNORECASE,
    )
    match = dateline.search(text)
    if not match:
        return None
    return parse_date_match(DATE_PATTERN.search(match.group("date")))  # type: ignore[arg-type]


def datum_from_header(header: str) -> date | None:
    """The first date of the header before the Beratungsfolge table (not on Anlage/Eingang lines)."""
    marker = TABLE_MARKER.search(header)
    region = header[: marker.start()] if marker else header
    for line in region.splitlines():
        if _SKIP_DATE_LINE.match(line):
            continue
        dates = find_dates(line)
        if dates:
            return dates[0]
    return None


def extract_datum(header: str, text: str, cities: Sequence[str]) -> date | None:
    return datum_from_footer(text) or datum_from_dateline(text, cities) or datum_from_header(header)


# ---- Referat, Amt -------------------------------------------------------------------------------


def extract_referat(header: str) -> str | None:
    """"Referat …", "Dezernat/e …", "Geschäftsbereich …" or "Verantwortlich: Dez. …"."""
    for match in _REFERAT.finditer(header):
        if match.group("verantwortlich"):
            value = normalize_space(match.group("verantwortlich"))
            number = re.sub(r"^Dez(?:ernat|\.)\s*", "", value)
            return f"Dezernat {number}" if number else None
        label, value = match.group("label"), normalize_space(match.group("value"))
        if not value or value.endswith(":") or len(value) > 60 or "," in value:
            continue
        if label.startswith("Dez"):
            return f"Dezernat {value}"
        return f"{label} {value}"
    return None


def amt_from_label(header: str) -> str | None:
    """"Dienststelle:", "Amt:", "Fachbereich:" … with the lines that continue the value."""
    for block in blocks_of(header):
        for position, line in enumerate(block):
            match = _AMT.match(line)
            if not match:
                continue
            head = match.group("value").strip()
            value_lines = [head] + block[position + 1 : position + 1 + value_continuation(head, block[position + 1 :])]
            value = join_lines(value_lines)
            if value:
                return value
    return None


def amt_from_footer(text: str) -> str | None:
    """The Amt of a page footer "09.05.2023 | Amt … | 2"."""
    footer = FOOTER.search(text)
    return normalize_space(footer.group("amt")) if footer else None


def extract_amt(header: str, text: str) -> str | None:
    return amt_from_label(header) or amt_from_footer(text)


# ---- Stadt --------------------------------------------------------------------------------------


def extract_stadt(text: str, cities: Sequence[str]) -> str | None:
    """The first city named as "Landeshauptstadt/Stadt/Gemeinde X", "12345 X" or in a dateline."""
    dehyphenated = re.sub(r"-\n\s*", "", text)
    names = "|".join(sorted((re.escape(city) for city in cities), key=len, reverse=True))
    pattern = re.compile(
        rf"(?:\b(?:Landeshauptstadt|Hansestadt|Universitätsstadt|Bundesstadt|Kreisstadt|Stadt|Gemeinde)\s+"
        rf"|\b\d{{5}}\s+)(?P<city>{names})\b|\b(?P<dateline>{names}),\s*(?:den\s+)?\d",
    )
    match = pattern.search(dehyphenated)
    if not match:
        return None
    return match.group("city") or match.group("dateline")
