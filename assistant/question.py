"""What a question asks: its kind (fact, calculation, about the Vorlage itself, a list of Vorlagen,
a follow-up), its parts, and the type of answer each part wants.

Decided once per question, by cheap German cue patterns (``vorlagen.text.lexicon``), before any handler
runs; the router hands the question to the one handler of its kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum

from pydantic import BaseModel, Field

from assistant.spans import AnswerType
from vorlagen.domain import SearchFilters
from vorlagen.text import lexicon, tokenize
from vorlagen.text.measures import ASKS_MEASURE
from vorlagen.text.parts import question_parts


class QuestionKind(StrEnum):
    FACT = "fact"
    CALCULATION = "calculation"
    METADATA = "metadata"
    """About the Vorlage itself: which Drucksache, which Gremium when, which Amt, which Vorlagenart."""
    LIST = "list"
    """Which Vorlagen exist on a subject (ranked list)."""


class MetadataField(StrEnum):
    DRUCKSACHE = "drucksache"
    BERATUNG = "beratung"
    AMT = "amt"
    VORLAGENART = "vorlagenart"
    DATUM = "datum"


class QuestionPart(BaseModel):
    text: str
    answer_type: AnswerType
    focus: list[str] = Field(default_factory=list)
    """Stems of the noun the asked value is a value *of*: the counted thing ("wie viele Planstellen"
    -> ``planstell``), the kind of amount ("Gesamtkosten", "Auftragswert"); ``mal`` for "wie oft".
    A count must count this noun; a label or clause naming it marks the value as the asked one."""


class QuestionAnalysis(BaseModel):
    question: str
    kind: QuestionKind
    parts: list[QuestionPart]
    metadata_field: MetadataField | None = None
    role: str | None = None
    """For Beratung questions: ``Vorberatung`` or ``Entscheidung`` when the question names one."""
    follow_up: bool = False
    """Starts like a follow-up ("Und wie viel …?", "Was kostet das?"): needs the previous question."""
    years: list[int] = Field(default_factory=list)
    """Years the question names."""
    filters: SearchFilters = Field(default_factory=SearchFilters)
    """Filters the question implies (a list question's "seit 2024")."""


_TYPE_CUES: list[tuple[AnswerType, re.Pattern[str]]] = [
    (AnswerType.DRUCKSACHE, lexicon.ASKS_DRUCKSACHE),
    (AnswerType.GREMIUM, lexicon.ASKS_GREMIUM),
    (AnswerType.PROZENT, lexicon.ASKS_PERCENTAGE),
    (AnswerType.DAUER, lexicon.ASKS_DURATION),
    (AnswerType.DATUM, lexicon.ASKS_DATE),
    (AnswerType.ANZAHL, ASKS_MEASURE),  # a length, an area, a power … is a quantity, not money
    (AnswerType.ANZAHL, lexicon.ASKS_COUNT),
    (AnswerType.BETRAG, lexicon.ASKS_AMOUNT),
    (AnswerType.PERSON, lexicon.ASKS_HOLDER),  # who takes a seat or a mandate, before "wer übernimmt" (a company)
    (AnswerType.ORGANISATION, lexicon.ASKS_ORGANISATION),
    (AnswerType.PERSON, lexicon.ASKS_PERSON),
    (AnswerType.ORT, lexicon.ASKS_PLACE),
    (AnswerType.NAME, lexicon.ASKS_NAME),
]
"""The question words of each answer type (``vorlagen.text.lexicon``), in the order they are tried."""

_METADATA_CUES: list[tuple[MetadataField, re.Pattern[str]]] = [
    (MetadataField.DRUCKSACHE, lexicon.ASKS_VORLAGE_NUMBER),
    (MetadataField.BERATUNG, lexicon.ASKS_CONSULTATION),
    (MetadataField.AMT, lexicon.ASKS_LEAD_OFFICE),
    (MetadataField.VORLAGENART, lexicon.ASKS_VORLAGE_KIND),
    (MetadataField.DATUM, lexicon.ASKS_VORLAGE_DATE),
]


_ASKED_WHO = frozenset({AnswerType.ORGANISATION, AnswerType.PERSON, AnswerType.ORT, AnswerType.NAME})


def answer_type(part: str) -> AnswerType:
    """The first type in ``_TYPE_CUES`` whose cue occurs — except that the noun after „welch-“ decides where it
    names what is asked: the type whose cue covers it („Zu welchem Preis bekommt die Firma …?“ asks for an amount,
    not a company), and no amount where it names a thing („Bei welchen Schulen wird der Zuschuss gekürzt?“ asks for
    the schools); and that a question word for a name, an organisation or a place that stands before an amount's
    noun cue wins ("Bei welchem Ministerium beantragt die Stadt die Förderung …?" asks for the ministry)."""
    found = [(kind, match) for kind, pattern in _TYPE_CUES if (match := pattern.search(part))]
    if (asked := lexicon.ASKED_NOUN.search(part)) is not None and found:
        start, end = asked.span("noun")
        covering = [kind for kind, match in found if match.start() < end and match.end() > start]
        if covering:
            return covering[0]
        if not lexicon.MAGNITUDE_NOUN.match(asked.group("noun")):
            found = [(kind, match) for kind, match in found if kind is not AnswerType.BETRAG]
    if not found:
        return AnswerType.TEXT
    kind, match = found[0]
    if kind is AnswerType.BETRAG:
        earlier = [k for k, m in found[1:] if k in _ASKED_WHO and m.end() <= match.start()]
        if earlier:
            return earlier[0]
    return kind


_AWARDED = tokenize("Firma Zuschlag Auftragnehmer Bieter")


def focus_terms(part: str, kind: AnswerType) -> list[str]:
    """The noun the asked value belongs to (see ``QuestionPart.focus``)."""
    if kind is AnswerType.PERSON and lexicon.SIGNING.search(part):
        return ["gez"]  # the signature block: "Gez. / Dr. Claus Pommer / Bürgermeister"
    if kind is AnswerType.NAME and (product := lexicon.PRODUCT_KIND.search(part)):
        return tokenize(product.group(1))
    if kind is AnswerType.ORGANISATION:
        return _AWARDED  # procurement Vorlagen name the company where the contract is awarded
    if kind is AnswerType.ANZAHL:
        if lexicon.HOW_OFTEN.search(part):
            return ["mal"]
        counted = lexicon.COUNTED_NOUN.search(part)
        return tokenize(counted.group(1)) if counted else []
    if kind is AnswerType.BETRAG:
        nouns = [token for match in lexicon.CAPITALISED_WORD.finditer(part)
                 if match.group().lower().endswith(lexicon.AMOUNT_NOUNS) and match.group().lower() != "geld"
                 for token in tokenize(match.group())]  # "wie viel Geld" asks for costs (ASKS_COSTS)
        return nouns or (tokenize("Kosten") if lexicon.ASKS_COSTS.search(part) else [])
    return []


def _part(text: str) -> QuestionPart:
    kind = answer_type(text)
    return QuestionPart(text=text, answer_type=kind, focus=focus_terms(text, kind))


def analyze_question(question: str, is_calculation: Callable[[str], bool] | None = None) -> QuestionAnalysis:
    """Classify ``question``; ``is_calculation`` is the cost tools' cheap test for arithmetic."""
    parts = [_part(part) for part in question_parts(question)]
    years = [int(year) for year in lexicon.YEAR.findall(question)]
    follow_up = bool(lexicon.FOLLOW_UP.search(question)) and len(question.split()) <= 8
    base = {"question": question, "parts": parts, "years": years, "follow_up": follow_up}
    if lexicon.ASKS_LIST.search(question):
        return QuestionAnalysis(kind=QuestionKind.LIST, filters=_list_filters(question), **base)
    for metadata_field, pattern in _METADATA_CUES:
        if pattern.search(question):
            role = None
            if metadata_field is MetadataField.BERATUNG:
                role = ("Vorberatung" if lexicon.ADVISING.search(question)
                        else "Entscheidung" if lexicon.DECIDING.search(question) else None)
            return QuestionAnalysis(kind=QuestionKind.METADATA, metadata_field=metadata_field, role=role, **base)
    if is_calculation is not None and is_calculation(question):
        return QuestionAnalysis(kind=QuestionKind.CALCULATION, **base)
    return QuestionAnalysis(kind=QuestionKind.FACT, **base)


def _list_filters(question: str) -> SearchFilters:
    since = lexicon.SINCE_YEAR.search(question)
    until = lexicon.UNTIL_YEAR.search(question)
    if since or until:
        return SearchFilters(jahr_von=int(since.group(2)) if since else None, jahr_bis=int(until.group(2)) if until else None)
    years = [int(year) for year in lexicon.YEAR.findall(question)]
    if len(years) == 1:
        return SearchFilters(jahr_von=years[0], jahr_bis=years[0])
    return SearchFilters()
