"""The dev set ``eval/sets/entscheidungen.jsonl`` is valid and its expected results are what the OParl data
records. Read straight from the dumps as JSON (not through the ingestion, whose resolution it checks):
papers of ``karlsruhe-vorlagen-2023-2026``, consultations resolved through ``karlsruhe-meetings`` (date,
agenda item's ``result``) and ``karlsruhe-organizations`` (Gremium); no index needed."""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.decisions import is_decision_question
from eval.decisions import DecisionQuestion, load_decision_set
from vorlagen.formatting import format_date

REPO_ROOT = Path(__file__).resolve().parent.parent
SET_PATH = REPO_ROOT / "eval" / "sets" / "entscheidungen.jsonl"
MIN_PER_KIND = {"beschlossen": 2, "abgelehnt": 3, "vertagt": 3, "verwiesen": 3, "geaendert": 3, "folgevorlage": 4,
                "kein_ergebnis": 4, "abweichung": 2}
_MOTION = re.compile(r"antrag|anfrage", re.I)
_MINUTES = re.compile(r"protokoll|niederschrift|auszug", re.I)
_MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember")
_WORD = re.compile(r"[^\W_]+(?:[-.'][^\W_]+)*")
COPY_WORDS = 7


@dataclass(frozen=True)
class Consultation:
    gremium: str
    datum: str | None
    rolle: str | None
    ergebnis: str | None


