"""The deterministic skeleton: every section complete and correct without a language model.

Each section is Markdown made of the request's facts, the cost tools' results and fixed phrases of
German Vorlagen („Die Verwaltung wird ermächtigt, …“); the only text of past Vorlagen is the quoted,
cited reference in the Begründung. Open points are marked „[bitte ergänzen: …]“.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from assistant.drafting.costs import SUMME
from assistant.drafting.request import describe_position
from assistant.drafting.style import StyleMaterial, reference_label
from assistant.grounding import as_data
from vorlagen.domain import DraftCostTable, DraftRequest
from vorlagen.formatting import format_date, format_eur, format_number


@dataclass(frozen=True)
class SectionSkeleton:
    name: str
    prose: str
    """The part a language model may rewrite (may be empty)."""
    fixed: str = ""
    """The part that stays as computed: tables, numbered items, lists, cited references."""

    @property
    def text(self) -> str:
        return "\n\n".join(part for part in (self.prose, self.fixed) if part.strip())


def _is_decision(request: DraftRequest) -> bool:
    return "beschluss" in request.vorlagenart.lower()


def _deciding_body(request: DraftRequest) -> str:
    deciding = [step.gremium for step in request.beratungsfolge if (step.rolle or "").lower().startswith("beschluss")]
    return deciding[-1] if deciding else (request.beratungsfolge[-1].gremium if request.beratungsfolge else "Gemeinderat")


def _years_text(years: list[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]} bis {years[-1]}"


def _total_positions(request: DraftRequest) -> tuple[int, str]:
    count = sum(position.anzahl for position in request.stellen)
    vza = sum((position.total_vza for position in request.stellen), start=Decimal(0))
    return count, format_number(vza.normalize() if vza == vza.to_integral() else vza)


def _year_amounts(table: DraftCostTable) -> str:
    summe = table.rows[-1]
    parts = [f"{year}: {format_eur(amount)}" for year, amount in zip(table.years, summe.amounts)]
    return "; ".join(parts) + f"; insgesamt {format_eur(summe.total)}"


def beschlussantrag(request: DraftRequest, table: DraftCostTable | None) -> SectionSkeleton:
    body = _deciding_body(request)
    if not _is_decision(request):
        return SectionSkeleton("Beschlussantrag", "", f"Der {body} nimmt die {request.vorlagenart} „{request.betreff}“ zur Kenntnis.")
    items = [f"Dem Vorhaben „{request.betreff}“ wird zugestimmt."]
    if request.stellen:
        count, vza = _total_positions(request)
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
    if request.tagessatz is not None:
        items.append("Die Verwaltung wird ermächtigt, die externe Beratung im genannten Umfang zu vergeben.")
    if table is not None:
        items.append(
            f"Die erforderlichen Mittel ({_year_amounts(table)}) werden im Haushalt {_years_text(table.years)} "
            "bereitgestellt."
        )
    fixed = "\n".join(f"{number}. {item}" for number, item in enumerate(items, start=1))
    return SectionSkeleton("Beschlussantrag", "", fixed)


def begruendung(request: DraftRequest, material: StyleMaterial) -> SectionSkeleton:
    ausgangslage = "\n".join(f"- {fact}" for fact in request.fakten) or "[bitte ergänzen: Anlass und bisherige Lage]"
    measures: list[str] = [f"- Schaffung von {describe_position(position)}." for position in request.stellen]
    if request.beratertage_je_jahr is not None and request.tagessatz is not None:
        measures.append(
            f"- Externe Beratung im Umfang von {format_number(request.beratertage_je_jahr)} Beratertagen je Jahr "
            f"zu einem Tagessatz von {format_eur(request.tagessatz)}."
        )
    if request.sachkosten_je_jahr is not None:
        measures.append(f"- Sachkosten von {format_eur(request.sachkosten_je_jahr)} je Jahr.")
    for step in request.beratungsfolge:
        when = f" am {format_date(step.datum)}" if step.datum else ""
        measures.append(f"- Beratung im Gremium {step.gremium}{when}" + (f" ({step.rolle})." if step.rolle else "."))
    prose = "\n\n".join(
        [
            "### Ausgangslage\n\n" + ausgangslage,
            f"### Ziel und Notwendigkeit\n\nZiel der Vorlage ist: {request.betreff}. "
            "[bitte ergänzen: warum die Maßnahme notwendig ist und was ohne sie nicht geleistet werden kann]",
            "### Maßnahmen und Vorgehen\n\n" + ("\n".join(measures) or "[bitte ergänzen: Maßnahmen und Zeitplan]"),
            "### Alternativen\n\n[bitte ergänzen: geprüfte Alternativen, z. B. Verzicht, Vergabe an Dritte, "
            "Zusammenarbeit mit anderen Kommunen]",
        ]
    )
    fixed = ""
    if material.references:
        lines = [
            f"- „{' '.join(as_data(c.quote).split())}“ (vgl. {reference_label(c)}) [{c.index}]" for c in material.references
        ]
        fixed = "### Vergleichbare Vorlagen\n\n" + "\n".join(lines)
    return SectionSkeleton("Begründung", prose, fixed)


def finanzielle_auswirkungen(request: DraftRequest, table: DraftCostTable | None) -> SectionSkeleton:
    if table is None:
        return SectionSkeleton(
            "Finanzielle Auswirkungen", "[bitte ergänzen: Die Anfrage enthält keine Kostenangaben (Stellen, Beratung, Sachkosten).]"
        )
    summe = table.rows[-1]
    sentences = [
        f"Für das Vorhaben entstehen in den Haushaltsjahren {_years_text(table.years)} Aufwendungen von insgesamt "
        f"{format_eur(summe.total)}."
    ]
    pro_rata = [p for p in request.stellen if p.ab.month > 1]
    if pro_rata:
        first = min(pro_rata, key=lambda p: p.ab)
        sentences.append(
            f"Die Personalkosten sind im ersten Jahr anteilig ab dem {format_date(first.ab)} "
            f"({13 - first.ab.month} Monate) berechnet."
        )
    header = "| Kostenart | " + " | ".join(str(year) for year in table.years) + " | Summe |"
    rule = "|---|" + "---:|" * (len(table.years) + 1)
    rows = []
    for row in table.rows:
        cells = [format_eur(amount) for amount in row.amounts] + [format_eur(row.total)]
        label = f"**{row.label}**" if row.label == SUMME else row.label
        if row.label == SUMME:
            cells = [f"**{cell}**" for cell in cells]
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    basis = "Berechnungsgrundlage: " + ("; ".join(table.tables) if table.tables else "Angaben der Anfrage") + "."
    notes = [f"Hinweis: {notice}" for notice in table.notices]
    fixed = "\n".join([header, rule, *rows]) + "\n\n" + "\n\n".join([basis, *notes])
    return SectionSkeleton("Finanzielle Auswirkungen", " ".join(sentences), fixed)


def personelle_auswirkungen(request: DraftRequest) -> SectionSkeleton:
    if not request.stellen:
        return SectionSkeleton("Personelle Auswirkungen", "Es werden keine neuen Stellen geschaffen.")
    count, vza = _total_positions(request)
    prose = f"Für das Vorhaben werden {count} Stelle{'n' if count != 1 else ''} im Umfang von {vza} VZÄ benötigt."
    temporary = [p for p in request.stellen if p.befristet_bis]
    if temporary:
        prose += " " + " ".join(
            f"Die Stellen {p.gruppe} sind bis zum {format_date(p.befristet_bis)} befristet." for p in temporary if p.befristet_bis
        )
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
        "Begründung": lambda: begruendung(request, material),
        "Finanzielle Auswirkungen": lambda: finanzielle_auswirkungen(request, table),
        "Personelle Auswirkungen": lambda: personelle_auswirkungen(request),
        "Beteiligte Stellen": lambda: beteiligte_stellen(request),
        "Anlagen": lambda: anlagen(request),
    }
    return [builders[name]() for name in request.abschnitte]


def draft_date(request: DraftRequest) -> date:
    return request.datum or date.today()
