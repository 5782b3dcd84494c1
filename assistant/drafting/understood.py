"""What was understood of a request, as German label/value rows (CLI table „Verstanden“, API, web form)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from assistant.costs.arithmetic import format_amount
from assistant.drafting.costs import plan_years
from assistant.drafting.figures import UnassignedFigure
from vorlagen.domain import DraftPosition, DraftRequest, DraftYearValue
from vorlagen.formatting import format_date, format_eur, format_number

UNASSIGNED_LABEL = "Nicht zugeordnet"


def describe_position(position: DraftPosition) -> str:
    """``2 Stellen E 12 (je 1 VZÄ) ab 01.04.2027, befristet bis 31.03.2029``."""
    if position.anzahl == 1 and position.vza > 1:  # „2,5 Stellen E 12“: one entry of 2,5 VZÄ
        text = f"{format_number(position.vza)} Stellen {position.gruppe} ({format_number(position.vza)} VZÄ) ab {format_date(position.ab)}"
    else:
        count = f"{position.anzahl} Stelle{'n' if position.anzahl != 1 else ''}"
        text = f"{count} {position.gruppe} (je {format_number(position.vza)} VZÄ) ab {format_date(position.ab)}"
    if position.befristet_bis:
        text += f", befristet bis {format_date(position.befristet_bis)}"
    return text + (f" – {position.bezeichnung}" if position.bezeichnung else "")


def total_positions(request: DraftRequest) -> tuple[int, str]:
    """(number of positions, their VZÄ as German text)."""
    count = sum(position.anzahl for position in request.stellen)
    vza = sum((position.total_vza for position in request.stellen), start=Decimal(0))
    return count, format_number(vza.normalize() if vza == vza.to_integral() else vza)


def _days(value: Decimal) -> str:
    return format_amount(value, "Tage").replace(" Tage", " Beratertage")


def years_text(values: Sequence[DraftYearValue], unit: str, separator: str = "; ") -> str:
    """``2026: 40 Beratertage; 2027: 25 Beratertage`` / ``2026: 50.000,00 EUR; …``."""
    return separator.join(f"{v.jahr}: {format_eur(v.wert) if unit == 'EUR' else _days(v.wert)}" for v in values)


def consulting_text(request: DraftRequest) -> str | None:
    if request.tagessatz is None:
        return None
    rate = f"zu einem Tagessatz von {format_eur(request.tagessatz)}"
    if request.beratertage_je_jahr is not None:
        return f"{_days(request.beratertage_je_jahr)} je Jahr {rate}"
    return f"{years_text(request.beratertage_nach_jahr, 'Tage', ', ')} {rate}"


def material_text(request: DraftRequest) -> str | None:
    if request.sachkosten_je_jahr is not None:
        return f"{format_eur(request.sachkosten_je_jahr)} je Jahr"
    return years_text(request.sachkosten_nach_jahr, "EUR") or None


def understood(request: DraftRequest, unassigned: Sequence[UnassignedFigure] = ()) -> list[tuple[str, str]]:
    """What the drafting will use, as German label/value pairs; figures no field took come last
    („Nicht zugeordnet“)."""
    rows: list[tuple[str, str]] = [("Betreff", request.betreff), ("Vorlagenart", request.vorlagenart)]
    rows.append(("Stadt", request.stadt or "– (Stilvorlagen aller Städte)"))
    rows.append(("Federführend", request.amt or "–"))
    rows += [("Stelle", describe_position(position)) for position in request.stellen]
    if len(request.stellen) > 1:
        count, vza = total_positions(request)
        rows.append(("Stellen insgesamt", f"{count} Stellen ({vza} VZÄ)"))
    if (consulting := consulting_text(request)) is not None:
        rows.append(("Beratung", consulting))
    if (material := material_text(request)) is not None:
        rows.append(("Sachkosten", material))
    for cost in request.weitere_kosten:
        rows.append(("Weitere Kosten", f"{cost.bezeichnung}: {format_eur(cost.betrag)} " + (str(cost.jahr) if cost.jahr else "je Jahr")))
    rows += [("Kennzahl", figure.text) for figure in request.kennzahlen]
    if request.has_costs:
        years = plan_years(request)
        derived = "" if years == request.haushaltsjahre else " (aus Beginn, Ende und Jahresangaben)"
        rows.append(("Haushaltsjahre", ", ".join(str(y) for y in years) + derived))
    elif request.haushaltsjahre:
        rows.append(("Haushaltsjahre", ", ".join(str(y) for y in request.haushaltsjahre)))
    for step in request.beratungsfolge:
        when = format_date(step.datum) if step.datum else "Datum offen"
        rows.append(("Beratung im Gremium", f"{step.gremium} – {step.rolle or 'Rolle offen'} – {when}"))
    rows += [("Fakt", fact) for fact in request.fakten]
    rows.append(("Abschnitte", ", ".join(request.abschnitte)))
    rows += [(UNASSIGNED_LABEL, f"„{figure.text}“ – {figure.grund}") for figure in unassigned]
    return rows
