"""The deterministic skeleton: every section complete and correct without a language model.

Each section is Markdown made of the request's facts, the cost tools' results and fixed phrases of
German Vorlagen („Die Verwaltung wird ermächtigt, …“). Text of past Vorlagen enters only as quoted, cited
context sentences in the Ausgangslage („… (vgl. GRDrs 862/2021) [1]“). Open points are marked
„[bitte ergänzen: …]“; an amount no cost table gives is „[bitte ergänzen]“, a projected one is marked
„Annahme“.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from assistant.drafting.costs import SUMME
from assistant.drafting.style import StyleMaterial, reference_label
from assistant.drafting.understood import consulting_text, describe_position, material_text, total_positions
from assistant.grounding import as_data
from vorlagen.domain import DraftCostTable, DraftPosition, DraftRequest
from vorlagen.formatting import format_date, format_eur

OPEN_AMOUNT = "[bitte ergänzen]"
ASSUMED = "Annahme"


@dataclass(frozen=True)
class SectionSkeleton:
    name: str
    prose: str
    """The part a language model may rewrite (may be empty)."""
    fixed: str = ""
    """The part that stays as computed: tables, numbered items, lists."""

    @property
    def text(self) -> str:
        return "\n\n".join(part for part in (self.prose, self.fixed) if part.strip())


def _is_decision(request: DraftRequest) -> bool:
    return "beschluss" in request.vorlagenart.lower()


def _deciding_body(request: DraftRequest) -> str:
    deciding = [step.gremium for step in request.beratungsfolge if (step.rolle or "").lower().startswith("beschluss")]
    return deciding[-1] if deciding else (request.beratungsfolge[-1].gremium if request.beratungsfolge else "Gemeinderat")


def years_text(years: list[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]} bis {years[-1]}"


def _amount(value: Decimal | None) -> str:
    return OPEN_AMOUNT if value is None else format_eur(value)


def _year_amounts(table: DraftCostTable) -> str:
    summe = table.rows[-1]
    parts = [f"{year}: {_amount(amount)}" for year, amount in zip(table.years, summe.amounts)]
    return "; ".join(parts) + f"; insgesamt {_amount(summe.total)}"


def _assumption_sentence(table: DraftCostTable) -> str:
    assumed = table.assumed_years()
    if not assumed:
        return ""
    return (f" Die Beträge für {years_text(assumed)} beruhen auf einer Annahme zur Tarifentwicklung "
            "(siehe Finanzielle Auswirkungen).")


def beschlussantrag(request: DraftRequest, table: DraftCostTable | None) -> SectionSkeleton:
    body = _deciding_body(request)
    if not _is_decision(request):
        return SectionSkeleton("Beschlussantrag", "", f"Der {body} nimmt die {request.vorlagenart} „{request.betreff}“ zur Kenntnis.")
    items = [f"Dem Vorhaben „{request.betreff}“ wird zugestimmt."]
    if request.stellen:
        count, vza = total_positions(request)
        plan_year = min(position.ab.year for position in request.stellen)
        if len(request.stellen) == 1:
            items.append(f"Zum Stellenplan {plan_year} werden {describe_position(request.stellen[0])} geschaffen.")
        else:
            listed = "; ".join(describe_position(position) for position in request.stellen)
            items.append(f"Zum Stellenplan {plan_year} werden insgesamt {count} Stellen ({vza} VZÄ) geschaffen, davon: {listed}.")
        first = min(position.ab for position in request.stellen)
        items.append(
            f"Die Verwaltung wird ermächtigt, die Stellen auszuschreiben und ab dem {format_date(first)} zu besetzen."
        )
    if (consulting := consulting_text(request)) is not None:
        items.append(f"Die Verwaltung wird ermächtigt, die externe Beratung ({consulting}) zu vergeben.")
    if table is not None:
        items.append(
            f"Die erforderlichen Mittel ({_year_amounts(table)}) werden im Haushalt {years_text(table.years)} "
            "bereitgestellt." + _assumption_sentence(table)
        )
    fixed = "\n".join(f"{number}. {item}" for number, item in enumerate(items, start=1))
    return SectionSkeleton("Beschlussantrag", "", fixed)


def _context_lines(material: StyleMaterial) -> list[str]:
    """One sentence per cited passage of a similar past Vorlage, its [n] in that sentence."""
    return [
        f"- Eine vergleichbare frühere Vorlage hält fest: „{' '.join(as_data(c.quote).split())}“ "
        f"(vgl. {reference_label(c)}) [{c.index}]"
        for c in material.references
    ]


def _goal(request: DraftRequest, table: DraftCostTable | None) -> str:
    if not _is_decision(request):
        return f"Die {request.vorlagenart} informiert über: {request.betreff}."
    sentences = [f"Ziel der Vorlage: {request.betreff}."]
    betreff = request.betreff.lower()
    sentences += [f"Angestrebt wird: {figure.text}." for figure in request.kennzahlen if figure.text.lower() not in betreff]
    if table is not None:
        total = table.rows[-1].total
        scope = f"Das Vorhaben umfasst die Haushaltsjahre {years_text(table.years)}"
        if total is not None:
            sentences.append(f"{scope} mit Aufwendungen von insgesamt {format_eur(total)} (siehe Finanzielle Auswirkungen).")
        else:
            sentences.append(f"{scope}; einzelne Beträge sind noch zu ergänzen (siehe Finanzielle Auswirkungen).")
    if request.stellen:
        count, vza = total_positions(request)
        sentences.append(f"Dafür werden {count} Stelle{'n' if count != 1 else ''} im Umfang von {vza} VZÄ geschaffen.")
    sentences.append("[bitte ergänzen: warum die Maßnahme notwendig ist und was ohne sie nicht geleistet werden kann]")
    return " ".join(sentences)


def _measures(request: DraftRequest) -> list[str]:
    measures = [f"- Schaffung von {describe_position(position)}." for position in request.stellen]
    if (consulting := consulting_text(request)) is not None:
        measures.append(f"- Externe Beratung: {consulting}.")
    if (material := material_text(request)) is not None:
        measures.append(f"- Sachkosten: {material}.")
    for cost in request.weitere_kosten:
        when = f"im Jahr {cost.jahr}" if cost.jahr else "je Jahr"
        measures.append(f"- {cost.bezeichnung}: {format_eur(cost.betrag)} {when}.")
    for step in request.beratungsfolge:
        when = f" am {format_date(step.datum)}" if step.datum else ""
        measures.append(f"- Beratung im Gremium {step.gremium}{when}" + (f" ({step.rolle})." if step.rolle else "."))
    return measures


def begruendung(request: DraftRequest, material: StyleMaterial, table: DraftCostTable | None = None) -> SectionSkeleton:
    """Ausgangslage (the author's facts, cited context of similar past Vorlagen), Ziel (the whole request),
    Maßnahmen (positions, consulting, costs, Beratungsfolge), Alternativen (open)."""
    situation = [f"- {fact}" for fact in request.fakten] + _context_lines(material)
    measures = _measures(request)
    parts = [
        "### Ausgangslage\n\n" + ("\n".join(situation) or "[bitte ergänzen: Anlass und bisherige Lage]"),
        ("### Ziel und Notwendigkeit\n\n" if _is_decision(request) else "### Gegenstand\n\n") + _goal(request, table),
        "### Maßnahmen und Vorgehen\n\n" + ("\n".join(measures) or "[bitte ergänzen: Maßnahmen und Zeitplan]"),
    ]
    if _is_decision(request):  # a Mitteilung or Information asks for no decision: no alternatives to weigh
        parts.append("### Alternativen\n\n[bitte ergänzen: geprüfte Alternativen, z. B. Verzicht, Vergabe an Dritte, "
                     "Zusammenarbeit mit anderen Kommunen]")
    return SectionSkeleton("Begründung", "\n\n".join(parts))


def _pro_rata(request: DraftRequest, table: DraftCostTable) -> list[str]:
    starts = sorted({p.ab for p in request.stellen if p.ab.month > 1 and p.ab.year in table.years})
    if not starts:
        return []
    parts = [f"ab dem {format_date(start)} ({13 - start.month} Monate im Jahr {start.year})" for start in starts]
    return [f"Die Personalkosten sind im ersten Jahr anteilig berechnet: {', '.join(parts)}."]


def _header(table: DraftCostTable) -> str:
    assumed = set(table.assumed_years())
    years = [f"{year} ({ASSUMED})" if year in assumed else str(year) for year in table.years]
    return "| Kostenart | " + " | ".join(years) + " | Summe |"


def finanzielle_auswirkungen(request: DraftRequest, table: DraftCostTable | None) -> SectionSkeleton:
    if table is None:
        return SectionSkeleton(
            "Finanzielle Auswirkungen", "[bitte ergänzen: Die Anfrage enthält keine Kostenangaben (Stellen, Beratung, Sachkosten).]"
        )
    summe = table.rows[-1]
    if summe.total is not None:
        first = (f"Für das Vorhaben entstehen in den Haushaltsjahren {years_text(table.years)} Aufwendungen von insgesamt "
                 f"{format_eur(summe.total)}.")
    else:
        open_years = [year for year, amount in zip(table.years, summe.amounts) if amount is None]
        first = (f"Für das Vorhaben entstehen in den Haushaltsjahren {years_text(table.years)} Aufwendungen; die Beträge "
                 f"für {years_text(open_years)} sind noch zu ergänzen, weil keine Kostentabelle sie abdeckt.")
    sentences = [first, *_pro_rata(request, table)]
    rule = "|---|" + "---:|" * (len(table.years) + 1)
    rows = []
    for row in table.rows:
        cells = [_amount(amount) for amount in row.amounts] + [_amount(row.total)]
        label = f"**{row.label}**" if row.label == SUMME else row.label
        if row.label == SUMME:
            cells = [f"**{cell}**" for cell in cells]
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    basis = "Berechnungsgrundlage: " + ("; ".join(table.tables) if table.tables else "Angaben der Anfrage") + "."
    notes = [*table.assumptions, *(f"Hinweis: {notice}" for notice in table.notices)]
    fixed = "\n".join([_header(table), rule, *rows]) + "\n\n" + "\n\n".join([basis, *notes])
    return SectionSkeleton("Finanzielle Auswirkungen", " ".join(sentences), fixed)


def _fixed_term(position: DraftPosition) -> str:
    until = format_date(position.befristet_bis or position.ab)
    if position.anzahl == 1:
        return f"Die Stelle {position.gruppe} ist bis zum {until} befristet."
    return f"Die {position.anzahl} Stellen {position.gruppe} sind bis zum {until} befristet."


def personelle_auswirkungen(request: DraftRequest) -> SectionSkeleton:
    if not request.stellen:
        return SectionSkeleton("Personelle Auswirkungen", "Es werden keine neuen Stellen geschaffen.")
    count, vza = total_positions(request)
    prose = f"Für das Vorhaben werden {count} Stelle{'n' if count != 1 else ''} im Umfang von {vza} VZÄ benötigt."
    temporary = [p for p in request.stellen if p.befristet_bis]
    if temporary:
        prose += " " + " ".join(_fixed_term(p) for p in temporary)
    fixed = "\n".join(f"- {describe_position(position)}" for position in request.stellen)
    return SectionSkeleton("Personelle Auswirkungen", prose, fixed)


def beteiligte_stellen(request: DraftRequest) -> SectionSkeleton:
    lines = [f"- {name}" for name in request.beteiligte]
    return SectionSkeleton(
        "Beteiligte Stellen", "", "\n".join(lines) or "[bitte ergänzen: beteiligte Ämter, z. B. Personalamt und Kämmerei]"
    )


def anlagen(request: DraftRequest) -> SectionSkeleton:
    lines = [f"{number}. {title}" for number, title in enumerate(request.anlagen, start=1)]
    return SectionSkeleton("Anlagen", "", "\n".join(lines) or "keine")


def build_skeleton(request: DraftRequest, table: DraftCostTable | None, material: StyleMaterial) -> list[SectionSkeleton]:
    """The requested sections in Vorlage order."""
    builders = {
        "Beschlussantrag": lambda: beschlussantrag(request, table),
        "Begründung": lambda: begruendung(request, material, table),
        "Finanzielle Auswirkungen": lambda: finanzielle_auswirkungen(request, table),
        "Personelle Auswirkungen": lambda: personelle_auswirkungen(request),
        "Beteiligte Stellen": lambda: beteiligte_stellen(request),
        "Anlagen": lambda: anlagen(request),
    }
    return [builders[name]() for name in request.abschnitte]


def draft_date(request: DraftRequest) -> date:
    return request.datum or date.today()
