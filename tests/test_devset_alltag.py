"""The dev set ``eval/sets/karlsruhe_alltag.jsonl`` is valid and every expected fact is in its sources.

No index is needed: the 300 papers of ``karlsruhe-eval-300`` are read with the real OParl loader
(Gremien and meeting dates resolved from the organizations and meetings dumps beside them), and the
facts are compared with the harness's own matcher (``eval.metrics.alternative_matches``: case and
whitespace normalised, numbers compared as numbers). Rules: ``eval/sets/README.md``.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pytest

from eval.metrics import alternative_matches, expected_calc_value, number_tokens, parse_number_token
from eval.questions import EvalQuestion, QuestionType, load_questions
from ingest.loaders import LoadReport, load_oparl_dump, read_meeting_dates, read_organization_names
from vorlagen.domain import Vorlage
from vorlagen.formatting import format_date, round_cents

REPO_ROOT = Path(__file__).resolve().parent.parent
SET_PATH = REPO_ROOT / "eval" / "sets" / "karlsruhe_alltag.jsonl"

Kind = Literal["alltag", "vorlage", "verfahren", "liste", "unanswerable", "rechnung"]
KIND_TYPES: dict[str, QuestionType] = {
    "alltag": "fact",
    "vorlage": "fact",
    "verfahren": "fact",
    "liste": "multi",
    "unanswerable": "unanswerable",
    "rechnung": "calc",
}
MIN_PER_KIND = {"alltag": 8, "vorlage": 5, "verfahren": 5, "liste": 3, "unanswerable": 5, "rechnung": 5}

_LINE_BREAK_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]*\n\s*(?=[a-zäöüß])")
"""A word split at the end of a line (``Ja-\\nnuar``); joined for the comparison."""
_CALC_INPUT = re.compile(r"\d+(?:\.\d+)?")
_SINCE_YEAR = re.compile(r"\bseit (\d{4})\b")
_WORD = re.compile(r"[^\W_]+(?:[-.'][^\W_]+)*")
COPY_WORDS = 7
"""A question may not repeat this many consecutive words of its source text."""


class DevQuestion(EvalQuestion):
    """A question of the set: the harness's format plus the capability it tests."""

    kind: Kind


class PaperEvidence:
    """What a paper states: its text and its metadata (reference, title, Beratungsfolge with dates)."""

    def __init__(self, vorlage: Vorlage) -> None:
        self.vorlage = vorlage
        beratungen = [
            " ".join(part for part in (b.gremium, b.rolle, format_date(b.datum) if b.datum else None) if part)
            for b in vorlage.beratungsfolge
        ]
        self.beratungsfolge = "\n".join(beratungen)
        self.metadata = "\n".join(
            part
            for part in (vorlage.drucksache, vorlage.title, vorlage.vorlagenart, vorlage.amt, self.beratungsfolge)
            if part
        )
        self.text = vorlage.text
        self.dehyphenated = _LINE_BREAK_HYPHEN.sub("", vorlage.text)

    def states(self, alternative: str) -> bool:
        return any(alternative_matches(alternative, haystack) for haystack in (self.text, self.dehyphenated, self.metadata))

    def numbers(self) -> set[Decimal]:
        return {value for _, value in number_tokens(self.text)}


