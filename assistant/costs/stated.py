"""Sums and differences over figures the documents state, each input cited.

The question names what to combine: two or more years ("Sachmittel 2024 und 2025 zusammen", "um wie
viel von 2024 auf 2025 gestiegen") — one figure per year, each the figure whose column, row or clause
names that year — or two or more things ("Kran und Wartungsvertrag insgesamt") — one figure per thing,
found next to its name. Missing or unclear figures give a German message, never a guess.
"""

from __future__ import annotations

import re
from decimal import Decimal

from langchain_core.documents import Document

from assistant.costs.cues import ParsedQuestion
from assistant.costs.evidence import (
    QUESTION_NOISE,
    Candidate,
    candidates,
    caption,
    context_score,
    evidence_ref,
    figure_context,
    label_from_context,
    line_bounds,
    passage_quantities,
    question_years,
    terms,
)
from assistant.costs.models import Operand, Operation, RechneInput
from assistant.costs.plan import CalculationPlan, PlannedInput
from assistant.costs.quantities import Quantity, QuantityKind
from assistant.costs.arithmetic import format_amount
from vorlagen.text import lexicon, tokenize

_POSITIONS = re.compile(r"\bwie\s+viele\s+(?:\w+\s+)?(?:stellen|planstellen|vzä|vollzeit\w*)\b", re.I)
_ITEMS = re.compile(
    r"(?P<first>[A-ZÄÖÜ][\wäöüß]*-?)\s+(?:und|sowie|plus)\s+(?:(?:der|die|das|den|dem|des)\s+)?"
    r"(?:[a-zäöüß]\w*(?:e|en|er|es|em)\s+)?(?P<second>[A-ZÄÖÜ][\wäöüß-]+)"
)
_Pick = tuple[str, Candidate]
_FORM_TOTAL = re.compile(r"[ \t]*Gesamt(?:kosten|auftragswert|summe|betrag)[ \t]*:[ \t]*\S", re.I)
"""The total-cost field of a Vorlage's form block ("Finanzielle Auswirkungen … Gesamtkosten: …")."""
_TOP_VORLAGEN = 3


def _text(evidence: list[Document], candidate: Candidate) -> str:
    return evidence[candidate.document_index].page_content


def _figure_kind(q: ParsedQuestion) -> QuantityKind:
    return "stellen" if _POSITIONS.search(q.text) else "betrag"


def _best(found: list[Candidate], evidence: list[Document], question: str, what: str) -> Candidate | str:
    """The candidate whose own words (row or sentence) best match the question — a figure of a year
    the question names before one without a year; a German message when none matches or two different
    figures match equally well."""
    years = set(question_years(question))
    question_terms = terms(question)
    noise = set(tokenize(question)) & QUESTION_NOISE

    def score(candidate: Candidate) -> float:
        document = evidence[candidate.document_index]
        text = document.page_content
        found = list(passage_quantities(text))
        context = f"{caption(text, candidate.quantity, found)} {figure_context(text, candidate.quantity, found)}"
        context_terms = set(tokenize(context))
        cost_word = 0.25 * sum(1 for n in noise if any(n in t and n != t for t in context_terms))
        subject = 0.5 * min(len(terms(str(document.metadata.get("title", ""))) & question_terms), 2)
        return (context_score(context, question_terms, noise) + cost_word + subject
                + (1 if candidate.years & years else 0))

    ranked = sorted(((score(c), c) for c in found), key=lambda pair: (-pair[0], pair[1].document_index))
    if not ranked or ranked[0][0] - (1 if ranked[0][1].years & years else 0) < 0.5:
        return f"Für {what} steht kein passender Wert in den gefundenen Vorlagen."
    best_score, best = ranked[0]
    rivals = {c.quantity.value for s, c in ranked[1:] if s == best_score} - {best.quantity.value}
    if rivals:
        shown = ", ".join(format_amount(v, best.quantity.unit) for v in [best.quantity.value, *rivals] if v is not None)
        return f"Für {what} passen mehrere Werte ({shown}); bitte die Frage genauer stellen (z. B. mit Jahr)."
    return best


def _pick_per_year(q: ParsedQuestion, evidence: list[Document], years: list[int]) -> list[_Pick] | str:
    kind = _figure_kind(q)
    picks: list[_Pick] = []
    for year in years:
        found = [c for c in candidates(evidence, {kind}, terms(q.text), years=[year]) if year in c.years]
        best = _best(found, evidence, q.text, str(year))
        if isinstance(best, str) and kind == "betrag":
            taken = {evidence[pick.document_index].metadata.get("doc_id") for _, pick in picks}
            best = _vorlage_total(evidence, year, taken) or best
        if isinstance(best, str):
            return best
        picks.append((str(year), best))
    return picks


