"""The lexicon of the answer layer: German as questions and Vorlagen write it in general.

- What a question asks: the question words of each answer type, questions about the Vorlage
  itself, follow-ups, years and year ranges, the asked-for noun, a change's direction and a date's bound;
  two figures set against each other (a difference, a change in percent, a share).
- Values in documents: amounts, percentages, dates (times of day and calendar weeks included), durations,
  counts, Drucksachen, Gremien, organisations, places, persons and names; a value's clause and edges.

Plain compiled patterns and small pure functions that apply them; the answer layer pairs the patterns with
its answer types (``assistant.question``, ``assistant.spans``). A group named ``inner…`` marks the value
inside a longer match. Topic words of single questions do not belong here. Two subjects have modules of their own
beside this one, in the same package: physical measures (``vorlagen.text.measures``) and who follows or leaves a
seat (``vorlagen.text.succession``); how a question splits into parts is ``vorlagen.text.parts``.
"""

from __future__ import annotations

import re

from vorlagen.text import MONTH_PATTERN, SCALE_PATTERN, TARIFF_PRICE_PATTERN, YEAR_PATTERN
from vorlagen.text.measures import UNITS as _MEASURE_UNITS

# --- what a question asks -------------------------------------------------------------------------------

# Question words per answer type ("Wie viel kostet …?" asks for an amount); ``assistant.question`` tries
# them in its own order.
ASKS_DRUCKSACHE = re.compile(r"\b(welche[rs]?|in welcher|unter welcher|mit welcher)\s+(vorlage|drucksache|nummer|"
                             r"vorlagennummer|drucksachennummer)\b", re.I)
ASKS_GREMIUM = re.compile(r"\b(welche[srm]?\s+(gremium|gremien|ausschuss|ausschüsse|rat|beirat)|"
                          r"wer\s+(entscheidet|beschließt|berät|beschloss|hat\s+\w+\s+beschlossen))\b", re.I)
ASKS_PERCENTAGE = re.compile(r"\b(wie viel prozent|wieviel prozent|prozent|anteil|\w*quote|\w*(?:steuer|zins|hebe|förder|beitrags|"
                             r"prozent)satz\w*|\w{3,}grad|gewicht(?:et|ung)\w*)\b", re.I)
"""A share or a rate: „Welcher Anteil …“, „Förderquote“, „Auf welchen Steuersatz …“, „Deckungsgrad“, „Wie stark wurde
der Preis gewichtet?“ (a rate per hour or day, „Stundensatz“, is money)."""
ASKS_DURATION = re.compile(r"\b(wie lange|dauer|laufzeit|für welchen zeitraum|wie viele (jahre|monate|wochen)|"
                            r"in welche[mn] (?:rhythmus|turnus|abständen|abstand))\b", re.I)
ASKS_DATE = re.compile(r"\b(wann|ab wann|bis wann|seit wann|(?:um|bis|ab) wie ?viel uhr|uhrzeit|zu welchem zeitpunkt|an welchem tag|"
                       r"in welchem jahr|welche[mnrs]?\s+(?:datum|\w*termin)|welche[ns] tag(?:es)?|stichtag|frist|termin)\b|\(datum\)", re.I)
ASKS_COUNT = re.compile(r"\b(wie (?:lang|breit|groß|tief|weit|schwer|hoch (?:und|(?:wird|soll|darf)\b[^?,]*\bwerden))\b|wie oft|wie häufig|wie viele[n]?|wieviele[n]?|anzahl|wie viel(?!\s+(geld|euro|kostet|kosten))\s+\w*"
                        r"(stellen|plätze|vzä|personen|betten))\b|\bwie ?viele[n]?\b", re.I)
ASKS_AMOUNT = re.compile(r"\b(wie ?viel\b(?!e)|wie teuer|was verlangt|was nimmt|wie hoch|wie viel (geld|euro)|was kostet(?:en?)?|was kosten|welche[rnm]? (betrag|summe|"
                         r"kosten|mittel|zuschuss|förderung)|\w*kosten\w*|\w*summe|\w*betrag|\w*volumen|\w*preis\w*|"
                         r"\w*zuschuss|\w*zuschüsse|\w*aufwendungen|\w*aufwand|\w*mittel|finanzier\w*|in welcher höhe|"
                         r"mit welche[mr] betrag|\w*budget\w*|\w*ausgaben|\w*einsparung\w*|\w*erlös\w*|\w*einnahmen|"
                         r"\w*erträge|\w*förder(ung|summe|mittel)|\w*entgelt\w*|\w*gebühr\w*|\bmiete\w*|\w*honorar\w*|\w*auftragswert\w*|"
                         r"wie viel \w+(?: \w+){0,4} wert|\w*steuer\b|\w*geld\b|was zahl\w*|\w*(?:stunden|tages)satz\w*)\b", re.I)
