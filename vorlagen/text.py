"""German text analysis shared by the BM25 index and the extractive answerer.

- ``tokenize``: lower-case, German Snowball stem, umlaut/ß folding, numbers normalised
  (``756.150`` -> ``756150``, ``7,5`` -> ``7,5``), stop words removed.
- ``split_sentences``: sentence spans with exact character offsets, aware of German abbreviations
  (z. B., i. H. v., Nr., ca., vgl.) and ordinal dates (1. Februar 2021).
"""

from __future__ import annotations

import re
import threading
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
_SENTENCE_END = re.compile(r"[.!?;]\s+|:[ \t]*\n\s*|\n\s*\n|\n(?=\s*(?:[-•▪\u2022]|\d+\.\s|[a-z]\)\s))")
_MONTHS = re.compile(
    r"^(januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember)\b",
    re.IGNORECASE,
)


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
        _MONTHS.match(following) or following[:1].isdigit() or following[:1].islower()
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
    for begin, end in (piece for span in spans for piece in _split_heading_lines(text, *span)):
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
