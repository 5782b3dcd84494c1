"""What a question part asks, read once per part (not once per candidate): the cues ``assistant.candidates``
compares each candidate with (the asked year, period, bound, tense, measure, the holder of a seat)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.question import QuestionAnalysis, QuestionPart
from assistant.spans import AnswerType
from vorlagen.text import events, period_of, tokenize
from vorlagen.text.lexicon import TOTAL, asked_bound, asked_direction, asked_tense
from vorlagen.text.measures import Dimension, asked_dimension
from vorlagen.text.succession import asked_succession

_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class PartCues:
    """What the question part asks, read once per part (not once per candidate)."""

    question_words: frozenset[str]
    question_digits: frozenset[str]
    years: frozenset[str]
    period: str | None
    """The period an amount is asked per ("pro Jahr")."""
    total: bool
    events: frozenset[str]
    direction: int
    bound: str | None
    tense: int
    dimension: Dimension | None
    """The measure the part asks for ("wie lang" – a length)."""
    succession: int
    """Who of a seat's two holders the part asks for: the one who follows (1), who leaves (-1), neither (0)."""

    @classmethod
    def of(cls, part: QuestionPart, analysis: QuestionAnalysis) -> PartCues:
        return cls(
            question_words=frozenset(tokenize(analysis.question)),
            question_digits=frozenset(_DIGITS.findall(analysis.question)),
            years=frozenset(str(year) for year in analysis.years),
            period=period_of(part.text),
            total=bool(TOTAL.search(part.text)),
            events=frozenset(events(part.text)),
            direction=asked_direction(part.text),
            bound=asked_bound(part.text),
            tense=asked_tense(analysis.question),
            dimension=asked_dimension(part.text),
            succession=asked_succession(part.text) if part.answer_type is AnswerType.PERSON else 0,
        )