ASKS_ORGANISATION = re.compile(r"\b(welche[srm]?\s+(\w*firma|\w*unternehmen|\w*dienstleister|\w*büro|\w*anbieter|partner|träger|betreiber|bieter|"
                               r"verein|beratungsunternehmen|auftragnehmer|institution|organisation|verband|"
                               r"gesellschaft|hersteller|lieferant\w*|\w*ministerium|\w*behörde|\w*präsidium|"
                               r"fördergeber\w*|zuwendungsgeber\w*|fraktion\w*|partei\w*|\w*amt|dienststelle|fachbereich|referat|"
                               r"dezernat|abteilung)|welche[srm]?\s+\w+\s+(?:liefert|betreibt|übernimmt|baut|"
                               r"erhält|bekommt|führt)|wer\s+(liefert|erhält|übernimmt|führt|"
                               r"betreibt|baut|bekommt|hat den (auftrag|zuschlag))|wer\s+(?:soll|wird|darf)\b[^?,]*\b(?:liefern|bauen|ausführen|"
                               r"übernehmen|betreiben)|mit wem|an wen|von wem)\b", re.I)
ASKS_PERSON = re.compile(r"\b(wer (leitet|ist|war)|welche person|wer unterschreibt|unterzeichnet|unterschrieben|"
                         r"welche[rnm]?\s+(\w*stadträt\w*|\w*stadtrat|\w*rätin|\w*bürgermeister\w*|ortsvorsteher\w*|"
                         r"vorsitzende\w*|leiter\w*|beigeordnete\w*|dezernent\w*|mitglied\w*|vertreter\w*|stellvertret\w*)|"
                         r"wer|wen|wem)\b", re.I)
ASKS_HOLDER = re.compile(r"\bwer\b[^?]*\b(?:\w*rats?sitze?s?|\w*mandat\w*|vorsitz\w*|\w*posten|nachfolge\w*|stellvertret\w*)\b",
                         re.I)
"""Who takes or holds a seat, a mandate, a chair ("Wer übernimmt die Ausschusssitze von …?"): a person, even where the
verb alone ("wer übernimmt") would ask for a company."""
ASKS_PLACE = re.compile(r"\b(wo\b|an welche[mn] (ort|standort)\b|welche[rnm]? (standort|ort|stadtteil|gebäude)\b|"
                        r"welche[rnms]?\s+(?:beiden\s+)?(?:straßen?|strassen?|wege?n?|plätzen?|platz|allee|gasse|adresse|"
                        r"anschrift|haltestellen?|kreuzung|ecke|grundstück|flurstück)\b)", re.I)
"""A place: „wo“, a site, or the kind of address asked for („In welcher Straße …“, „Zwischen welchen Straßen …“,
„Welche Haltestelle …“, „Welches Grundstück …“)."""
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
ASKS_LEAD_OFFICE = re.compile(
    r"\bwelche[sr]?\s+(?:amt|dezernat|dienststelle|referat|fachbereich)\b"
    r"(?=[^?]*\b(?:zuständig|verantwortlich|federführend|vorlage|drucksache|erstellt|eingebracht|vorgelegt|verfasst))"
    r"|\bfederführend\w*\b(?=[^?]*\b(?:vorlage|drucksache)\b)|\b(?:vorlage|drucksache)\b[^?]*\bfederführend", re.I)
"""Which office is responsible for a Vorlage ("Welches Amt ist zuständig?", "Wer ist bei der Vorlage federführend?");
not an office as the subject of the Vorlage's content ("Welches Amt hat die meisten Zuwendungen erhalten?")."""
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

# Time the question speaks in: what is planned or what was ("Wann soll … eröffnet werden?" – "Wann wurde …?")
ASKS_FUTURE = re.compile(r"\b(soll|sollen|sollte|sollten|wird|werden|künftig|zukünftig|geplant\w*|plant|planen|"
                         r"voraussichtlich)\b", re.I)
ASKS_PAST = re.compile(r"\b(wurde|wurden|war|waren|hatte|hatten|bisher|bislang|damals|früher|vorher|zuvor|"
                       r"ursprünglich)\b", re.I)


def asked_tense(question: str) -> int:
    """+1: the question asks about what is planned or will be; -1: about what was; 0: neither or both."""
    return int(bool(ASKS_FUTURE.search(question))) - int(bool(ASKS_PAST.search(question)))


