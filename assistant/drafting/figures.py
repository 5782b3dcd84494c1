"""Placing the figures of a one-line request: positions, consulting days, costs and years.

``Reading`` holds the prepared line (``line.Line``), its quantities (``assistant.costs`` lexer) and which
characters a field has already taken; each ``read_*`` function places what it understands and marks it
taken. What no reader places is reported as unassigned by ``request.parse_request_line``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from pydantic import BaseModel

from assistant.costs.models import CostError
from assistant.costs.quantities import NUMBER, Quantity, parse_quantities
from assistant.costs.tables import normalize_group
from assistant.drafting.line import POSITION_NOUN, Line
from vorlagen.domain import DraftOtherCost, DraftPosition, DraftYearValue
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


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, 28))


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
        reading.positions.append(
            DraftPosition(anzahl=anzahl, vza=vza, gruppe=group, ab=start, befristet_bis=None)
        )
        reading.take(item.start, item.end)
        reading.take(item.group.start, item.group.end, cut=False)
        if start_q is not None:
            reading.take(start_q.start, start_q.end)
    _read_limits(reading, found, ends)


def _read_limits(reading: Reading, found: list[_Found], ends: list[Quantity]) -> None:
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
    first_position = min(item.start for item in found)
    first_clause = next((s for s, e in reading.line.clauses() if s <= first_position < e), 0)
    for until in ends:
        in_positions = until.start >= first_position or until.start >= first_clause
        if until.when and in_positions and not any(m[0] <= until.start < m[1] for m in markers):
            markers.append((until.start, until.end, None, until.when))
    if not markers:
        return
    owners = [item for item in found if item.group is not None]
    positions = reading.positions
    for start, end, months, until in sorted(markers):
        if len(markers) == 1 and not reading.line.open_ended:
            targets = list(range(len(positions)))
        else:
            targets = [i for i, item in enumerate(owners[: len(positions)])
                       if item.start <= start < (owners[i + 1].start if i + 1 < len(owners) else len(text))]
        for index in targets:
            position = positions[index]
            finish = until if until is not None else _add_months(position.ab, months or 0) - timedelta(days=1)
            if finish < position.ab:
                reading.notes.append(f"Das Ende {finish:%d.%m.%Y} liegt vor dem Beginn {position.ab:%d.%m.%Y}; nicht übernommen.")
                continue
            positions[index] = position.model_copy(update={"befristet_bis": finish})
        reading.take(start, end)


# --- years next to values ------------------------------------------------------------------------

_GLUE_BEFORE = re.compile(r"^[\s:(]*(?:(?:im|in|für|das|Jahr|Haushaltsjahr|sind|werden|mit|von|rund|ca\.|etwa|insgesamt)\s*:?\s*)*$", re.I)
_GLUE_AFTER = re.compile(r"^[\s,(]*(?:(?:im|in|für|Jahr|Haushaltsjahr)\s*)*$", re.I)
_EACH_YEAR = re.compile(r"\b(?:je\s+Jahr|pro\s+Jahr|jährlich|jährliche[nr]?|p\.\s?a\.|jeweils|je)\b", re.I)
_ONCE = re.compile(r"\beinmalig(?:e[nr]?)?\b", re.I)


def _free_years(reading: Reading) -> list[Quantity]:
    return [q for q in reading.free("jahr") if q.value is not None]


def paired_year(reading: Reading, value: Quantity, claimed: set[int]) -> Quantity | None:
    """The year stated right before („2027 40 Beratertage“, „2027: 40“) or after („40 Beratertage (2027)“)."""
    text = reading.text
    years = [y for y in _free_years(reading) if y.start not in claimed]
    before = [y for y in years if y.end <= value.start and _GLUE_BEFORE.match(text[y.end : value.start])]
    if before:
        return before[-1]
    after = [y for y in years if y.start >= value.end and _GLUE_AFTER.match(text[value.end : y.start])]
    return after[0] if after else None


def _period(reading: Reading, value: Quantity) -> str | None:
    """``einmalig`` or ``jahr`` (je Jahr, jährlich, jeweils): the nearest such word in the value's clause."""
    start, end = reading.clause_of(value.start)
    found = [(m, "einmalig") for m in _ONCE.finditer(reading.text, start, end)]
    found += [(m, "jahr") for m in _EACH_YEAR.finditer(reading.text, start, end)]
    found = [(m, kind) for m, kind in found if m.end() <= value.start + 1 and value.start - m.end() < 25 or
             m.start() >= value.end and m.start() - value.end < 25]
    if not found:
        return None
    return min(found, key=lambda item: min(abs(item[0].end() - value.start), abs(item[0].start() - value.end)))[1]


