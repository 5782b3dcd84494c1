"""Metadata of a Vorlage read from its text (files; OParl papers bring theirs along).

Every field is taken from an explicit statement in the document: a field the document does not
state stays ``None`` – nothing is guessed from file names or body text. The header of a
Vorlage (the part before its first section heading) is where most fields live.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel, Field

from ingest.sections import iter_headings
from vorlagen.cities import known_cities
from vorlagen.domain import Beratung, TextSpan, Vorlage
from vorlagen.text import MONTH_PATTERN, month_number

logger = logging.getLogger(__name__)

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

ROLES: tuple[str, ...] = (
    "Einbringung", "Vorberatung", "Beschlussfassung", "Beratung und Beschlussfassung",
    "Beratung und Empfehlung", "Entscheidung", "Kenntnisnahme", "Beratung", "Behandlung",
    "Anhörung", "Information", "Zustimmung", "Empfehlung",
)  # fmt: skip

_NUMERIC_DATE = r"(?<![\d./])(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.\s?(?P<y>\d{4}|\d{2})(?![\d])"
_LONG_DATE = rf"(?<!\d)(?P<ld>\d{{1,2}})\.\s*(?P<lm>{MONTH_PATTERN})\.?\s+(?P<ly>\d{{4}})"
_US_DATE = r"(?<![\d/])(?P<um>\d{1,2})/(?P<ud>\d{1,2})/(?P<uy>\d{4})(?![\d/])"
DATE_PATTERN = re.compile(rf"{_NUMERIC_DATE}|{_LONG_DATE}|{_US_DATE}", re.IGNORECASE)

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

_TABLE_MARKER = re.compile(
    r"^\s*(?:Gremien|Gremium|Beratungsfolge|Vorlage an\b|Sitzungsart)", re.IGNORECASE | re.MULTILINE
)
_SKIP_DATE_LINE = re.compile(r"^\s*(?:Anlage|Eingang|Beschluss\b|Telefon\s*:?\s*$)", re.IGNORECASE)
_FOOTER = re.compile(
    rf"^\s*(?P<date>{_NUMERIC_DATE})\s*\|\s*(?P<amt>[^|\n]{{3,120}}?)\s*\|\s*\d+\s*$", re.MULTILINE
)
_REFERAT = re.compile(
    r"^\s*(?:(?P<label>Referat|Dezernat(?:/e)?|Dez\.|Geschäftsbereich)\s*:?\s+(?P<value>\S[^\n]*)"
    r"|Verantwortlich\s*:\s*(?P<verantwortlich>Dez(?:ernat|\.)\s*[\w/ -]+?))\s*$",
    re.MULTILINE,
)
_AMT = re.compile(r"^\s*(?:Dienststelle|Amt|Fachbereich|Federführendes Amt)\s*:[ \t]*(?P<value>[^\n]*)$", re.MULTILINE)
_BETREFF = re.compile(r"^\s*Betreff\s*:?[ \t]*(?P<rest>[^\n]*)$", re.MULTILINE | re.IGNORECASE)
_PARTY_LINE = re.compile(r"^\s*(?:Antrag|Anfrage|Änderungsantrag|Ergänzungsantrag)\s*:\s*\S")
_LABEL_LINE = re.compile(r"^\s*[\w./ -]{2,30}:(?:\s|$)")
_KNOWN_LABEL = re.compile(
    r"^\s*(?:Vorlage\s*Nr\.?|Verantwortlich|Dienststelle|Eingang|Gz|GZ|Aktenzeichen|Telefon|Auskunft erteilt"
    r"|Datum|Referat|Amt|Fachbereich|Federführendes Amt)\s*:",
)
_BOILERPLATE = re.compile(r"^\s*(?:Gedruckt auf|(?:\d+\s*)?Prozent Recyclingpapier|\d+\s*$)|Gemeinderatsfraktion\s*$")
_LABEL_REGION = 2000
"""Referat and Amt are read from the first characters of the header only (not from lists later)."""
_CONTINUES = ("für", "und", "-", ",", "&", "der", "des")
# A row of a Beratungsfolge table: "Gremium <date> [TOP] [Ö|N|öffentlich] [Rolle]". The date
# alternatives of DATE_PATTERN are embedded with their group names prefixed "r" (unique names).
_ROW = re.compile(
    r"^\s*(?P<gremium>[A-ZÄÖÜ][^\d\n]{2,60}?)\s+(?:[\d./]+/)?(?P<date>"
    + DATE_PATTERN.pattern.replace("?P<", "?P<r")
    + r")\s*(?:(?P<top>\d{1,3}(?:\.\d{1,2})?)\s+)?(?P<oe>nicht öffentlich|öffentlich|Ö|N|ö|nö|n|X|x)?\s*(?P<rolle>[^\n]*)$",
)


class VorlageMetadata(BaseModel):
    """The metadata fields of a ``Vorlage`` as stated in its text (None: not stated)."""

    drucksache: str | None = None
    title: str | None = None
    datum: date | None = None
    vorlagenart: str | None = None
    referat: str | None = None
    amt: str | None = None
    stadt: str | None = None
    beratungsfolge: list[Beratung] = Field(default_factory=list)


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


def _normalize_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _join_lines(lines: Sequence[str]) -> str:
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
    return _normalize_space(out)


def _strip_markup(line: str) -> str:
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


def _blocks(text: str) -> list[list[str]]:
    """Paragraph blocks: runs of non-blank lines (whitespace-only lines separate)."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _value_continuation(value: str, following: Sequence[str]) -> int:
    """How many of ``following`` lines continue a label's value ("Amt für" / "Hochbau und" /
    "Gebäudewirtschaft"): while the value so far is empty or ends open, or the next line is a
    single word; never across a blank line, another label or the Beratungsfolge table."""
    count, current = 0, value.strip()
    for line in following:
        stripped = line.strip()
        if not stripped or _KNOWN_LABEL.match(line) or _TABLE_MARKER.match(line) or _type_of_line(line):
            break
        if current and not current.endswith(_CONTINUES) and (len(stripped.split()) > 1 or stripped.endswith(":")):
            break
        count += 1
        current = stripped
    return count