# How exact a stated date is: a day ("1. März 2026", "01.03.2026"), a month ("März 2026"), or a year only
DAY_DATE = re.compile(rf"(?<![\d.])\d{{1,2}}\.\s?(?:\d{{1,2}}\.|{MONTH_PATTERN})", re.I)
MONTH_DATE = re.compile(rf"{MONTH_PATTERN}|\b(?:[1-4]\.\s?Quartal|\d{{1,2}}\.\s?(?:KW|Kalenderwoche))\b", re.I)


def date_precision(value: str) -> float:
    """1 for a day, 0,5 for a month, quarter or week, 0 for a year or a season."""
    if DAY_DATE.search(value):
        return 1.0
    return 0.5 if MONTH_DATE.search(value) else 0.0


BARE_YEAR_NUMBER = re.compile(r"^(?:19|20)\d{2}(?![\d.,])")
"""A count or amount whose number is written like a year ("2025 Fördergelder" in "für 2025 Fördergelder"): more
often a year than a number of things."""

# The noun the asked value is a value of ("wie viele Planstellen", "Gesamtkosten")
COUNTED_NOUN = re.compile(r"\b[Ww]ie\s?viele?[n]?\s+(?:(?:[a-zäöüß]+(?:e|en|er|es|em))\s+){0,2}([A-ZÄÖÜ][\wäöüß-]+)")
HOW_OFTEN = re.compile(r"\bwie (oft|häufig)\b", re.I)
ASKS_COSTS = re.compile(r"\b((was|wie viel)(\s+\w+){0,3}\s+(kostet|kostete|kosteten|kosten)|wie viel (geld|euro)|wie teuer|was verlangt|was nimmt)\b", re.I)
CAPITALISED_WORD = re.compile(r"\b[A-ZÄÖÜ][\wäöüß-]*\b")
AMOUNT_NOUNS = ("kosten", "summe", "betrag", "volumen", "preis", "wert", "aufwendungen", "aufwand", "budget",
                "ausgaben", "einsparung", "einsparungen", "erlös", "erlöse", "einnahmen", "erträge", "entgelt",
                "gebühr", "gebühren", "miete", "honorar", "zuschuss", "förderung", "steuer", "geld")
"""Words (or the last part of compounds: "Gesamtkosten", "Fördergeld") that name the kind of an amount."""
FIGURE_LABELS = (*AMOUNT_NOUNS, "satz", "sätze", "pauschale", "rate", "lohn", "gehalt", "anteil", "zahl", "menge")
"""Nouns (or compound endings) that label a figure written after them ("Kosten 500", "Tagessatz 800"), unlike a noun
whose number names one of its kind ("Bieter 7", "Anlage 2")."""
ASKED_NOUN = re.compile(r"\b[Ww]elche[rnms]?\s+(?:[a-zäöüß\d]+\s+){0,2}?(?P<noun>[A-ZÄÖÜ][\wäöüß-]*)")
"""The noun after „welch-“ („Zu welchem Preis …“, „Welche zwei Städte …“): what the question asks for."""
MAGNITUDE_NOUN = re.compile(r"^[\wäöüß-]*(?:höhe|größe|wert|umfang|zahl|menge|dauer|länge|breite|fläche|frist|zeitraum|"
                            r"laufzeit|anteil|quote|satz|rate|stand|niveau|ausmaß|summe|betrag)$|"
                            r"^(?:tag|datum|jahr|monat|zeitpunkt|termin|woche|uhrzeit)$", re.I)
"""Nouns that ask for a size, a figure or a point in time („Welche Höhe …“, „Welcher Schwellenwert …“), not for a
thing, a place or a group („Welche Schulen …“)."""
SIGNING = re.compile(r"\b(unterzeichne\w*|unterschrie\w*|unterschreib\w*|gezeichnet)\b", re.I)
PRODUCT_KIND = re.compile(r"\bwelche[srnm]?\s+(software|programm|plattform|anwendung|app|fachverfahren|fachanwendung|system)\b", re.I)
TOTAL = re.compile(r"\b(gesamt\w*|insgesamt|summe)\b", re.I)
"""A total, asked for or stated ("insgesamt", "Gesamtkosten")."""

# --- the direction of a change and the bound of a date ----------------------------------------------------

