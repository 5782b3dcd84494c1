"""What a question asks: its kind (fact, calculation, about the Vorlage itself, a list of Vorlagen,
a follow-up), its parts, and the type of answer each part wants.

Decided once per question, by cheap German cue patterns, before any handler runs; the router hands the
question to the one handler of its kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum

from pydantic import BaseModel, Field

from assistant.spans import AnswerType
from vorlagen.domain import SearchFilters
from vorlagen.text import tokenize


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
    """Stems of the noun the asked value is a value *of*: the counted thing ("wie viele Vollzeitwerte"
    -> ``vollzeitwert``), the kind of amount ("Gesamtkosten", "Auftragswert"); ``mal`` for "wie oft".
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


_PART_BOUNDARY = re.compile(
    r",?\s+(?:und|sowie)\s+(?=(?:wie|welche[rsmn]?|wann|wer|was|wo|wie\s?viele?|mit welche[rmn]?|zu welche[rmn]?|"
    r"in welche[rmn]?|auf welche[rmn]?|aus wie|bis wann|ab wann|an wen|für wen|um wie viel)\b)",
    re.I,
)


def question_parts(question: str) -> list[str]:
    """The parts of a question that asks for several things, split at "…, und wie/welche/wann …"."""
    return [part.strip() for part in _PART_BOUNDARY.split(question) if part.strip()]


_TYPE_CUES: list[tuple[AnswerType, re.Pattern[str]]] = [
    (AnswerType.DRUCKSACHE, re.compile(r"\b(welche[rs]?|in welcher|unter welcher|mit welcher)\s+(vorlage|drucksache|nummer|"
                                       r"vorlagennummer|drucksachennummer)\b", re.I)),
    (AnswerType.GREMIUM, re.compile(r"\b(welche[srm]?\s+(gremium|gremien|ausschuss|ausschüsse|rat|beirat)|"
                                    r"wer\s+(entscheidet|beschließt|berät|beschloss|hat\s+\w+\s+beschlossen))\b", re.I)),
    (AnswerType.PROZENT, re.compile(r"\b(wie viel prozent|wieviel prozent|prozent|anteil|quote|prozentsatz)\b", re.I)),
    (AnswerType.DAUER, re.compile(r"\b(wie lange|dauer|laufzeit|für welchen zeitraum|wie viele (jahre|monate|wochen))\b", re.I)),
    (AnswerType.DATUM, re.compile(r"\b(wann|ab wann|bis wann|seit wann|(?:um|bis|ab) wie ?viel uhr|uhrzeit|zu welchem (datum|zeitpunkt|termin)|an welchem tag|"
                                  r"in welchem jahr|welches datum|an welche[mn] (?:datum|termin)|stichtag|frist|termin)\b", re.I)),
    (AnswerType.ANZAHL, re.compile(r"\b(wie (?:lang|breit|groß|tief|weit|schwer|hoch (?:und|ist (?:der|die|das) \w*(?:bau|halle|gebäude|turm|mast)))\b|wie oft|wie häufig|wie viele[n]?|wieviele[n]?|anzahl|wie viel(?!\s+(geld|euro|kostet|kosten))\s+\w*"
                                   r"(stellen|plätze|vzä|personen|betten))\b|\bwie ?viele[n]?\b", re.I)),
    (AnswerType.BETRAG, re.compile(r"\b(wie ?viel\b(?!e)|wie teuer|was verlangt|was nimmt|wie hoch|wie viel (geld|euro)|was kostet(?:en?)?|was kosten|welche[rnm]? (betrag|summe|"
                                   r"kosten|mittel|zuschuss|förderung)|\w*kosten\w*|\w*summe|\w*betrag|\w*volumen|\w*preis\w*|"
                                   r"\w*zuschuss|\w*zuschüsse|\w*aufwendungen|\w*aufwand|\w*mittel|finanzier\w*|in welcher höhe|"
                                   r"mit welche[mr] betrag|\w*budget\w*|\w*ausgaben|\w*einsparung\w*|\w*erlös\w*|\w*einnahmen|"
                                   r"\w*erträge|\w*förder(ung|summe|mittel)|\w*entgelt\w*|\w*gebühr\w*|\bmiete\w*|\w*honorar\w*|\w*auftragswert\w*|"
                                   r"wie viel \w+(?: \w+){0,4} wert|\w*steuer\b|\w*geld\b|was zahl\w*|in rechnung)\b", re.I)),
    (AnswerType.ORGANISATION, re.compile(r"\b(welche[srm]?\s+(\w*firma|\w*unternehmen|\w*dienstleister|\w*büro|\w*anbieter|partner|träger|caterer|betreiber|bieter|"
                                         r"verein|beratungsunternehmen|auftragnehmer|institution|organisation|verband|"
                                         r"gesellschaft|hersteller|lieferant\w*|\w*ministerium|\w*behörde|\w*präsidium|"
                                         r"fördergeber\w*|zuwendungsgeber\w*|fraktion\w*|partei\w*)|wer\s+(liefert|erhält|übernimmt|führt|"
                                         r"betreibt|baut|bekommt|hat den (auftrag|zuschlag))|wer\s+(?:soll|wird|darf)\b[^?,]*\b(?:liefern|bauen|ausführen|"
                                         r"übernehmen|betreiben)|mit wem|an wen|von wem)\b", re.I)),
    (AnswerType.PERSON, re.compile(r"\b(wer (leitet|ist|war)|welche person|wer unterschreibt|unterzeichnet|unterschrieben|"
                                   r"welche[rnm]?\s+(\w*stadträt\w*|\w*stadtrat|\w*rätin|\w*bürgermeister\w*|ortsvorsteher\w*|"
                                   r"vorsitzende\w*|leiter\w*|beigeordnete\w*|dezernent\w*|mitglied\w*|vertreter\w*|stellvertret\w*)|"
                                   r"wer|wen|wem)\b", re.I)),
    (AnswerType.ORT, re.compile(r"\b(wo\b|an welche[mn] (ort|standort)|welche[rnm]? (standort|ort|stadtteil|gebäude))", re.I)),
    (AnswerType.NAME, re.compile(r"\bwelche[srnm]?\s+(software|programm|plattform|anwendung|app|fachverfahren|fachanwendung)\b|"
                                 r"\b(wie heißt|wie heisst|wie lautet|welchen namen|wie nennt|bezeichnung|titel)\b", re.I)),
]