def _inherit(reading: Reading, kind: str) -> list[Quantity]:
    """Bare numbers in a list with typed ones („2026 40 und 2027 25 Beratertage“) take their kind."""
    typed = reading.free(kind)
    result = list(typed)
    for bare in reading.free("zahl"):
        neighbours = [q for q in typed if abs(q.start - bare.end) < 40 or abs(bare.start - q.end) < 40]
        if neighbours and paired_year(reading, bare, set()) is not None:
            result.append(bare.model_copy(update={"kind": kind, "unit": neighbours[0].unit, "noun": neighbours[0].noun}))
    return sorted(result, key=lambda q: q.start)


def _place(reading: Reading, values: list[Quantity], target: dict[int | None, Decimal], label: str) -> None:
    claimed: set[int] = set()
    for value in values:
        if value.value is None:
            continue
        year = paired_year(reading, value, claimed)
        key: int | None = None
        if year is not None and year.value is not None:
            key = int(year.value)
            claimed.add(year.start)
            reading.take(year.start, year.end)
        if key in target:
            reading.reject(value.start, value.end, f"{label} für {key if key else 'jedes Jahr'} doppelt genannt")
            continue
        target[key] = value.value
        reading.take(value.start, value.end)


_DAY_NOUNS = ("Beratertag", "Personentag", "Beratungstag", "PT")


def read_consulting(reading: Reading) -> None:
    days = [q for q in _inherit(reading, "tage") if (q.noun or "").startswith(_DAY_NOUNS)
            or (q.noun or "").startswith("Tag") and re.search(r"Beratung|Tagessatz", reading.text, re.I)]
    total = [q for q in days if re.search(r"insgesamt\s*$", reading.text[max(0, q.start - 12) : q.start], re.I)]
    for q in total:
        reading.reject(q.start, q.end, "Gesamtzahl der Beratertage – bitte je Jahr angeben")
    _place(reading, [q for q in days if q not in total], reading.days, "Beratertage")
    if None in reading.days and len(reading.days) > 1:
        reading.notes.append("Beratertage ohne Jahr gelten für jedes Jahr ohne eigene Angabe.")


# --- amounts ----------------------------------------------------------------------------------------

_KEYWORD = re.compile(
    r"\b(?P<w>Tagess(?:atz|ätze)|[A-ZÄÖÜ][a-zäöüß]*(?:kosten|mittel|aufwand|aufwendungen|ausgaben|investitionen?|"
    r"zuschuss|zuschüsse|förderung|einnahmen|erträge|budget|honorar|pauschale)|Kosten|Investitionen?|Lizenzen|Miete|"
    r"Budget|Honorar|Zuschuss|Förderung|Einnahmen|Erträge|Pauschale)\b"
)
_RATE_WORDS = ("tagessatz", "tagessätze", "je tag", "pro tag", " à ", "je beratertag", "pro beratertag", "zu je")
_MATERIAL = ("sachkosten", "sachmittel", "sachaufwand", "sachausgaben")
_INCOME = ("förder", "einnahmen", "erträge", "zuweisung")
_TOTAL = ("gesamtkosten", "gesamtvolumen", "gesamtbudget", "budget", "gesamtaufwand")
_PERSONNEL = ("personalkosten", "personalaufwand", "personalaufwendungen", "personalausgaben")


_AFTER_GLUE = re.compile(r"\s*(?:für\s+(?:die\s+|den\s+|das\s+)?|an\s+|als\s+)?")


def _keyword(reading: Reading, value: Quantity) -> str | None:
    """The Kostenart of an amount: a keyword before it in its clause, else right after it („45.000 EUR
    Investitionskosten“), else the last keyword of the clauses before (a list continued after a comma)."""
    text = reading.text
    start, end = reading.clause_of(value.start)
    before = list(_KEYWORD.finditer(text, start, value.start))
    if before:
        return before[-1].group("w")
    glue = _AFTER_GLUE.match(text, value.end)
    after = _KEYWORD.match(text, glue.end() if glue else value.end)
    if after and after.end() <= end:
        return after.group("w")
    scope_start = max(text.rfind(";", 0, value.start), 0)
    earlier = list(_KEYWORD.finditer(text, scope_start, start))
    return earlier[-1].group("w") if earlier else None


