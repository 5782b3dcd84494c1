"""Typed answer spans in German Vorlagen text: amounts, dates, counts, percentages, durations,
organisations, persons, Gremien, Drucksachen and quoted names.

``find_spans(text)`` returns every span with its type and exact offsets in ``text``; the short-answer
layer picks among them the one that answers a question part. Pure functions, no model.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache

from pydantic import BaseModel

from vorlagen.text import MONTH_PATTERN, SCALE_PATTERN, TARIFF_PRICE_PATTERN


class AnswerType(StrEnum):
    """What a question (part) asks for."""

    BETRAG = "Betrag"
    DATUM = "Datum"
    ANZAHL = "Anzahl"
    PROZENT = "Prozent"
    DAUER = "Dauer"
    ORGANISATION = "Organisation"
    PERSON = "Person"
    ORT = "Ort"
    DRUCKSACHE = "Drucksache"
    GREMIUM = "Gremium"
    NAME = "Name"
    TEXT = "Text"
    """No typed value: the answer is a clause of the best sentence."""


TYPED = frozenset({AnswerType.BETRAG, AnswerType.DATUM, AnswerType.ANZAHL, AnswerType.PROZENT, AnswerType.DAUER})
"""Types whose absence in the evidence means the documents do not state the answer."""


class Span(BaseModel):
    type: AnswerType
    start: int
    end: int
    text: str


_NUM = r"(?<![\w.,/])-?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?(?![.,]?\d)"
_NUMBER_WORDS = (
    r"(?:zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|zwanzig|dreißig|"
    r"hundert|zweieinhalb|anderthalb|eineinhalb)"
)
_CURRENCY = r"(?:EUR\b|Euro\b|€|TEUR\b|T€|Mio\.?\s*€)"
_PERIOD = r"(?:\s*(?:pro|je|im|per)\s+(?:Jahr|Monat|Quartal|Tag|Stunde|Nacht|Person|Platz|Kind|Einwohner\w*)|\s*jährlich|\s*p\.\s?a\.|\s*/\s*(?:Jahr|Monat|a)\b)?"
_UNIT_NOUNS = (
    r"(?:Vollzeitäquivalente\w*|Vollzeitstellen|Vollzeitwert\w*|VZÄ|VZK|Stellen(?:anteile)?|Stelle|Planstellen|"
    r"Plätze\w*|Platz|Betten|Personen|Mitarbeiter\w*|Beschäftigte\w*|Kinder\w*|Schüler\w*|Wohnungen|"
    r"Wohneinheiten|Fahrzeuge\w*|Bäume\w*|Standorte\w*|Schulen|Klassen|Gruppen|Einrichtungen|Anträge\w*|"
    r"Teilnehmer\w*|Besucher\w*|Haltestellen|Parkplätze\w*|Stellplätze\w*|Ladepunkte\w*|Räume\w*|Stück|"
    r"Meter|Kilometer|km|m²|qm|Quadratmeter|Hektar|ha|Einwohner\w*|Fälle\w*|Maßnahmen|Projekte\w*|"
    r"Beratertage\w*|Personentage\w*|Tage(?:n)?|Arbeitsplätze\w*|Geräte\w*|Laptops|Tablets|Computer\w*)"
)
_NOT_COUNTED = (
    r"(?:EUR|Euro|Prozent|Jahr|Jahre|Jahren|Jahres|Monat|Monate|Monaten|Woche|Wochen|Tag|Tage|Tagen|Stunden|Uhr|"
    r"Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember|Mio|Mrd|Tsd|Millionen|"
    r"Milliarden|Tausend|TEUR|Nr|Abs|Art|Ziff|Anlage|Seite|GemO|VwV|Quartal|Haushaltsjahr)"
)
"""Nouns after a number that are units of money, time or references, not things counted."""
_DURATION_NOUNS = r"(?:Jahre[n]?|Jahr|Monate[n]?|Monat|Wochen|Woche|Tage[n]?|Stunden)"
_COMPANY_FORM = r"(?:GmbH(?:\s*&\s*Co\.\s*KG)?|gGmbH|mbH|AG|KG|OHG|GbR|eG|SE|e\.\s?V\.|Ltd\.?|Inc\.?|PartG(?:mbB)?)"
_CAP = r"[A-ZÄÖÜ][\wäöüßÄÖÜ&.+\-]*"

_PATTERNS: list[tuple[AnswerType, re.Pattern[str]]] = [
    (AnswerType.BETRAG, re.compile(
        rf"(?:rund\s+|ca\.\s+|etwa\s+|rd\.\s+)?{_NUM}(?:\s*(?:bis|–|-)\s*{_NUM})?(?:\s*{SCALE_PATTERN})?\s*{_CURRENCY}{_PERIOD}", re.I)),
    (AnswerType.BETRAG, re.compile(rf"(?:EUR|€)\s*{_NUM}(?:\s*{SCALE_PATTERN})?{_PERIOD}")),
    (AnswerType.BETRAG, re.compile(TARIFF_PRICE_PATTERN + _PERIOD)),
    (AnswerType.PROZENT, re.compile(rf"\bvon\s+(?:{_NUM}|{_NUMBER_WORDS})\s*(?:%|Prozent\b)?\s+auf\s+{_NUM}\s*(?:%|Prozent\b)", re.I)),
    (AnswerType.PROZENT, re.compile(rf"{_NUM}\s*(?:%|Prozent\b|v\.\s?H\.)", re.I)),
    (AnswerType.DATUM, re.compile(r"(?<![\d.])\d{1,2}\.\s?\d{1,2}\.\s?(?:\d{4}|\d{2})(?![\d])")),
    (AnswerType.DATUM, re.compile(rf"(?<![\d.])(?:\d{{1,2}}\.\s*)?{MONTH_PATTERN}\s+\d{{4}}(?!\d)", re.I)),
    (AnswerType.DATUM, re.compile(
        r"\b(?:(?:im|ab|seit|bis|zum)\s+)?(?:(?:Früh|Spät)?[Jj]ahr|Sommer|Herbst|Winter|Frühjahr|Quartal|Haushaltsjahr|Schuljahr)"
        r"(?:es)?\s+(?:\d\.\s+Quartal\s+)?\d{4}(?:/\d{2,4})?\b")),
    (AnswerType.DATUM, re.compile(r"\b[1-4]\.\s?Quartal\s+\d{4}\b")),
    # a calendar week, a part of a month, a time of day: "39. KW 2024", "Ende Mai", "18:30 Uhr", "15 Uhr"
    (AnswerType.DATUM, re.compile(r"\b\d{1,2}\.\s?(?:KW|Kalenderwoche)(?:\s+\d{4})?\b")),
    (AnswerType.DATUM, re.compile(rf"\b(?:Anfang|Mitte|Ende)\s+{MONTH_PATTERN}(?:\s+\d{{4}})?", re.I)),
    (AnswerType.DATUM, re.compile(r"(?<![\d.,])(?:[01]?\d|2[0-3])(?:[:.][0-5]\d)?\s?Uhr\b|(?<![\d.,:])(?:[01]?\d|2[0-3]):[0-5]\d(?![\d:])")),
    # a bare year where a text says when something happens: "soll 2026 beginnen", "ab 2027", "bis Ende 2030"
    (AnswerType.DATUM, re.compile(
        r"\b(?:(?:ab|bis|seit)\s+(?:(?:Anfang|Mitte|Ende)\s+)?(?:(?:des\s+Jahres|dem\s+Jahr)\s+)?|(?:Anfang|Mitte|Ende)\s+)"
        r"(?:19|20)\d{2}(?![\d/]|\.\d)")),
    (AnswerType.DATUM, re.compile(
        r"(?<![\d/.])(?:19|20)\d{2}(?=\s+(?:beginnen|begonnen|starten|gestartet|abgeschlossen|fertiggestellt|"
        r"erfolgen|umgesetzt|eröffnet|in\s+Betrieb|in\s+Kraft)\b)")),
    (AnswerType.DAUER, re.compile(rf"(?:{_NUM}|\b{_NUMBER_WORDS})\s*{_DURATION_NOUNS}\b", re.I)),
    (AnswerType.ANZAHL, re.compile(rf"(?:{_NUM}|\b{_NUMBER_WORDS})\s+(?:[a-zäöüß][\w-]*(?:e|en|er|es|em)\s+){{0,2}}"
                                    rf"(?:{_UNIT_NOUNS}|(?!{_NOT_COUNTED}\b)[A-ZÄÖÜ][\wäöüß-]+)\b")),
    (AnswerType.ANZAHL, re.compile(r"(?<=:)[ \t]*\d+(?:[.,]\d+)*(?=[ \t]*(?:[;,.]\s|[;,.]?$))", re.M)),
    (AnswerType.DRUCKSACHE, re.compile(
        r"(?:\b(?:GRDrs|Drs|Drucksache|Vorlage|Vorlagen-Nr|SV|DS|BV|IV|MV)\.?\s*(?:Nr\.?\s*)?)?"
        r"(?<![\d/])\d{1,4}/\d{2,4}(?:/\d{1,3})?(?![\d/])")),
    (AnswerType.GREMIUM, re.compile(
        r"\b(?:(?:der|des|dem|den)\s+)?(?:Gemeinderat(?:es|s)?|Stadtrat(?:es|s)?|Rat der Stadt|Kreistag(?:es|s)?|"
        r"Ortschaftsrat\w*|Ortsbeirat\w*|Bezirksbeirat\w*|Bezirksvertretung\w*|Jugendgemeinderat\w*|"
        r"(?:[A-ZÄÖÜ][\wäöüß-]*(?:ausschuss|ausschusses|kommission|beirat|beirates|beirats|konferenz))"
        r"(?:\s+(?:für|des|der)\s+[A-ZÄÖÜ][\wäöüß-]*(?:\s+(?:und|,)\s+[A-ZÄÖÜ][\wäöüß-]*){0,3})?)")),
    (AnswerType.ORGANISATION, re.compile(
        rf"\b(?:Firma|Fa\.)\s+{_CAP}(?:\s+(?:{_CAP}|&|und|für))*?(?:\s+{_COMPANY_FORM})?(?=[\s,.;:)]|$)")),
    (AnswerType.ORGANISATION, re.compile(rf"\b{_CAP}(?:[\s-]+(?:{_CAP}|&|und|für|der|des|de|von)){{0,5}}\s+{_COMPANY_FORM}(?![\w])")),
    # a council group: "SPD-Fraktion", "Fraktion DIE LINKE", "die GRÜNE-Fraktion", "(CDU)" after a member's name
    (AnswerType.ORGANISATION, re.compile(
        r"\b[A-ZÄÖÜ][\wÄÖÜäöüß/&.]*-(?:Gemeinderats|Ortschaftsrats|Kreistags)?[Ff]raktion\b"
        r"|\b(?:Fraktion|Gruppe)\s+(?:der\s+|von\s+)?(?P<inner>[A-ZÄÖÜ][\wÄÖÜäöüß/&.]*(?:\s+[A-ZÄÖÜ][\wÄÖÜäöüß/&.]*){0,2})"
        r"|(?<=[a-zäöüß]\s\()(?P<inner_group>[A-ZÄÖÜ][A-ZÄÖÜa-zäöü/&.|]{1,15})(?=\))")),
    # public bodies: "Verkehrsministerium Baden-Württemberg", "Ministerium für Verkehr", "Regierungspräsidium Karlsruhe"
    (AnswerType.ORGANISATION, re.compile(
        r"\b(?:[A-ZÄÖÜ][\wäöüß-]*(?:ministerium|präsidium|behörde|amt|agentur|kammer|verband)|Ministerium|Behörde|Agentur)\b"
        r"(?:\s+(?:für|des|der)\s+[A-ZÄÖÜ][\wäöüß-]+(?:\s+(?:und|,)\s+[A-ZÄÖÜ][\wäöüß-]+){0,2}"
        r"|\s+[A-ZÄÖÜ][\wäöüß]+(?:-[A-ZÄÖÜ][\wäöüß]+)?)?")),
    # places: a street ("St.-Florian-Straße", "Kaiserallee 12", "Marktplatz 1") or a named site
    # ("auf dem Gelände des TSV Bulach", "im Stadtteil Durlach")
    (AnswerType.ORT, re.compile(
        r"\b[A-ZÄÖÜ][\wäöüß.-]*(?i:straße|strasse|allee|gasse)\b(?:\s+\d{1,4}\s?[a-z]?\b)?"
        r"|\b[A-ZÄÖÜ][\wäöüß.-]*(?i:platz|weg|ring|damm|ufer)\s+\d{1,4}\s?[a-z]?\b")),
    (AnswerType.ORT, re.compile(
        r"\b(?:auf\s+dem\s+(?:Gelände|Areal|Grundstück)|im\s+(?:Stadtteil|Stadtbezirk|Ortsteil|Quartier)|"
        r"am\s+Standort|in\s+den\s+Räumen)\s+(?:(?:des|der|von|am|an\s+der)\s+)?"
        r"(?P<inner>[A-ZÄÖÜ][\wäöüß.-]*(?:\s+[A-ZÄÖÜ][\wäöüß.-]*){0,3})")),
    (AnswerType.PERSON, re.compile(
        r"\b(?:Herr[n]?|Frau|Dr\.|Prof\.|Bürgermeister(?:in)?|Oberbürgermeister(?:in)?|Dezernent(?:in)?|"
        r"(?:Stadt|Ortschafts|Gemeinde|Kreis|Bezirksbei)r(?:at|ätin)|Ortsvorsteher(?:in)?|Beigeordnete[r]?)\s+"
        r"(?:(?:Dr\.|Prof\.)\s+)*[A-ZÄÖÜ][\wäöüß-]+(?:\s+[A-ZÄÖÜ][\wäöüß-]+)?")),
    # a name after a role label of minutes and forms: "Vorsitz: Anett-Maud Joppien", "Leitung: Dr. Eva Maier"
    (AnswerType.PERSON, re.compile(
        r"\b(?:Vorsitz|Vorsitzende[r]?|Leitung|Sitzungsleitung|Ansprechpartner(?:in)?|Berichterstatter(?:in)?|"
        r"Schriftführer(?:in)?|Protokoll)\s*:\s*(?P<inner>(?:(?:Dr\.|Prof\.)\s+)*[A-ZÄÖÜ][\wäöüß-]+(?:\s+[A-ZÄÖÜ][\wäöüß-]+){1,2})")),
    (AnswerType.NAME, re.compile(r"[„“\"»«‚'](?P<inner>[^„“\"»«\n]{3,150})[“”\"«»‘']")),
    (AnswerType.NAME, re.compile(
        r"\b(?:Software|Programm|Plattform|Anwendung|App|Fachverfahren|Fachanwendung|Produkt)\s+"
        r"(?!(?:und|sowie|oder|für|zur|zum|der|die|das|des|dem|den|ist|wird|werden|wurde|in|im|mit|von|an|auf|bei|nicht|"
        r"eingesetzt|genutzt|verwendet|als|zu|kann|soll|muss|sind|hat|haben)\b)(?P<inner>[A-Za-zÄÖÜäöü][\w.+-]{1,40})")),
]

_ORG_CUE = re.compile(
    r"\b(?:an|durch|die|der|mit|von)\s+(?:die\s+|der\s+|den\s+)?(?:Firma|Fa\.|Unternehmen|Bieter(?:in)?|Auftragnehmer(?:in)?|"
    r"Dienstleister|Anbieter|Büro|Ingenieurbüro|Planungsbüro|Architekturbüro|Träger)\s+(?P<name>[A-ZÄÖÜ][^\n,;:.()]{1,60})"
)
"""An organisation named after a cue word ("an die Firma REFA Dachbau", "der Träger Caritasverband")."""


def find_spans(text: str) -> list[Span]:
    """Every typed span of ``text``; overlapping spans of different types are all kept, a span
    inside a longer one of the same type is dropped."""
    return list(_spans(text))


@lru_cache(maxsize=8192)
def _spans(text: str) -> tuple[Span, ...]:
    """``find_spans``, cached: each part of a question and each answer path reads the same sentences."""
    spans: list[Span] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = next((match.span(name) for name in pattern.groupindex
                               if name.startswith("inner") and match.start(name) >= 0), match.span())
            start, end = _trim(text, start, end)
            if end > start:
                spans.append(Span(type=kind, start=start, end=end, text=text[start:end]))
    for match in _ORG_CUE.finditer(text):
        start, end = _trim(text, *match.span("name"))
        words = text[start:end].split()
        cut = next((i for i, word in enumerate(words) if i and word[:1].islower() and word not in ("und", "für", "&")), len(words))
        end = start + len(" ".join(words[:cut])) if cut < len(words) else end
        if end > start:
            spans.append(Span(type=AnswerType.ORGANISATION, start=start, end=end, text=text[start:end]))
    return tuple(_dedupe(spans))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t\n,;:(":
        start += 1
    while end > start and text[end - 1] in " \t\n,;:)(":
        end -= 1
    if end > start and text[end - 1] == "." and not re.search(r"(?:\b[A-Z]|Co|Inc|Ltd|Dr|Prof|V|H|a)\.$", text[start:end]):
        end -= 1
    return start, end


def _dedupe(spans: list[Span]) -> list[Span]:
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.type, s.start, -(s.end - s.start))):
        if any(k.type == span.type and k.start <= span.start and span.end <= k.end for k in kept):
            continue
        kept.append(span)
    return sorted(kept, key=lambda s: (s.start, s.end))
