"""The one German text module: words, numbers, months, sentences; the answer layer's lexicon of German
patterns is ``vorlagen.text.lexicon``.

- ``MONTHS`` / ``MONTH_PATTERN``: month names and their abbreviations (``Jan.``, ``Sept``, ``Mär``).
- ``SCALES`` / ``SCALE_PATTERN``: scale words after a number (``Mio.``, ``Tsd.``, ``Mrd.``, ``T€``).
- ``tokenize``: lower-case, German Snowball stem, umlaut/ß folding, numbers normalised
  (``756.150`` -> ``756150``, ``7,5`` -> ``7,5``), stop words removed.
- ``split_sentences``: sentence spans with exact character offsets, aware of German abbreviations
  (z. B., i. H. v., Nr., ca., vgl.) and ordinal dates (1. Februar 2021).
"""

from __future__ import annotations

import re
import threading
from decimal import Decimal
from functools import lru_cache

import snowballstemmer

STOP_WORDS = frozenset(
    """
    aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes
    auch auf aus bei beim bin bis bist da damit dann das dass daß dem den denen der deren des dessen
    die dies diese diesem diesen dieser dieses doch dort du durch ein eine einem einen einer eines
    er es etwa euch für gegen hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren
    ihrer im in indem ins ist ja jede jedem jeden jeder jedes jedoch kann kein keine können könnte
    man mit muss nach nicht noch nun nur ob oder ohne per sehr sein seine seinem seinen seiner seit
    sich sie sind so soll sollen sollte sondern sonst über um und uns unter vom von vor war waren
    was weil welche welchem welchen welcher welches wenn wer werden wie wieder wird wir wo wurde
    wurden zu zum zur zwar zwischen wieviel wieviele viele viel hoch hohe welchem wann wurde worden
    gibt geben sowie bzw ggf insgesamt dafür dabei hierfür hierzu dazu davon damit deren dessen
    """.split()
)

MONTHS: dict[str, int] = {
    "januar": 1, "jänner": 1, "jan": 1, "februar": 2, "feb": 2, "märz": 3, "maerz": 3, "mär": 3,
    "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "dezember": 12, "dez": 12,
}  # fmt: skip
"""German month names and abbreviations (lower case, without the abbreviation's dot) -> month."""

MONTH_PATTERN = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")(?:(?<=[a-zä])\.)?(?![a-zäöüß])"
"""Regex alternation for a month word (case-insensitive use): ``Januar``, ``Jan.``, ``Sept``; the
abbreviation's dot belongs to the match. Use ``month_number`` on the matched text."""

SCALES: dict[str, Decimal] = {
    "mrd": Decimal(10) ** 9, "milliarde": Decimal(10) ** 9, "milliarden": Decimal(10) ** 9,
    "mio": Decimal(10) ** 6, "million": Decimal(10) ** 6, "millionen": Decimal(10) ** 6,
    "tsd": Decimal(1000), "tausend": Decimal(1000), "t€": Decimal(1000), "teur": Decimal(1000),
}  # fmt: skip
"""Scale words after a number (lower case, without dot) -> factor: ``2,5 Mio.`` = 2.500.000."""

YEAR_PATTERN = r"(?<![\d./])(?:19[5-9]\d|20[0-4]\d)(?!\d)"
"""A year as German Vorlagen write it (1950–2049), not part of a date, a number or a Drucksache."""
SCALE_PATTERN = r"(?:Mrd|Milliarden?|Mio|Millionen|Million|Tsd|Tausend|T€|TEUR)(?:(?<=[a-z])\.)?(?![\w€])"
"""Regex alternation for a scale word (case-insensitive use); ``scale_factor`` reads the match."""

TARIFF_PRICE_PATTERN = (
    r"(?<![\d.,/])(?P<num>(?:\d{1,3}(?:\.\d{3})+|\d+),\d{2})(?![.,]?\d)"
    r"(?=[ \t]*(?:je|pro)[ \t]+(?:Stunde|Std\.|Tag|Nacht|Monat|Person|Kilometer|km|Stück|Vorgang)(?![a-zäöüß]))"
)
"""A price in a tariff table without a currency sign — a number with two decimals right before
``je Stunde`` / ``pro Tag`` … (``Hubrettungsbühne272,50 je Stunde``); the number may follow a word
without a space, as PDF tables are often extracted. Read it as euros."""


