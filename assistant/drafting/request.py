"""A one-line German request turned into a ``DraftRequest``: every figure lands in a field or is named.

„Einrichtung einer Einheit Digitale Verwaltung in Karlsruhe ab dem zweiten Halbjahr 2027 mit drei Stellen
E 11, befristet auf zwei Jahre; Beratung 2027 40 Beratertage, 2028 25 Beratertage, Tagessatz 1.200 EUR“:
``line`` prepares the words (number words, spoken times), ``figures`` places positions, consulting days,
costs and years, this module the Vorlagenart, Amt, Stadt (not a city whose experience is only drawn on),
Beratungsfolge, Betreff (with its own figures), Kennzahlen and Fakten – and lists every figure left over
as „nicht zugeordnet“ (``UnassignedFigure``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from assistant.drafting.costs import plan_years
from assistant.drafting.amounts import per_year, read_consulting, read_costs, read_years
from assistant.drafting.figures import Reading, UnassignedFigure, read_positions, read_ranges
from assistant.drafting.line import POSITION_NOUN, read_line
from assistant.scope import cities_in
from vorlagen.text import NUMBER_WORDS, ONE_WORDS
from vorlagen.domain import Beratung, DraftFigure, DraftOtherCost, DraftRequest, DraftYearValue

__all__ = ["UnassignedFigure", "parse_request_line"]

_KINDS = {
    "Mitteilungsvorlage": re.compile(r"\bMitteilung(?:svorlage)?\b", re.I),
    "Informationsvorlage": re.compile(r"\bInformation(?:svorlage)?\b", re.I),
    "Beschlussvorlage": re.compile(r"\bBeschlu(?:ss|ß)vorlage\b", re.I),
}
_LEADING_KIND = re.compile(r"^\s*(?:Beschlu(?:ss|ß)|Mitteilungs|Informations)vorlage\s*(?::|–|-|zu[rm]?)?\s*", re.I)
_TRAILING_GLUE = re.compile(
    r"(?:[\s,;:–(-]|\b(?:zum|zur|ab|ab dem|mit|und|für|von|vom|im|in|bei|je|à|sowie|durch|dazu|davon|insgesamt|"
    r"mit je|der|die|das|den|dem|des|ein|eine|einer|Haushaltsjahre?|Beratung|Sachkosten|Kosten|Tagessatz)\b)+$",
    re.I,
)
_AMT = re.compile(
    r"\b(?:federführend(?:es Amt)?:?|durch das|durch den)\s+((?:Amt|Referat|Dezernat|Fachbereich)\b[^,;.]*)", re.I
)
_REFERENCE_CITY = (
    r"(?:Erfahrungen|Erkenntnisse|Ergebnisse|Vorbild|Beispiel|Modell|Konzept)\s+(?:aus|von|in|der\s+Stadt)\s+(?:der\s+Stadt\s+)?$"
    r"|(?:wie|analog(?:\s+zu)?|nach\s+dem\s+Vorbild(?:\s+von)?|Vorbild)\s+(?:in\s+|von\s+|der\s+Stadt\s+)?$"
)
_BODY = re.compile(
    r"(?P<g>Gemeinderat|Stadtrat|Kreistag|Hauptausschuss|Bezirksbeirat|Ortschaftsrat|"
    r"[A-ZÄÖÜ][\wäöüß-]*[aA]usschuss(?:\s+für\s+[A-ZÄÖÜ][\wäöüß-]*(?:\s+und\s+[A-ZÄÖÜ][\wäöüß-]*)?)?)\s+(?:am|vom)\s+$"
)
_GLUE_WORDS = frozenset(
    "der die das den dem des ein eine einer einem und oder sowie mit ohne für in im ab zum zur bis von vom je pro auf "
    "aus bei als an am um über unter nach zu dazu davon insgesamt jeweils jährlich rund ca etwa".split()
)
_COST_CLAUSE = re.compile(r"kosten|mittel|tagessatz|beratertag|EUR|Euro|€", re.I)
_PERCENT_TAIL = re.compile(r"\s+(?:der|des|aller|von)\s+(?:[a-zäöüß]+\s+){0,2}[A-ZÄÖÜ][\wäöüß-]*")


def _city(reading: Reading, cities: Iterable[str]) -> tuple[str | None, set[str]]:
    """The city the Vorlage is for, and the cities only drawn on („die Erfahrungen aus X sollen einfließen“)."""
    text = reading.text
    drafting: str | None = None
    references: set[str] = set()
    for city in cities_in(text, cities):
        for match in re.finditer(rf"\b{re.escape(city)}(?:er|s)?\b", text):
            if re.search(_REFERENCE_CITY, text[max(0, match.start() - 45) : match.start()], re.I):
                references.add(city)
            elif drafting is None:
                drafting = city
    return drafting, references - {drafting}


def _beratungsfolge(reading: Reading) -> list[Beratung]:
    steps = []
    for when in reading.free("datum"):
        before = reading.text[max(0, when.start - 80) : when.start]
        match = _BODY.search(before)
        if match is None or when.when is None:
            continue
        context = reading.text[max(0, when.start - 120) : when.start].lower()
        role = next((r for w, r in (("beschluss", "Beschlussfassung"), ("vorberat", "Vorberatung"),
                                    ("kenntnis", "Kenntnisnahme"), ("einbring", "Einbringung")) if w in context), None)
        steps.append(Beratung(gremium=match.group("g"), rolle=role, datum=when.when))
        reading.take(when.start, when.end)
    return steps


def _subject(reading: Reading, start: int) -> tuple[int, int]:
    """The span of the Betreff: the first clause after the Vorlagenart, up to the first structured part."""
    clause_end = next((e for s, e in reading.line.clauses() if e > start), len(reading.text))
    cut = min([c for c in reading.cuts if start <= c < clause_end] + [clause_end])
    return start, cut


def _betreff(reading: Reading, start: int, city: str | None, references: set[str]) -> tuple[str, int, int]:
    """The Betreff in the author's words, keeping its own figures (a percentage, a count, a year in a name)."""
    begin, end = _subject(reading, start)
    words = reading.line.source(begin, end)
    words = _TRAILING_GLUE.sub("", words).strip()
    if city:
        words = re.sub(rf"\s+(?:in|für|der|im)\s+(?:der\s+)?(?:Stadt\s+|Landeshauptstadt\s+)?{re.escape(city)}$", "", words)
        words = _TRAILING_GLUE.sub("", words).strip()
    if len(re.findall(r"[A-Za-zÄÖÜäöüß]{3,}", words)) < 2:
        # the line starts with its figures („2 Stellen E 9c für den Bürgerservice …“): the whole first clause
        clause = next(((s, e) for s, e in reading.line.clauses() if e > start), (start, len(reading.text)))
        begin, end = max(clause[0], start), clause[1]
        dates = [q for q in reading.quantities if q.kind == "datum" and begin <= q.start and q.end <= end]
        pieces, position = [], begin
        for quantity in dates:
            pieces.append(reading.line.source(position, quantity.start))
            position = quantity.end
        pieces.append(reading.line.source(position, end))
        words = _TRAILING_GLUE.sub("", " ".join(p for p in pieces if p)).strip()
        words = _TRAILING_GLUE.sub("", re.sub(r"\s*\bbefristet\b.*$", "", words)).strip()
        if city:
            words = re.sub(rf"\s+(?:in|für|der|im)\s+(?:der\s+)?(?:Stadt\s+)?{re.escape(city)}$", "", words)
        first = words.split(" ", 1)[0].lower() if words else ""
        if reading.positions and first in ONE_WORDS:
            words = f"Schaffung einer{words[len(first):]}"  # „Eine Stelle E 12 …“
        elif reading.positions and (first in NUMBER_WORDS or first[:1].isdigit()):
            words = f"Schaffung von {first}{words[len(first):]}"  # „2 Stellen E 9c für …“
        elif reading.positions and re.match(POSITION_NOUN, words):
            words = f"Schaffung einer {words}"  # „Projektstelle Fördermittelmanagement …“
        elif not words:
            words = "Schaffung von Stellen" if reading.positions else "Neue Vorlage"
    words = words[:1].upper() + words[1:]
    return (words if len(words) >= 3 else "Neue Vorlage"), begin, end