_ASKS_NEW = re.compile(
    r"\b(?:künftig\w*|zukünftig\w*|neue[nmrs]?|nunmehr|(?:erhöh|angehoben|anheb|steig|stieg|senk|gesenkt|reduzier|"
    r"verringer|verlänger|verkürz|änder|geändert)\w*\b[^?.]{0,40}?\bauf\b|auf welche[nmrs]?|(?:wird|werden|soll|sollen)\b[^?]*\b(?:künftig|dann))\b",
    re.I,
)
_ASKS_OLD = re.compile(r"\b(?:bisher\w*|bislang|vorher\w*|früher\w*|ursprünglich\w*|zuvor|ehemalig\w*|alte[nmrs]?)\b", re.I)
_MARKED_NEW = re.compile(r"(?:\bauf|\bkünftig|\bzukünftig|\bneu\w*|\bnunmehr|\bdann)\s+(?:(?:rund|ca\.|etwa|rd\.|nur|noch|jeweils|insgesamt)\s+)?$", re.I)
_MARKED_OLD = re.compile(r"(?:\bvon|\bbisher\w*|\bbislang|\bderzeit\w*|\baktuell\w*|\bursprünglich\w*|\bvorher|\bzuvor|\bstatt|\banstelle\s+von)\s+"
                         r"(?:(?:rund|ca\.|etwa|rd\.|nur|jeweils|insgesamt)\s+)?$", re.I)
_NEW_AFTER = re.compile(r"^\S*\s*(?:\S+\s+){0,3}?(?:auf|künftig)\s+\S*\d", re.I)


def asked_direction(question: str) -> int:
    """Whether a question asks for the value after a change (+1: "künftig", "neue", "angehoben auf",
    "auf welchen Betrag"), before it (-1: "bisher", "ursprünglich", "früher") or neither (0)."""
    new, old = bool(_ASKS_NEW.search(question)), bool(_ASKS_OLD.search(question))
    return 0 if new == old else 1 if new else -1


def stated_direction(text: str, start: int, end: int) -> int:
    """Whether the value at ``text[start:end]`` is the new one of a change (+1: "… auf 8 Mio. Euro",
    "künftig 50 Euro") or the old one (-1: "von 5 Mio. Euro auf …", "bisher 20 Euro"), by the words right
    before it; 0 where nothing says."""
    before = text[max(0, start - 30) : start]
    if _MARKED_NEW.search(before):
        return 1
    if _MARKED_OLD.search(before) and (not before.rstrip().lower().endswith("von") or _NEW_AFTER.match(text[end : end + 40])):
        return -1
    return 0


_MARKED_CHANGE = re.compile(r"\bum\s+(?:(?:rund|ca\.|etwa|rd\.|nur|lediglich|jeweils|weitere)\s+)?$", re.I)


def states_change(text: str, start: int) -> bool:
    """Whether the value at ``text[start:]`` is stated as the size of a change, not as a level: "um 2,50 Euro
    auf 12,50 Euro erhöht", "steigt um rund 5 %"."""
    return bool(_MARKED_CHANGE.search(text[max(0, start - 30) : start]))


_ASKED_BOUND = re.compile(r"\b(ab|bis|seit)\s+(?:wann|wie\s?viel\s+uhr|zu\s+welche[mr]|welche[mr]|zum|wie\s+lange)\b", re.I)
_STATED_BOUND = re.compile(r"\b(ab|bis|seit)\s+(?:(?:zum|zur|dem|den|spätestens|einschließlich|voraussichtlich|ca\.|etwa|Ende|Mitte|Anfang)\s+){0,2}$", re.I)


def asked_bound(question: str) -> str | None:
    """The bound a date question asks for: "ab wann" -> ``ab``, "bis wann" / "bis wie viel Uhr" -> ``bis``,
    "seit wann" -> ``seit``; None for a plain "wann"."""
    match = _ASKED_BOUND.search(question)
    return match.group(1).lower() if match else None


def stated_bound(text: str, start: int) -> str | None:
    """The bound a text states for the value at ``start``: "bis 15 Uhr", "ab dem 1. Januar 2026", "seit
    2019" -> ``bis``, ``ab``, ``seit`` (the span may include the word itself)."""
    own = re.match(r"(ab|bis|seit)\b", text[start : start + 5], re.I)
    if own:
        return own.group(1).lower()
    match = _STATED_BOUND.search(text[max(0, start - 40) : start])
    return match.group(1).lower() if match else None


# --- two figures set against each other ("Um wie viel lag A unter B?", "Anteil von A an B") ------------

HOW_MUCH = re.compile(r"\b(?:um\s+)?wie\s?viele?[nr]?\b", re.I)
ASKS_IN_PERCENT = re.compile(r"\bwie\s?viel\s+prozent\b|\bprozentual\w*\b", re.I)
ASKS_HOW_MANY = re.compile(r"\bwie\s?viele[nr]?\b", re.I)
COMPARED_WITH = re.compile(
    r"\s(?P<word>über|unter|gegenüber|oberhalb|unterhalb|(?:mehr|weniger|höher|niedriger|größer|kleiner|teurer|"
    r"günstiger|billiger)\s+als|im\s+vergleich\s+(?:zu[rm]?|mit)|verglichen\s+mit)\s+(?P<rest>.+)$", re.I)