def _vorlage_total(evidence: list[Document], year: int, taken: set[object]) -> Candidate | None:
    """No figure's words name the year ("die 2024 und 2025 bestellten Fahrzeuge"): the total cost a
    Vorlage of that year states in its form ("Gesamtkosten: 4.019.928,29 €") — of the best-ranked such
    Vorlage among the ``top_vorlagen`` the retriever found, each Vorlage used for one year only."""
    ranked = list(dict.fromkeys(d.metadata.get("doc_id") for d in evidence if d.metadata.get("rank")))
    for doc_id in ranked[:_TOP_VORLAGEN]:
        if doc_id in taken:
            continue
        for index, document in enumerate(evidence):
            if document.metadata.get("doc_id") != doc_id or document.metadata.get("year") != year:
                continue
            text = document.page_content
            for quantity in passage_quantities(text):
                line_start = line_bounds(text, quantity.start)[0]
                if quantity.kind == "betrag" and quantity.value and _FORM_TOTAL.match(text, line_start):
                    return Candidate(quantity=quantity, document_index=index, score=1.0, years=frozenset({year}))
    return None


def _pick_per_item(q: ParsedQuestion, evidence: list[Document], years: list[int]) -> list[_Pick] | str:
    match = _ITEMS.search(q.text)
    if match is None:
        return "Welche Werte sollen verrechnet werden? Bitte die Jahre oder Posten nennen (z. B. „2024 und 2025“)."
    kind = _figure_kind(q)
    items = [match.group("first"), match.group("second")]
    others = terms(q.text) - {t for item in items for t in tokenize(item)}
    picks: list[_Pick] = []
    for item in items:
        item_terms = set(tokenize(item))

        def names_item(quantity: Quantity, text: str, item_terms: set[str] = item_terms) -> bool:
            context = " ".join(tokenize(figure_context(text, quantity, list(passage_quantities(text)))))
            return all(term in context for term in item_terms)

        found = [c for c in candidates(evidence, {kind}, others | item_terms, accept=names_item, years=years)
                 if not any(c.quantity == p.quantity and c.document_index == p.document_index for _, p in picks)]
        best = _best(found, evidence, q.text, f"„{item}“")
        if isinstance(best, str):
            shared = picks[0][1] if picks and names_item(picks[0][1].quantity, _text(evidence, picks[0][1])) else None
            if shared is None:
                return best
            amount = format_amount(shared.quantity.value or Decimal(0), shared.quantity.unit)
            return (f"Die Vorlagen nennen für „{items[0]}“ und „{item}“ einen gemeinsamen Wert ({amount}); "
                    "zu verrechnen gibt es nichts.")
        picks.append((item, best))
    return picks


def _pick_row_pair(q: ParsedQuestion, evidence: list[Document]) -> list[_Pick] | None:
    """A change without years or items ("Um wie viel steigt mit der neuen Satzung der Stundensatz …?"):
    the table row of the best-ranked Vorlage that best names the subject and holds exactly two different
    figures — a comparison table (Synopse: bisherige | neue Fassung) reads old left, new right."""
    kind = _figure_kind(q)
    question_terms = terms(q.text)
    noise = set(tokenize(q.text)) & QUESTION_NOISE
    scored: list[tuple[float, int, list[Quantity]]] = []
    top = evidence[0].metadata.get("doc_id") if evidence else None
    for index, document in enumerate(evidence):
        if document.metadata.get("doc_id") != top:
            continue  # a comparison table of the Vorlage retrieval trusts most, not of any long report
        text = document.page_content
        rows: dict[int, list[Quantity]] = {}
        for quantity in passage_quantities(text):
            if quantity.kind == kind and quantity.value is not None:
                rows.setdefault(line_bounds(text, quantity.start)[0], []).append(quantity)
        for start, row in rows.items():
            if len(row) != 2 or row[0].value == row[1].value or (pair := _old_and_new(text, start, *row)) is None:
                continue
            scored.append((context_score(text[start : line_bounds(text, start)[1]], question_terms, noise), index, pair))
    scored.sort(key=lambda entry: -entry[0])
    if not scored or scored[0][0] < 1 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None  # no row names the subject, or two rows name it equally well
    score, index, (old, new) = scored[0]
    return [("neu", Candidate(quantity=new, document_index=index, score=score)),
            ("bisher", Candidate(quantity=old, document_index=index, score=score))]


