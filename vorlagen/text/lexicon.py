"""The lexicon of the answer layer: German as questions and Vorlagen write it in general.

- What a question asks: its parts, the question words of each answer type, questions about the Vorlage
  itself, follow-ups, years and year ranges, the asked-for noun.

Plain compiled patterns and small pure functions that apply them; the answer layer pairs the patterns with
its answer types (``assistant.question``). Topic words of single questions do not belong here.
"""

from __future__ import annotations

import re

from vorlagen.text import YEAR_PATTERN

# --- what a question asks -------------------------------------------------------------------------------

_PART_BOUNDARY = re.compile(
    r",?\s+(?:und|sowie)\s+(?=(?:wie|welche[rsmn]?|wann|wer|was|wo|wie\s?viele?|mit welche[rmn]?|zu welche[rmn]?|"
    r"in welche[rmn]?|auf welche[rmn]?|aus wie|bis wann|ab wann|an wen|für wen|um wie viel)\b)",
    re.I,
)


def question_parts(question: str) -> list[str]:
    """The parts of a question that asks for several things, split at "…, und wie/welche/wann …"."""
    return [part.strip() for part in _PART_BOUNDARY.split(question) if part.strip()]


# Question words per answer type ("Wie viel kostet …?" asks for an amount); ``assistant.question`` tries
# them in its own order.
ASKS_DRUCKSACHE = re.compile(r"\b(welche[rs]?|in welcher|unter welcher|mit welcher)\s+(vorlage|drucksache|nummer|"
                             r"vorlagennummer|drucksachennummer)\b", re.I)
ASKS_GREMIUM = re.compile(r"\b(welche[srm]?\s+(gremium|gremien|ausschuss|ausschüsse|rat|beirat)|"
                          r"wer\s+(entscheidet|beschließt|berät|beschloss|hat\s+\w+\s+beschlossen))\b", re.I)
ASKS_PERCENTAGE = re.compile(r"\b(wie viel prozent|wieviel prozent|prozent|anteil|quote|prozentsatz)\b", re.I)
ASKS_DURATION = re.compile(r"\b(wie lange|dauer|laufzeit|für welchen zeitraum|wie viele (jahre|monate|wochen))\b", re.I)
ASKS_DATE = re.compile(r"\b(wann|ab wann|bis wann|seit wann|(?:um|bis|ab) wie ?viel uhr|uhrzeit|zu welchem (datum|zeitpunkt|termin)|an welchem tag|"
                       r"in welchem jahr|welches datum|an welche[mn] (?:datum|termin)|stichtag|frist|termin)\b", re.I)
ASKS_COUNT = re.compile(r"\b(wie (?:lang|breit|groß|tief|weit|schwer|hoch (?:und|ist (?:der|die|das) \w*(?:bau|halle|gebäude|turm|mast)))\b|wie oft|wie häufig|wie viele[n]?|wieviele[n]?|anzahl|wie viel(?!\s+(geld|euro|kostet|kosten))\s+\w*"
                        r"(stellen|plätze|vzä|personen|betten))\b|\bwie ?viele[n]?\b", re.I)
ASKS_AMOUNT = re.compile(r"\b(wie ?viel\b(?!e)|wie teuer|was verlangt|was nimmt|wie hoch|wie viel (geld|euro)|was kostet(?:en?)?|was kosten|welche[rnm]? (betrag|summe|"
                         r"kosten|mittel|zuschuss|förderung)|\w*kosten\w*|\w*summe|\w*betrag|\w*volumen|\w*preis\w*|"
                         r"\w*zuschuss|\w*zuschüsse|\w*aufwendungen|\w*aufwand|\w*mittel|finanzier\w*|in welcher höhe|"
                         r"mit welche[mr] betrag|\w*budget\w*|\w*ausgaben|\w*einsparung\w*|\w*erlös\w*|\w*einnahmen|"
                         r"\w*erträge|\w*förder(ung|summe|mittel)|\w*entgelt\w*|\w*gebühr\w*|\bmiete\w*|\w*honorar\w*|\w*auftragswert\w*|"
                         r"wie viel \w+(?: \w+){0,4} wert|\w*steuer\b|\w*geld\b|was zahl\w*|in rechnung)\b", re.I)
ASKS_ORGANISATION = re.compile(r"\b(welche[srm]?\s+(\w*firma|\w*unternehmen|\w*dienstleister|\w*büro|\w*anbieter|partner|träger|caterer|betreiber|bieter|"
                               r"verein|beratungsunternehmen|auftragnehmer|institution|organisation|verband|"
                               r"gesellschaft|hersteller|lieferant\w*|\w*ministerium|\w*behörde|\w*präsidium|"
                               r"fördergeber\w*|zuwendungsgeber\w*|fraktion\w*|partei\w*)|wer\s+(liefert|erhält|übernimmt|führt|"
                               r"betreibt|baut|bekommt|hat den (auftrag|zuschlag))|wer\s+(?:soll|wird|darf)\b[^?,]*\b(?:liefern|bauen|ausführen|"
                               r"übernehmen|betreiben)|mit wem|an wen|von wem)\b", re.I)
ASKS_PERSON = re.compile(r"\b(wer (leitet|ist|war)|welche person|wer unterschreibt|unterzeichnet|unterschrieben|"
                         r"welche[rnm]?\s+(\w*stadträt\w*|\w*stadtrat|\w*rätin|\w*bürgermeister\w*|ortsvorsteher\w*|"
                         r"vorsitzende\w*|leiter\w*|beigeordnete\w*|dezernent\w*|mitglied\w*|vertreter\w*|stellvertret\w*)|"
                         r"wer|wen|wem)\b", re.I)