"""The word that sets two figures against each other, and what stands after it (the second figure)."""
MORE_THAN = re.compile(
    r"\bwie\s?viele?[nr]?\s+(?:[\wäöüß]+\s+)?(?:mehr|weniger|höher|niedriger|teurer|günstiger|"
    r"billiger)\s+(?P<first>.+?)\s+als\s+(?P<second>.+)$", re.I)
""""Wie viel (Euro) mehr kostet A als B?": the comparative right after the question word (and a unit), the
first figure between it and „als“, the second after it."""
SHARE_OF = re.compile(r"\banteil\w*\s+(?P<first>.+)\s+an\s+(?P<second>(?:der|dem|den)\s.+)$", re.I)
""""(prozentualen) Anteil haben A an der Gesamtsumme B"."""
SET_AGAINST = re.compile(r"\bwenn\s+man\s+(?P<first>.+?)\s+mit\s+(?P<second>.+?)\s+(?:vergleicht|verrechnet|gegenüberstellt)$", re.I)
""""…, wenn man A mit B vergleicht / verrechnet": the two figures named in a clause of their own."""
QUESTION_END = re.compile(r"[?.!]+\s*$")
TOPIC_BEFORE_QUESTION = re.compile(r"^[^:?]{2,100}:\s+(?=[A-ZÄÖÜ])")
"""A topic before the question proper: "Neubau der Turnhalle: Wie viel …?"."""
LEADING_QUESTION_WORDS = re.compile(
    r"^(?:(?:um\s+)?wie\s?viele?[nr]?\b\s*(?:(?:euro|prozent|prozentpunkte)\b)?\s*(?:(?:brutto|netto)\b)?\s*"
    r"|welche[nrs]?\s+(?:prozentualen\s+)?)", re.I)
"""The question words an operand's description starts with ("Um wie viel Euro brutto lag …")."""
LEADING_VERB_ARTICLE = re.compile(
    r"^(?:(?:liegt|lag|liegen|lagen|ist|war|sind|waren|hat|haben|hatte|hatten|kostet|kosten|kostete|kosteten)\s+)?(?:(?:der|die|das|dem|den|denen|des)\s+)?",
    re.I)
"""The verb and article an operand's description starts with ("liegen die Kosten" -> "Kosten")."""


# --- values in documents ----------------------------------------------------------------------------------

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
    rf"{_MEASURE_UNITS}|Einwohner\w*|Fälle\w*|Maßnahmen|Projekte\w*|"
    r"Beratertage\w*|Personentage\w*|Tage(?:n)?|Arbeitsplätze\w*|Geräte\w*)"
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