def extract_drucksache(header: str, text: str) -> str | None:
    for region in (header, text[:8000]):
        for pattern in _DRUCKSACHE_PATTERNS:
            match = pattern.search(region)
            if match:
                return _normalize_space(match.group("ds"))
    return None


def _type_of_line(line: str) -> tuple[str, str] | None:
    """(canonical type, rest of line) if ``line`` starts with a document type word."""
    cleaned = _strip_markup(line)
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


def _is_bare_type_line(line: str) -> bool:
    found = _type_of_line(line)
    return found is not None and not found[1]


def extract_vorlagenart(header_lines: Sequence[str], title: str | None) -> str | None:
    for line in header_lines[:40]:
        found = _type_of_line(line)
        if found:
            return found[0]
    if title:
        first = re.match(r"^([A-Za-zÄÖÜäöüß]+)", title)
        if first and first.group(1).lower() in VORLAGENARTEN:
            return VORLAGENARTEN[first.group(1).lower()]
    return None


def _looks_like_title(candidate: str) -> bool:
    if not 8 <= len(candidate) <= 300:
        return False
    if DATE_PATTERN.search(candidate) or _LABEL_LINE.match(candidate) or candidate.endswith((":", ".")):
        return False
    if _type_of_line(candidate) or re.search(r"\bNr\.|\bGZ\b|Seite \d", candidate):
        return False
    if re.match(r"^(?:Sehr geehrte|Liebe |Herzliche|Mit freundlichen|Öffentliche Tagesordnung)", candidate):
        return False
    words = re.findall(r"[A-Za-zÄÖÜäöüß]{3,}", candidate)
    return len(words) >= 2


