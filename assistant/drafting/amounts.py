"""Placing the amounts, consulting days and years of a one-line request (see ``figures.Reading``).

A value takes the year stated right before or after it („2027 40 Beratertage“, „50.000 Euro (2027)“); a
value with „je Jahr“/„jährlich“ and without a year holds for every Haushaltsjahr; „einmalig“ without a year
goes to the first. Every amount needs its Kostenart (the keyword before it in its clause, right after it,
or of the list it continues); Einnahmen, Gesamtbeträge and Personalkosten are named, not used.
"""

from __future__ import annotations

import re
from decimal import Decimal

from assistant.costs.quantities import Quantity
from assistant.drafting.figures import Reading
from vorlagen.domain import DraftOtherCost, DraftYearValue


# --- years next to values ------------------------------------------------------------------------

_GLUE_BEFORE = re.compile(r"^[\s:(]*(?:(?:im|in|für|das|Jahr|Haushaltsjahr|sind|werden|mit|von|rund|ca\.|etwa|insgesamt)\s*:?\s*)*$", re.I)
_GLUE_AFTER = re.compile(r"^[\s,(]*(?:(?:im|in|für|Jahr|Haushaltsjahr)\s*)*$", re.I)
_EACH_YEAR = re.compile(r"\b(?:je\s+Jahr|pro\s+Jahr|jährlich|jährliche[nr]?|p\.\s?a\.)(?![\w])", re.I)
_EACH_BEFORE = re.compile(r"\b(?:je|jeweils)\s*$", re.I)
"""„je 30 Beratertage in 2027 und 2028“: the same value in every year named."""
_ONCE = re.compile(r"\beinmalig(?:e[nr]?)?\b", re.I)


def is_total(reading: Reading, value: Quantity) -> bool:
    """„insgesamt 120 Beratertage“, „120 Beratertage insgesamt“: a total over the years, no value per year."""
    before = reading.text[max(0, value.start - 14) : value.start]
    after = reading.text[value.end : value.end + 14]
    return bool(re.search(r"(?:insgesamt|gesamt|zusammen)\s*(?:von\s*)?$", before, re.I)
                or re.match(r"\s*(?:insgesamt|gesamt|zusammen|in\s+Summe)\b", after, re.I))


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
        every = _EACH_BEFORE.search(reading.text[max(0, value.start - 10) : value.start])
        year = None if every else paired_year(reading, value, claimed)
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
        reading.spans.setdefault(label, []).append((value.start, value.end))


_DAY_NOUNS = ("Beratertag", "Personentag", "Beratungstag", "PT")


def read_consulting(reading: Reading) -> None:
    days = [q for q in _inherit(reading, "tage") if (q.noun or "").startswith(_DAY_NOUNS)
            or (q.noun or "").startswith("Tag") and re.search(r"Beratung|Tagessatz", reading.text, re.I)]
    total = [q for q in days if is_total(reading, q)]
    for q in total:
        reading.reject(q.start, q.end, "Gesamtzahl der Beratertage – bitte je Jahr angeben")
    _place(reading, [q for q in days if q not in total], reading.days, "Beratertage")
    if None in reading.days and len(reading.days) > 1:
        reading.notes.append("Beratertage ohne Jahr gelten für jedes Jahr ohne eigene Angabe.")


# --- amounts ----------------------------------------------------------------------------------------

_KEYWORD = re.compile(
    r"\b(?P<w>Tagess(?:atz|ätze)|[A-ZÄÖÜ][a-zäöüß]*(?:kosten|mittel|aufwand|aufwendungen|ausgaben|investitionen?|"
    r"zuschuss|zuschüsse|förderung|einnahmen|erträge|budget|honorar|pauschale)|Kosten|Investitionen?|Lizenzen|Miete|"
    r"Budget|Honorar|Zuschuss|Zuschüsse|Förderung|Einnahmen|Erträge|Pauschale)\b"
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
                reading.spans.setdefault("Tagessatz", []).append((value.start, value.end))
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
        elif lower in _TOTAL or is_total(reading, value):
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