AMOUNTS = (
    re.compile(
        rf"(?:rund\s+|ca\.\s+|etwa\s+|rd\.\s+)?{_NUM}(?:\s*(?:bis|–|-)\s*{_NUM})?(?:\s*{SCALE_PATTERN})?\s*{_CURRENCY}{_PERIOD}", re.I),
    re.compile(rf"(?:EUR|€)\s*{_NUM}(?:\s*{SCALE_PATTERN})?{_PERIOD}"),
    re.compile(TARIFF_PRICE_PATTERN + _PERIOD),
    # whole euros without a currency, as forms and tables write them: "Gesamtkosten: 300,-", "1.500,– €"
    re.compile(rf"(?<![\w.,/])(?:\d{{1,3}}(?:\.\d{{3}})+|\d+),(?:--?|–)(?![\w-])(?:\s*{_CURRENCY})?{_PERIOD}"),
)
"""Sums of money: "rund 2,5 Mio. Euro pro Jahr", "€ 1.200", a tariff's "272,50 je Stunde", "300,-"."""
PERCENTAGES = (
    re.compile(rf"\bvon\s+(?:{_NUM}|{_NUMBER_WORDS})\s*(?:%|Prozent\b)?\s+auf\s+{_NUM}\s*(?:%|Prozent\b)", re.I),
    re.compile(rf"{_NUM}\s*(?:%|Prozent\b|v\.\s?H\.)", re.I),
)
DATES = (
    re.compile(r"(?<![\d.])\d{1,2}\.\s?\d{1,2}\.\s?(?:\d{4}|\d{2})(?![\d])"),
    re.compile(rf"(?<![\d.])(?:\d{{1,2}}\.\s*)?{MONTH_PATTERN}\s+\d{{4}}(?!\d)", re.I),
    re.compile(
        r"\b(?:(?:im|ab|seit|bis|zum)\s+)?(?:(?:Früh|Spät)?[Jj]ahr|Sommer|Herbst|Winter|Frühjahr|Quartal|Haushaltsjahr|Schuljahr)"
        r"(?:es)?\s+(?:\d\.\s+Quartal\s+)?\d{4}(?:/\d{2,4})?\b"),
    re.compile(r"\b[1-4]\.\s?Quartal\s+\d{4}\b"),
    # a calendar week, a part of a month, a time of day: "39. KW 2024", "Ende Mai", "18:30 Uhr", "15 Uhr"
    re.compile(r"\b\d{1,2}\.\s?(?:KW|Kalenderwoche)(?:\s+\d{4})?\b"),
    re.compile(rf"\b(?:Anfang|Mitte|Ende)\s+{MONTH_PATTERN}(?:\s+\d{{4}})?", re.I),
    re.compile(r"(?<![\d.,])(?:[01]?\d|2[0-3])(?:[:.][0-5]\d)?\s?Uhr\b|(?<![\d.,:])(?:[01]?\d|2[0-3]):[0-5]\d(?![\d:])"),
    # a bare year where a text says when something happens: "soll 2026 beginnen", "ab 2027", "bis Ende 2030"
    re.compile(
        r"\b(?:(?:ab|bis|seit)\s+(?:(?:Anfang|Mitte|Ende)\s+)?(?:(?:des\s+Jahres|dem\s+Jahr)\s+)?|(?:Anfang|Mitte|Ende)\s+)"
        r"(?:19|20)\d{2}(?![\d/]|\.\d)"),
    re.compile(
        r"(?<![\d/.])(?:19|20)\d{2}(?=\s+(?:beginnen|begonnen|starten|gestartet|abgeschlossen|fertiggestellt|"
        r"erfolgen|umgesetzt|eröffnet|in\s+Betrieb|in\s+Kraft)\b)"),
)
"""Dates: "1.2.2026", "1. Februar 2026", "im Herbst 2025", "3. Quartal 2026", "39. KW", "Ende Mai", "18:30 Uhr"."""
DURATIONS = (re.compile(rf"(?:{_NUM}|\b{_NUMBER_WORDS})\s*{_DURATION_NOUNS}\b", re.I),)
COUNT_ATTRIBUTE = r"(?!(?:de[rnms]|die|das|eine?[rnms]?)\s)[a-zäöüß][\w-]*(?:e|en|er|es|em)\s+"
"""A word between a number and its counted noun ("7,5 neue Stellen"); an article there means no noun is counted
("§ 7 der Satzung", "Bieter 7 den niedrigsten …")."""
COUNTS = (
    re.compile(rf"(?:{_NUM}|\b{_NUMBER_WORDS})\s+(?:{COUNT_ATTRIBUTE}){{0,2}}"
               rf"(?:{_UNIT_NOUNS}|(?!{_NOT_COUNTED}\b)[A-ZÄÖÜ][\wäöüß-]+)\b"),
    re.compile(r"(?<=:)[ \t]*\d+(?:[.,]\d+)*(?=[ \t]*(?:[;,.]\s|[;,.]?$))", re.M),
)
"""Counts: a number before the counted noun ("7,5 neue Stellen", "zwei Kitas"), a bare number after a label."""
DRUCKSACHEN = (
    re.compile(
        r"(?:\b(?:GRDrs|Drs|Drucksache|Vorlage|Vorlagen-Nr|SV|DS|BV|IV|MV)\.?\s*(?:Nr\.?\s*)?)?"
        r"(?<![\d/])\d{1,4}/\d{2,4}(?:/\d{1,3})?(?![\d/])"),
)
GREMIEN = (
    re.compile(
        r"\b(?:(?:der|des|dem|den)\s+)?(?:Gemeinderat(?:es|s)?|Stadtrat(?:es|s)?|Rat der Stadt|Kreistag(?:es|s)?|"
        r"Ortschaftsrat\w*|Ortsbeirat\w*|Bezirksbeirat\w*|Bezirksvertretung\w*|Jugendgemeinderat\w*|"
        r"(?:[A-ZÄÖÜ][\wäöüß-]*(?:ausschuss|ausschusses|kommission|beirat|beirates|beirats|konferenz))"
        r"(?:\s+(?:für|des|der)\s+[A-ZÄÖÜ][\wäöüß-]*(?:\s+(?:und|,)\s+[A-ZÄÖÜ][\wäöüß-]*){0,3})?)"),
)
ORGANISATIONS = (
    re.compile(
        rf"\b(?:Firma|Fa\.)\s+{_CAP}(?:\s+(?:{_CAP}|&|und|für))*?(?:\s+{_COMPANY_FORM})?(?=[\s,.;:)]|$)"),
    re.compile(rf"\b{_CAP}(?:[\s-]+(?:{_CAP}|&|und|für|der|des|de|von)){{0,5}}\s+{_COMPANY_FORM}(?![\w])"),
    # a council group: "SPD-Fraktion", "Fraktion DIE LINKE", "die GRÜNE-Fraktion", "(CDU)" after a member's name
    re.compile(
        r"\b[A-ZÄÖÜ][\wÄÖÜäöüß/&.]*-(?:Gemeinderats|Ortschaftsrats|Kreistags)?[Ff]raktion\b"
        r"|\b(?:Fraktion|Gruppe)\s+(?:der\s+|von\s+)?(?P<inner>[A-ZÄÖÜ][\wÄÖÜäöüß/&.]*(?:\s+[A-ZÄÖÜ][\wÄÖÜäöüß/&.]*){0,2})"
        r"|(?<=[a-zäöüß]\s\()(?P<inner_group>[A-ZÄÖÜ][A-ZÄÖÜa-zäöü/&.|]{1,15})(?=\))"),
    # public bodies: "Verkehrsministerium Baden-Württemberg", "Ministerium für Verkehr", "Regierungspräsidium Karlsruhe"
    re.compile(
        r"\b(?:[A-ZÄÖÜ][\wäöüß-]*(?:ministerium|präsidium|behörde|amt|agentur|kammer|verband)|Ministerium|Behörde|Agentur)\b"
        r"(?:\s+(?:für|des|der)\s+[A-ZÄÖÜ][\wäöüß-]+(?:\s+(?:und|,)\s+[A-ZÄÖÜ][\wäöüß-]+){0,2}"
        r"|\s+[A-ZÄÖÜ][\wäöüß]+(?:-[A-ZÄÖÜ][\wäöüß]+)?)?"),
)
ORGANISATION_AFTER_CUE = re.compile(
    r"\b(?:an|durch|die|der|mit|von)\s+(?:die\s+|der\s+|den\s+)?(?:Firma|Fa\.|Unternehmen|Bieter(?:in)?|Auftragnehmer(?:in)?|"
    r"Dienstleister|Anbieter|Büro|Ingenieurbüro|Planungsbüro|Architekturbüro|Träger)\s+(?P<name>[A-ZÄÖÜ][^\n,;:.()]{1,60})"
)
"""An organisation named after a cue word ("an die Firma REFA Dachbau", "der Träger Caritasverband"); the
name runs to the next punctuation (the caller cuts it at a lower-case word)."""
PLACES = (
    # a street ("St.-Florian-Straße", "Kaiserallee 12", "Marktplatz 1") or a named site
    # ("auf dem Gelände des TSV Bulach", "im Stadtteil Durlach")
    re.compile(
        r"\b[A-ZÄÖÜ][\wäöüß.-]*(?i:straße|strasse|allee|gasse)\b(?:\s+\d{1,4}\s?[a-z]?\b)?"
        r"|\b[A-ZÄÖÜ][\wäöüß.-]*(?i:platz|weg|ring|damm|ufer)\s+\d{1,4}\s?[a-z]?\b"
        # a name of two words, the first a place's adjective: "Herrenalber Straße", "Berliner Platz", "Durlacher Tor"
        r"|\b(?!(?:Oder|Aber|Unser|Euer|Ihrer|Seiner|Einer|Keiner|Jeder|Dieser|Jener|Welcher|Mancher|Solcher|Aller|"
        r"Anderer|Weiter|Später|Immer|Wieder|Hinter|Unter|Über|September|Oktober|November|Dezember)\s)"
        r"[A-ZÄÖÜ][a-zäöüß]{2,}er\s+(?:Straße|Strasse|Landstraße|Allee|Gasse|Weg|Platz|Ring|Damm|Tor|Steige|Brücke)\b"
        r"(?:\s+\d{1,4}\s?[a-z]?\b)?"),
    re.compile(
        r"\b(?:auf\s+dem\s+(?:Gelände|Areal|Grundstück)|im\s+(?:Stadtteil|Stadtbezirk|Ortsteil|Quartier)|"
        r"am\s+Standort|in\s+den\s+Räumen)\s+(?:(?:des|der|von|am|an\s+der)\s+)?"
        r"(?P<inner>[A-ZÄÖÜ][\wäöüß.-]*(?:\s+[A-ZÄÖÜ][\wäöüß.-]*){0,3})"),
)
_TITLES = (r"(?:Herr[n]?|Frau|Dr\.|Prof\.|Bürgermeister(?:in)?|Oberbürgermeister(?:in)?|Dezernent(?:in)?|"
           r"(?:Stadt|Ortschafts|Gemeinde|Kreis|Bezirksbei)r(?:at|ätin)|Ortsvorsteher(?:in)?|Beigeordnete[r]?)")