def extract_title(header: str, *, ends_at_heading: bool) -> str | None:
    lines = header.splitlines()
    # 1. an explicit "Betreff" (same line, or the next non-blank line; hyphenated continuation)
    betreff = _BETREFF.search(header)
    if betreff:
        following = header[betreff.end() :].splitlines()[1:]
        value_lines = [betreff.group("rest")] if betreff.group("rest").strip() else []
        rest_iter = iter(following)
        if not value_lines:
            value_lines = [next((line for line in rest_iter if line.strip()), "")]
        for line in rest_iter:
            if value_lines[-1].rstrip().endswith("-") and line.strip():
                value_lines.append(line)
            else:
                break
        value = _join_lines(value_lines)
        if value:
            return value
    blocks = _blocks(header)
    # 2. the lines between the labels (Vorlage Nr., Dienststelle …) and the Beratungsfolge table
    marker = _TABLE_MARKER.search(header)
    if marker:
        region = header[: marker.start()].splitlines()
        labels = [i for i, line in enumerate(region) if _KNOWN_LABEL.match(line)]
        if labels:
            last = labels[-1]
            value = _KNOWN_LABEL.sub("", region[last])
            start = last + 1 + _value_continuation(value, region[last + 1 :])
            block = [
                line for line in region[start:]
                if line.strip() and not _PARTY_LINE.match(line) and not _BOILERPLATE.search(line)
                and not _is_bare_type_line(line)
            ]
            candidate = _join_lines(block)
            clean = not any(DATE_PATTERN.search(line) for line in block)
            if block and clean and 8 <= len(candidate) <= 300:
                return candidate
    # 3. the line right before the first section heading (Nordstemmen layout)
    nonblank = [line for line in lines if line.strip()]
    if ends_at_heading and len(nonblank) > 3:
        last = _strip_markup(nonblank[-1])
        if _looks_like_title(last) and not re.search(r"\d", last) and not _TABLE_MARKER.match(nonblank[-2]):
            return last
    # 4. around the document type line: "Antrag: Titel", "Antrag\nhier: Titel", the block before
    #    it (Stuttgart), or the blocks after it (Markdown Mitteilung)
    for index, block in enumerate(blocks):
        for position, line in enumerate(block):
            found = _type_of_line(line)
            if not found:
                continue
            rest = found[1].lstrip(":").strip()
            if found[1].startswith(":") and _looks_like_title(rest):
                return rest
            after = block[position + 1 :]
            if after and after[0].strip().lower().startswith("hier:"):
                return _join_lines([after[0].strip()[5:]])
            if position == 0 and index > 0:
                candidate = _join_lines([_strip_markup(x) for x in blocks[index - 1]])
                if _looks_like_title(candidate) and len(blocks[index - 1]) <= 3:
                    return candidate
            for later in (block for block in blocks[index + 1 : index + 4] if len(block) == 1):
                candidate = _join_lines([_strip_markup(x) for x in later if not _BOILERPLATE.search(x)])
                if _looks_like_title(candidate):
                    return candidate
            return None
    return None


def extract_datum(header: str, text: str, cities: Sequence[str]) -> date | None:
    # 1. a page footer "09.05.2023 | Amt … | 2" (Wiesbaden template)
    footer = _FOOTER.search(text)
    if footer:
        found = parse_date_match(DATE_PATTERN.match(footer.group("date")))  # type: ignore[arg-type]
        if found:
            return found
    # 2. a dateline "Stuttgart, 22.06.2018" / "Erlangen, den 20. Februar 2025"
    city_names = "|".join(re.escape(city) for city in cities)
    dateline = re.compile(
        rf"(?:\b(?:{city_names})|^[ \t]*[A-ZÄÖÜ][a-zäöüß]+),[ \t]*\n?[ \t]*(?:den[ \t]+)?(?P<date>{DATE_PATTERN.pattern})",
        re.MULTILINE | re.IGNORECASE,
    )
    match = dateline.search(text)
    if match:
        found = parse_date_match(DATE_PATTERN.search(match.group("date")))  # type: ignore[arg-type]
        if found:
            return found
    # 3. the first date of the header before the Beratungsfolge table
    marker = _TABLE_MARKER.search(header)
    region = header[: marker.start()] if marker else header
    for line in region.splitlines():
        if _SKIP_DATE_LINE.match(line):
            continue
        dates = find_dates(line)
        if dates:
            return dates[0]
    return None


def extract_referat(header: str) -> str | None:
    for match in _REFERAT.finditer(header):
        if match.group("verantwortlich"):
            value = _normalize_space(match.group("verantwortlich"))
            number = re.sub(r"^Dez(?:ernat|\.)\s*", "", value)
            return f"Dezernat {number}" if number else None
        label, value = match.group("label"), _normalize_space(match.group("value"))
        if not value or value.endswith(":") or len(value) > 60 or "," in value:
            continue
        if label.startswith("Dez"):
            return f"Dezernat {value}"
        return f"{label} {value}"
    return None


def extract_amt(header: str, text: str) -> str | None:
    footer = _FOOTER.search(text)
    for block in _blocks(header):
        for position, line in enumerate(block):
            match = _AMT.match(line)
            if not match:
                continue
            head = match.group("value").strip()
            value_lines = [head] + block[position + 1 : position + 1 + _value_continuation(head, block[position + 1 :])]
            value = _join_lines(value_lines)
            if value:
                return value
    if footer:
        return _normalize_space(footer.group("amt"))
    return None


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


