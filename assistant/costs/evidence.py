"""Figures in evidence passages: candidates scored against the question, the year each figure belongs
to, and the verbatim quote that cites it.

- ``candidates``: the quantities of the wanted kinds in the passages, best first (overlap of the words
  around the figure with the question's words, repeats, retrieval order; the year the question names
  selects that year's figures).
- ``figure_years``: the year(s) a figure belongs to — its table column (``2024  2025`` above the row),
  a year right after it (``300.000 Euro 2024``, ``… für 2024``) or a label right before it
  (``2024: 300.000 Euro``, ``Haushaltsansatz 2025 30.000 €``).
- ``evidence_ref``: the figure's sentence (``vorlagen.text.split_sentences``) within ~200 characters,
  verbatim, with offsets in the document (``QuotedPassage.from_chunk``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache

from langchain_core.documents import Document
from pydantic import BaseModel

from assistant.costs.models import EvidenceRef
from assistant.costs.quantities import Quantity, parse_quantities
from vorlagen.text import split_sentences, stem, tokenize

QUESTION_NOISE = frozenset(tokenize("kosten kostet betragen bezogen gesamt jeweils ca rd rund etwa je pro ab"))
"""Words of cost questions that say nothing about which figure is meant."""


def terms(text: str) -> set[str]:
    """The content terms of a text: Snowball stems (``vorlagen.text.tokenize``) without numbers,
    short words and cost-question noise."""
    return {t for t in tokenize(text) if len(t) > 2 and not t[0].isdigit()} - QUESTION_NOISE


@lru_cache(maxsize=256)
def sentences(text: str) -> tuple[tuple[int, int], ...]:
    """``split_sentences`` of a passage, kept for the passages of the current question."""
    return tuple(split_sentences(text))


@lru_cache(maxsize=256)
def passage_quantities(text: str) -> tuple[Quantity, ...]:
    """``parse_quantities`` of a passage, kept for the passages of the current question."""
    return tuple(parse_quantities(text))


def noun_stem(word: str) -> str:
    return stem(word.lower())


YEAR = re.compile(r"(?<![\d./])(?:19|20)\d{2}(?!\d|/\d|\.\d)")
"""A year standing alone (not ``2024/2025``, not part of a date)."""


YEAR_RANGE = re.compile(r"\b(?:von\s+)?((?:19|20)\d{2})\s*(?:bis(?:\s+einschließlich)?|–|-)\s*((?:19|20)\d{2})\b", re.I)


def question_years(question: str) -> list[int]:
    """The years a question names, in order, without repeats; a range ("von 2027 bis 2030") names
    every year in it."""
    years: list[int] = []
    covered: set[tuple[int, int]] = set()
    for match in YEAR_RANGE.finditer(question):
        first, last = int(match.group(1)), int(match.group(2))
        if 0 < last - first <= 10:
            years.extend(range(first, last + 1))
            covered.add(match.span(1))
            covered.add(match.span(2))
    for match in YEAR.finditer(question):
        if not any(start <= match.start() < end for start, end in covered):
            years.append(int(match.group()))
    return list(dict.fromkeys(years))


class Candidate(BaseModel):
    quantity: Quantity
    document_index: int
    score: float
    years: frozenset[int] = frozenset()


def window(text: str, quantity: Quantity, before_words: int = 8, after_words: int = 4) -> str:
    """Words around a quantity within its line block (no crossing of blank lines)."""
    left = re.split(r"\n\s*\n", text[: quantity.start])[-1]
    right = re.split(r"\n\s*\n", text[quantity.end :])[0]
    before = " ".join(left.split()[-before_words:])
    after = " ".join(right.split()[:after_words])
    return f"{before} {quantity.text} {after}".strip()


def candidates(
    evidence: list[Document],
    kinds: set[str],
    question_terms: set[str],
    accept: Callable[[Quantity, str], bool] | None = None,
    years: list[int] | None = None,
) -> list[Candidate]:
    """Quantities of ``kinds`` in the passages, best first.

    With ``years`` (the years the question names), figures that belong to another year are dropped
    and figures of a named year come first — as long as some figure of the passages belongs to a
    named year at all (a year that only names the subject, ``Programm 2022``, selects nothing).
    """
    per_doc: list[tuple[int, Document, Quantity, list[Quantity]]] = []
    values: dict[Decimal, int] = {}
    for index, document in enumerate(evidence):
        found = list(passage_quantities(document.page_content))
        for quantity in found:
            if quantity.kind in kinds and (accept is None or accept(quantity, document.page_content)):
                per_doc.append((index, document, quantity, found))
                if quantity.value is not None:
                    values[quantity.value] = values.get(quantity.value, 0) + 1
    result: list[Candidate] = []
    for index, document, quantity, found in per_doc:
        overlap = context_score(figure_context(document.page_content, quantity, found), question_terms, set())
        repeats = values.get(quantity.value, 1) - 1 if quantity.value is not None else 0
        score = overlap + 0.5 * min(repeats, 4) - (2 if quantity.multiplier else 0) - 0.01 * index
        belongs = figure_years(document.page_content, quantity, found) if years else frozenset()
        result.append(Candidate(quantity=quantity, document_index=index, score=score, years=belongs))
    if years and any(c.years & set(years) for c in result):
        result = [c for c in result if not c.years or c.years & set(years)]
        result = [c.model_copy(update={"score": c.score + (3 if c.years & set(years) else 0)}) for c in result]
    return sorted(result, key=lambda c: (-c.score, c.document_index, c.quantity.start))


def label_from_context(text: str, question_terms: set[str], exclude: str) -> str | None:
    """The first noun of a figure's context that the question also uses, as a label (``Gesamtauftragswert``)."""
    for word in re.findall(r"\b[A-ZÄÖÜ](?:[^\W\d_]|-)*[^\W\d_](?![^\W\d_]|-)", text):
        stems = terms(word)
        if stems and stems <= question_terms and noun_stem(word) != exclude:
            return word
    return None