def _lines(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        for line in stream:
            if line.strip():
                yield json.loads(line)


@pytest.fixture(scope="module")
def questions() -> list[DecisionQuestion]:
    return load_decision_set(SET_PATH)


@pytest.fixture(scope="module")
def dumps(shared_dir: Path) -> dict:
    folder = shared_dir / "corpus" / "karlsruhe"
    organizations = {item["id"]: item["name"] for item in _lines(folder / "karlsruhe-organizations.jsonl.gz")}
    meeting_dates: dict[str, str] = {}
    results: dict[str, str] = {}
    for meeting in _lines(folder / "karlsruhe-meetings.jsonl.gz"):
        meeting_dates[meeting["id"]] = (meeting.get("start") or "")[:10] or None
        for item in meeting.get("agendaItem") or []:
            if item.get("result"):
                results[item["id"]] = item["result"]
    papers = {paper["id"]: paper for paper in _lines(folder / "karlsruhe-vorlagen-2023-2026.jsonl.gz")}
    evaluation = {paper["id"] for paper in _lines(folder / "karlsruhe-eval-300.jsonl.gz")}
    return {"organizations": organizations, "dates": meeting_dates, "results": results, "papers": papers,
            "by_reference": {paper["reference"]: paper for paper in papers.values()}, "eval300": evaluation}


def _consultations(paper: dict, dumps: dict) -> list[Consultation]:
    found = []
    for consultation in paper.get("consultation") or []:
        names = [dumps["organizations"][oid] for oid in consultation.get("organization") or [] if oid in dumps["organizations"]]
        if names:
            found.append(Consultation(", ".join(names), dumps["dates"].get(consultation.get("meeting")),
                                      consultation.get("role"), dumps["results"].get(consultation.get("agendaItem"))))
    return found


def _chain(paper: dict, dumps: dict) -> list[dict]:
    """The paper and the papers linked to it (either direction, two steps) that the dump holds."""
    seen, frontier = {paper["id"]: paper}, [paper]
    for _ in range(2):
        following = []
        for current in frontier:
            linked = {*(current.get("superordinatedPaper") or []), *(current.get("subordinatedPaper") or [])}
            linked |= {p["id"] for p in dumps["papers"].values()
                       if current["id"] in (p.get("superordinatedPaper") or []) + (p.get("subordinatedPaper") or [])}
            for other in linked:
                if other in dumps["papers"] and other not in seen:
                    seen[other] = dumps["papers"][other]
                    following.append(dumps["papers"][other])
        frontier = following
    return list(seen.values())


def _recorded(question: DecisionQuestion, dumps: dict) -> list[Consultation]:
    """Recorded consultations of the Vorlage and the linked Vorlagen (motions only when asked about)."""
    asked = dumps["by_reference"][question.vorlage]
    return [c for paper in _chain(asked, dumps) if paper is asked or not _MOTION.search(paper["paperType"])
            for c in _consultations(paper, dumps) if c.ergebnis]


def test_set_is_valid_and_covers_every_kind(questions: list[DecisionQuestion]) -> None:
    assert len(questions) >= 30
    assert len({q.id for q in questions}) == len(questions)
    counts = {kind: sum(1 for q in questions if q.kind == kind) for kind in MIN_PER_KIND}
    for kind, minimum in MIN_PER_KIND.items():
        assert counts[kind] >= minimum, f"nur {counts[kind]} Fragen der Art {kind}"
    for question in questions:
        assert question.question.endswith("?"), question.id
        assert (question.expected is None) == (question.kind == "kein_ergebnis"), question.id
        assert is_decision_question(question.question), f"{question.id}: keine Frage nach Entscheidung/Stand"


def test_papers_are_in_the_vorlagen_dump_and_outside_eval_300(questions: list[DecisionQuestion], dumps: dict) -> None:
    for question in questions:
        paper = dumps["by_reference"].get(question.vorlage)
        assert paper is not None, f"{question.id}: {question.vorlage} nicht in karlsruhe-vorlagen-2023-2026"
        assert paper["id"] not in dumps["eval300"], f"{question.id}: {question.vorlage} ist in karlsruhe-eval-300"


def test_expected_results_are_recorded_and_the_latest(questions: list[DecisionQuestion], dumps: dict) -> None:
    """The expected Gremium, date and result are one recorded consultation of the Vorlage or a linked Vorlage;
    no later result is recorded for them – unless the question asks about that one Gremium."""
    for question in questions:
        recorded = _recorded(question, dumps)
        if question.expected is None:
            assert recorded == [], f"{question.id}: es ist doch ein Ergebnis erfasst: {recorded}"
            assert any(_consultations(p, dumps) for p in _chain(dumps["by_reference"][question.vorlage], dumps)), question.id
            continue
        expected = question.expected
        hits = [c for c in recorded if (c.gremium, c.datum, c.ergebnis) == (expected.gremium, expected.datum.isoformat(), expected.ergebnis)]
        assert hits, f"{question.id}: {expected} ist nicht erfasst; erfasst: {recorded}"
        named = expected.gremium.lower() in question.question.lower()
        later = [c for c in recorded if c.datum and c.datum > expected.datum.isoformat()
                 and (not named or c.gremium == expected.gremium)]
        assert later == [], f"{question.id}: später erfasst: {later}"


def test_minutes_that_differ_say_so_in_the_papers_files(questions: list[DecisionQuestion], dumps: dict) -> None:
    for question in questions:
        for minutes in question.minutes_differ:
            day = minutes.datum
            head = f"{day.day}. {_MONTHS[day.month - 1]} {day.year}"
            files = [f for p in _chain(dumps["by_reference"][question.vorlage], dumps) for f in p.get("auxiliaryFile") or []
                     if _MINUTES.search(f.get("name") or "") and head in (f.get("text") or "")[:800]]
            assert any(minutes.says in (f.get("text") or "") for f in files), (
                f"{question.id}: keine Niederschrift vom {format_date(day)} nennt „{minutes.says}“")
            recorded = [c for c in _recorded(question, dumps) if c.datum == day.isoformat()]
            assert recorded and all(minutes.says.lower() not in (c.ergebnis or "").lower() for c in recorded), question.id


def test_questions_do_not_copy_their_titles(questions: list[DecisionQuestion], dumps: dict) -> None:
    for question in questions:
        words = [w.casefold() for w in _WORD.findall(question.question)]
        title = " ".join(w.casefold() for w in _WORD.findall(dumps["by_reference"][question.vorlage]["name"]))
        runs = [" ".join(words[i : i + COPY_WORDS]) for i in range(len(words) - COPY_WORDS + 1)]
        assert not [run for run in runs if f" {run} " in f" {title} "], question.id