PERSONS = (
    # a name after titles and offices: "Frau Dr. Eva Maier", "Bürgermeisterin Luczak-Schwarz",
    # "Herrn Stadtrat Dr. Jan Roth"
    re.compile(rf"\b(?:{_TITLES}\s+)+(?!{_TITLES}(?![\wäöüß-]))[A-ZÄÖÜ][\wäöüß-]+(?:\s+[A-ZÄÖÜ][\wäöüß-]+)?"),
    # a name after a role label of minutes and forms: "Vorsitz: Anett-Maud Joppien", "Leitung: Dr. Eva Maier"
    re.compile(
        r"\b(?:Vorsitz|Vorsitzende[r]?|Leitung|Sitzungsleitung|Ansprechpartner(?:in)?|Berichterstatter(?:in)?|"
        r"Schriftführer(?:in)?|Protokoll)\s*:\s*(?P<inner>(?:(?:Dr\.|Prof\.)\s+)*[A-ZÄÖÜ][\wäöüß-]+(?:\s+[A-ZÄÖÜ][\wäöüß-]+){1,2})"),
)
NAMES = (
    # a quoted name, or a product's name after its kind: "„Digitale Schule“", "Software Fabasoft"
    re.compile(r"[„“\"»«‚'](?P<inner>[^„“\"»«\n]{3,150})[“”\"«»‘']"),
    re.compile(
        r"\b(?:Software|Programm|Plattform|Anwendung|App|Fachverfahren|Fachanwendung|Produkt)\s+"
        r"(?!(?:und|sowie|oder|für|zur|zum|der|die|das|des|dem|den|ist|wird|werden|wurde|in|im|mit|von|an|auf|bei|nicht|"
        r"eingesetzt|genutzt|verwendet|als|zu|kann|soll|muss|sind|hat|haben)\b)(?P<inner>[A-Za-zÄÖÜäöü][\w.+-]{1,40})"),
)