def figure_context(text: str, quantity: Quantity, found: list[Quantity]) -> str:
    """What a figure's own words are: its table row (a line with several figures of its kind) or its
    sentence (at most 200 characters before it)."""
    start, end = line_bounds(text, quantity.start)
    row = [q for q in found if q.kind == quantity.kind and start <= q.start < end]
    if len(row) >= 2 and all(len(text[a.end : b.start].split()) <= 2 for a, b in zip(row, row[1:], strict=False)):
        return text[start:end]
    span = next(((s, e) for s, e in sentences(text) if s <= quantity.start < e), (quantity.start, quantity.end))
    return text[max(span[0], quantity.start - 200) : span[1]]


def caption(text: str, quantity: Quantity, found: list[Quantity]) -> str:
    """The heading above a figure whose own words name nothing (``2025: 604.482,06 €`` under
    ``Gesamtkosten: 2.176.135,43 €``; a row of figures under ``Einsparpotential der Maßnahme`` and the
    measure's name): the text lines above its line, skipping lines of years and figures only, up to
    the first one that carries a figure itself or two lines; empty when the figure's context has words."""
    if terms(figure_context(text, quantity, found)):
        return ""
    lines: list[str] = []
    position = line_bounds(text, quantity.start)[0] - 1
    for _ in range(8):
        if position <= 0 or len(lines) == 2:
            break
        start = text.rfind("\n", 0, position) + 1
        line, position = text[start:position], start - 1
        if not terms(line):
            continue
        lines.append(line)
        if any(start <= q.start < start + len(line) and q.kind == quantity.kind for q in found):
            break
    return " ".join(reversed(lines))


def context_score(context: str, question_terms: set[str], noise_terms: set[str]) -> float:
    """Words of the question in a figure's context: whole terms 1, parts of compounds ½, cost words ½."""
    context_terms = {t for t in tokenize(context) if not t[0].isdigit()}
    whole = context_terms & question_terms
    partial = {t for t in question_terms - whole if len(t) >= 4 and any(t in c for c in context_terms)}
    return len(whole) + 0.5 * len(partial) + 0.5 * len(context_terms & noise_terms)


# ---------------------------------------------------------------------------------------------
# The year a figure belongs to
# ---------------------------------------------------------------------------------------------

_CLAUSE_STOP = re.compile(r"[,;:]|\s(?:und|sowie|bzw\.|oder)\s|\n")
_LABEL_BEFORE = re.compile(r"(?P<y>(?:19|20)\d{2})(?:\s*\([^)\n]{0,40}\))?\s*(?:Plan|Ist|Ergebnis|Ansatz)?\s*:?\s*$")
_EACH = re.compile(r"\bjeweils\b|\bje\s+(?=\d)", re.I)


