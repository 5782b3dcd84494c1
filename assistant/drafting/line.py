"""A one-line request prepared for reading: number words as figures, spoken times as dates, the
Befristungen and clauses – always with the way back to the author's own words.

``read_line(text, today)`` returns a ``Line``: ``text`` is what the parsers read („drei Stellen“ →
„3 Stellen“, „ab dem zweiten Halbjahr 2027“ → „ab 01.07.2027“, „zum 1. Oktober“ → „zum 1. Oktober 2027“
with a note), ``source(start, end)`` gives the author's words for a span of it. Number words come from
``vorlagen.text`` (the one German text module).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from vorlagen.formatting import format_date
from vorlagen.text import HALF_WORDS, MONTH_PATTERN, NUMBER_WORDS, ONE_WORDS, ORDINAL_WORDS, month_number

POSITION_NOUN = (
    r"\b(?:(?:Plan|Projekt|Vollzeit|Teilzeit|Personal|Sachbearbeitungs|Sachbearbeiter|Ingenieurs?|Verwaltungs|Fach"
    r"kraft)?[Ss]tellen?|VZÄ|Vollzeitäquivalente?n?|Vollkräfte|Vollkraft)"
)
"""Nouns that count positions („3 Stellen“, „eine Projektstelle“); units such as „Stabsstelle“ are no position."""
_COUNTED_AFTER_ONE = (
    r"(?:(?:neue|zusätzliche|weitere|befristete|unbefristete|" + "|".join(HALF_WORDS) + r")[nrms]?\s+)?"
    r"(?:" + POSITION_NOUN + r"|Jahre?s?|Monate?s?|Beratertage?s?)\b"
)
_ONE = re.compile(r"\b(?:" + "|".join(ONE_WORDS) + r")\s+(?=" + _COUNTED_AFTER_ONE + ")", re.I)
_WORD = re.compile(r"\b(" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")\b", re.I)
_YEAR = r"(?:19|20)\d{2}"
_ORDINAL = "|".join(ORDINAL_WORDS)
_HALF_YEAR = re.compile(
    r"\b(?P<prep>ab|zum|im|mit|in|für)?\s*(?:dem\s+|Beginn\s+des\s+)?(?P<n>ersten|zweiten|1\.|2\.)\s+Halbjahr(?:es)?"
    r"(?:\s+(?P<y>" + _YEAR + r"))?",
    re.I,
)
_SEASON = re.compile(
    r"\b(?P<prep>ab|zum|zur|bis|bis\s+zum|bis\s+zur|im|in)?\s*(?:dem\s+)?(?P<when>Mitte|Jahresmitte|Anfang|Beginn|"
    r"Jahresbeginn|Jahresanfang|Ende|Jahresende)\s+(?:des\s+Jahres\s+)?(?P<y>" + _YEAR + r")\b",
    re.I,
)
_DAY_MONTH = re.compile(
    r"(?<![\d.])(?P<d>\d{1,2})\.\s*(?P<m>" + MONTH_PATTERN + r")(?!\s*\d{4})(?!\s*\d)", re.I
)
_MONTH_ALONE = re.compile(
    r"\b(?P<prep>ab|zum|bis|im|seit)\s+(?:dem\s+)?(?P<m>" + MONTH_PATTERN + r")(?!\s*\d{4})(?!\s*\d)(?![\w])", re.I
)
_YEAR_AFTER_PREP = re.compile(
    r"\b(?P<prep>ab|zum)\s+(?:dem\s+Jahr\s+|Jahr\s+)?(?P<y>" + _YEAR + r")\b(?![.\d])(?!\s*(?:bis|–|-)\s*(?:19|20)\d{2})", re.I
)
_UNTIL_YEAR = re.compile(r"(?<![\d]\s)(?<!\d)\bbis\s+(?:zum\s+Jahr\s+|Ende\s+)?(?P<y>" + _YEAR + r")\b(?![.\d])", re.I)
_LIMIT = re.compile(
    r"\b(?:befristet\s+(?:auf|für)\s+(?P<a>\d+(?:,\d+)?)\s+(?P<au>Jahre?n?|Monate?n?)"
    r"|(?:für|auf)\s+(?P<b>\d+(?:,\d+)?)\s+(?P<bu>Jahre?n?|Monate?n?)\s+befristet"
    r"|(?P<c>\d+(?:,\d+)?)[- ](?P<cu>jährig|monatig)\s+befristet)",
    re.I,
)
_LIMIT_UNTIL = re.compile(r"\bbefristet\s+bis\s+(?:zum\s+|Ende\s+)?", re.I)
_OPEN_ENDED = re.compile(r"\bunbefristet\b", re.I)
CLAUSE_BREAK = re.compile(r";\s*|:\s+|(?<![\d\s])(?<!\b[a-zA-Z])\.\s+(?=[A-ZÄÖÜ])|,\s+|\s+[–—-]\s+|\s*\(\s*|\s*\)\s*")


@dataclass(frozen=True)
class Limit:
    """A Befristung of positions: a duration („befristet auf zwei Jahre“) or an end („befristet bis …“)."""

    start: int
    end: int
    months: int | None = None
    """The duration in months; ``None`` for „befristet bis <Datum>“ (the date is a ``bis`` date of the line)."""


@dataclass
class Line:
    original: str
    text: str
    origin: list[int]
    """``origin[i]``: offset in ``original`` of ``text[i]`` (one more entry for the end)."""
    today: date
    notes: list[str] = field(default_factory=list)
    limits: list[Limit] = field(default_factory=list)
    open_ended: list[tuple[int, int]] = field(default_factory=list)

    def source(self, start: int, end: int) -> str:
        """The author's words for ``text[start:end]``."""
        return self.original[self.origin[start] : self.origin[end]].strip()

    def replace(self, start: int, end: int, new: str) -> None:
        """Replace ``text[start:end]`` by ``new``; the new characters point back to the replaced words."""
        if self.text[start:end] == new:
            return
        self.text = self.text[:start] + new + self.text[end:]
        self.origin = self.origin[:start] + [self.origin[start]] * len(new) + self.origin[end:]

    def substitute(self, pattern: re.Pattern[str], make) -> None:  # type: ignore[no-untyped-def]
        """Apply ``make(match) -> str | None`` to every match of ``pattern`` (right to left; None: keep)."""
        for match in reversed(list(pattern.finditer(self.text))):
            new = make(match)
            if new is not None:
                self.replace(match.start(), match.end(), new)

    def named_years(self) -> list[int]:
        """Years the line names outside dates (for a day or month named without its year)."""
        years = []
        for match in re.finditer(r"(?<![\d./])(" + _YEAR + r")(?![\d])", self.text):
            if not re.search(r"\d{1,2}\.\s?(?:\d{1,2}\.|" + MONTH_PATTERN + r")\s*$", self.text[: match.start()], re.I):
                years.append(int(match.group(1)))
        return years

    def clauses(self) -> list[tuple[int, int]]:
        """Spans of the clauses (between ;, :, commas, dashes, brackets and sentence ends)."""
        spans, position = [], 0
        for match in CLAUSE_BREAK.finditer(self.text):
            if match.start() > position:
                spans.append((position, match.start()))
            position = match.end()
        if position < len(self.text):
            spans.append((position, len(self.text)))
        return [(s, e) for s, e in spans if self.text[s:e].strip()]


