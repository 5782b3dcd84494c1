"""The question bank ``eval/bank/`` is valid, split by paper, reproducible, and every expected fact is in
its source.

No index is needed: the bank's Karlsruhe papers are read with the real OParl loader (Beratungsfolge
resolved from the meetings and organizations dumps), the other councils' files with the real file
loaders; facts are compared with the harness's own matcher (``eval.metrics.alternative_matches``).
Only the bank's validity is checked here — never an answer to a question of the sealed test split.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from eval.metrics import alternative_matches, expected_calc_value, number_tokens, parse_number_token
from eval.question_bank import (
    EVAL_300_DUMP,
    REAL_FILES,
    VORLAGEN_DUMP,
    SPLITS,
    place_new_questions,
    read_dump,
    select_papers,
    split_by_paper,
)
from eval.questions import EvalQuestion, load_questions
from ingest.loaders import LoadReport, load_oparl_dump, load_path, read_meeting_dates, read_organization_names
from vorlagen.domain import Vorlage
from vorlagen.formatting import format_date

BANK = Path(__file__).resolve().parent.parent / "eval" / "bank"
KINDS = {"alltag", "zweiteilig", "betrag", "datum", "anzahl", "organisation", "person", "ort", "dauer",
         "prozent", "vorlage", "verfahren", "rechnung", "unbeantwortbar"}
_LINE_BREAK_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]*\n\s*(?=[a-zäöüß])")
_CALC_INPUT = re.compile(r"\d+(?:\.\d+)?")
CALC_CONSTANTS = {Decimal(100), Decimal(12), Decimal(2)}
"""Factors a calculation may use without the document stating them (percent, months, halves)."""


class BankQuestion(EvalQuestion):
    kind: str
    evidence: list[str] = []


class Source:
    """What a source states: its text (also with line-break hyphens joined) and its metadata."""

    def __init__(self, vorlage: Vorlage) -> None:
        beratung = " ".join(" ".join(p for p in (b.gremium, b.rolle, format_date(b.datum) if b.datum else None) if p)
                            for b in vorlage.beratungsfolge)
        self.haystacks = (vorlage.text, _LINE_BREAK_HYPHEN.sub("", vorlage.text),
                          " ".join(p for p in (vorlage.drucksache, vorlage.title, beratung) if p))
        self.numbers = {value for _, value in number_tokens(vorlage.text)}

    def states(self, alternative: str) -> bool:
        return any(alternative_matches(alternative, haystack) for haystack in self.haystacks)


@pytest.fixture(scope="module")
def bank() -> dict[str, list[BankQuestion]]:
    splits = {}
    for split in SPLITS:
        load_questions(BANK / f"{split}.jsonl")  # the harness's own validation
        lines = (BANK / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
        splits[split] = [BankQuestion.model_validate(json.loads(line)) for line in lines if line.strip()]
    return splits


@pytest.fixture(scope="module")
def sources(shared_dir: Path) -> dict[str, Source]:
    karlsruhe = shared_dir / "corpus" / "karlsruhe"
    wanted = set((BANK / "papers.txt").read_text(encoding="utf-8").split())
    report = LoadReport()
    found = {
        vorlage.drucksache: Source(vorlage)
        for vorlage in load_oparl_dump(
            shared_dir / VORLAGEN_DUMP,
            organizations=read_organization_names(karlsruhe / "karlsruhe-organizations.jsonl.gz"),
            meeting_dates=read_meeting_dates(karlsruhe / "karlsruhe-meetings.jsonl.gz"),
            report=report,
        )
        if vorlage.drucksache in wanted
    }
    for name in REAL_FILES:
        path = shared_dir / name
        found[path.name] = Source(next(load_path(path)))
    return found


def test_papers_are_the_seeded_choice_outside_the_evaluation_corpus(shared_dir: Path) -> None:
    papers = (BANK / "papers.txt").read_text(encoding="utf-8").split()
    sets = [*sorted((shared_dir / "eval").glob("*.jsonl")),
            *(BANK.parent / "sets" / f"karlsruhe_{name}.jsonl" for name in ("alltag", "frisch"))]
    assert papers == select_papers(shared_dir, sets)
    eval_300 = {paper["reference"] for paper in read_dump(shared_dir / EVAL_300_DUMP)}
    assert not set(papers) & eval_300


def test_size_kinds_and_split_by_paper(bank: dict[str, list[BankQuestion]]) -> None:
    everything = [q for split in SPLITS for q in bank[split]]
    assert len(everything) >= 400
    assert len({q.id for q in everything}) == len(everything), "doppelte ids"
    kinds = Counter(q.kind for q in everything)
    assert set(kinds) <= KINDS
    assert all(kinds[kind] >= 5 for kind in KINDS), kinds
    assert 0.15 <= kinds["unbeantwortbar"] / len(everything) <= 0.25
    split_of_paper: dict[str, str] = {}
    for split in SPLITS:
        for question in bank[split]:
            for source in question.sources:
                assert split_of_paper.setdefault(source, split) == split, f"{source} in zwei Teilen"
    assert split_by_paper(split_of_paper) == split_of_paper  # the seeded split, as committed
    share = Counter(split_of_paper.values())
    assert share["train"] > share["dev"] and share["train"] > share["test"]


def test_every_expected_fact_is_in_its_source(bank: dict[str, list[BankQuestion]], sources: dict[str, Source]) -> None:
    problems = []
    for question in (q for split in SPLITS for q in bank[split]):
        if question.type == "unanswerable":
            assert question.kind == "unbeantwortbar" and not question.sources, question.id
            continue
        stated = [sources[name] for name in question.sources]
        assert stated, question.id
        for group in question.expected_facts:
            if question.type == "calc":
                continue  # the result of a calculation is checked below
            if not any(source.states(alt) for source in stated for alt in group):
                problems.append(f"{question.id}: {group}")
    assert not problems, problems


def test_every_calculation_adds_up_from_stated_figures(
    bank: dict[str, list[BankQuestion]], sources: dict[str, Source]
) -> None:
    for question in (q for split in SPLITS for q in bank[split] if q.type == "calc"):
        assert question.calc, question.id
        result = expected_calc_value(question.calc)
        assert result is not None, question.id
        expected = {parse_number_token(token) for group in question.expected_facts for alt in group
                    for token, _ in number_tokens(alt)}
        assert result.quantize(Decimal("0.01")) in {v.quantize(Decimal("0.01")) for v in expected if v is not None}, question.id
        left = question.calc.split("=")[0]
        stated = set().union(*(sources[name].numbers for name in question.sources))
        for token in _CALC_INPUT.findall(left):
            assert Decimal(token) in stated | CALC_CONSTANTS, f"{question.id}: {token} steht in keiner Quelle"


def test_every_written_question_is_in_exactly_one_split_unchanged(bank: dict[str, list[BankQuestion]]) -> None:
    written = [json.loads(line) for raw in sorted((BANK / "raw").glob("*.jsonl"))
               for line in raw.read_text(encoding="utf-8").splitlines() if line.strip()]
    split = {q.id: q for name in SPLITS for q in bank[name]}
    assert sorted(q["id"] for q in written) == sorted(split)
    assert all(BankQuestion.model_validate(q) == split[q["id"]] for q in written)


def _question(qid: str, *sources: str) -> dict:
    return {"id": qid, "sources": list(sources)}


def test_questions_written_later_join_their_papers_split_never_the_sealed_one() -> None:
    splits = {"train": [_question("a", "P1")], "dev": [_question("b", "P2")], "test": [_question("c", "P3")]}
    written = [_question("a", "P1"), _question("b", "P2"), _question("c", "P3"),
               _question("d", "P2"), _question("e"),  # a near miss belongs to the paper written before it
               _question("f", "P1"), _question("g")]
    new = place_new_questions(written, splits)
    assert [q["id"] for q in new["train"]] == ["f", "g"]
    assert [q["id"] for q in new["dev"]] == ["d", "e"]
    with pytest.raises(ValueError, match="versiegelten"):
        place_new_questions([*written, _question("h", "P3")], splits)
    with pytest.raises(ValueError, match="in keinem Teil"):
        place_new_questions([*written, _question("i", "P9")], splits)


def test_bank_split_appends_to_train_and_leaves_the_sealed_split_untouched(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from api.cli import app

    def line(qid: str, *sources: str) -> str:
        return json.dumps(_question(qid, *sources)) + "\n"

    (tmp_path / "raw").mkdir()
    (tmp_path / "train.jsonl").write_text(line("a", "P1"), encoding="utf-8")
    (tmp_path / "dev.jsonl").write_text(line("b", "P2"), encoding="utf-8")
    sealed = line("c", "P3")
    (tmp_path / "test.jsonl").write_text(sealed, encoding="utf-8")
    (tmp_path / "raw" / "g1.jsonl").write_text(line("a", "P1") + line("b", "P2") + line("c", "P3"), encoding="utf-8")
    (tmp_path / "raw" / "g2.jsonl").write_text(line("d", "P1") + line("e"), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["eval", "bank-split", "--bank", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert [json.loads(x)["id"] for x in (tmp_path / "train.jsonl").read_text(encoding="utf-8").splitlines()] == ["a", "d", "e"]
    assert (tmp_path / "test.jsonl").read_text(encoding="utf-8") == sealed
    (tmp_path / "raw" / "g3.jsonl").write_text(line("f", "P1") + line("g", "P3"), encoding="utf-8")
    result = runner.invoke(app, ["eval", "bank-split", "--bank", str(tmp_path)])
    assert result.exit_code == 1 and "versiegelten" in result.output
    assert "f" not in [json.loads(x)["id"] for x in (tmp_path / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    assert (tmp_path / "test.jsonl").read_text(encoding="utf-8") == sealed