NUMBER_WORDS: dict[str, str] = {
    "null": "0", "eins": "1", "zwei": "2", "drei": "3", "vier": "4", "fünf": "5", "sechs": "6", "sieben": "7",
    "acht": "8", "neun": "9", "zehn": "10", "elf": "11", "zwölf": "12", "dreizehn": "13", "vierzehn": "14",
    "fünfzehn": "15", "sechzehn": "16", "siebzehn": "17", "achtzehn": "18", "neunzehn": "19", "zwanzig": "20",
    "dreißig": "30", "vierzig": "40", "fünfzig": "50", "sechzig": "60", "siebzig": "70", "achtzig": "80",
    "neunzig": "90", "hundert": "100", "anderthalb": "1,5", "eineinhalb": "1,5", "zweieinhalb": "2,5",
}  # fmt: skip
"""German number words -> figures (``zwei`` -> ``2``), for values stated in words."""
ONE_WORDS = ("ein", "eine", "einer", "einem", "einen", "eines")
"""The indefinite article, which counts one before a counted noun (``eine Stelle`` = ``1 Stelle``);
elsewhere it is no number."""
HALF_WORDS = ("halbe", "halben", "halber")
"""``eine halbe Stelle`` = 0,5 Stellen."""
ORDINAL_WORDS: dict[str, int] = {"ersten": 1, "zweiten": 2, "dritten": 3, "vierten": 4, "fünften": 5, "sechsten": 6}
"""German ordinals as they stand after "ab dem" (``ab dem zweiten Tag`` -> 2)."""
_NUMBER_WORD = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)


def with_figures(text: str) -> str:
    """``von zwei auf 64 Prozent`` -> ``von 2 auf 64 Prozent``: number words written as figures."""
    return _NUMBER_WORD.sub(lambda match: NUMBER_WORDS[match.group(1).lower()], text)


def label_above(text: str, start: int) -> str:
    """The label of a value that begins its line under a line ending in a colon — a form field whose
    value the PDF wrapped ("Jährliche/r Budgetbedarf/Folgekosten:\n264.960 €"); empty otherwise."""
    line_start = text.rfind("\n", 0, start) + 1
    if line_start == 0 or text[line_start:start].strip():
        return ""
    above = text[text.rfind("\n", 0, line_start - 1) + 1 : line_start - 1].rstrip()
    return above if above.endswith(":") else ""


def cut_at_word(text: str, limit: int) -> str:
    """``text`` up to ``limit`` characters, cut after a whole word and marked with " …" where it is cut."""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def label_before(text: str, start: int) -> str:
    """The label of a "Label: Wert" pair whose value begins at ``start`` on the same line – a column of
    a table row record ("Insgesamt – Anzahl Stellen insgesamt: 83,5, davon neu: 15" → "Anzahl Stellen
    insgesamt" for 83,5); empty otherwise."""
    before = text[text.rfind("\n", 0, start) + 1 : start].rstrip()
    if not before.endswith(":"):
        return ""
    return _PAIR_BREAK.split(before[:-1])[-1].strip()


_PAIR_BREAK = re.compile(r",\s|;\s|\s–\s")


_STATED_PERIOD = re.compile(
    r"\b(?:pro|je|im|jedes|ein\s+weiteres|(?:für|um)\s+ein(?:en)?(?:\s+weitere[sn]?)?)\s+"
    r"(?P<noun>jahr|monat|woche|(?:nutzungs|miet)?tag|nacht|übernachtung|stunde|std\.)(?![a-zäöüß])"
    r"|/\s*(?P<slash>jahr|monat|tag|stunde)\b"
    r"|\b(?P<adj>jährlich|monatlich|wöchentlich|täglich|stündlich|tages(?:preis|satz|miete)|stundensatz|p\.\s?a\.)",
    re.I,
)
_PERIOD_WORDS = {
    "jährlich": "jahr", "p.a.": "jahr", "monatlich": "monat", "wöchentlich": "woche", "täglich": "tag",
    "tagespreis": "tag", "tagessatz": "tag", "tagesmiete": "tag", "nutzungstag": "tag", "miettag": "tag",
    "übernachtung": "nacht", "stündlich": "stunde", "stundensatz": "stunde", "std.": "stunde",
}  # fmt: skip
PERIODS = ("stunde", "tag", "nacht", "woche", "monat", "jahr")
"""The periods an amount can be stated per (``period_of``)."""


def period_of(text: str, at_start: bool = False) -> str | None:
    """The period (``PERIODS``) an amount is stated per: "pro Jahr", "jährlich", "/Tag", "je Nutzungstag",
    "Tagespreis", "p. a." -> "jahr", "jahr", "tag", "tag", "tag", "jahr"; the first one ``text`` names (at
    its start only, with ``at_start``)."""
    match = _STATED_PERIOD.match(text.lstrip()) if at_start else _STATED_PERIOD.search(text)
    if match is None:
        return None
    word = (match.group("noun") or match.group("slash") or match.group("adj")).lower().replace(" ", "")
    return _PERIOD_WORDS.get(word, word)


