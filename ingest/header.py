"""The header of a Vorlage and the text primitives its metadata is read with.

The header is the part before the first section heading; most metadata fields live there. Shared by
the field strategies (``ingest.fields``), the title steps (``ingest.title``) and the Beratungsfolge
(``ingest.beratungsfolge``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from ingest.sections import iter_headings
from vorlagen.text import MONTH_PATTERN, month_number

VORLAGENARTEN: dict[str, str] = {
    # spelling in the document (lower case) -> canonical name
    "beschlussvorlage": "Beschlussvorlage",
    "beschlußvorlage": "Beschlussvorlage",
    "mitteilungsvorlage": "Mitteilungsvorlage",
    "informationsvorlage": "Informationsvorlage",
    "berichtsvorlage": "Berichtsvorlage",
    "sitzungsvorlage": "Sitzungsvorlage",
    "dringlichkeitsvorlage": "Dringlichkeitsvorlage",
    "sachstandsbericht": "Sachstandsbericht",
    "mitteilung": "Mitteilung",
    "änderungsantrag": "Änderungsantrag",
    "ergänzungsantrag": "Ergänzungsantrag",
    "haushaltsantrag": "Haushaltsantrag",
    "dringlichkeitsantrag": "Dringlichkeitsantrag",
    "antrag": "Antrag",
    "anfrage": "Anfrage",
    "stellungnahme": "Stellungnahme",
    "beantwortung": "Beantwortung",
    "niederschrift": "Niederschrift",
    "wortprotokoll": "Wortprotokoll",
    "protokoll": "Protokoll",
    "einladung": "Einladung",
}

NUMERIC_DATE = r"(?<![\d./])(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.\s?(?P<y>\d{4}|\d{2})(?![\d])"
_LONG_DATE = rf"(?<!\d)(?P<ld>\d{{1,2}})\.\s*(?P<lm>{MONTH_PATTERN})\.?\s+(?P<ly>\d{{4}})"
_US_DATE = r"(?<![\d/])(?P<um>\d{1,2})/(?P<ud>\d{1,2})/(?P<uy>\d{4})(?![\d/])"
DATE_PATTERN = re.compile(rf"{NUMERIC_DATE}|{_LONG_DATE}|{_US_DATE}", re.IGNORECASE)

TABLE_MARKER = re.compile(
    r"^\s*(?:Gremien|Gremium|Beratungsfolge|Vorlage an\b|Sitzungsart)", re.IGNORECASE | re.MULTILINE
)
"""The start of the Beratungsfolge table (the end of the labelled part of the header)."""
FOOTER = re.compile(
    rf"^\s*(?P<date>{NUMERIC_DATE})\s*\|\s*(?P<amt>[^|\n]{{3,120}}?)\s*\|\s*\d+\s*$", re.MULTILINE
)
"""A page footer "09.05.2023 | Amt … | 2" (Wiesbaden template)."""
KNOWN_LABEL = re.compile(
    r"^\s*(?:Vorlage\s*Nr\.?|Verantwortlich|Dienststelle|Eingang|Gz|GZ|Aktenzeichen|Telefon|Auskunft erteilt"
    r"|Datum|Referat|Amt|Fachbereich|Federführendes Amt)\s*:",
)
LABEL_LINE = re.compile(r"^\s*[\w./ -]{2,30}:(?:\s|$)")
BOILERPLATE = re.compile(r"^\s*(?:Gedruckt auf|(?:\d+\s*)?Prozent Recyclingpapier|\d+\s*$)|Gemeinderatsfraktion\s*$")
LABEL_REGION = 2000
"""Referat and Amt are read from the first characters of the header only (not from lists later)."""
_CONTINUES = ("für", "und", "-", ",", "&", "der", "des")


def parse_date_match(match: re.Match[str], prefix: str = "") -> date | None:
    """The date of a ``DATE_PATTERN`` match (group names optionally prefixed); None if invalid."""
    groups = {key[len(prefix) :]: value for key, value in match.groupdict().items() if key.startswith(prefix)}
    try:
        if groups.get("d"):
            year = int(groups["y"])
            return date(year + 2000 if year < 100 else year, int(groups["m"]), int(groups["d"]))
        if groups.get("ld"):
            return date(int(groups["ly"]), month_number(groups["lm"]) or 0, int(groups["ld"]))
        if groups.get("um"):
            return date(int(groups["uy"]), int(groups["um"]), int(groups["ud"]))
    except ValueError:
        return None
    return None


def find_dates(text: str) -> list[date]:
    return [found for match in DATE_PATTERN.finditer(text) if (found := parse_date_match(match))]


def normalize_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def join_lines(lines: Sequence[str]) -> str:
    """Lines of a wrapped title joined: "Branddi-" + "rektion" -> "Branddirektion"."""
    out = ""
    for line in (line.strip() for line in lines):
        if not line:
            continue
        if out.endswith("-") and line[:1].islower():
            out = out[:-1] + line
        elif out.endswith("-") and not out.endswith(" -"):
            out = out + line
        else:
            out = f"{out} {line}" if out else line
    return normalize_space(out)


def strip_markup(line: str) -> str:
    return re.sub(r"^#{1,6}\s*|\*\*|__", "", line).strip()


def header_of(text: str) -> str:
    """The part before the first section heading (headings in the first 3 lines are the
    document type, e.g. "Antrag", and do not end the header); at most 5,000 characters."""
    nonblank_seen = 0
    limit = min(len(text), 5000)
    first_lines_end = 0
    for line_match in re.finditer(r"[^\n]*\n?", text[:limit]):
        if line_match.group().strip():
            nonblank_seen += 1
            if nonblank_seen == 3:
                first_lines_end = line_match.end()
                break
    for heading in iter_headings(text, 0, limit):
        if heading.start >= first_lines_end:
            return text[: heading.start]
    return text[:limit]


def blocks_of(text: str) -> list[list[str]]:
    """Paragraph blocks: runs of non-blank lines (whitespace-only lines separate)."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def type_of_line(line: str) -> tuple[str, str] | None:
    """(canonical type, rest of line) if ``line`` starts with a document type word."""
    cleaned = strip_markup(line)
    match = re.match(r"^([A-Za-zÄÖÜäöüß]+)\b(.*)$", cleaned)
    if not match:
        return None
    word, rest = match.group(1).lower(), match.group(2)
    if word not in VORLAGENARTEN:
        return None
    rest_stripped = rest.strip()
    # "Antrag", "Stellungnahme zum Antrag", "Mitteilung an die Mitglieder", "Anfrage vom 30.01.2018",
    # "Antrag: Neubau …", "Beschlußvorlage" – not "Antrag an den Fachausschuss: Der …" in running text.
    if rest_stripped and not re.match(r"^(?::|zu[mr]?\b|an die\b|vom\b|des\b|der\b|Nr\b|\d|hier\b)", rest_stripped):
        return None
    return VORLAGENARTEN[word], rest_stripped


def is_bare_type_line(line: str) -> bool:
    found = type_of_line(line)
    return found is not None and not found[1]


def value_continuation(value: str, following: Sequence[str]) -> int:
    """How many of ``following`` lines continue a label's value ("Amt für" / "Hochbau und" /
    "Gebäudewirtschaft"): while the value so far is empty or ends open, or the next line is a
    single word; never across a blank line, another label or the Beratungsfolge table."""
    count, current = 0, value.strip()
    for line in following:
        stripped = line.strip()
        if not stripped or KNOWN_LABEL.match(line) or TABLE_MARKER.match(line) or type_of_line(line):
            break
        if current and not current.endswith(_CONTINUES) and (len(stripped.split()) > 1 or stripped.endswith(":")):
            break
        count += 1
        current = stripped
    return count
