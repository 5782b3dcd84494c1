"""A one-line German request („Einrichtung einer Koordinierungsstelle Klimaanpassung zum 01.04.2027 mit
2 Stellen E 12“) turned into a ``DraftRequest`` by the deterministic parser of ``assistant.costs``;
and the German summary of what was understood, shown before drafting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from assistant.costs.parser import Quantity, parse_quantities
from assistant.costs.tables import normalize_group
from assistant.costs.models import CostError
from assistant.costs.tools import format_amount
from assistant.scope import cities_in
from vorlagen.domain import DraftPosition, DraftRequest
from vorlagen.formatting import format_date, format_eur, format_number

_KINDS = {
    "Mitteilungsvorlage": re.compile(r"\bMitteilung(?:svorlage)?\b", re.I),
    "Informationsvorlage": re.compile(r"\bInformation(?:svorlage)?\b", re.I),
    "Beschlussvorlage": re.compile(r"\bBeschlu(?:ss|ß)vorlage\b", re.I),
}
_LEADING_KIND = re.compile(r"^\s*(?:Beschlu(?:ss|ß)|Mitteilungs|Informations)vorlage\s*(?::|–|-|zu[rm]?)?\s*", re.I)
_TRAILING_GLUE = re.compile(r"(?:[\s,;:–-]|\b(?:zum|zur|ab|ab dem|mit|und|für|von|vom|im|in|bei|je|à|sowie))+$", re.I)
_AMT = re.compile(r"\b(?:federführend(?:es Amt)?:?|durch das|durch den)\s+((?:Amt|Referat|Dezernat|Fachbereich)\b[^,;.]*)", re.I)
_YEAR_RANGE = re.compile(r"\b((?:19|20)\d{2})\s*(?:–|-|bis)\s*((?:19|20)\d{2})\b")


def _near(text: str, quantity: Quantity, words: tuple[str, ...], before: int = 40, after: int = 0) -> bool:
    window = text[max(0, quantity.start - before) : quantity.end + after].lower()
    return any(word in window for word in words)


def _nearest(candidates: list[Quantity], anchor: Quantity) -> Quantity | None:
    return min(candidates, key=lambda q: (abs(q.start - anchor.start), q.start)) if candidates else None


def _positions(quantities: list[Quantity]) -> tuple[list[DraftPosition], list[str]]:
    groups = [q for q in quantities if q.kind == "gruppe"]
    starts = [q for q in quantities if q.kind == "datum" and q.preposition in (None, "ab", "zum", "vom", "seit")]
    ends = [q for q in quantities if q.kind == "datum" and q.preposition == "bis"]
    positions: list[DraftPosition] = []
    problems: list[str] = []
    for amount in (q for q in quantities if q.kind == "stellen" and q.value):
        group, start = _nearest(groups, amount), _nearest(starts, amount)
        if group is None or start is None or start.when is None:
            problems.append(
                f"Zu „{amount.text}“ fehlt "
                + ("die Entgeltgruppe (z. B. „E 12“)" if group is None else "der Beginn (z. B. „zum 01.04.2027“)")
                + "; die Stellen sind nicht übernommen."
            )
            continue
        try:
            canonical = "/".join(normalize_group(part) for part in (group.group or "").split("/"))
        except CostError as error:
            problems.append(str(error))
            continue
        value = amount.value or Decimal(1)
        whole = value == value.to_integral()
        end = _nearest(ends, amount)
        positions.append(
            DraftPosition(
                anzahl=int(value) if whole else 1,
                vza=Decimal(1) if whole else value,
                gruppe=canonical,
                ab=start.when,
                befristet_bis=end.when if end is not None else None,
            )
        )
    return positions, problems


def _betreff(text: str, quantities: list[Quantity]) -> str:
    """The words before the first figure, without a leading „Beschlussvorlage:“ and trailing „zum“."""
    first = min((q.start for q in quantities if q.kind != "gruppe"), default=len(text))
    head = text[:first]
    # „… zum 01.04.2027“: cut at the last comma or preposition joining the figure
    head = _TRAILING_GLUE.sub("", _LEADING_KIND.sub("", head)).strip()
    return head if len(head) >= 3 else _LEADING_KIND.sub("", text).strip()


def parse_request_line(text: str, cities: Iterable[str] = ()) -> tuple[DraftRequest, list[str]]:
    """The request a one-line German text describes, and German notes on what could not be read."""
    line = " ".join(text.split())
    quantities = parse_quantities(line)
    positions, notes = _positions(quantities)
    days = [q for q in quantities if q.kind == "tage" and q.value]
    amounts = [q for q in quantities if q.kind == "betrag" and q.value]
    rate = next((q for q in amounts if _near(line, q, ("tagessatz", "je tag", "pro tag", " à ", " zu "), 30)), None)
    if rate is None and days:
        rate = next((q for q in amounts if _near(line, q, ("tagessatz",), 0, 40)), None)
    sachkosten = next((q for q in amounts if q is not rate and _near(line, q, ("sachkosten", "sachmittel"), 40, 0)), None)
    years = {int(q.value) for q in quantities if q.kind == "jahr" and q.value}
    for match in _YEAR_RANGE.finditer(line):
        first, last = int(match.group(1)), int(match.group(2))
        if 0 <= last - first <= 10:
            years |= set(range(first, last + 1))
    found_cities = cities_in(line, cities)
    kind = next((name for name, pattern in _KINDS.items() if pattern.search(line)), "Beschlussvorlage")
    amt = _AMT.search(line)
    data: dict[str, object] = {
        "betreff": _betreff(line, quantities),
        "vorlagenart": kind,
        "stadt": found_cities[0] if found_cities else None,
        "amt": amt.group(1).strip() if amt else None,
        "stellen": positions,
        "haushaltsjahre": sorted(years),
    }
    if days and rate is not None:
        data["beratertage_je_jahr"] = days[0].value
        data["tagessatz"] = rate.value
    elif days:
        notes.append(f"Zu „{days[0].text}“ fehlt der Tagessatz (z. B. „Tagessatz 1.200 EUR“); keine Beratungskosten.")
    if sachkosten is not None:
        data["sachkosten_je_jahr"] = sachkosten.value
    return DraftRequest.model_validate(data), notes


def describe_position(position: DraftPosition) -> str:
    """``2 Stellen E 12 (je 1 VZÄ) ab 01.04.2027, befristet bis 31.03.2029``."""
    count = f"{position.anzahl} Stelle{'n' if position.anzahl != 1 else ''}"
    text = f"{count} {position.gruppe} (je {format_number(position.vza)} VZÄ) ab {format_date(position.ab)}"
    if position.befristet_bis:
        text += f", befristet bis {format_date(position.befristet_bis)}"
    return text + (f" – {position.bezeichnung}" if position.bezeichnung else "")


def understood(request: DraftRequest) -> list[tuple[str, str]]:
    """What the drafting will use, as German label/value pairs (CLI table, API, web form)."""
    rows: list[tuple[str, str]] = [("Betreff", request.betreff), ("Vorlagenart", request.vorlagenart)]
    rows.append(("Stadt", request.stadt or "– (Stilvorlagen aller Städte)"))
    rows.append(("Federführend", request.amt or "–"))
    rows += [("Stelle", describe_position(position)) for position in request.stellen]
    if request.beratertage_je_jahr is not None and request.tagessatz is not None:
        rows.append(("Beratung", f"{format_amount(request.beratertage_je_jahr, 'Tage')} je Jahr × {format_eur(request.tagessatz)}"))
    if request.sachkosten_je_jahr is not None:
        rows.append(("Sachkosten", f"{format_eur(request.sachkosten_je_jahr)} je Jahr"))
    rows.append(("Haushaltsjahre", ", ".join(str(y) for y in request.haushaltsjahre) or "– (aus dem Beginn abgeleitet)"))
    for step in request.beratungsfolge:
        when = format_date(step.datum) if step.datum else "Datum offen"
        rows.append(("Beratung im Gremium", f"{step.gremium} – {step.rolle or 'Rolle offen'} – {when}"))
    rows += [("Fakt", fact) for fact in request.fakten]
    rows.append(("Abschnitte", ", ".join(request.abschnitte)))
    return rows
