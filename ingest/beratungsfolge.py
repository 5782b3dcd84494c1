"""The Beratungsfolge of a Vorlage: which bodies handle it, in which role, when.

Two table layouts, tried in order: the flattened Stuttgart table (column by column) and row tables
("Bauausschuss 11.01.2024 2 Ö Entscheidung", Karlsruhe and Nordstemmen).
"""

from __future__ import annotations

import re
from datetime import date

from ingest.header import DATE_PATTERN, TABLE_MARKER, find_dates, normalize_space, parse_date_match
from vorlagen.domain import Beratung

ROLES: tuple[str, ...] = (
    "Einbringung", "Vorberatung", "Beschlussfassung", "Beratung und Beschlussfassung",
    "Beratung und Empfehlung", "Entscheidung", "Kenntnisnahme", "Beratung", "Behandlung",
    "Anhörung", "Information", "Zustimmung", "Empfehlung",
)  # fmt: skip

# A row of a Beratungsfolge table: "Gremium <date> [TOP] [Ö|N|öffentlich] [Rolle]". The date
# alternatives of DATE_PATTERN are embedded with their group names prefixed "r" (unique names).
_ROW = re.compile(
    r"^\s*(?P<gremium>[A-ZÄÖÜ][^\d\n]{2,60}?)\s+(?:[\d./]+/)?(?P<date>"
    + DATE_PATTERN.pattern.replace("?P<", "?P<r")
    + r")\s*(?:(?P<top>\d{1,3}(?:\.\d{1,2})?)\s+)?(?P<oe>nicht öffentlich|öffentlich|Ö|N|ö|nö|n|X|x)?\s*(?P<rolle>[^\n]*)$",
)


def _role(text: str) -> str | None:
    cleaned = normalize_space(text)
    for role in sorted(ROLES, key=len, reverse=True):
        if cleaned.lower().startswith(role.lower()):
            return role
    return None


def flattened_beratungsfolge(header: str) -> list[Beratung]:
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


def row_beratungsfolge(header: str) -> list[Beratung]:
    """Row tables: "Bauausschuss 11.01.2024 2 Ö Entscheidung" (Karlsruhe, Nordstemmen)."""
    marker = TABLE_MARKER.search(header)
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
        gremium = normalize_space(match.group("gremium"))
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
    return flattened_beratungsfolge(header) or row_beratungsfolge(header)
