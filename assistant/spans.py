"""Typed answer spans in German Vorlagen text: amounts, dates, counts, percentages, durations,
organisations, persons, Gremien, Drucksachen and quoted names.

``find_spans(text)`` returns every span with its type and exact offsets in ``text``; the short-answer
layer picks among them the one that answers a question part. The patterns are the lexicon's
(``vorlagen.text.lexicon``); pure functions, no model.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache

from pydantic import BaseModel

from vorlagen.text import lexicon


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


_PATTERNS: list[tuple[AnswerType, re.Pattern[str]]] = [
    (kind, pattern)
    for kind, group in (
        (AnswerType.BETRAG, lexicon.AMOUNTS),
        (AnswerType.PROZENT, lexicon.PERCENTAGES),
        (AnswerType.DATUM, lexicon.DATES),
        (AnswerType.DAUER, lexicon.DURATIONS),
        (AnswerType.ANZAHL, lexicon.COUNTS),
        (AnswerType.DRUCKSACHE, lexicon.DRUCKSACHEN),
        (AnswerType.GREMIUM, lexicon.GREMIEN),
        (AnswerType.ORGANISATION, lexicon.ORGANISATIONS),
        (AnswerType.ORT, lexicon.PLACES),
        (AnswerType.PERSON, lexicon.PERSONS),
        (AnswerType.NAME, lexicon.NAMES),
    )
    for pattern in group
]
"""The value patterns of the lexicon (``vorlagen.text.lexicon``), each with the type of its values."""


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
            start, end = lexicon.trim_value(text, start, end)
            if end > start:
                spans.append(Span(type=kind, start=start, end=end, text=text[start:end]))
    for match in lexicon.ORGANISATION_AFTER_CUE.finditer(text):
        start, end = lexicon.trim_value(text, *match.span("name"))
        words = text[start:end].split()
        cut = next((i for i, word in enumerate(words) if i and word[:1].islower() and word not in ("und", "für", "&")), len(words))
        end = start + len(" ".join(words[:cut])) if cut < len(words) else end
        if end > start:
            spans.append(Span(type=AnswerType.ORGANISATION, start=start, end=end, text=text[start:end]))
    return tuple(_dedupe(spans))


def _dedupe(spans: list[Span]) -> list[Span]:
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.type, s.start, -(s.end - s.start))):
        if any(k.type == span.type and k.start <= span.start and span.end <= k.end for k in kept):
            continue
        kept.append(span)
    return sorted(kept, key=lambda s: (s.start, s.end))
