"""Deterministic German parser: quantities in a question, and which cost tool answers it.

``parse_quantities(text)`` finds amounts (``1.234,56 EUR``, ``1,2 Mio. Euro``, ``450 T€``), days
(``380 Beratertage``), positions (``7,5 Stellen``, ``0,5 VZÄ``), percentages, months, dates (``ab
01.07.2027``, ``ab dem 1. Juli 2027``), years, Entgelt-/Besoldungsgruppen (``E 13 TVöD``,
``A12/E11``), counts of things (``20 batterieelektrischen Hochdachkombis``) and bare numbers, each
with its verbatim text and offsets.

``plan_calculation(question, evidence)`` decides whether the question is a calculation, which tool
answers it and with which inputs. Figures the question does not give are read from the evidence
passages by lexical overlap with the question; each such input keeps the Document and the verbatim
quote it came from. Nothing is guessed: when a figure is missing or ambiguous the plan carries a German
message instead of inputs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Literal

from langchain_core.documents import Document
from pydantic import BaseModel, Field, ValidationError

from assistant.costs.models import (
    AnteiligInput,
    BeratungskostenInput,
    BeratungsPosten,
    CostError,
    CostResult,
    EvidenceRef,
    FinanzplanungInput,
    Operand,
    PersonalkostenInput,
    Position,
    RechneInput,
    german_validation_message,
)
from assistant.costs.tables import CostTables, normalize_group
from assistant.costs.tools import anteilig, beratungskosten, finanzplanung, format_amount, personalkosten, rechne
from assistant.costs.cues import is_calculation_question
from assistant.costs.quantities import NUMBER, Quantity, QuantityKind, parse_quantities
from vorlagen.formatting import format_date, format_eur, format_number

# ---------------------------------------------------------------------------------------------
# Lexical matching between question and evidence
# ---------------------------------------------------------------------------------------------

_STOPWORDS = set(
    """der die das des dem den ein eine einer eines einem einen und oder bei aus von vom im in auf für mit
    zu zum zur ist sind war wird werden wurde was wie viel viele hoch hohe kostet kosten kosten? welche
    welcher welches wer wo wann ab bis je pro als an am nach über unter durch sich es sie er wir ihr noch
    auch nur dann wenn dass daß bezogen insgesamt gesamt jeweils ca rd rund etwa""".split()
)


def stem(word: str) -> str:
    """A crude German stem: lower case, common inflection endings removed (min. 4 letters kept)."""
    word = word.lower().strip("„“\"'()[]:;,.!?")
    for suffix in ("ern", "en", "er", "es", "em", "e", "n", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def content_stems(text: str) -> set[str]:
    return {stem(word) for word in re.findall(r"[\wäöüÄÖÜß/-]+", text) if word.lower() not in _STOPWORDS and not word.isdigit() and len(word) > 2}


class _Candidate(BaseModel):
    quantity: Quantity
    document_index: int
    score: float
    window: str


def _window(text: str, quantity: Quantity, before_words: int = 8, after_words: int = 4) -> str:
    """Words around a quantity within its line block (no crossing of blank lines)."""
    left = text[: quantity.start]
    right = text[quantity.end :]
    left = re.split(r"\n\s*\n", left)[-1]
    right = re.split(r"\n\s*\n", right)[0]
    before = " ".join(left.split()[-before_words:])
    after = " ".join(right.split()[:after_words])
    return f"{before} {quantity.text} {after}".strip()


def _candidates(
    evidence: list[Document],
    kinds: set[str],
    question_stems: set[str],
    accept: Callable[[Quantity, str], bool] | None = None,
) -> list[_Candidate]:
    found: list[_Candidate] = []
    values: dict[Decimal, int] = {}
    per_doc: list[tuple[int, Document, Quantity]] = []
    for index, document in enumerate(evidence):
        for quantity in parse_quantities(document.page_content):
            if quantity.kind in kinds and (accept is None or accept(quantity, document.page_content)):
                per_doc.append((index, document, quantity))
                if quantity.value is not None:
                    values[quantity.value] = values.get(quantity.value, 0) + 1
    for index, document, quantity in per_doc:
        window = _window(document.page_content, quantity)
        overlap = len(content_stems(window) & question_stems)
        repeats = values.get(quantity.value, 1) - 1 if quantity.value is not None else 0
        score = overlap + 0.5 * min(repeats, 4) - (2 if quantity.multiplier else 0) - 0.01 * index
        found.append(_Candidate(quantity=quantity, document_index=index, score=score, window=window))
    return sorted(found, key=lambda c: (-c.score, c.document_index, c.quantity.start))


_SENTENCE_END = re.compile(r"(?P<word>[\wäöüß]{2,})(?P<dot>[.!?:])\s+(?=[A-ZÄÖÜ„\d]\S)")
_ABBREVIATIONS = {"ca", "rd", "nr", "bzw", "vgl", "ggf", "ggfs", "usw", "inkl", "zzgl", "abs", "ziff", "dr", "str", "tsd", "mio", "mrd"}


def evidence_ref(document: Document, quantity: Quantity) -> EvidenceRef:
    """The citation of a quantity: its sentence within its paragraph (at most ~200 characters around
    it), verbatim, with offsets in the document."""
    text = document.page_content
    block_start = max((m.end() for m in re.finditer(r"\n\s*\n", text[: quantity.start])), default=0)
    block_end_match = re.search(r"\n\s*\n", text[quantity.end :])
    block_end = quantity.end + block_end_match.start() if block_end_match else len(text)
    start = max(block_start, quantity.start - 120)
    end = min(block_end, quantity.end + 80)
    # widen to word boundaries, then trim whitespace: the quote stays a verbatim substring
    while start > block_start and not text[start - 1].isspace():
        start -= 1
    while end < block_end and not text[end].isspace():
        end += 1
    sentence = None
    for match in _SENTENCE_END.finditer(text, start, quantity.start):
        if match.group("word").lower() not in _ABBREVIATIONS:
            sentence = match.end("dot")
    if sentence is not None:
        start = sentence
    for match in _SENTENCE_END.finditer(text, quantity.end, end):
        if match.group("word").lower() not in _ABBREVIATIONS:
            end = match.end("dot")
            break
    while start < quantity.start and text[start].isspace():
        start += 1
    while end > quantity.end and text[end - 1].isspace():
        end -= 1
    return EvidenceRef.from_chunk(document, start, end)


# ---------------------------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------------------------

ToolName = Literal["personalkosten", "beratungskosten", "anteilig", "finanzplanung", "rechne"]
ToolInput = PersonalkostenInput | BeratungskostenInput | AnteiligInput | FinanzplanungInput | RechneInput


class PlannedInput(BaseModel):
    """An input of the plan as the answer shows it: name, German value, and where it came from."""

    name: str
    value: str
    origin: Literal["Frage", "Dokument"]
    evidence: EvidenceRef | None = None


class CalculationPlan(BaseModel):
    """Which tool answers the question, with which inputs; or a German message why it cannot."""

    tool: ToolName
    description: str
    """What is computed, in German (e.g. „Durchschnittlicher Betrag je Fahrzeug“)."""
    tool_input: ToolInput | None = None
    inputs: list[PlannedInput] = Field(default_factory=list)
    error: str | None = None

    def run(self, tables: CostTables | None = None) -> CostResult:
        """Execute the plan; ``CostError`` (German) when the plan carries an error or the tool refuses."""
        if self.error or self.tool_input is None:
            raise CostError(self.error or "Die Rechnung ist nicht vollständig bestimmt.")
        data = self.tool_input
        if isinstance(data, PersonalkostenInput):
            if tables is None:
                raise CostError("Für Personalkosten werden Kostentabellen benötigt.")
            return personalkosten(data, tables)
        if isinstance(data, BeratungskostenInput):
            return beratungskosten(data)
        if isinstance(data, AnteiligInput):
            return anteilig(data)
        if isinstance(data, FinanzplanungInput):
            return finanzplanung(data)
        return rechne(data)


_PER_UNIT = re.compile(
    r"\b(?:je|pro)\s+(?:(?:ein(?:e[mnrs]?)?|angefangene[nr]?)\s+)?(?P<noun>[A-ZÄÖÜ][\wäöüß-]+)"
    r"|\bein(?:e[mn]?)?\s+(?:[a-zäöüß]\w*\s+)?(?P<noun2>[A-ZÄÖÜ][\wäöüß-]+)\s+(?:im\s+Durchschnitt|durchschnittlich)"
    r"|\b(?:im\s+Durchschnitt|durchschnittlich)\s+(?:ein(?:e[mnrs]?)?\s+)?(?P<noun3>[A-ZÄÖÜ][\wäöüß-]+)"
)
_NOT_UNITS = {"jahr", "jahre", "monat", "quartal", "woche", "haushaltsjahr", "kalenderjahr", "vorlage", "stunde"}
_SUM_CUE = re.compile(r"\b(summe|insgesamt|zusammen|addier\w*|gesamt\w*)\b|\s\+\s", re.I)
_DIFF_CUE = re.compile(r"\b(differenz|unterschied|mehr\s+als|weniger\s+als|höher\s+als|niedriger\s+als)\b|\s[−-]\s", re.I)
_SHARE_CUE = re.compile(r"\b(anteil|wie\s+viel\s+prozent|prozentual|welcher\s+prozentsatz)\b", re.I)
_CONSULT_CUE = re.compile(r"beratertag|tagessatz|tagessätze|personentag", re.I)
_PLAN_CUE = re.compile(r"\b(finanzplanung|mittelfristig\w*|jährlich\w*\s+steigerung|steigerung\s+von|steigt\s+jährlich|jährlich\s+um)\b", re.I)
_PARTIAL_CUE = re.compile(r"\b(anteilig\w*|halbes\s+jahr|halbjahr|jahresmitte|mitte\s+des\s+jahres|\d+\s+monate)\b", re.I)


def plan_calculation(question: str, evidence: list[Document]) -> CalculationPlan | None:
    """The plan for a calculation question, or ``None`` when the question is not a calculation."""
    if not is_calculation_question(question):
        return None
    quantities = parse_quantities(question)
    question_stems = content_stems(question)
    try:
        if _CONSULT_CUE.search(question):
            return _plan_consulting(question, quantities, evidence, question_stems)
        if any(q.kind == "gruppe" for q in quantities):
            return _plan_personnel(quantities, question)
        if _PLAN_CUE.search(question) and _find(quantities, "jahr", "datum"):
            return _plan_finance(question, quantities, evidence, question_stems)
        if _PARTIAL_CUE.search(question) or any(q.kind == "datum" and q.preposition == "ab" for q in quantities):
            if _money_like(quantities):
                return _plan_partial(quantities)
        per_unit = _per_unit_noun(question)
        if per_unit:
            return _plan_per_unit(question, per_unit, quantities, evidence, question_stems)
        numbers = [q for q in quantities if q.kind in ("betrag", "stellen", "tage", "zahl", "anzahl")]
        if _SHARE_CUE.search(question) and len(numbers) == 2:
            return _plan_rechne("anteil", "Anteil in Prozent", numbers)
        if _DIFF_CUE.search(question) and len(numbers) >= 2:
            return _plan_rechne("differenz", "Differenz", numbers)
        if _SUM_CUE.search(question) and len(numbers) >= 2:
            return _plan_rechne("summe", "Summe", numbers)
    except ValidationError as exc:
        return CalculationPlan(tool="rechne", description="Rechnung", error=german_validation_message(exc))
    return None


def _find(quantities: list[Quantity], *kinds: str) -> list[Quantity]:
    return [q for q in quantities if q.kind in kinds]


def _money_like(quantities: list[Quantity]) -> bool:
    return any(q.kind in ("betrag", "zahl") for q in quantities)


def _bare_amount_error(quantity: Quantity) -> str:
    return (
        f"Der Betrag „{quantity.text}“ hat keine Einheit. Bitte die Einheit angeben (z. B. „{quantity.text} EUR“); "
        "ohne Einheit wird nicht gerechnet."
    )


def _from_question(name: str, value: str) -> PlannedInput:
    return PlannedInput(name=name, value=value, origin="Frage")


def _from_evidence(name: str, value: str, ref: EvidenceRef) -> PlannedInput:
    return PlannedInput(name=name, value=value, origin="Dokument", evidence=ref)


def _plan_consulting(
    question: str, quantities: list[Quantity], evidence: list[Document], question_stems: set[str]
) -> CalculationPlan:
    description = "Beratungskosten"
    days = _find(quantities, "tage")
    amounts = _find(quantities, "betrag")
    bare = [q for q in _find(quantities, "zahl") if _near(question, q, "tagessatz")]
    if bare and not amounts:
        return CalculationPlan(tool="beratungskosten", description=description, error=_bare_amount_error(bare[0]))
    years = [int(q.value) for q in _find(quantities, "jahr") if q.value is not None]
    year = years[0] if len(years) == 1 else None
    inputs: list[PlannedInput] = []
    if amounts:
        rate = amounts[0].value
        assert rate is not None
        inputs.append(_from_question("Tagessatz", format_eur(rate)))
    else:
        candidates = _candidates(evidence, {"betrag"}, question_stems | {"tagessatz"},
                                 accept=lambda q, text: "tagessatz" in _window(text, q, 6, 0).lower())
        if not candidates:
            return CalculationPlan(tool="beratungskosten", description=description,
                                   error="Der Tagessatz steht weder in der Frage noch in den gefundenen Vorlagen.")
        best = candidates[0]
        rate = best.quantity.value
        assert rate is not None
        inputs.append(_from_evidence("Tagessatz", format_eur(rate), evidence_ref(evidence[best.document_index], best.quantity)))
    if days:
        day_values = [q.value for q in days if q.value is not None]
        inputs += [_from_question("Beratertage", format_number(value)) for value in day_values]
    else:
        candidates = _candidates(evidence, {"tage"}, question_stems,
                                 accept=lambda q, text: "tagessatz" in _window(text, q, 0, 8).lower())
        if not candidates:
            return CalculationPlan(tool="beratungskosten", description=description,
                                   error="Die Zahl der Beratertage steht weder in der Frage noch in den gefundenen Vorlagen.")
        best = candidates[0]
        assert best.quantity.value is not None
        day_values = [best.quantity.value]
        inputs.append(_from_evidence("Beratertage", format_number(best.quantity.value),
                                     evidence_ref(evidence[best.document_index], best.quantity)))
    data = BeratungskostenInput(items=[BeratungsPosten(days=value, day_rate=rate, year=year) for value in day_values])
    return CalculationPlan(tool="beratungskosten", description=description, tool_input=data, inputs=inputs)


def _near(text: str, quantity: Quantity, word: str, distance: int = 40) -> bool:
    return word in text[max(0, quantity.start - distance) : quantity.start].lower()


def _plan_personnel(quantities: list[Quantity], question: str) -> CalculationPlan:
    description = "Personalkosten"
    groups = _find(quantities, "gruppe")
    positions_q = _find(quantities, "stellen")
    dates = [q for q in _find(quantities, "datum") if q.preposition in (None, "ab", "zum", "vom", "seit")]
    if not positions_q:
        return CalculationPlan(tool="personalkosten", description=description,
                               error="Bitte den Stellenumfang angeben (z. B. „1,5 VZÄ“ oder „2 Stellen“).")
    if not dates:
        return CalculationPlan(tool="personalkosten", description=description,
                               error="Bitte den Beginn angeben (z. B. „ab 01.07.2027“).")
    positions: list[Position] = []
    inputs: list[PlannedInput] = []
    for index, amount in enumerate(positions_q):
        group = _nearest(groups, amount)
        when = _nearest(dates, amount)
        try:
            normalize_group(group.group.split("/")[0] if group.group else "")
        except CostError as exc:
            return CalculationPlan(tool="personalkosten", description=description, error=str(exc))
        assert amount.value is not None and when.when is not None and group.group is not None
        positions.append(Position(vza=amount.value, group=group.group, start=when.when))
        inputs.append(_from_question(f"Stelle {index + 1}",
                                     f"{format_number(amount.value)} VZÄ {group.group} ab {format_date(when.when)}"))
    years = [int(q.value) for q in _find(quantities, "jahr") if q.value is not None]
    end_year = max(years) if years and max(years) >= min(p.start.year for p in positions) else None
    data = PersonalkostenInput(
        positions=positions,
        end_year=end_year,
        include_workplace=not re.search(r"ohne\s+(?:Arbeitsplatz|Sachkosten)", question, re.I),
        include_overhead=not re.search(r"ohne\s+(?:\w+\s+)?Gemeinkosten", question, re.I),
    )
    return CalculationPlan(tool="personalkosten", description=description, tool_input=data, inputs=inputs)


def _nearest(candidates: list[Quantity], anchor: Quantity) -> Quantity:
    return min(candidates, key=lambda q: (abs(q.start - anchor.start), q.start))


def _plan_partial(quantities: list[Quantity]) -> CalculationPlan:
    description = "Anteiliger Jahresbetrag"
    amounts = _find(quantities, "betrag")
    if not amounts:
        bare = _find(quantities, "zahl")
        return CalculationPlan(tool="anteilig", description=description, error=_bare_amount_error(bare[0]))
    amount = amounts[0]
    assert amount.value is not None
    inputs = [_from_question("Jahresbetrag", format_eur(amount.value))]
    start = next((q for q in _find(quantities, "datum") if q.preposition in (None, "ab", "zum", "seit")), None)
    months = next((q for q in _find(quantities, "monate")), None)
    if start is not None and start.when is not None:
        data = AnteiligInput(annual_amount=amount.value, start=start.when)
        inputs.append(_from_question("Beginn", format_date(start.when)))
    elif months is not None and months.value is not None:
        data = AnteiligInput(annual_amount=amount.value, months=int(months.value))
        inputs.append(_from_question("Monate", format_number(months.value)))
    else:
        return CalculationPlan(tool="anteilig", description=description,
                               error="Bitte die Zahl der Monate oder den Beginn angeben (z. B. „ab 01.07.2024“).")
    return CalculationPlan(tool="anteilig", description=description, tool_input=data, inputs=inputs)


def _plan_finance(
    question: str, quantities: list[Quantity], evidence: list[Document], question_stems: set[str]
) -> CalculationPlan:
    description = "Finanzplanung"
    amounts = _find(quantities, "betrag")
    if not amounts:
        bare = [q for q in _find(quantities, "zahl")]
        error = _bare_amount_error(bare[0]) if bare else "Bitte den Jahresbetrag angeben (z. B. „1.426.274 EUR“)."
        return CalculationPlan(tool="finanzplanung", description=description, error=error)
    amount = amounts[0]
    assert amount.value is not None
    dates = [q for q in _find(quantities, "datum") if q.preposition in (None, "ab", "zum", "seit")]
    years = sorted(int(q.value) for q in _find(quantities, "jahr") if q.value is not None)
    half = next((q for q in _find(quantities, "monate") if q.value == 6 and not q.text[0].isdigit()), None)
    if dates and dates[0].when is not None:
        start = dates[0].when
    elif years:
        start = date(years[0], 7 if half else 1, 1)
    else:
        return CalculationPlan(tool="finanzplanung", description=description,
                               error="Bitte den Beginn angeben (z. B. „ab 01.07.2024“).")
    end_candidates = [y for y in years if y > start.year]
    end_dates = [q.when.year for q in _find(quantities, "datum") if q.preposition == "bis" and q.when]
    end_year = max(end_candidates + end_dates, default=start.year + 3)
    percents = _find(quantities, "prozent")
    increase = percents[0].value if percents and percents[0].value is not None else Decimal(0)
    data = FinanzplanungInput(annual_amount=amount.value, start=start, end_year=end_year, increase_percent=increase)
    inputs = [
        _from_question("Jahresbetrag", format_eur(amount.value)),
        _from_question("Beginn", format_date(start)),
        _from_question("Letztes Jahr", str(end_year)),
        _from_question("Jährliche Steigerung", f"{format_number(increase)} %"),
    ]
    return CalculationPlan(tool="finanzplanung", description=description, tool_input=data, inputs=inputs)


def _per_unit_noun(question: str) -> str | None:
    for match in _PER_UNIT.finditer(question):
        noun = match.group("noun") or match.group("noun2") or match.group("noun3")
        if noun and noun.lower() not in _NOT_UNITS:
            return noun
    return None


def _plan_per_unit(
    question: str, noun: str, quantities: list[Quantity], evidence: list[Document], question_stems: set[str]
) -> CalculationPlan:
    description = f"Durchschnittlicher Betrag je {noun}"
    noun_stem = stem(noun)
    amounts = _find(quantities, "betrag")
    counts = [
        q for q in _find(quantities, "stellen", "anzahl", "tage")
        if q.kind == "stellen" or (q.noun is not None and stem(q.noun) == noun_stem)
    ]
    bare = _find(quantities, "zahl")
    inputs: list[PlannedInput] = []
    if not amounts and bare:
        # a figure in the question without a unit: refuse rather than guess what it is
        return CalculationPlan(tool="rechne", description=description, error=_bare_amount_error(bare[0]))
    if amounts:
        dividend = Operand(value=amounts[0].value, unit="EUR", label="Betrag", origin="Frage")
        inputs.append(_from_question("Betrag", format_eur(amounts[0].value)))  # type: ignore[arg-type]
    else:
        candidates = _candidates(evidence, {"betrag"}, question_stems)
        if not candidates or candidates[0].score < 1:
            return CalculationPlan(tool="rechne", description=description,
                                   error="Der Gesamtbetrag steht weder in der Frage noch eindeutig in den gefundenen Vorlagen.")
        best = candidates[0]
        ref = evidence_ref(evidence[best.document_index], best.quantity)
        label = _label_from_window(best.window, question_stems, noun_stem) or "Betrag"
        dividend = Operand(value=best.quantity.value, unit="EUR", label=label, origin="Dokument", evidence=ref)
        inputs.append(_from_evidence(label, format_eur(best.quantity.value), ref))  # type: ignore[arg-type]
    if counts:
        count = counts[0]
        divisor = Operand(value=count.value, unit=count.unit, label=f"Anzahl {count.noun or noun}", origin="Frage")
        inputs.append(_from_question(f"Anzahl {count.noun or noun}", format_amount(count.value, count.unit)))  # type: ignore[arg-type]
    else:
        def matches(quantity: Quantity, _text: str) -> bool:
            if quantity.noun is None:
                return False
            thing = stem(quantity.noun)
            return thing == noun_stem or thing in question_stems
        candidates = _candidates(evidence, {"stellen", "anzahl", "tage"}, question_stems, accept=matches)
        if not candidates:
            return CalculationPlan(tool="rechne", description=description,
                                   error=f"Die Anzahl („{noun}“) steht weder in der Frage noch in den gefundenen Vorlagen.")
        best = candidates[0]
        ref = evidence_ref(evidence[best.document_index], best.quantity)
        divisor = Operand(value=best.quantity.value, unit=best.quantity.unit, label=f"Anzahl {best.quantity.noun}",
                          origin="Dokument", evidence=ref)
        inputs.append(_from_evidence(f"Anzahl {best.quantity.noun}", format_amount(best.quantity.value, best.quantity.unit), ref))  # type: ignore[arg-type]
    data = RechneInput(operation="je_einheit", operands=[dividend, divisor], per_unit_label=noun)
    return CalculationPlan(tool="rechne", description=description, tool_input=data, inputs=inputs)


def _label_from_window(window: str, question_stems: set[str], exclude: str) -> str | None:
    """The first noun of the window that the question also uses, as a label (``Gesamtauftragswert``)."""
    for word in re.findall(r"[A-ZÄÖÜ][\wäöüß-]+", window):
        if stem(word) in question_stems and stem(word) != exclude and word.lower() not in _STOPWORDS:
            return word
    return None


def _plan_rechne(operation: str, description: str, numbers: list[Quantity]) -> CalculationPlan:
    units = {q.unit for q in numbers if q.unit}
    if not units and any(q.kind == "zahl" for q in numbers) and operation != "anteil":
        return CalculationPlan(tool="rechne", description=description, error=_bare_amount_error(numbers[0]))
    operands = [Operand(value=q.value, unit=q.unit, label=q.noun, origin="Frage") for q in numbers]
    inputs = [_from_question(q.noun or f"Wert {i}", format_amount(q.value, q.unit)) for i, q in enumerate(numbers, 1)]  # type: ignore[arg-type]
    data = RechneInput(operation=operation, operands=operands)  # type: ignore[arg-type]
    return CalculationPlan(tool="rechne", description=description, tool_input=data, inputs=inputs)
