"""Faithfulness check of a generated answer against its numbered evidence.

A generated answer is accepted only if it cites at least one passage, every cited [n] exists, and
every number in it (amounts, percentages, years, dates, in German or plain notation) occurs in a
cited passage or a tool result. ``1.200`` and ``1200`` are the same number, ``01.01.2025`` and
``1. Januar 2025`` the same date, and ``2,5 Mio.`` equals ``2.500.000``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TypeAlias

from vorlagen.domain import Answer, Citation
from vorlagen.formatting import parse_german_number
from vorlagen.text import MONTH_PATTERN, SCALE_PATTERN, month_number, scale_factor

NumberKey: TypeAlias = tuple[str, Decimal] | tuple[str, int, int, int]
"""``("number", value)`` or ``("date", day, month, year)``."""

MARKER = re.compile(r"\[\s*(\d{1,3}(?:\s*(?:,|;|und)\s*\d{1,3})*)\s*\]")
_MARKER_RUN = re.compile(rf"{MARKER.pattern}(?:\s*{MARKER.pattern})*")
"""Adjacent markers like ``[3][1]``, rewritten together (sorted)."""
_MARKER_NUMBER = re.compile(r"\d+")
_TOKEN = re.compile(r"\d(?:[\d.,]*\d)?")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})$")
_WORD_DATE = re.compile(rf"(?<!\d)(\d{{1,2}})\.\s*({MONTH_PATTERN})\s+(\d{{4}})(?!\d)", re.IGNORECASE)
_SCALE = re.compile(rf"^\s*({SCALE_PATTERN})", re.IGNORECASE)


def cited_indices(text: str) -> list[int]:
    """The passage numbers cited in ``text``, in order of first appearance."""
    seen: dict[int, None] = {}
    for marker in MARKER.finditer(text):
        for number in _MARKER_NUMBER.findall(marker.group(1)):
            seen.setdefault(int(number), None)
    return list(seen)


def renumber_citations(text: str, evidence: Sequence[Citation]) -> tuple[str, list[Citation]]:
    """Keep only the cited passages, numbered 1..m in order of first citation; rewrite the markers.

    Markers naming a passage that does not exist are dropped (the check rejects such answers).
    """
    by_index = {citation.index: citation for citation in evidence}
    order = [index for index in cited_indices(text) if index in by_index]
    new_number = {old: new for new, old in enumerate(order, start=1)}

    def rewrite(marker: re.Match[str]) -> str:
        numbers = sorted({new_number[int(n)] for n in _MARKER_NUMBER.findall(marker.group(0)) if int(n) in new_number})
        return "".join(f"[{number}]" for number in numbers)

    citations = [by_index[old].model_copy(update={"index": new_number[old]}) for old in order]
    return _MARKER_RUN.sub(rewrite, text), citations


def number_keys(text: str) -> set[NumberKey]:
    """Every number and date in ``text``, each also with its scaled value (``2,5 Mio.`` -> 2500000).

    Dates also contribute their day and year, so an answer may name the year of a cited date.
    """
    keys: set[NumberKey] = set()
    for _, alternatives in _numbers_with_tokens(text):
        keys.update(alternatives)
        for key in alternatives:
            if key[0] == "date":
                keys.add(("number", Decimal(key[1])))
                keys.add(("number", Decimal(key[3])))
    return keys


def check_grounding(text: str, evidence: Sequence[Citation], tool_results: Iterable[str] = ()) -> list[str]:
    """Problems (German) that make a generated answer unacceptable; empty: the answer is grounded.

    ``evidence`` are the numbered passages the model saw; a number counts as backed if it occurs in
    a passage the answer cites (quote or its heading) or in one of ``tool_results``.
    """
    problems: list[str] = []
    by_index = {citation.index: citation for citation in evidence}
    cited = cited_indices(text)
    if not cited:
        problems.append("Die Antwort nennt keine Belegstelle.")
    for index in cited:
        if index not in by_index:
            problems.append(f"Die Belegstelle [{index}] gibt es nicht.")
    backed: set[NumberKey] = set()
    for index in cited:
        if index in by_index:
            backed |= number_keys(passage_text(by_index[index]))
    for result in tool_results:
        backed |= number_keys(result)
    for token, alternatives in _numbers_with_tokens(MARKER.sub(" ", text)):
        if not alternatives & backed:
            problems.append(f"Die Zahl „{token}“ steht in keiner zitierten Belegstelle.")
    return list(dict.fromkeys(problems))


_FIGURE_WITH_UNIT = re.compile(
    r"(\d[\d.,]*\d|\d)\s*(?:EUR\b|Euro\b|€|Mio\.?|Millionen|Mrd\.?|VZÄ|Stellen|%|Prozent)", re.IGNORECASE
)


def missing_key_figures(text: str, fallback: Answer) -> list[str]:
    """For a question that asks for an amount: the figures with a unit (EUR, VZÄ, Stellen, %) of the
    extractive answer's first evidence sentence, none of which the generated ``text`` names — a
    fluent answer must not lose the figure the evidence gives. Empty: nothing is missing."""
    if fallback.refused or not fallback.citations:
        return []
    figures = [m.group(0) for m in _FIGURE_WITH_UNIT.finditer(fallback.citations[0].quote)]
    if not figures:
        return []
    named = number_keys(MARKER.sub(" ", text))
    if any(number_keys(figure) & named for figure in figures):
        return []
    return figures


_CONTROL_TOKEN = re.compile(r"<\|[A-Za-z0-9_]{1,32}\|>")
"""Chat-template control tokens (``<|im_start|>``, ``<|endoftext|>`` …): llama.cpp would read them as
such even inside a document, so a document could open its own system turn."""


_ADDRESSES_THE_MODEL = re.compile(
    r"<\|[A-Za-z0-9_]{1,32}\|>"
    r"|^\s*#{2,}\s*(?:system|user|assistant|human|ai)\b"
    r"|\b(?:ignoriere|vergiss|missachte)\b[^.!?\n]{0,60}\b(?:anweisung|instruktion|vorgabe|regel|prompt)"
    r"|\bantworte\b[^.!?\n]{0,40}\b(?:nur|ausschließlich|immer)\b"
    r"|\bdu bist (?:ein|eine|jetzt|nun|ab sofort)\b"
    r"|\b(?:system-?prompt|system-?anweisung)",
    re.IGNORECASE | re.MULTILINE,
)


def addresses_the_model(sentence: str) -> bool:
    """A sentence written to a language model, not about the council's business (an injected
    instruction, a role line, a chat-template token): never chosen as evidence."""
    return bool(_ADDRESSES_THE_MODEL.search(sentence))


def as_data(quote: str) -> str:
    """A document's text as it may appear in an answer, a draft or a prompt: its citation markers
    ``[3]`` become ``(3)`` and chat-template control tokens are removed, so a document can neither add
    a citation nor a role. (``Citation.quote`` itself stays verbatim.)"""
    text = _CONTROL_TOKEN.sub(" ", quote)
    return MARKER.sub(lambda marker: f"({marker.group(1)})", text)


def passage_text(citation: Citation) -> str:
    """How a passage is shown to the model: a short heading (Drucksache, page) and the quote."""
    source = f"Drucksache {citation.drucksache}" if citation.drucksache else citation.source_name
    heading = source + (f", S. {citation.page}" if citation.page else "")
    return f"({heading}) {as_data(citation.quote.strip())}"


def _numbers_with_tokens(text: str) -> list[tuple[str, set[NumberKey]]]:
    """Each number or date of ``text`` with the keys it may be matched by."""
    found: list[tuple[str, set[NumberKey]]] = []

    def word_date(match: re.Match[str]) -> str:
        day, month, year = int(match.group(1)), month_number(match.group(2)) or 0, int(match.group(3))
        found.append((match.group(0), {("date", day, month, year)}))
        return " "

    text = _WORD_DATE.sub(word_date, text)
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        date = _NUMERIC_DATE.match(token)
        if date:
            day, month, year = (int(part) for part in date.groups())
            if 1 <= day <= 31 and 1 <= month <= 12:
                found.append((token, {("date", day, month, year + 2000 if year < 100 else year)}))
                continue
        try:
            values = [parse_german_number(token)]
        except ValueError:  # e.g. "1.2.3" or "3,5,7": its digit groups count one by one
            values = [Decimal(group) for group in re.findall(r"\d+", token)]
            for value in values:
                found.append((str(value), {("number", value.normalize())}))
            continue
        value = values[0]
        alternatives: set[NumberKey] = {("number", value.normalize())}
        following = text[match.end() : match.end() + 16]
        scale = _SCALE.match(following)
        factor = scale_factor(scale.group(1)) if scale else None
        if factor is not None:
            alternatives.add(("number", (value * factor).normalize()))
        found.append((token, alternatives))
    return found