def month_number(word: str) -> int | None:
    """``Januar``/``Jan.``/``jan`` -> 1; None for anything else."""
    return MONTHS.get(word.lower().rstrip("."))


_FULL_DATE = re.compile(
    rf"(?<![\d.])(?P<day>\d{{1,2}})\.\s?(?:(?P<month>\d{{1,2}})\.\s?|(?P<name>{MONTH_PATTERN})\s+)(?P<year>\d{{4}})(?!\d)",
    re.IGNORECASE,
)


def canonical_dates(text: str) -> str:
    """Every full date of ``text`` written one way, ``dd.mm.jjjj``: ``1. Januar 2026``, ``01. Jan. 2026``
    and ``1.1.2026`` all become ``01.01.2026``; anything that is no valid day and month stays as it is."""

    def canonical(match: re.Match[str]) -> str:
        month = int(match["month"]) if match["month"] else month_number(match["name"])
        day = int(match["day"])
        if not month or not 1 <= month <= 12 or not 1 <= day <= 31:
            return match.group(0)
        return f"{day:02d}.{month:02d}.{match['year']}"

    return _FULL_DATE.sub(canonical, text)


def scale_factor(word: str) -> Decimal | None:
    """``Mio.`` -> 10**6, ``Tsd.`` -> 1000, ``T€`` -> 1000; None for anything else."""
    return SCALES.get(word.lower().rstrip("."))


_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")


_per_thread = threading.local()


def _stemmer() -> snowballstemmer.stemmer:
    """One stemmer per thread: Snowball stemmers keep the current word in the instance, so a shared
    one garbles words (IndexError) when the API answers in several threads at once."""
    stemmer = getattr(_per_thread, "stemmer", None)
    if stemmer is None:
        stemmer = _per_thread.stemmer = snowballstemmer.stemmer("german")
    return stemmer


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """German Snowball stem with umlaut/ß folding; cached, since words repeat across chunks and
    questions (stemming is most of the answerer's work)."""
    return _stemmer().stemWord(word).translate(_FOLD)


EVENTS: dict[str, re.Pattern[str]] = {
    "beginn": re.compile(r"\b(?:beginn\w*|begonnen|begann|start\w*|\w*beginn|aufgenommen)\b", re.I),
    "ende": re.compile(r"\b(?:abgeschlossen|abschließ\w*|abschluss|fertiggestellt|fertigstellung|beendet|endet)\b", re.I),
    "geltung": re.compile(r"\b(?:in\s+kraft|inkrafttreten|gilt|gelten|gültig\w*)\b", re.I),
    "eröffnung": re.compile(r"\b(?:eröffne\w*|eröffnung|in\s+betrieb)\b", re.I),
    "wahl": re.compile(r"\b(?:gewählt|wählt|wählen|\w*wahl)\b", re.I),
    "beschluss": re.compile(r"\b(?:beschlossen|beschließt|beschloss|\w*beschluss)\b", re.I),
}
"""What happens at a date, in its German wordings (ablaut included: "beginnen" / "begonnen" / "begann")."""


def events(text: str) -> set[str]:
    """The kinds of event (``EVENTS``) a text names."""
    return {name for name, pattern in EVENTS.items() if pattern.search(text)}


_ADJECTIVE_ENDING = re.compile(r"(?:lich|isch|ig)$")


def adjective_base(term: str) -> str | None:
    """The noun stem inside a derived adjective's stem: ``nachtlich`` (nächtlich) -> ``nacht``,
    ``stadtisch`` (städtisch) -> ``stadt``, ``jahrlich`` -> ``jahr``; None if ``term`` is none (or
    the rest is shorter than four letters)."""
    base = _ADJECTIVE_ENDING.sub("", term)
    return base if base != term and len(base) >= 4 else None


def normalize_number(token: str) -> str:
    """``1.200`` -> ``1200``; ``1.200,50`` -> ``1200,5``; ``7,50`` -> ``7,5``; ``2021`` stays."""
    if _THOUSANDS.match(token):
        token = token.replace(".", "")
    if "," in token:
        integer, _, fraction = token.partition(",")
        fraction = fraction.rstrip("0")
        token = f"{integer},{fraction}" if fraction else integer
    return token


def tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    for match in _TOKEN.finditer(text.lower()):
        word = match.group()
        if word[0].isdigit():
            tokens.append(normalize_number(word))
            continue
        for part in word.split("-"):
            if len(part) < 2 or part in STOP_WORDS:
                continue
            tokens.append(stem(part))
    return tokens


