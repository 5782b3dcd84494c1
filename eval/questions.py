"""Question sets of the evaluation (format: ``shared/eval/README.md``), loaded and validated.

One JSON object a line: ``id``, ``type`` (fact | multi | calc | unanswerable), ``question``,
``expected_facts`` (groups of alternatives), ``sources`` (file names or Drucksachennummern; a ``calc``
question may have none: pure arithmetic is a valid question) and, for ``calc`` questions, an
optional ``calc`` expression yielding the expected figure.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from vorlagen.validation import german_validation_message

QuestionType = Literal["fact", "multi", "calc", "unanswerable"]
QUESTION_TYPES: tuple[QuestionType, ...] = ("fact", "multi", "calc", "unanswerable")


class QuestionSetError(ValueError):
    """A question set that cannot be used; the message (German) names file and line."""


class EvalQuestion(BaseModel):
    id: str = Field(min_length=1)
    type: QuestionType
    question: str = Field(min_length=1)
    expected_facts: list[list[str]] = Field(default_factory=list)
    """Groups of alternatives: correct when every group has one alternative in the answer."""
    sources: list[str] = Field(default_factory=list)
    """Gold documents: file name or Drucksachennummer; may be empty for ``calc`` (pure arithmetic)."""
    calc: str | None = None
    """``calc`` only: the computation yielding the expected figure, e.g. ``746872.63 / 20 = 37343.63``."""

    @field_validator("expected_facts")
    @classmethod
    def _groups_not_empty(cls, groups: list[list[str]]) -> list[list[str]]:
        for group in groups:
            if not group or not all(alternative.strip() for alternative in group):
                raise ValueError("jede Gruppe in expected_facts braucht mindestens eine nicht leere Alternative")
        return groups

    @model_validator(mode="after")
    def _consistent_with_type(self) -> EvalQuestion:
        if self.answerable:
            if not self.expected_facts:
                raise ValueError(f"Frage vom Typ „{self.type}“ braucht expected_facts")
            if not self.sources and self.type != "calc":  # pure arithmetic needs no document
                raise ValueError(f"Frage vom Typ „{self.type}“ braucht sources")
        elif self.expected_facts or self.sources:
            raise ValueError("unanswerable-Fragen haben leere expected_facts und sources")
        if self.calc is not None and self.type != "calc":
            raise ValueError("das Feld calc ist nur bei Fragen vom Typ „calc“ erlaubt")
        return self

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


class QuestionSet(BaseModel):
    name: str
    """The file stem, e.g. ``questions``; gates may be set per name."""
    path: Path
    sha256: str
    questions: list[EvalQuestion]

    def counts_by_type(self) -> dict[str, int]:
        counts = Counter(question.type for question in self.questions)
        return {question_type: counts[question_type] for question_type in QUESTION_TYPES if counts[question_type]}


def load_questions(path: Path) -> QuestionSet:
    """Read and validate a question set (JSONL). Raises ``QuestionSetError`` with a German message."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise QuestionSetError(f"Fragensatz {path} kann nicht gelesen werden: {error.strerror or error}") from error
    questions: list[EvalQuestion] = []
    seen: set[str] = set()
    for number, line in enumerate(raw.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            question = EvalQuestion.model_validate(json.loads(line))
        except json.JSONDecodeError as error:
            raise QuestionSetError(f"{path}, Zeile {number}: kein gültiges JSON ({error.msg}).") from error
        except ValidationError as error:
            problems = german_validation_message(error, separator="; ")
            raise QuestionSetError(f"{path}, Zeile {number}: ungültige Frage – {problems}") from error
        if question.id in seen:
            raise QuestionSetError(f"{path}, Zeile {number}: die id „{question.id}“ kommt doppelt vor.")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise QuestionSetError(f"Fragensatz {path} enthält keine Fragen.")
    return QuestionSet(name=path.stem, path=path, sha256=hashlib.sha256(raw).hexdigest(), questions=questions)
