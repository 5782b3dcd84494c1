"""Placing the figures of a one-line request: positions, consulting days, costs and years.

``Reading`` holds the prepared line (``line.Line``), its quantities (``assistant.costs`` lexer) and which
characters a field has already taken; each ``read_*`` function places what it understands and marks it
taken. What no reader places is reported as unassigned by ``request.parse_request_line``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from pydantic import BaseModel

from assistant.costs.models import CostError
from assistant.costs.quantities import NUMBER, Quantity, parse_quantities
from assistant.costs.tables import normalize_group
from assistant.drafting.line import POSITION_NOUN, Line
from vorlagen.domain import DraftOtherCost, DraftPosition
from vorlagen.formatting import parse_german_number


class UnassignedFigure(BaseModel):
    """A figure of the request that no field took, with the reason (German)."""

    text: str
    grund: str


@dataclass
class Reading:
    line: Line
    quantities: list[Quantity] = field(default_factory=list)
    taken: list[bool] = field(default_factory=list)
    unassigned: list[UnassignedFigure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cuts: list[int] = field(default_factory=list)
    """Where structured parts begin (the Betreff ends before the first)."""
    positions: list[DraftPosition] = field(default_factory=list)
    days: dict[int | None, Decimal] = field(default_factory=dict)
    rate: Decimal | None = None
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    """Where the values of a field stand (``Beratertage``, ``Tagessatz``): to name them if they stay unused."""
    material: dict[int | None, Decimal] = field(default_factory=dict)
    others: list[DraftOtherCost] = field(default_factory=list)
    years: set[int] = field(default_factory=set)
    once: list[tuple[str, Decimal]] = field(default_factory=list)
    """One-off costs without a year: placed in the first Haushaltsjahr once it is known."""

    def __post_init__(self) -> None:
        self.quantities = parse_quantities(self.line.text)
        self.taken = [False] * (len(self.line.text) + 1)

    @property
    def text(self) -> str:
        return self.line.text

    def take(self, start: int, end: int, cut: bool = True) -> None:
        for index in range(start, end):
            self.taken[index] = True
        if cut:
            self.cuts.append(start)

    def clause_of(self, offset: int) -> tuple[int, int]:
        return next(((s, e) for s, e in self.line.clauses() if s <= offset < e), (0, len(self.text)))

    def is_free(self, start: int, end: int) -> bool:
        return not any(self.taken[start:end])

    def free(self, *kinds: str) -> list[Quantity]:
        return [q for q in self.quantities if q.kind in kinds and self.is_free(q.start, q.end)]

    def reject(self, start: int, end: int, reason: str) -> None:
        self.unassigned.append(UnassignedFigure(text=self.line.source(start, end), grund=reason))
        self.take(start, end)


# --- value ranges ---------------------------------------------------------------------------------

_VALUE_RANGE = re.compile(rf"(?P<a>{NUMBER})\s*(?:bis|–|-)\s*(?P<b>{NUMBER})")


def read_ranges(reading: Reading) -> None:
    """„40 bis 60 Beratertage“: a range is no value; both ends are named as unassigned."""
    for match in _VALUE_RANGE.finditer(reading.text):
        a, b = match.group("a"), match.group("b")
        if re.fullmatch(r"(?:19|20)\d{2}", a) and re.fullmatch(r"(?:19|20)\d{2}", b):
            continue  # a range of years
        if not reading.is_free(match.start(), match.end()):
            continue
        end = max([q.end for q in reading.quantities if q.start == match.start("b")] + [match.end()])
        reading.reject(match.start(), end, "Spanne – bitte einen Wert angeben")


# --- positions ---------------------------------------------------------------------------------

_POSITION = re.compile(
    rf"(?:(?P<num>{NUMBER})\s+)?(?P<adj>(?:(?:neue|zusätzliche|weitere|befristete|unbefristete|halbe)[nrms]?\s+){{0,2}})"
    rf"(?P<noun>{POSITION_NOUN})\b"
)
_PER_POSITION = re.compile(r"^\s*(?:mit\s+)?(?:je|jeweils|zu\s+je|à)\s*$", re.I)
_GROUP_GLUE = re.compile(r"^[\s,:(]*(?:(?:der|in|nach|mit|Entgeltgruppe|Besoldungsgruppe|EG|jeweils|je)\s*)*$", re.I)


@dataclass
class _Found:
    start: int
    end: int
    count: Decimal | None
    noun: str
    half: bool
    vza: Decimal | None = None
    group: Quantity | None = None


def _end_after(start: date, months: int) -> date:
    """The last day of a term of ``months`` from ``start`` (01.07.2027 + 24 months → 30.06.2029)."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1])) - timedelta(days=1)


def _starts(reading: Reading) -> list[Quantity]:
    return [q for q in reading.free("datum") if q.when and q.preposition in (None, "ab", "zum", "vom")]


def _ends(reading: Reading) -> list[Quantity]:
    return [q for q in reading.free("datum") if q.when and q.preposition == "bis"]


def _segment(found: list[_Found], index: int, length: int) -> tuple[int, int]:
    return found[index].start, found[index + 1].start if index + 1 < len(found) else length