def _year_for(line: Line, month: int, day: int, written: str) -> int:
    named = [y for y in line.named_years() if 2000 <= y <= 2100]
    if named:
        year = min(named)
    else:
        year = line.today.year if date(line.today.year, month, day) > line.today else line.today.year + 1
    line.notes.append(f"Zu „{written}“ ist kein Jahr genannt; angenommen: {year}.")
    return year


def _half_year(line: Line, match: re.Match[str]) -> str:
    second = match.group("n").lower() in ("zweiten", "2.")
    year = int(match.group("y")) if match.group("y") else _year_for(line, 7 if second else 1, 1, match.group(0).strip())
    prep = (match.group("prep") or "ab").lower()
    prep = "ab" if prep in ("im", "mit", "in", "für") else prep
    leading = " " if match.group(0).startswith(" ") else ""
    return f"{leading}{prep} {format_date(date(year, 7 if second else 1, 1))}"


def _season(match: re.Match[str]) -> str:
    when, year = match.group("when").lower(), int(match.group("y"))
    prep = re.sub(r"\s+", " ", (match.group("prep") or "").lower())
    if when in ("ende", "jahresende"):
        return f"bis {format_date(date(year, 12, 31))}"
    day = date(year, 7, 1) if when in ("mitte", "jahresmitte") else date(year, 1, 1)
    return f"{'bis' if prep.startswith('bis') else 'ab'} {format_date(day)}"


def read_line(text: str, today: date) -> Line:
    """``text`` prepared for the request parser (see the module doc)."""
    original = " ".join(text.split())
    line = Line(original, original, list(range(len(original) + 1)), today)
    line.substitute(_ONE, lambda m: "1 ")
    line.substitute(_WORD, lambda m: NUMBER_WORDS[m.group(1).lower()])
    line.substitute(_HALF_YEAR, lambda m: _half_year(line, m))
    line.substitute(_SEASON, _season)

    def day_month(match: re.Match[str]) -> str:
        month = month_number(match.group("m")) or 1
        return f"{match.group(0)} {_year_for(line, month, int(match.group('d')), match.group(0))}"

    def month_alone(match: re.Match[str]) -> str:
        month = month_number(match.group("m")) or 1
        year = _year_for(line, month, 1, match.group(0))
        return f"{match.group('prep')} {format_date(date(year, month, 1))}"

    line.substitute(_DAY_MONTH, day_month)
    line.substitute(_MONTH_ALONE, month_alone)
    line.substitute(_YEAR_AFTER_PREP, lambda m: f"{m.group('prep')} {format_date(date(int(m.group('y')), 1, 1))}")
    line.substitute(_UNTIL_YEAR, lambda m: f"bis {format_date(date(int(m.group('y')), 12, 31))}")
    for match in _LIMIT.finditer(line.text):
        amount = match.group("a") or match.group("b") or match.group("c")
        unit = (match.group("au") or match.group("bu") or match.group("cu") or "").lower()
        months = round(float(amount.replace(",", ".")) * (1 if unit.startswith("monat") else 12))
        line.limits.append(Limit(match.start(), match.end(), months))
    for match in _LIMIT_UNTIL.finditer(line.text):
        line.limits.append(Limit(match.start(), match.end()))
    line.open_ended = [match.span() for match in _OPEN_ENDED.finditer(line.text)]
    return line
