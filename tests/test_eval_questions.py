"""Question sets: a ``calc`` question may come without sources (pure arithmetic)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.questions import QuestionSetError, load_questions


def _write(path: Path, *questions: dict) -> Path:
    path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
    return path


def test_calc_question_without_sources_is_accepted(tmp_path: Path) -> None:
    arithmetic = {"id": "r1", "type": "calc", "question": "Was kosten 380 Beratertage bei einem Tagessatz von 1.200 Euro?",
                  "expected_facts": [["456.000"]], "sources": [], "calc": "380 * 1200 = 456000"}
    loaded = load_questions(_write(tmp_path / "rechnen.jsonl", arithmetic))
    assert loaded.questions[0].sources == [] and loaded.counts_by_type() == {"calc": 1}


def test_fact_question_still_needs_sources(tmp_path: Path) -> None:
    fact = {"id": "f1", "type": "fact", "question": "Wer?", "expected_facts": [["X"]], "sources": []}
    with pytest.raises(QuestionSetError, match=r"Zeile 1: .*braucht sources"):
        load_questions(_write(tmp_path / "fakten.jsonl", fact))