def _figure_text(reading: Reading, start: int, end: int) -> tuple[str, int]:
    tail = _PERCENT_TAIL.match(reading.text, end)
    end = tail.end() if tail else end
    return reading.line.source(start, end), end


def _kennzahlen(reading: Reading, subject: tuple[int, int]) -> list[DraftFigure]:
    """Shares and counts of the subject („60 Prozent der Beschäftigten“, „20 Ladesäulen“)."""
    figures = []
    for quantity in reading.free("prozent", "anzahl"):
        clause = next(((s, e) for s, e in reading.line.clauses() if s <= quantity.start < e), subject)
        in_subject = subject[0] <= quantity.start < subject[1]
        if not in_subject and _COST_CLAUSE.search(reading.text[clause[0] : clause[1]]):
            reading.reject(quantity.start, quantity.end, "Angabe in einem Kostenteil, die keiner Kostenart zuzuordnen ist")
            continue
        if not in_subject and _is_fact(reading, clause):
            continue  # stays in its fact
        text, end = _figure_text(reading, quantity.start, quantity.end)
        unit = "%" if quantity.kind == "prozent" else (quantity.noun or "")
        figures.append(DraftFigure(text=text, wert=quantity.value or Decimal(0), einheit=unit))
        reading.take(quantity.start, end, cut=False)
    return figures


def _is_fact(reading: Reading, clause: tuple[int, int]) -> bool:
    """A clause of its own (a statement with a verb or adjective, no cost figure left): a Fakt."""
    start, end = clause
    free_words = [m.group() for m in re.finditer(r"[A-Za-zÄÖÜäöüß]+", reading.text[start:end])
                  if reading.is_free(start + m.start(), start + m.end())]
    lower = [w for w in free_words if w[0].islower() and w.lower() not in _GLUE_WORDS]
    leftover = [q for q in reading.quantities if q.kind in ("betrag", "tage") and start <= q.start < end
                and reading.is_free(q.start, q.end)]
    return len(free_words) >= 3 and bool(lower) and not leftover