_ABBREVIATIONS = frozenset(
    """z b i h v nr ca vgl bzw d h u a o g s ggf inkl ff abs art ziff tsd mio mrd str dr prof
    gem lt evtl sog usw etc jan feb mär apr jun jul aug sep sept okt nov dez zzgl st e v
    co kap bzgl max min mind rd ua zb grdrs drs ds sv anl tel""".split()
)
_SENTENCE_END = re.compile(
    r"[.!?;]\s+|:[ \t]*\n\s*|\n\s*\n|\n(?=\s*(?:[-•▪\u2022]|\d+\.\s|[a-z]\)\s))"
    r"|(?<=\S)\n(?=[A-ZÄÖÜ][^\n:.]{1,50}:[ \t]+\S)"
)
"""Sentence ends: punctuation, a colon at a line end, a blank line, a list item, and the line break
before a "Label: Wert" line (forms and tables, see ``ingest.layout``); the break after one is cut
by ``_split_label_lines``."""
_LABEL_LINE = re.compile(r"[A-ZÄÖÜ][^\n:.]{1,50}:[ \t]+\S[^\n]*")
_MONTH_AHEAD = re.compile("^" + MONTH_PATTERN, re.IGNORECASE)


def _is_false_boundary(text: str, end: int, next_start: int) -> bool:
    """A '.' after an abbreviation or an ordinal number does not end a sentence."""
    if text[end] != ".":
        return False
    before = re.search(r"(\w+)$", text[:end])
    if before is None:
        return False
    word = before.group(1)
    following = text[next_start : next_start + 12]
    if word.lower() in _ABBREVIATIONS:
        return True
    if word.isdigit() and (
        _MONTH_AHEAD.match(following) or following[:1].isdigit() or following[:1].islower()
    ):
        return True
    return bool(following[:1].islower())


def split_sentences(text: str, max_chars: int = 500) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of ``text``, stripped of surrounding whitespace.

    Sentences longer than ``max_chars`` (tables, lists without punctuation) are cut at line breaks.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.group().strip() and _is_false_boundary(text, match.start(), match.end()):
            continue
        end = match.start() + (1 if match.group()[0] in ".!?;:" else 0)
        spans.append((start, end))
        start = match.end()
    spans.append((start, len(text)))

    result: list[tuple[int, int]] = []
    pieces = (piece for span in spans for heading in _split_heading_lines(text, *span)
              for piece in _split_label_lines(text, *heading))
    for begin, end in pieces:
        for piece_start, piece_end in _cut_long(text, begin, end, max_chars):
            while piece_start < piece_end and text[piece_start].isspace():
                piece_start += 1
            while piece_end > piece_start and text[piece_end - 1].isspace():
                piece_end -= 1
            if piece_end - piece_start >= 3:
                result.append((piece_start, piece_end))
    return result


_HEADING_LINE = re.compile(r"[^\n]{2,80}\n(?=\s*[A-ZÄÖÜ0-9])")


def _split_heading_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Short lines without closing punctuation at a sentence's start are headings: cut them off."""
    pieces: list[tuple[int, int]] = []
    while True:
        match = _HEADING_LINE.match(text, start, end)
        if match is None or match.group().rstrip()[-1:] in ",;-–(":
            break
        line_end = match.end() - 1
        if text[start:line_end].strip() and len(text[start:line_end].split()) <= 10:
            pieces.append((start, line_end))
            start = match.end()
        else:
            break
    pieces.append((start, end))
    return pieces


def _split_label_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A "Label: Wert" line at a sentence's start is a sentence of its own."""
    pieces: list[tuple[int, int]] = []
    while True:
        while start < end and text[start].isspace():
            start += 1
        match = _LABEL_LINE.match(text, start, end)
        if match is None or match.end() >= end or text[match.end()] != "\n":
            break
        pieces.append((start, match.end()))
        start = match.end() + 1
    pieces.append((start, end))
    return pieces


def _cut_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    if end - start <= max_chars:
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    while end - start > max_chars:
        cut = text.rfind("\n", start + max_chars // 3, start + max_chars)
        if cut == -1:
            cut = text.rfind(" ", start + max_chars // 3, start + max_chars)
        if cut == -1:
            cut = start + max_chars
        pieces.append((start, cut))
        start = cut + 1
    pieces.append((start, end))
    return pieces


def normalize_newlines(text: str) -> str:
    """``\\n`` line breaks only (from ``\\r\\n`` and ``\\r``), NUL characters removed."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