@pytest.fixture(scope="module")
def questions() -> list[DevQuestion]:
    question_set = load_questions(SET_PATH)  # the harness's own validation (ids, types, fields)
    raw = [json.loads(line) for line in SET_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
    parsed = [DevQuestion.model_validate(item) for item in raw]
    assert [question.id for question in parsed] == [question.id for question in question_set.questions]
    return parsed


@pytest.fixture(scope="module")
def karlsruhe_dir(shared_dir: Path) -> Path:
    return shared_dir / "corpus" / "karlsruhe"


@pytest.fixture(scope="module")
def papers(karlsruhe_dir: Path) -> dict[str, PaperEvidence]:
    """The 300 papers of karlsruhe-eval-300 by reference, read as the ingestion reads them."""
    report = LoadReport()
    vorlagen = list(
        load_oparl_dump(
            karlsruhe_dir / "karlsruhe-eval-300.jsonl.gz",
            organizations=read_organization_names(karlsruhe_dir / "karlsruhe-organizations.jsonl.gz"),
            meeting_dates=read_meeting_dates(karlsruhe_dir / "karlsruhe-meetings.jsonl.gz"),
            report=report,
        )
    )
    assert report.papers == 300
    return {vorlage.drucksache: PaperEvidence(vorlage) for vorlage in vorlagen if vorlage.drucksache}


def _sources(question: DevQuestion, papers: dict[str, PaperEvidence]) -> list[PaperEvidence]:
    return [papers[source] for source in question.sources]


def test_set_is_valid_and_covers_every_kind(questions: list[DevQuestion]) -> None:
    ids = [question.id for question in questions]
    assert len(ids) == len(set(ids)), "doppelte ids"
    assert len(questions) >= 30
    for question in questions:
        wanted = KIND_TYPES[question.kind]
        assert question.type == wanted, f"{question.id}: kind {question.kind} verlangt type {wanted}"
        assert question.question.strip().endswith("?"), question.id
        if question.type == "calc":
            assert question.calc, f"{question.id}: calc-Frage ohne calc-Feld"
        if question.type == "unanswerable":
            assert question.expected_facts == [] and question.sources == [], question.id
        else:
            assert question.expected_facts and question.sources, question.id
    counts = {kind: sum(1 for question in questions if question.kind == kind) for kind in MIN_PER_KIND}
    for kind, minimum in MIN_PER_KIND.items():
        assert counts[kind] >= minimum, f"nur {counts[kind]} Fragen der Art {kind}"


def test_sources_exist_and_are_new(
    questions: list[DevQuestion], papers: dict[str, PaperEvidence], shared_dir: Path
) -> None:
    dev_set = load_questions(shared_dir / "eval" / "karlsruhe_dev.jsonl")
    dev_sources = {source for question in dev_set.questions for source in question.sources}
    for question in questions:
        for source in question.sources:
            assert source in papers, f"{question.id}: {source} ist nicht in karlsruhe-eval-300 (oder ohne Text)"
            assert source not in dev_sources, f"{question.id}: {source} wird schon in karlsruhe_dev.jsonl benutzt"


def test_every_fact_occurs_in_its_sources(questions: list[DevQuestion], papers: dict[str, PaperEvidence]) -> None:
    for question in questions:
        if question.type in ("calc", "unanswerable"):
            continue
        sources = _sources(question, papers)
        for group in question.expected_facts:
            assert any(paper.states(alternative) for paper in sources for alternative in group), (
                f"{question.id}: keine Alternative von {group} steht in {question.sources}"
            )


def test_vorlage_questions_ask_for_the_reference(questions: list[DevQuestion]) -> None:
    for question in questions:
        if question.kind == "vorlage":
            assert question.expected_facts == [[question.sources[0]]] and len(question.sources) == 1, question.id


def test_verfahren_facts_come_from_the_beratungsfolge(questions: list[DevQuestion], papers: dict[str, PaperEvidence]) -> None:
    """Gremium and date are stated in the OParl consultations (resolved via meetings/organizations)."""
    for question in questions:
        if question.kind != "verfahren":
            continue
        beratungsfolge = "\n".join(paper.beratungsfolge for paper in _sources(question, papers))
        for group in question.expected_facts:
            assert any(alternative_matches(alternative, beratungsfolge) for alternative in group), (
                f"{question.id}: {group} steht nicht in der Beratungsfolge von {question.sources}"
            )


def test_liste_questions_name_all_their_papers_since_the_year(
    questions: list[DevQuestion], papers: dict[str, PaperEvidence]
) -> None:
    for question in questions:
        if question.kind != "liste":
            continue
        assert 2 <= len(question.sources) <= 4, question.id
        expected = sorted(group[0] for group in question.expected_facts)
        assert expected == sorted(question.sources), f"{question.id}: erwartet {expected}, Quellen {sorted(question.sources)}"
        since = _SINCE_YEAR.search(question.question)
        assert since, f"{question.id}: die Frage nennt kein „seit JAHR“"
        for paper in _sources(question, papers):
            assert paper.vorlage.datum and paper.vorlage.datum.year >= int(since.group(1)), (
                f"{question.id}: {paper.vorlage.drucksache} ist vom {paper.vorlage.datum}"
            )


def test_calc_inputs_are_stated_and_the_arithmetic_holds(questions: list[DevQuestion], papers: dict[str, PaperEvidence]) -> None:
    for question in questions:
        if question.type != "calc":
            continue
        assert question.calc and question.calc.count("=") == 1, question.id
        expression = question.calc.split("=")[0]
        computed = expected_calc_value(expression)  # evaluated in Decimal
        stated = expected_calc_value(question.calc)  # the figure after "="
        assert computed is not None and stated is not None, question.id
        assert round_cents(computed) == round_cents(stated), f"{question.id}: {expression} ergibt {computed}, nicht {stated}"
        numbers = set().union(*(paper.numbers() for paper in _sources(question, papers)))
        for value in _CALC_INPUT.findall(expression):
            assert Decimal(value) in numbers, f"{question.id}: Eingabe {value} steht nicht in {question.sources}"
        expected = [parse_number_token(alternative) for group in question.expected_facts for alternative in group]
        assert round_cents(stated) in {round_cents(value) for value in expected if value is not None}, (
            f"{question.id}: expected_facts nennen nicht {stated}"
        )


def test_questions_do_not_copy_their_sources(questions: list[DevQuestion], papers: dict[str, PaperEvidence]) -> None:
    for question in questions:
        words = [word.casefold() for word in _WORD.findall(question.question)]
        runs = {" ".join(words[i : i + COPY_WORDS]) for i in range(len(words) - COPY_WORDS + 1)}
        for paper in _sources(question, papers):
            text = " ".join(word.casefold() for word in _WORD.findall(paper.dehyphenated))
            copied = [run for run in runs if f" {run} " in f" {text} "]
            assert not copied, f"{question.id}: übernimmt „{copied[0]}“ aus {paper.vorlage.drucksache}"


FRESH_PATH = REPO_ROOT / "eval" / "sets" / "karlsruhe_frisch.jsonl"


def test_the_fresh_set_states_its_facts_and_uses_new_papers(
    questions: list[DevQuestion], papers: dict[str, PaperEvidence], shared_dir: Path
) -> None:
    """``karlsruhe_frisch.jsonl`` (18 questions written before the sixth session's changes): valid for the
    harness, its papers used by neither other Karlsruhe set, every fact stated in its sources, every
    calculation's arithmetic right."""
    fresh = load_questions(FRESH_PATH).questions
    assert len(fresh) >= 15
    used = {source for question in questions for source in question.sources}
    used |= {source for question in load_questions(shared_dir / "eval" / "karlsruhe_dev.jsonl").questions
             for source in question.sources}
    for question in fresh:
        assert question.question.strip().endswith("?"), question.id
        for source in question.sources:
            assert source in papers and source not in used, f"{question.id}: {source}"
        if question.type == "unanswerable":
            assert question.expected_facts == [] and question.sources == [], question.id
            continue
        if question.type == "calc":
            assert question.calc is not None
            computed, stated = expected_calc_value(question.calc.split("=")[0]), expected_calc_value(question.calc)
            assert computed is not None and computed == stated, question.id
            continue
        for group in question.expected_facts:
            assert any(papers[source].states(alternative) for source in question.sources for alternative in group), (
                f"{question.id}: keine Alternative von {group} steht in {question.sources}"
            )
