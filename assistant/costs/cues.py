"""Which calculation a question asks for, decided cheaply from its wording (no retrieval, no model).

``is_calculation_question(question)`` is the router's test: True only when the question asks for
arithmetic — "berechne", "Summe", "zusammen"/"insgesamt" over several named items or figures,
"Differenz", "um wie viel gestiegen", "je Stelle", "im Durchschnitt", Beratertage × Tagessatz, a pay
group with "kosten", "anteilig", "Finanzplanung", or figures given in the question to combine. A
question that asks for an amount the documents state ("Wie hoch sind die Kosten für …?", "Welche
Auftragssumme …?", "Wie viele Betten … und was kostet eine Nacht?") is not a calculation.

``calculation_kind(question)`` names the calculation (the key of the planner table in
``assistant.costs.planners``); ``None`` when the question is no calculation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property
from typing import Literal

from pydantic import BaseModel

from assistant.costs.quantities import Quantity, parse_quantities
from vorlagen.text import NUMBER_WORDS, PERIODS, lexicon

CalculationKind = Literal[
    "beratungskosten", "personalkosten", "finanzplanung", "anteilig", "zeitraum", "je_einheit", "anteil", "differenz",
    "summe", "unbestimmt",
]
"""``unbestimmt``: the question asks explicitly for a calculation ("berechne …") but says not which."""

FIGURE_KINDS = frozenset({"betrag", "tage", "stellen", "prozent", "monate", "anzahl", "zahl"})
"""Quantities that are figures to compute with (years, dates and pay groups are not)."""

_I = re.IGNORECASE
_DIGIT = re.compile(r"\d")
EXPLICIT_CUE = re.compile(r"\b(?:berechne|berechnen\s+sie|rechne|rechnen\s+sie|ausrechnen|errechne|kalkuliere)\b", _I)
COST_ASK = re.compile(
    r"\b(?:\w*kost\w*|berechne\w*|wie\s+hoch|wie\s+viel(?!e)|ergibt|ergeben|betr[äa]g\w*|\w*teuer\w*|\w*zahlt)\b", _I
)
CONSULT_DAYS = re.compile(r"beratertag|personentag", _I)
CONSULT_RATE = re.compile(r"tagess[äa]tze?", _I)
PAY_GROUP_HINT = re.compile(r"\b(?:A|EG|E)\s?\d{1,2}|gruppe\s+\d", _I)
"""Cheap test before the lexer: something like a pay group (``E 13``, ``A12``, ``Entgeltgruppe 9``)."""
PLAN_CUE = re.compile(
    r"\b(?:finanzplanung|mittelfristig\w*|jährlich\w*\s+steigerung|steigerung\s+von|steigt\s+jährlich|jährlich\s+um)\b", _I
)
PARTIAL_CUE = re.compile(r"\b(?:anteilig\w*|halbes\s+jahr|halbjahr|jahresmitte|mitte\s+des\s+jahres|\d+\s+monate)\b", _I)
PER_UNIT = re.compile(
    r"\b(?:je|pro)\s+(?:(?:ein(?:e[mnrs]?)?|angefangene[nr]?)\s+)?(?P<noun>[A-ZÄÖÜ][\wäöüß-]+)"
    r"|\bein(?:e[mn]?)?\s+(?:[a-zäöüß]\w*\s+)?(?P<noun2>[A-ZÄÖÜ][\wäöüß-]+)\s+(?:im\s+Durchschnitt|durchschnittlich)"
    r"|\b(?:im\s+Durchschnitt|durchschnittlich)\s+(?:ein(?:e[mnrs]?)?\s+)?(?P<noun3>[A-ZÄÖÜ][\wäöüß-]+)"
)
AVERAGE_CUE = re.compile(r"\b(?:im\s+durchschnitt|durchschnittlich\w*)\b", _I)
TIME_UNITS = frozenset(
    "jahr jahre monat quartal woche haushaltsjahr kalenderjahr vorlage stunde tag nacht übernachtung "
    "beratertag personentag arbeitstag person".split()
)
"""``je/pro`` nouns that name a rate the documents state (``pro Jahr``, ``pro Nacht``), not a divisor."""
COUNTED_UNITS = re.compile(
    r"^(?:stelle|planstelle|vollzeitstelle|vzä|vollzeitäquivalent|fahrzeug|beschäftigte|mitarbeit|einwohner|"
    r"schule|schüler|gerät|stück)", _I
)
"""Divisors a question may leave to the documents (``Personalaufwendungen je Stelle``)."""
SHARE_CUE = re.compile(r"\b(?:anteil|wie\s+viel\s+prozent|prozentual|welcher\s+prozentsatz)\b", _I)
DIFF_CUE = re.compile(
    r"\b(?:differenz|wenn\s+man\b.+\bmit\b.+\b(?:vergleicht|verrechnet|gegenüberstellt)|um\s+wie\s+viel\w*(?!\s+uhr\b)|wie\s+stark\s+(?:sind|ist|hat|haben)"
    r"\b.*\b(?:gestiegen|gesunken|gewachsen|zugenommen|abgenommen|erhöht|verringert|gesteigert))\b", _I
)
DIFF_WEAK_CUE = re.compile(r"\b(?:unterschied|mehr\s+als|weniger\s+als|höher\s+als|niedriger\s+als)\b|\s[−-]\s", _I)
SUM_CUE = re.compile(r"\bsumme\s+(?:von|der|aus|beider|aller)\b|\d\s*\+\s*\d", _I)
TOTAL_CUE = re.compile(r"\b(?:zusammen|insgesamt|zusammengerechnet|zusammengenommen|addiert|summe|gesamtsumme)\b", _I)
_QUESTION_WORD = r"(?:wie|was|wer|wo|wann|welche\w*|wieso|warum|wof\w+|womit|wem|wen|ob)\b"
ENUMERATION = re.compile(
    r"\b[\wäöüÄÖÜß-]+(?:,\s*[\wäöüÄÖÜß-]+)*\s+(?:und|sowie|plus)\s+(?!" + _QUESTION_WORD + r")(?:\w+\s+){0,3}?[\wäöüÄÖÜß-]+",
    _I,
)
"""``A und B`` inside one question part (``und wie hoch …`` starts a second part, no enumeration)."""
PERCENT_CHANGE = re.compile(r"\b(?:prozent\w*|%)", _I)
"""With a difference cue: the change in per cent (``um wie viel Prozent gestiegen``)."""
YEAR_SPAN = re.compile(r"\b(?:19|20)\d{2}\s*(?:bis|–|-)\s*(?:19|20)\d{2}\b", _I)
YEAR_PAIR = re.compile(r"\b(?:19|20)\d{2}\b.*\b(?:19|20)\d{2}\b")


class ParsedQuestion(BaseModel):
    """A question with its quantities, parsed once (and only when a cue needs them) for the cue table
    and the planners."""

    text: str

    @classmethod
    def parse(cls, question: str) -> ParsedQuestion:
        return cls(text=question)

    @cached_property
    def quantities(self) -> list[Quantity]:
        return parse_quantities(self.text) if _DIGIT.search(self.text) else []

    def find(self, *kinds: str) -> list[Quantity]:
        return [q for q in self.quantities if q.kind in kinds]

    @property
    def figures(self) -> list[Quantity]:
        return [q for q in self.quantities if q.kind in FIGURE_KINDS]

    def per_unit_noun(self) -> str | None:
        """The noun after ``je``/``pro``/``im Durchschnitt`` that is a divisor, not a time unit."""
        for match in PER_UNIT.finditer(self.text):
            noun = match.group("noun") or match.group("noun2") or match.group("noun3")
            if noun and noun.lower() not in TIME_UNITS:
                return noun
        return None


def _consulting(q: ParsedQuestion) -> bool:
    days_named = bool(CONSULT_DAYS.search(q.text))
    rate_named = bool(CONSULT_RATE.search(q.text))
    if days_named and rate_named:
        return True
    return (days_named or rate_named) and bool(COST_ASK.search(q.text)) and bool(q.find("tage"))


def _personnel(q: ParsedQuestion) -> bool:
    if not PAY_GROUP_HINT.search(q.text):
        return False
    return bool(q.find("gruppe")) and bool(COST_ASK.search(q.text) or q.find("stellen"))


def _finance(q: ParsedQuestion) -> bool:
    return bool(PLAN_CUE.search(q.text)) and bool(q.find("jahr", "datum")) and bool(q.find("betrag", "zahl"))


def _partial(q: ParsedQuestion) -> bool:
    if not q.find("betrag", "zahl"):
        return False
    return bool(PARTIAL_CUE.search(q.text)) or any(x.kind == "datum" and x.preposition == "ab" for x in q.quantities)


_COUNT = r"(?:\d{1,3}|" + "|".join(word for word, figure in NUMBER_WORDS.items() if figure.isdigit()) + r")"
PERIOD_COUNT = re.compile(
    r"(?<!\bvor\s)(?<!\bseit\s)(?<!\bnach\s)(?<!\balle\s)"  # a point in time or a frequency: no duration
    r"\b(?P<n>" + _COUNT + r")\s+(?P<unit>Stunden?|Tage?n?|Nächte?n?|Wochen?|Monate?n?|Jahre?n?)\b"
    r"(?!\s+(?:alt|später|früher|zuvor))",
    _I,
)
"""A number of periods a question asks the cost of ("zwei Tage am Stück", "in den ersten vier Jahren")."""


def period_count(text: str) -> tuple[int, str] | None:
    """``zwei Tage`` -> (2, "tag") (a period of ``vorlagen.text.PERIODS``); None when the question names no
    number of periods, or just one."""
    for match in PERIOD_COUNT.finditer(text):
        written = match.group("n").lower()
        count = int(NUMBER_WORDS.get(written, written))
        word = match.group("unit").lower().replace("ä", "a")
        if count >= 2:
            return count, next(period for period in PERIODS if word.startswith(period[:4]))
    return None


def _over_periods(q: ParsedQuestion) -> bool:
    """"… zwei Tage am Stück mieten …", "in den ersten vier Jahren insgesamt": the cost of several periods
    from a stated rate (``assistant.costs.periods``)."""
    return bool(COST_ASK.search(q.text)) and period_count(q.text) is not None and not YEAR_PAIR.search(q.text)


def _per_unit(q: ParsedQuestion) -> bool:
    noun = q.per_unit_noun()
    if noun is None:
        return False
    return len(q.figures) >= 2 or bool(AVERAGE_CUE.search(q.text)) or bool(COUNTED_UNITS.match(noun))


def _share(q: ParsedQuestion) -> bool:
    # "um wie viel Prozent gestiegen" is a change, not a share
    return bool(SHARE_CUE.search(q.text)) and not _asks_difference(q.text) and len(q.figures) == 2


def _asks_difference(text: str) -> bool:
    """A difference cue, or „Wie viel (Euro) mehr … als …?“ (the form ``assistant.operands`` splits in two figures)."""
    return bool(DIFF_CUE.search(text) or lexicon.MORE_THAN.search(text))


def _difference(q: ParsedQuestion) -> bool:
    if _asks_difference(q.text):
        return True
    return bool(DIFF_WEAK_CUE.search(q.text)) and (len(q.figures) >= 2 or bool(YEAR_PAIR.search(q.text)))


def _sum(q: ParsedQuestion) -> bool:
    if SUM_CUE.search(q.text):
        return True
    total = TOTAL_CUE.search(q.text)
    if total is None:
        return False
    if len(q.figures) >= 2 or YEAR_SPAN.search(q.text):
        return True  # "von 2027 bis 2030 zusammen": the figure of every year in the range
    # ``A und B zusammen``: an enumeration in the part of the question that carries the cue
    part = re.split(r",?\s+und\s+(?=" + _QUESTION_WORD + r")", q.text, flags=_I)
    carrier = next(p for p in part if TOTAL_CUE.search(p))
    return bool(ENUMERATION.search(carrier)) and bool(COST_ASK.search(carrier) or re.search(r"\bwie\s+viele\b", carrier, _I))


CUES: list[tuple[CalculationKind, Callable[[ParsedQuestion], bool]]] = [
    ("beratungskosten", _consulting),
    ("personalkosten", _personnel),
    ("finanzplanung", _finance),
    ("anteilig", _partial),
    ("zeitraum", _over_periods),
    ("je_einheit", _per_unit),
    ("anteil", _share),
    ("differenz", _difference),
    ("summe", _sum),
]
"""The cue table, in order of precedence: the first kind whose cue holds names the calculation."""


def calculation_kind(question: str | ParsedQuestion) -> CalculationKind | None:
    """The kind of calculation the question asks for, or ``None`` when it asks for none."""
    parsed = question if isinstance(question, ParsedQuestion) else ParsedQuestion.parse(question)
    for kind, holds in CUES:
        if holds(parsed):
            return kind
    if EXPLICIT_CUE.search(parsed.text):
        return "unbestimmt"
    return None


def is_calculation_question(question: str) -> bool:
    """True when the question asks for arithmetic (pure, regex-based, well under a millisecond)."""
    return calculation_kind(question) is not None