def _role(text: str) -> str | None:
    cleaned = _normalize_space(text)
    for role in sorted(ROLES, key=len, reverse=True):
        if cleaned.lower().startswith(role.lower()):
            return role
    return None


def _flattened_beratungsfolge(header: str) -> list[Beratung]:
    """The Stuttgart table, flattened column by column: gremien, roles, öffentlich, dates."""
    match = re.search(r"Sitzungstermin[^\n]*\n(?P<body>(?:[ \t]*\S[^\n]*\n?)+)", header)
    if not match:
        return []
    gremien: list[str] = []
    rollen: list[str] = []
    status: list[bool] = []
    dates: list[date] = []
    for line in match.group("body").splitlines():
        value = line.strip()
        if re.fullmatch(r"(nicht )?öffentlich", value, re.IGNORECASE):
            status.append(not value.lower().startswith("nicht"))
        elif found := find_dates(value):
            dates.append(found[0])
        elif role := _role(value):
            rollen.append(role)
        elif value:
            gremien.append(value)
    if not gremien or len(rollen) != len(gremien) or len(dates) != len(gremien):
        return []
    return [
        Beratung(
            gremium=gremium,
            rolle=rollen[i],
            datum=dates[i],
            oeffentlich=status[i] if len(status) == len(gremien) else None,
        )
        for i, gremium in enumerate(gremien)
    ]


def _row_beratungsfolge(header: str) -> list[Beratung]:
    """Row tables: "Bauausschuss 11.01.2024 2 Ö Entscheidung" (Karlsruhe, Nordstemmen)."""
    marker = _TABLE_MARKER.search(header)
    if not marker:
        return []
    result: list[Beratung] = []
    for line in header[marker.end() :].splitlines():
        if not line.strip():
            if result:
                break
            continue
        match = _ROW.match(line)
        if not match:
            continue
        gremium = _normalize_space(match.group("gremium"))
        when = parse_date_match(DATE_PATTERN.search(match.group("date")))  # type: ignore[arg-type]
        rest = (match.group("rolle") or "").strip()
        rolle = _role(rest)
        status = (match.group("oe") or "").lower()
        if not when or (rest and not rolle and not status):
            continue
        oeffentlich = {"ö": True, "öffentlich": True, "n": False, "nö": False, "nicht öffentlich": False}.get(status)
        result.append(Beratung(gremium=gremium, rolle=rolle, datum=when, oeffentlich=oeffentlich))
    return result


def extract_beratungsfolge(header: str) -> list[Beratung]:
    return _flattened_beratungsfolge(header) or _row_beratungsfolge(header)


def extract_metadata(
    text: str,
    *,
    source_name: str,
    default_city: str | None = None,
    cities: Sequence[str] | None = None,
) -> VorlageMetadata:
    """Metadata stated in ``text``; ``default_city`` where the text names no known city.

    ``cities``: the city names to recognise (default: ``vorlagen/data/cities.json``).
    """
    city_names = tuple(cities) if cities is not None else known_cities()
    header = header_of(text)
    title = extract_title(header, ends_at_heading=len(header) < min(len(text), 5000))
    metadata = VorlageMetadata(
        drucksache=extract_drucksache(header, text),
        title=title,
        datum=extract_datum(header, text, city_names),
        vorlagenart=extract_vorlagenart(header.splitlines(), title),
        referat=extract_referat(header[:_LABEL_REGION]),
        amt=extract_amt(header[:_LABEL_REGION], text),
        stadt=extract_stadt(text, city_names) or default_city,
        beratungsfolge=extract_beratungsfolge(header),
    )
    logger.debug("Metadaten von %s: %s", source_name, metadata.model_dump(exclude_none=True))
    return metadata


def build_vorlage(
    *,
    text: str,
    source: str,
    source_name: str,
    doc_id: str | None = None,
    spans: list[TextSpan] | None = None,
    default_city: str | None = None,
    cities: Sequence[str] | None = None,
) -> Vorlage:
    """A ``Vorlage`` of a file: its text plus the metadata the text states."""
    metadata = extract_metadata(text, source_name=source_name, default_city=default_city, cities=cities)
    return Vorlage(
        doc_id=doc_id or source_name,
        source=source,
        source_name=source_name,
        text=text,
        spans=spans or [],
        **metadata.model_dump(),
    )