_METADATA_CUES: list[tuple[MetadataField, re.Pattern[str]]] = [
    (MetadataField.DRUCKSACHE, re.compile(r"\b(in|mit|unter|durch)\s+welche[rm]?\s+(vorlage|drucksache|beschlussvorlage|"
                                          r"informationsvorlage|nummer)\b|\bwelche\s+(drucksache|drucksachennummer|"
                                          r"vorlagennummer|vorlage|beschlussvorlage)\b", re.I)),
    (MetadataField.BERATUNG, re.compile(r"\b(welche[srm]?\s+(gremium|gremien|\w*ausschuss|\w*ausschüsse)|wer\s+(entscheidet|beschließt|"
                                        r"berät)|vorberat\w*|beratungsfolge|in welche[rm] sitzung|wann\s+(berät|entscheidet|"
                                        r"beschließt|befasst\s+sich|tagt)|wann\s+(wird|wurde|soll)\b.*\b(beraten|entschieden|"
                                        r"beschlossen|vorberaten|behandelt)\b)", re.I)),
    (MetadataField.AMT, re.compile(r"\b(welche[sr]?\s+(amt|dezernat|dienststelle|referat|fachbereich)|federführend\w*)\b", re.I)),
    (MetadataField.VORLAGENART, re.compile(r"\b(was für eine vorlage|welche art von vorlage|vorlagenart|art der vorlage)\b", re.I)),
    (MetadataField.DATUM, re.compile(r"\b(datum der vorlage|von wann ist die vorlage|wann wurde die vorlage (erstellt|"
                                     r"veröffentlicht|eingebracht|vorgelegt))\b", re.I)),
]
_LIST = re.compile(r"\bwelche\s+(vorlagen|drucksachen|beschlussvorlagen|informationsvorlagen|beschlüsse)\s+(?:[^?,]{0,60}?\s)?(gibt es|gab es|"
                   r"wurden|liegen|existieren|sind|befassen|behandeln|betreffen)|\b(liste|übersicht)\s+(der|aller|von)\s+"
                   r"(vorlagen|drucksachen)|\bzeig\w*\s+(mir\s+)?(alle\s+)?(vorlagen|drucksachen)", re.I)
_FOLLOW_UP = re.compile(r"^\s*(und|aber|außerdem|was ist mit|wie ist es mit)\b|\b(das|dies|davon|dafür|dazu|diese[rsm]?)\s*\??\s*$",
                        re.I)
_YEAR = re.compile(r"(?<![\d./])(19[5-9]\d|20[0-4]\d)(?![\d])")
_SINCE = re.compile(r"\b(seit|ab|nach)\s+(?:dem\s+jahr\s+)?(19[5-9]\d|20[0-4]\d)\b", re.I)
_UNTIL = re.compile(r"\b(bis|vor)\s+(?:zum\s+jahr\s+)?(19[5-9]\d|20[0-4]\d)\b", re.I)
_ROLE_DECIDE = re.compile(r"\b(entscheid\w*|beschließ\w*|beschloss\w*|beschlussfass\w*)\b", re.I)
_ROLE_ADVISE = re.compile(r"\b(vorberat\w*|vorberatung|(berät|beraten|berieten)\b.*\bvor)\b", re.I)


