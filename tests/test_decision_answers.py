"""„Entscheidung / Stand“ answers end to end on a real index (Chroma, registry, keyword index) of six real
Karlsruhe papers, ingested with the meetings and organizations dumps found beside their dump."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from assistant.service import AssistantService
from ingest.pipeline import Ingestor
from tests.decision_support import DEFERRED, DIFFERING, FOLLOW_UPS, MEETINGS_DUMP, UNRECORDED, write_oparl_folder
from vorlagen.domain import Answer
from vorlagen.settings import Settings
from vorlagen.store import VorlagenStore


@pytest.fixture(scope="module")
def folder(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_oparl_folder(shared_dir / "corpus" / "karlsruhe", tmp_path_factory.mktemp("oparl")).parent


@pytest.fixture(scope="module")
def service(folder: Path, tmp_path_factory: pytest.TempPathFactory, embeddings) -> AssistantService:
    settings = Settings(data_dir=tmp_path_factory.mktemp("index"), llm={"mode": "extractive"})
    store = VorlagenStore(settings, embeddings=embeddings)
    report = Ingestor(settings, store).ingest_paths([folder / "karlsruhe-papers.jsonl.gz"])
    assert report.ok and len(report.added) == 6
    return AssistantService(settings, store)


def _citations_are_verbatim(service: AssistantService, answer: Answer) -> None:
    for citation in answer.citations:
        vorlage = service.store.get_vorlage(citation.doc_id)
        assert vorlage is not None and vorlage.text[citation.start : citation.end] == citation.quote


def test_decided_after_deferral_answers_with_the_follow_ups_result(service: AssistantService) -> None:
    answer = service.ask("Wie wurde über die Möblierung der Stadthalle entschieden?")
    assert answer.kind == "decision" and not answer.refused and answer.decision is not None
    assert answer.short_answer.startswith("Gemeinderat, 27.05.2025: einstimmig beschlossen")
    assert answer.text.splitlines()[0] == answer.short_answer
    chain = answer.decision
    assert [paper.drucksache for paper in chain.papers][0] == DEFERRED
    assert {paper.drucksache for paper in chain.papers} == {DEFERRED, *FOLLOW_UPS}
    assert ("Bauausschuss", "vertagt") in [(step.gremium, step.ergebnis) for step in chain.steps()]
    assert all(paper.citation for paper in chain.papers)
    cited = {c.index: c for c in answer.citations}
    for paper in chain.papers:
        assert paper.drucksache in cited[paper.citation].quote  # each paper cited by its Drucksache
    _citations_are_verbatim(service, answer)


def test_minutes_that_differ_are_shown_beside_the_recorded_result(service: AssistantService) -> None:
    answer = service.ask("Wurde die Annahme der angebotenen Zuwendungen beschlossen?")
    assert answer.decision is not None and answer.decision.drucksache == DIFFERING
    short = answer.short_answer
    assert short.startswith("Haupt- und Finanzausschuss, 04.02.2025: mehrheitlich beschlossen [1]")
    assert "Einstimmige Zustimmung" in short and "weichen voneinander ab" in short
    minutes = answer.decision.decision.minutes
    assert minutes is not None and minutes.citation is not None
    assert "Einstimmige Zustimmung" in next(c for c in answer.citations if c.index == minutes.citation).quote
    _citations_are_verbatim(service, answer)


def test_nothing_recorded_is_said(service: AssistantService) -> None:
    answer = service.ask("Was ist aus der Straßenbeleuchtung am Festplatz Ponderosa geworden?")
    assert answer.decision is not None and answer.decision.decision is None
    assert "kein Beratungsergebnis erfasst" in answer.short_answer
    assert all(step.ergebnis is None for step in answer.decision.steps())
    assert "beschlossen" not in answer.text and "zugestimmt" not in answer.text


def test_a_drucksache_named_in_the_question_is_that_vorlage(service: AssistantService) -> None:
    answer = service.ask(f"Wie ist der Stand bei Drucksache {UNRECORDED}?")
    assert answer.decision is not None and answer.decision.drucksache == UNRECORDED


def test_a_vorlage_that_is_not_there_is_refused(service: AssistantService) -> None:
    answer = service.ask("Was ist aus dem neuen Hallenbad in München geworden?")
    assert answer.refused and answer.decision is None and answer.kind == "decision"


def test_other_questions_keep_their_answer_path(service: AssistantService) -> None:
    answer = service.ask("Welche Vorlagen gibt es zur Stadthalle?")
    assert answer.kind == "list" and answer.decision is None


def test_the_chain_by_id_or_drucksache(service: AssistantService) -> None:
    by_reference = service.decisions.chain(DEFERRED)
    assert by_reference is not None and by_reference.drucksache == DEFERRED
    assert service.decisions.chain(by_reference.vorlage_id) == by_reference
    assert service.decisions.chain("1999/0001") is None


def test_a_changed_result_re_ingests_exactly_that_paper(service: AssistantService, folder: Path, shared_dir: Path,
                                                         tmp_path: Path) -> None:
    """The meetings dump now records another result for one agenda item: ingesting again replaces the one
    paper consulted there, and its chain shows the new result."""
    changed = tmp_path / "oparl"
    changed.mkdir()
    for name in ("karlsruhe-papers.jsonl.gz", "karlsruhe-organizations.jsonl.gz"):
        (changed / name).symlink_to((folder / name).resolve())
    differing = service.store.get_vorlage(service.store.find_doc_ids(DIFFERING)[0])
    with gzip.open(shared_dir / "corpus" / "karlsruhe" / MEETINGS_DUMP, "rt", encoding="utf-8") as source, \
            gzip.open(changed / MEETINGS_DUMP, "wt", encoding="utf-8") as target:
        for line in source:
            meeting = json.loads(line)
            for item in meeting.get("agendaItem") or []:
                if item.get("result") == "mehrheitlich beschlossen" and item.get("name", "").startswith("Annahme des Angebots von Zuwendungen"):
                    item["result"] = "einstimmig beschlossen"
            target.write(json.dumps(meeting, ensure_ascii=False) + "\n")
    report = Ingestor(service.settings, service.store).ingest_paths([changed / "karlsruhe-papers.jsonl.gz"])
    assert report.replaced == [differing.doc_id] and len(report.unchanged) == 5
    chain = service.decisions.chain(DIFFERING)
    assert chain is not None and chain.decision is not None and chain.decision.ergebnis == "einstimmig beschlossen"
    assert not chain.decision.differs  # now the record says what the minutes say
