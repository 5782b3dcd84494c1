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


_ELIDED = re.compile(r"^(?P<first>\w+)-\s+(?:und|oder|sowie)\s+(?P<second>\w+)$")
"""A Gremium named with a German elision: "Haupt- und Finanzausschuss" (= Hauptausschuss und Finanzausschuss)."""


def _names_of(gremium: str) -> set[str]:
    """The Gremium's name (casefolded) and, for an elided name, the second word and each compound of the first word
    with an ending of the second ("haupt- und finanzausschuss" also as "finanzausschuss", "hauptausschuss", …)."""
    name = normalize_space(gremium).casefold()
    names = {name}
    if match := _ELIDED.match(name):
        second = match.group("second")
        names |= {second} | {match.group("first") + second[i:] for i in range(1, len(second) - 3)}
    return names


def _same_step(recorded: Beratung, stated: Beratung) -> bool:
    """The same meeting: on the same day (any day when the record has none) one Gremium name contains the other
    ("Gemeinderat", "Gemeinderat Karlsruhe"), or an elided name stands for the other ("Haupt- und
    Finanzausschuss", "Hauptausschuss"). Other names count as other steps: a step shown twice is better than a
    step lost."""
    if recorded.datum is not None and recorded.datum != stated.datum:
        return False
    first, second = _names_of(recorded.gremium), _names_of(stated.gremium)
    return bool(first & second) or any(a in b or b in a for a in first for b in second if len(a) > 3 < len(b))


def merged_beratungsfolge(recorded: list[Beratung], stated: list[Beratung]) -> list[Beratung]:
    """The Beratungsfolge a council's API records, completed by the table on the Vorlage's cover page.

    An OParl server often lists only some consultations (Karlsruhe: one in five papers lists fewer than the
    table on its first page, typically the final decision without the Vorberatung in committees). Each
    recorded step stays, completed by the table's role and date where the record has none; each step of the
    table that no record covers is added. Ordered by date, steps without a date last."""
    steps: list[Beratung] = []
    covered: set[int] = set()
    for step in recorded:
        matches = [i for i, line in enumerate(stated) if _same_step(step, line)]
        covered.update(matches)
        if matches:
            match = stated[matches[0]]
            step = step.model_copy(update={"rolle": step.rolle or match.rolle, "datum": step.datum or match.datum})
        steps.append(step)
    steps += [line for i, line in enumerate(stated) if i not in covered]
    return sorted(steps, key=lambda step: (step.datum is None, step.datum or date.min))