def figure_years(text: str, quantity: Quantity, found: list[Quantity]) -> frozenset[int]:
    """The year(s) a figure in ``text`` belongs to (``found``: all quantities of ``text``)."""
    same_kind = [q for q in found if q.kind == quantity.kind]
    return (
        _column_year(text, quantity, same_kind)
        or _each_years(text, quantity)
        or _year_after(text, quantity, same_kind)
        or _year_before(text, quantity, same_kind)
    )


def line_bounds(text: str, position: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return start, len(text) if end == -1 else end


_EMPTY_CELL = re.compile(r"(?:^|(?<=\s))[-–—](?=\s|$)")


def _column_year(text: str, quantity: Quantity, same_kind: list[Quantity]) -> frozenset[int]:
    """A table row with several figures under a header line of as many years."""
    start, end = line_bounds(text, quantity.start)
    row = [q for q in same_kind if start <= q.start < end]
    if len(row) < 2:
        return frozenset()
    header_end = start - 1
    for _ in range(4):
        if header_end <= 0:
            break
        header_start = text.rfind("\n", 0, header_end) + 1
        line = text[header_start:header_end]
        years = [int(m.group()) for m in YEAR.finditer(line)]
        words = len(YEAR.sub(" ", line).split())
        empty = _EMPTY_CELL.findall(text[start:end])  # "-" where a year has no figure: "2026 2027 / - 4.900 €"
        if (
            len(years) in (len(row), len(row) + len(empty))
            and words <= max(5, 2 * len(years))
            and not any(q.kind in (quantity.kind, "datum") for q in parse_quantities(line))
        ):
            if len(years) == len(row):
                return frozenset({years[row.index(quantity)]})
            before = len(_EMPTY_CELL.findall(text[start : quantity.start]))
            return frozenset({years[row.index(quantity) + before]})
        header_end = header_start - 1
    return frozenset()


def _each_years(text: str, quantity: Quantity) -> frozenset[int]:
    """``für die Jahre 2024 und 2025 in Höhe von jeweils 35.000 Euro``: the figure holds for each year."""
    sentence = next(((s, e) for s, e in sentences(text) if s <= quantity.start < e), None)
    if sentence is None:
        return frozenset()
    clause = text[max(sentence[0], quantity.start - 80) : min(sentence[1], quantity.end + 40)]
    years = {int(m.group()) for m in YEAR.finditer(clause)}
    return frozenset(years) if _EACH.search(clause) and len(years) >= 2 else frozenset()


def _year_after(text: str, quantity: Quantity, same_kind: list[Quantity]) -> frozenset[int]:
    """``300.000 Euro 2024 und …`` / ``713.137 Euro für 2024``: a year before the clause ends."""
    following = next((q.start for q in same_kind if q.start > quantity.start), len(text))
    segment = text[quantity.end : min(following, quantity.end + 40)]
    stop = _CLAUSE_STOP.search(segment)
    segment = segment[: stop.start()] if stop else segment
    match = YEAR.search(segment)
    return frozenset({int(match.group())}) if match else frozenset()


def _year_before(text: str, quantity: Quantity, same_kind: list[Quantity]) -> frozenset[int]:
    """``2024: 300.000 Euro`` / ``Haushaltsansatz 2025 30.000 €``: a year labelling the figure."""
    previous = max((q.end for q in same_kind if q.end <= quantity.start), default=0)
    line_start, _ = line_bounds(text, quantity.start)
    segment = text[max(previous, line_start, quantity.start - 60) : quantity.start]
    match = _LABEL_BEFORE.search(segment)
    return frozenset({int(match.group("y"))}) if match else frozenset()


# ---------------------------------------------------------------------------------------------
# Quotes
# ---------------------------------------------------------------------------------------------


def evidence_ref(document: Document, quantity: Quantity) -> EvidenceRef:
    """The citation of a quantity: its sentence (at most ~120 characters before and ~80 after it),
    verbatim, with offsets in the document."""
    text = document.page_content
    spans = [(s, e) for s, e in sentences(text) if s < quantity.end and e > quantity.start]
    first = min((s for s, _ in spans), default=quantity.start)
    last = max((e for _, e in spans), default=quantity.end)
    start = max(first, quantity.start - 120)
    end = min(last, quantity.end + 80)
    # widen to word boundaries within the sentence: the quote stays a verbatim substring
    while start > first and not text[start - 1].isspace():
        start -= 1
    while end < last and not text[end].isspace():
        end += 1
    while start < quantity.start and text[start].isspace():
        start += 1
    while end > quantity.end and text[end - 1].isspace():
        end -= 1
    return EvidenceRef.from_chunk(document, start, end)