ASKS_PLACE = re.compile(r"\b(wo\b|an welche[mn] (ort|standort)|welche[rnm]? (standort|ort|stadtteil|gebäude))", re.I)
ASKS_NAME = re.compile(r"\bwelche[srnm]?\s+(software|programm|plattform|anwendung|app|fachverfahren|fachanwendung)\b|"
                       r"\b(wie heißt|wie heisst|wie lautet|welchen namen|wie nennt|bezeichnung|titel)\b", re.I)

# Questions about the Vorlage itself and lists of Vorlagen
ASKS_VORLAGE_NUMBER = re.compile(r"\b(in|mit|unter|durch)\s+welche[rm]?\s+(vorlage|drucksache|beschlussvorlage|"
                                 r"informationsvorlage|nummer)\b|\bwelche\s+(drucksache|drucksachennummer|"
                                 r"vorlagennummer|vorlage|beschlussvorlage)\b", re.I)
ASKS_CONSULTATION = re.compile(r"\b(welche[srm]?\s+(gremium|gremien|\w*ausschuss|\w*ausschüsse)|wer\s+(entscheidet|beschließt|"
                               r"berät)|vorberat\w*|beratungsfolge|in welche[rm] sitzung|wann\s+(berät|entscheidet|"
                               r"beschließt|befasst\s+sich|tagt)|wann\s+(wird|wurde|soll)\b.*\b(beraten|entschieden|"
                               r"beschlossen|vorberaten|behandelt)\b)", re.I)
"""Which Gremium deals with a Vorlage, and when."""
ASKS_LEAD_OFFICE = re.compile(r"\b(welche[sr]?\s+(amt|dezernat|dienststelle|referat|fachbereich)|federführend\w*)\b", re.I)
ASKS_VORLAGE_KIND = re.compile(r"\b(was für eine vorlage|welche art von vorlage|vorlagenart|art der vorlage)\b", re.I)
ASKS_VORLAGE_DATE = re.compile(r"\b(datum der vorlage|von wann ist die vorlage|wann wurde die vorlage (erstellt|"
                               r"veröffentlicht|eingebracht|vorgelegt))\b", re.I)
ASKS_LIST = re.compile(r"\bwelche\s+(vorlagen|drucksachen|beschlussvorlagen|informationsvorlagen|beschlüsse)\s+(?:[^?,]{0,60}?\s)?(gibt es|gab es|"
                       r"wurden|liegen|existieren|sind|befassen|behandeln|betreffen)|\b(liste|übersicht)\s+(der|aller|von)\s+"
                       r"(vorlagen|drucksachen)|\bzeig\w*\s+(mir\s+)?(alle\s+)?(vorlagen|drucksachen)", re.I)
"""Which Vorlagen exist on a subject."""
DECIDING = re.compile(r"\b(entscheid\w*|beschließ\w*|beschloss\w*|beschlussfass\w*)\b", re.I)
ADVISING = re.compile(r"\b(vorberat\w*|vorberatung|(berät|beraten|berieten)\b.*\bvor)\b", re.I)
FOLLOW_UP = re.compile(r"^\s*(und|aber|außerdem|was ist mit|wie ist es mit)\b|\b(das|dies|davon|dafür|dazu|diese[rsm]?)\s*\??\s*$",
                       re.I)
"""Starts or ends like a question that needs the previous one ("Und wie viel …?", "Was kostet das?")."""

# Years
YEAR = re.compile(YEAR_PATTERN)
SINCE_YEAR = re.compile(r"\b(seit|ab|nach)\s+(?:dem\s+jahr\s+)?(19[5-9]\d|20[0-4]\d)\b", re.I)
UNTIL_YEAR = re.compile(r"\b(bis|vor)\s+(?:zum\s+jahr\s+)?(19[5-9]\d|20[0-4]\d)\b", re.I)

# The noun the asked value is a value of ("wie viele Vollzeitwerte", "Gesamtkosten")
COUNTED_NOUN = re.compile(r"\b[Ww]ie\s?viele?[n]?\s+(?:(?:[a-zäöüß]+(?:e|en|er|es|em))\s+){0,2}([A-ZÄÖÜ][\wäöüß-]+)")
HOW_OFTEN = re.compile(r"\bwie (oft|häufig)\b", re.I)
ASKS_COSTS = re.compile(r"\b((was|wie viel)(\s+\w+){0,3}\s+(kostet|kostete|kosteten|kosten)|wie viel (geld|euro)|wie teuer|was verlangt|was nimmt)\b", re.I)
CAPITALISED_WORD = re.compile(r"\b[A-ZÄÖÜ][\wäöüß-]*\b")
AMOUNT_NOUNS = ("kosten", "summe", "betrag", "volumen", "preis", "wert", "aufwendungen", "aufwand", "budget",
                "ausgaben", "einsparung", "einsparungen", "erlös", "erlöse", "einnahmen", "erträge", "entgelt",
                "gebühr", "gebühren", "miete", "honorar", "zuschuss", "förderung", "steuer", "geld")
"""Words (or the last part of compounds: "Gesamtkosten", "Fördergeld") that name the kind of an amount."""
SIGNING = re.compile(r"\b(unterzeichne\w*|unterschrie\w*|unterschreib\w*|gezeichnet)\b", re.I)
PRODUCT_KIND = re.compile(r"\bwelche[srnm]?\s+(software|programm|plattform|anwendung|app|fachverfahren|fachanwendung|system)\b", re.I)