def _fakten(reading: Reading, subject: tuple[int, int], references: set[str]) -> list[str]:
    facts = []
    for start, end in reading.line.clauses():
        if end <= subject[1] or start < subject[1] < end:
            continue
        text = reading.text[start:end]
        referring = any(city in text for city in references)
        if not (referring or _is_fact(reading, (start, end))):
            continue
        words = reading.line.source(start, end).strip(" ,;")
        facts.append(words[:1].upper() + words[1:] + ("" if words.endswith((".", "!", "?")) else "."))
        reading.take(start, end, cut=False)
    return facts


_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")


def _leftovers(reading: Reading) -> None:
    """Every figure no field took is named as unassigned."""
    for match in _FIGURE.finditer(reading.text):
        if reading.is_free(match.start(), match.end()):
            quantity = next((q for q in reading.quantities if q.start <= match.start() < q.end), None)
            start, end = (quantity.start, quantity.end) if quantity else match.span()
            reading.reject(start, end, "keinem Feld zuzuordnen")


def _resolve_per_year(values: dict[int | None, Decimal], years: list[int]) -> tuple[Decimal | None, list[DraftYearValue]]:
    every, dated = per_year(values)
    if every is None and None in values:
        given = {v.jahr for v in dated}
        dated += [DraftYearValue(jahr=y, wert=values[None]) for y in years if y not in given]
        dated.sort(key=lambda v: v.jahr)
    return every, dated


def parse_request_line(
    text: str, cities: Iterable[str] = (), today: date | None = None
) -> tuple[DraftRequest, list[str], list[UnassignedFigure]]:
    """The request a one-line German text describes, German notes on assumptions made (a year added to
    „1. Oktober“, …), and every figure no field took."""
    line = read_line(text, today or date.today())
    reading = Reading(line)
    kind = next((name for name, pattern in _KINDS.items() if pattern.search(line.text)), "Beschlussvorlage")
    leading = _LEADING_KIND.match(line.text)
    start = leading.end() if leading else 0
    amt = _AMT.search(line.text)
    if amt:
        reading.take(amt.start(), amt.end())
    city, references = _city(reading, cities)
    steps = _beratungsfolge(reading)
    read_ranges(reading)
    read_positions(reading)
    read_consulting(reading)
    read_costs(reading)
    read_years(reading)
    betreff, subject_start, subject_end = _betreff(reading, start, city, references)
    subject = (subject_start, subject_end)
    kennzahlen = _kennzahlen(reading, subject)
    reading.take(subject[0], subject[1], cut=False)
    facts = _fakten(reading, subject, references)
    _leftovers(reading)

    years = sorted(reading.years)
    data: dict[str, object] = {
        "betreff": betreff, "vorlagenart": kind, "stadt": city, "amt": amt.group(1).strip() if amt else None,
        "stellen": reading.positions, "beratungsfolge": steps, "fakten": facts, "kennzahlen": kennzahlen,
        "haushaltsjahre": years if not years or max(years) - min(years) <= 10 else [],
    }
    provisional = DraftRequest.model_validate(data)
    # the Haushaltsjahre as the finance table will run them
    span_years = plan_years(provisional.model_copy(update={
        "beratertage_nach_jahr": [DraftYearValue(jahr=y, wert=v) for y, v in reading.days.items() if y is not None],
        "sachkosten_nach_jahr": [DraftYearValue(jahr=y, wert=v) for y, v in reading.material.items() if y is not None],
        "weitere_kosten": [c for c in reading.others if c.jahr is not None],
    }))
    if reading.days and reading.rate is not None:
        data["beratertage_je_jahr"], data["beratertage_nach_jahr"] = _resolve_per_year(reading.days, span_years)
        data["tagessatz"] = reading.rate
    elif reading.days:
        for begin, end in reading.spans.get("Beratertage", []):
            reading.reject(begin, end, "Tagessatz fehlt (z. B. „Tagessatz 1.200 EUR“)")
    elif reading.rate is not None:
        for begin, end in reading.spans.get("Tagessatz", []):
            reading.reject(begin, end, "Beratertage fehlen (z. B. „80 Beratertage je Jahr“)")
    if reading.material:
        data["sachkosten_je_jahr"], data["sachkosten_nach_jahr"] = _resolve_per_year(reading.material, span_years)
    others = list(reading.others)
    for label, amount in reading.once:
        others.append(DraftOtherCost(bezeichnung=label.replace(" (einmalig)", "") + " (einmalig)", betrag=amount, jahr=span_years[0]))
        reading.notes.append(f"Einmalige {label.replace(' (einmalig)', '')} sind im ersten Haushaltsjahr {span_years[0]} angesetzt.")
    data["weitere_kosten"] = others
    notes = [*line.notes, *reading.notes]
    if years and max(years) - min(years) > 10:
        notes.append("Mehr als elf Haushaltsjahre genannt; die Jahre sind nicht übernommen.")
    return DraftRequest.model_validate(data), notes, reading.unassigned