def _old_and_new(text: str, row_start: int, left: Quantity, right: Quantity) -> tuple[Quantity, Quantity] | None:
    """The (old, new) figures of a row with two, or None where the row does not compare an old and a new level.
    A sentence says which is which ("von derzeit 5 Mio. auf 8 Mio. Euro", "nunmehr auf 17.387,50 Euro (vorher
    13.161 Euro)"); a comparison table (old | new) repeats the row's label before the right figure
    ("Direktionsdienst 90,50 … Direktionsdienst 150,00"). Two figures in a sentence that marks neither ("ca.
    800.000 Euro (netto) bzw. ca. 952.000 Euro (brutto)") or one stated as the change ("um 2,50 Euro auf 12,50
    Euro") compare nothing."""
    if lexicon.states_change(text, left.start):
        return None
    marks = (lexicon.stated_direction(text, left.start, left.end), lexicon.stated_direction(text, right.start, right.end))
    if marks == (-1, 1):
        return left, right
    if marks == (1, -1):
        return right, left
    label = re.sub(r"[^\w]+", " ", text[row_start : left.start]).strip()
    repeated = len(label) >= 4 and label in re.sub(r"[^\w]+", " ", text[left.end : right.start])
    return (left, right) if repeated and marks == (0, 0) else None


def _plan(q: ParsedQuestion, evidence: list[Document], operation: Operation, description: str) -> CalculationPlan:
    years = question_years(q.text)
    picks = _pick_per_year(q, evidence, years) if len(years) >= 2 else _pick_per_item(q, evidence, years)
    if isinstance(picks, str) and operation != "summe" and len(years) < 2 and _ITEMS.search(q.text) is None:
        pair = _pick_row_pair(q, evidence)
        if pair is not None:
            picks, description = pair, "Veränderung bisher → neu"
    if isinstance(picks, str):
        return CalculationPlan.refusal("rechne", description, picks)
    if operation != "summe" and len(years) >= 2:
        picks = list(reversed(picks))  # change from the earlier to the later year: later − earlier
        description = f"Veränderung {years[0]} → {years[-1]}"
    if operation == "veraenderung_prozent":
        description += " in Prozent" if description else "Veränderung in Prozent"
    operands: list[Operand] = []
    inputs: list[PlannedInput] = []
    label = _common_label(q, evidence, picks)
    for name, pick in picks:
        value = pick.quantity.value
        assert value is not None
        ref = evidence_ref(evidence[pick.document_index], pick.quantity)
        per_column = name.isdigit() or name in ("bisher", "neu")  # a year or a comparison column
        shown = f"{label} {name}" if per_column else " ".join([name, *map(str, years[:1])])
        operands.append(Operand(value=value, unit=pick.quantity.unit, label=shown, origin="Dokument", evidence=ref))
        inputs.append(PlannedInput.from_evidence(shown, format_amount(value, pick.quantity.unit), ref))
    data = RechneInput(operation=operation, operands=operands)
    return CalculationPlan(tool="rechne", description=description, tool_input=data, inputs=inputs)


def _common_label(q: ParsedQuestion, evidence: list[Document], picks: list[_Pick]) -> str:
    """One name for the per-year figures: the question's noun found most often in their contexts."""
    question_terms = terms(q.text)
    labels: list[str] = []
    for _, pick in picks:
        text = evidence[pick.document_index].page_content
        found = list(passage_quantities(text))
        context = f"{figure_context(text, pick.quantity, found)} {caption(text, pick.quantity, found)}"
        label = label_from_context(context, question_terms, "")
        form = _FORM_TOTAL.match(text, line_bounds(text, pick.quantity.start)[0])
        if label or form:
            labels.append(label or form.group(0).split(":")[0].strip())
    return max(labels, key=labels.count) if labels else "Wert"


def plan_stated_sum(q: ParsedQuestion, evidence: list[Document]) -> CalculationPlan:
    """``Sachmittel 2024 und 2025 zusammen`` / ``Kran und Wartung insgesamt`` over stated figures."""
    return _plan(q, evidence, "summe", "Summe")


def plan_stated_difference(q: ParsedQuestion, evidence: list[Document], in_percent: bool = False) -> CalculationPlan:
    """``um wie viel (Prozent) von 2024 auf 2025 gestiegen`` / ``Differenz zwischen A und B`` over stated
    figures."""
    if in_percent:
        return _plan(q, evidence, "veraenderung_prozent", "")
    return _plan(q, evidence, "differenz", "Differenz")