def read_positions(reading: Reading) -> None:
    """„3 Stellen E 11 und eine Stelle E 13 ab 01.07.2027, befristet auf zwei Jahre“: one group per count
    with its Entgeltgruppe, VZÄ, start and end."""
    text = reading.text
    found: list[_Found] = []
    for match in _POSITION.finditer(text):
        if not reading.is_free(match.start(), match.end()):
            continue
        number = parse_german_number(match.group("num")) if match.group("num") else None
        noun = match.group("noun")
        half = "halbe" in match.group("adj").lower()
        if number is None and (noun.endswith("n") and noun != "Vollkraft" or noun == "VZÄ"):
            continue  # „Stellen“ without a count
        if found and noun in ("VZÄ", "Vollzeitäquivalente", "Vollzeitäquivalent") and number is not None:
            previous = found[-1]
            if _PER_POSITION.match(text[previous.end : match.start()]) and previous.vza is None:
                previous.vza, previous.end = number, match.end()
                continue
        found.append(_Found(match.start(), match.end(), number, noun, half))
    groups = reading.free("gruppe")
    used_groups: set[int] = set()
    for index, item in enumerate(found):
        _, segment_end = _segment(found, index, len(text))
        following = [g for g in groups if item.end <= g.start < min(segment_end, item.end + 80) and g.start not in used_groups]
        following = [g for g in following if _GROUP_GLUE.match(text[item.end : g.start]) or g.start - item.end < 60]
        before_limit = found[index - 1].end if index else 0
        preceding = [g for g in groups if before_limit <= g.start and g.end <= item.start and item.start - g.end < 40
                     and g.start not in used_groups]
        group = following[0] if following else (preceding[-1] if preceding else None)
        if group is not None:
            used_groups.add(group.start)
            item.group = group
    starts, ends = _starts(reading), _ends(reading)
    distinct_starts = {q.when for q in starts}
    placed: list[_Found] = []  # the found counts that became positions, in the order of ``reading.positions``
    for index, item in enumerate(found):
        segment = _segment(found, index, len(text))
        count_text = reading.line.source(item.start, item.end)
        if item.group is None and (item.count is None or re.match(r"(?i)ein", count_text)):
            continue  # „Schaffung einer Stelle Digitalisierungslotse“: wording, no figure of the author
        if item.group is None:
            reading.reject(item.start, item.end, "Entgeltgruppe fehlt (z. B. „E 12“) – die Stellen sind nicht übernommen")
            continue
        try:
            group = "/".join(normalize_group(part) for part in (item.group.group or "").split("/"))
        except CostError as error:
            reading.reject(item.start, item.group.end, str(error))
            continue
        own = [q for q in starts if segment[0] <= q.start < segment[1]]
        if own:
            start_q: Quantity | None = own[0]
        elif len(distinct_starts) == 1:
            start_q = starts[0]
        else:
            before = [q for q in starts if q.start < item.start]
            start_q = before[-1] if before else (starts[0] if starts else None)
        if start_q is None or start_q.when is None:
            if reading.line.named_years():
                year = min(reading.line.named_years())
                start = date(year, 1, 1)
                reading.notes.append(f"Zu „{count_text}“ ist kein Beginn genannt; angenommen: 01.01.{year}.")
            else:
                reading.reject(item.start, item.group.end, "Beginn fehlt (z. B. „zum 01.04.2027“) – die Stellen sind nicht übernommen")
                continue
        else:
            start = start_q.when
        value = item.count if item.count is not None else Decimal(1)
        whole = value == value.to_integral()
        anzahl = int(value) if whole else 1
        vza = item.vza if item.vza is not None else (Decimal("0.5") if item.half else (Decimal(1) if whole else value))
        reading.positions.append(DraftPosition(anzahl=anzahl, vza=vza, gruppe=group, ab=start))
        placed.append(item)
        reading.take(item.start, item.end)
        reading.take(item.group.start, item.group.end, cut=False)
        if start_q is not None:
            reading.take(start_q.start, start_q.end)
    _read_limits(reading, placed, ends)


def _read_limits(reading: Reading, placed: list[_Found], ends: list[Quantity]) -> None:
    """Befristungen: a relative one („auf zwei Jahre“) from each position's start, an end date as given.
    One Befristung applies to every position; several, each to the position whose part it stands in."""
    if not reading.positions:
        return
    text = reading.text
    markers: list[tuple[int, int, int | None, date | None]] = []  # start, end, months, until
    for limit in reading.line.limits:
        if limit.months is not None:
            markers.append((limit.start, limit.end, limit.months, None))
        else:
            until = next((q for q in ends if q.start >= limit.end - 4 and q.start - limit.end < 12), None)
            if until is not None and until.when is not None:
                markers.append((limit.start, until.end, None, until.when))
    # a „bis“ date from the clause of the first position on ends positions; one before it ends the Haushaltsjahre
    first_clause = reading.clause_of(min(item.start for item in placed))[0]
    for until in ends:
        if until.when and until.start >= first_clause and not any(m[0] <= until.start < m[1] for m in markers):
            markers.append((until.start, until.end, None, until.when))
    positions = reading.positions
    for start, end, months, until in sorted(markers):
        if len(markers) == 1 and not reading.line.open_ended:
            targets = list(range(len(positions)))
        else:
            targets = [i for i, item in enumerate(placed)
                       if item.start <= start < (placed[i + 1].start if i + 1 < len(placed) else len(text))]
        applied = False
        for index in targets:
            position = positions[index]
            finish = until if until is not None else _end_after(position.ab, months or 0)
            if finish >= position.ab:
                positions[index] = position.model_copy(update={"befristet_bis": finish})
                applied = True
        if applied:
            reading.take(start, end)
        else:
            reading.reject(start, end, "Befristung, die zu keiner Stelle passt (Ende vor dem Beginn?)")