_COUNTED = re.compile(r"\b[Ww]ie\s?viele?[n]?\s+(?:(?:[a-zäöüß]+(?:e|en|er|es|em))\s+){0,2}([A-ZÄÖÜ][\wäöüß-]+)")
_OFTEN = re.compile(r"\bwie (oft|häufig)\b", re.I)
_COSTS_VERB = re.compile(r"\b((was|wie viel)(\s+\w+){0,3}\s+(kostet|kostete|kosteten|kosten)|wie viel (geld|euro)|wie teuer|was verlangt|was nimmt)\b", re.I)
_CAPITALISED = re.compile(r"\b[A-ZÄÖÜ][\wäöüß-]*\b")
AMOUNT_NOUNS = ("kosten", "summe", "betrag", "volumen", "preis", "wert", "aufwendungen", "aufwand", "budget",
                 "ausgaben", "einsparung", "einsparungen", "erlös", "erlöse", "einnahmen", "erträge", "entgelt",
                 "gebühr", "gebühren", "miete", "honorar", "zuschuss", "förderung", "steuer", "geld")
"""Words (or the last part of compounds: "Gesamtkosten", "Fördergeld") that name the kind of an amount."""


_ASKED_WHO = frozenset({AnswerType.ORGANISATION, AnswerType.PERSON, AnswerType.ORT, AnswerType.NAME})


def answer_type(part: str) -> AnswerType:
    """The first type in ``_TYPE_CUES`` whose cue occurs — except that a question word for a name, an
    organisation or a place that stands before an amount's noun cue wins ("Bei welchem Ministerium
    beantragt die Stadt die Förderung …?" asks for the ministry, not an amount)."""
    found = [(kind, match) for kind, pattern in _TYPE_CUES if (match := pattern.search(part))]
    if not found:
        return AnswerType.TEXT
    kind, match = found[0]
    if kind is AnswerType.BETRAG:
        earlier = [k for k, m in found[1:] if k in _ASKED_WHO and m.start() < match.start()]
        if earlier:
            return earlier[0]
    return kind


_SIGNED = re.compile(r"\b(unterzeichne\w*|unterschrie\w*|unterschreib\w*|gezeichnet)\b", re.I)
_PRODUCT = re.compile(r"\bwelche[srnm]?\s+(software|programm|plattform|anwendung|app|fachverfahren|fachanwendung|system)\b", re.I)
_AWARDED = tokenize("Firma Zuschlag Auftragnehmer Bieter")


def focus_terms(part: str, kind: AnswerType) -> list[str]:
    """The noun the asked value belongs to (see ``QuestionPart.focus``)."""
    if kind is AnswerType.PERSON and _SIGNED.search(part):
        return ["gez"]  # the signature block: "Gez. / Dr. Claus Pommer / Bürgermeister"
    if kind is AnswerType.NAME and (product := _PRODUCT.search(part)):
        return tokenize(product.group(1))
    if kind is AnswerType.ORGANISATION:
        return _AWARDED  # procurement Vorlagen name the company where the contract is awarded
    if kind is AnswerType.ANZAHL:
        if _OFTEN.search(part):
            return ["mal"]
        counted = _COUNTED.search(part)
        return tokenize(counted.group(1)) if counted else []
    if kind is AnswerType.BETRAG:
        nouns = [token for match in _CAPITALISED.finditer(part)
                 if match.group().lower().endswith(AMOUNT_NOUNS) and match.group().lower() != "geld"
                 for token in tokenize(match.group())]  # "wie viel Geld" asks for costs (_COSTS_VERB)
        return nouns or (tokenize("Kosten") if _COSTS_VERB.search(part) else [])
    return []


def _part(text: str) -> QuestionPart:
    kind = answer_type(text)
    return QuestionPart(text=text, answer_type=kind, focus=focus_terms(text, kind))


def analyze_question(question: str, is_calculation: Callable[[str], bool] | None = None) -> QuestionAnalysis:
    """Classify ``question``; ``is_calculation`` is the cost tools' cheap test for arithmetic."""
    parts = [_part(part) for part in question_parts(question)]
    years = [int(year) for year in _YEAR.findall(question)]
    follow_up = bool(_FOLLOW_UP.search(question)) and len(question.split()) <= 8
    base = {"question": question, "parts": parts, "years": years, "follow_up": follow_up}
    if _LIST.search(question):
        return QuestionAnalysis(kind=QuestionKind.LIST, filters=_list_filters(question), **base)
    for metadata_field, pattern in _METADATA_CUES:
        if pattern.search(question):
            role = None
            if metadata_field is MetadataField.BERATUNG:
                role = "Vorberatung" if _ROLE_ADVISE.search(question) else "Entscheidung" if _ROLE_DECIDE.search(question) else None
            return QuestionAnalysis(kind=QuestionKind.METADATA, metadata_field=metadata_field, role=role, **base)
    if is_calculation is not None and is_calculation(question):
        return QuestionAnalysis(kind=QuestionKind.CALCULATION, **base)
    return QuestionAnalysis(kind=QuestionKind.FACT, **base)


def _list_filters(question: str) -> SearchFilters:
    since = _SINCE.search(question)
    until = _UNTIL.search(question)
    if since or until:
        return SearchFilters(jahr_von=int(since.group(2)) if since else None, jahr_bis=int(until.group(2)) if until else None)
    years = [int(year) for year in _YEAR.findall(question)]
    if len(years) == 1:
        return SearchFilters(jahr_von=years[0], jahr_bis=years[0])
    return SearchFilters()