_NOT_THE_NAME = re.compile(rf"(?<![\wäöüß]){_TITLES}(?=\s|$)|\b(?:Firma|KGaA|UG|Co\.?|e\.\s?V\.?|{_COMPANY_FORM})(?=[\s,;&]|$)")
"""Titles and offices (``_TITLES``) and legal forms (``_COMPANY_FORM``, with the shorter spellings of names)."""


def proper_name(name: str) -> str:
    """A name without the titles, offices and legal forms around it: „Herrn Stadtrat Dr. Jan Roth“ → „Jan Roth“,
    „Firma Grötz GmbH & Co. KG“ → „Grötz“ (what a question that already names it names)."""
    return " ".join(_NOT_THE_NAME.sub(" ", name).replace("&", " ").split())


def trim_value(text: str, start: int, end: int) -> tuple[int, int]:
    """The offsets of a value without surrounding blanks, commas, colons and brackets, and without a final
    dot unless it ends an abbreviation ("Dr.", "e. V.", "p. a.")."""
    while start < end and text[start] in " \t\n,;:(":
        start += 1
    while end > start and text[end - 1] in " \t\n,;:)(":
        end -= 1
    if end > start and text[end - 1] == "." and not re.search(r"(?:\b[A-Z]|Co|Inc|Ltd|Dr|Prof|V|H|a)\.$", text[start:end]):
        end -= 1
    return start, end


# --- clauses ----------------------------------------------------------------------------------------------

_CLAUSE_BREAK = re.compile(r"[;()\n–]|,(?!\d)|\s-\s|\s(?:und|sowie|bzw\.|oder|während|wobei|davon)\s")


def clause_breaks(text: str) -> list[int]:
    """Where the clauses of a sentence start or end (commas that are not decimal commas, semicolons,
    brackets, dashes, conjunctions)."""
    return sorted({m.start() for m in _CLAUSE_BREAK.finditer(text)})


def clause_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The offsets of the clause that holds ``text[start:end]``."""
    left = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    following = _CLAUSE_BREAK.search(text, end)
    return left, following.start() if following else len(text)