def read_costs(reading: Reading) -> None:
    """Tagessatz, Sachkosten (per year or every year) and further costs per Kostenart."""
    text = reading.text
    amounts = _inherit(reading, "betrag")
    material: list[Quantity] = []
    others: dict[str, list[Quantity]] = {}
    for value in amounts:
        lower_window = text[max(0, value.start - 30) : value.start].lower()
        word = _keyword(reading, value)
        lower = (word or "").lower()
        if lower.startswith("tagess") or any(w in lower_window for w in _RATE_WORDS):
            if reading.rate is None:
                reading.rate = value.value
                reading.take(value.start, value.end)
            elif reading.rate != value.value:
                reading.reject(value.start, value.end, "zweiter Tagessatz – es gilt ein Tagessatz für alle Jahre")
            else:
                reading.take(value.start, value.end)
        elif word is None:
            reading.reject(value.start, value.end, "Betrag ohne Kostenart (z. B. „Sachkosten“, „Lizenzkosten“)")
        elif lower.startswith(_MATERIAL):
            material.append(value)
        elif lower.startswith(_INCOME):
            reading.reject(value.start, value.end, "Einnahmen und Fördermittel verrechnet der Entwurf nicht")
        elif lower in _TOTAL or re.search(r"insgesamt\s*$", lower_window):
            reading.reject(value.start, value.end, "Gesamtbetrag – die Summe rechnet der Entwurf; bitte je Jahr angeben")
        elif lower in _PERSONNEL:
            reading.reject(value.start, value.end, "Personalkosten rechnen die Kostenwerkzeuge aus den Stellen")
        else:
            others.setdefault(word or "Kosten", []).append(value)
    _place(reading, [q for q in material if _period(reading, q) != "einmalig"], reading.material, "Sachkosten")
    for q in material:
        if _period(reading, q) == "einmalig":
            others.setdefault("Sachkosten (einmalig)", []).append(q)
    for label, values in others.items():
        target: dict[int | None, Decimal] = {}
        once = [q for q in values if _period(reading, q) == "einmalig" and paired_year(reading, q, set()) is None]
        _place(reading, [q for q in values if q not in once], target, label)
        for year, amount in target.items():
            reading.others.append(DraftOtherCost(bezeichnung=label, betrag=amount, jahr=year))
        for q in once:
            reading.once.append((label, q.value or Decimal(0)))
            reading.take(q.start, q.end)


# --- years -------------------------------------------------------------------------------------------

_YEAR_RANGE = re.compile(r"\b((?:19|20)\d{2})\s*(?:–|-|bis|und|/|,)\s*((?:19|20)\d{2})\b")
_YEAR_CONTEXT = re.compile(r"(?:\b(?:im|in|ab|bis|für|von|zwischen|Jahr|Jahre|Jahren|Haushaltsjahre?n?|und|sowie)|,)\s*:?\s*$", re.I)


def read_years(reading: Reading) -> None:
    """Ranges („2026 bis 2028“), lists („2026 und 2027“) and years after a preposition → Haushaltsjahre;
    start and end dates no position took mark the first and last Haushaltsjahr."""
    text = reading.text
    for match in _YEAR_RANGE.finditer(text):
        if not reading.is_free(match.start(), match.end()):
            continue
        first, last = int(match.group(1)), int(match.group(2))
        if 0 <= last - first <= 10:
            reading.years |= set(range(first, last + 1)) if re.search(r"–|-|bis", match.group(0)) else {first, last}
            reading.take(match.start(), match.end())
    for year in _free_years(reading):
        before = text[max(0, year.start - 25) : year.start]
        if _YEAR_CONTEXT.search(before) and year.value is not None:
            reading.years.add(int(year.value))
            reading.take(year.start, year.end)
    for date_q in reading.free("datum"):
        if date_q.when and date_q.preposition in (None, "ab", "zum", "vom", "bis"):
            reading.years.add(date_q.when.year)
            reading.take(date_q.start, date_q.end)


def per_year(values: dict[int | None, Decimal]) -> tuple[Decimal | None, list[DraftYearValue]]:
    """(the value for every year, the values per year) of what a reader placed."""
    every = values.get(None)
    dated = [DraftYearValue(jahr=year, wert=value) for year, value in sorted((k, v) for k, v in values.items() if k is not None)]
    if every is not None and dated:
        return None, dated  # resolved by the caller with the Haushaltsjahre
    return every, dated
