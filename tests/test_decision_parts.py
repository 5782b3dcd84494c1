"""The parts of „Entscheidung / Stand“ answers without an index: which questions are decision questions
(general German patterns, checked on reworded text), what the minutes state and when that contradicts
the recorded result, and the chain built from Vorlagen read with the real OParl loader."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from assistant.decision_chain import DecisionChainBuilder
from assistant.decisions import decision_subject, is_decision_question
from assistant.minutes import difference, minutes_votes, outcome_of
from ingest.layout import normalize_vorlage
from ingest.loaders import load_path
from ingest.oparl_lookups import OParlLookupReader
from tests.decision_support import DEFERRED, DIFFERING, FOLLOW_UPS, UNRECORDED, write_oparl_folder
from vorlagen.domain import TextSpan, Vorlage
from vorlagen.store import LinkedPaper

REPO_ROOT = Path(__file__).resolve().parent.parent

DECISION_QUESTIONS = [
    "Wie hat der Gemeinderat über die Radroute 12 in der Hans-Thoma-Straße entschieden?",
    "Wie wurde über die neue Parkgebührenordnung entschieden?",
    "Wie haben die Stadträte über den Zuschuss an den Sportverein abgestimmt?",
    "Wie ist die Abstimmung über das Alkoholverbot ausgegangen?",
    "Wurde die Kürzung der Zuschüsse für die Stadtteilhäuser beschlossen?",
    "Wurden die Tarife der Therme erhöht und beschlossen?",
    "Ist die Satzung zur Zweitwohnungsteuer abgelehnt worden?",
    "Hat der Hauptausschuss dem Modernisierungsvertrag zugestimmt?",
    "Wurde der Antrag zur Baumschutzsatzung vertagt?",
    "Was ist aus der Projektpartnerschaft mit Suseong-gu geworden?",
    "Was wurde eigentlich aus dem Konzept für die Seebühne?",
    "Was ist mit der Straßenbeleuchtung am Festplatz passiert?",
    "Wie ist der Stand bei der Sanierung der Stadthalle?",
    "Was ist der aktuelle Sachstand zum Integrationsmanagement?",
    "Mit welchem Ergebnis hat der Bauausschuss die Möblierung der Stadthalle beraten?",
    "Wie lautete der Beschluss zur Übernachtungsteuer?",
]
OTHER_QUESTIONS = [
    "In welcher Vorlage hat der Gemeinderat den Beitritt der Stadt zum Deutschen Werkbund beschlossen?",
    "Wann berät der Hauptausschuss über die Haushaltssatzung?",
    "Welches Gremium entscheidet über die Standorte der Fahrradständer?",
    "Wie viele Stellen hatte das Amt 15 mit Stand 11.5.23?",
    "Wie hoch ist der beschlossene Zuschuss für das Stadtteilhaus?",
    "Welche Maßnahmen wurden beschlossen?",
    "Wo steht die neue Hebebühne?",
    "Wer hat die Vorlage unterschrieben?",
    "Was kostet die Sanierung der Stadthalle?",
]


@pytest.mark.parametrize("question", DECISION_QUESTIONS)
def test_decision_questions_are_recognised(question: str) -> None:
    assert is_decision_question(question)


@pytest.mark.parametrize("question", OTHER_QUESTIONS)
def test_other_questions_stay_with_their_handlers(question: str) -> None:
    assert not is_decision_question(question)


def test_no_question_of_the_existing_sets_changes_kind(shared_dir: Path) -> None:
    """Fact, procedure, list and calculation questions of every set keep their answers."""
    files = sorted((REPO_ROOT / "eval" / "sets").glob("karlsruhe_*.jsonl")) + sorted((shared_dir / "eval").glob("*.jsonl"))
    questions = [json.loads(line)["question"] for path in files for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    assert len(questions) > 50
    assert [question for question in questions if is_decision_question(question)] == []


def test_the_subject_keeps_what_the_vorlage_is_about() -> None:
    subject = decision_subject("Wie hat der Gemeinderat über die Radroute 12 in der Hans-Thoma-Straße entschieden?")
    assert "Radroute 12" in subject and "Hans-Thoma-Straße" in subject
    assert "entschieden" not in subject and "Gemeinderat" not in subject
    assert "Stand" not in decision_subject("Wie ist der aktuelle Stand bei der Sanierung der Stadthalle?")
    assert "Integrationsausschuss" in decision_subject("Wurde der Migrationsbeirat in Integrationsausschuss umbenannt und beschlossen?")


# ---- minutes ------------------------------------------------------------------------------------------
MINUTES = (
    "Niederschrift 6. Sitzung Haupt- und Finanzausschuss\n4. Februar 2025, 16:30 Uhr\nöffentlich\n\n"
    "Punkt 4 der Tagesordnung: Annahme des Angebots von Zuwendungen\nVorlage: 2025/0023\n\n"
    "Beschluss:\nDer Hauptausschuss beschließt die Annahme.\n\n"
    "Abstimmungsergebnis:\nEinstimmige Zustimmung\n\n\nDer Vorsitzende ruft Tagesordnungspunkt 4 auf.\n"
)


def _with_minutes(text: str, label: str = "Protokoll HFA 04.02.2025 TOP 4") -> Vorlage:
    main = "Beschlussvorlage\nAnnahme des Angebots von Zuwendungen."
    full = f"{main}\n\n{text}"
    return Vorlage(doc_id="vo/1", source="d", source_name="2025/0023", text=full, spans=[
        TextSpan(start=0, end=len(main), label="Beschlussvorlage"),
        TextSpan(start=len(main) + 2, end=len(full), label=label),
    ])


def test_minutes_vote_with_date_and_exact_offsets() -> None:
    vorlage = _with_minutes(MINUTES)
    [vote] = minutes_votes(vorlage)
    assert vote.datum == date(2025, 2, 4)
    assert vote.vote == "Einstimmige Zustimmung"
    assert vorlage.text[vote.start : vote.end] == vote.quote == "Abstimmungsergebnis:\nEinstimmige Zustimmung"
    assert minutes_votes(_with_minutes(MINUTES, label="Anlage 1 Lageplan")) == []  # only files named as minutes


def test_minutes_vote_on_one_line_and_with_parts() -> None:
    one_line = MINUTES.replace("Abstimmungsergebnis:\nEinstimmige Zustimmung\n\n\n", "Abstimmungsergebnis: Mehrheitliche Zustimmung (39 Ja, 4 Nein)\n")
    assert minutes_votes(_with_minutes(one_line))[0].vote == "Mehrheitliche Zustimmung (39 Ja, 4 Nein)"
    parts = MINUTES.replace("Einstimmige Zustimmung\n", "TOP 4.1: Einstimmige Zustimmung\nTOP 4.2: Mehrheitliche Ablehnung\n")
    assert minutes_votes(_with_minutes(parts))[0].vote == "TOP 4.1: Einstimmige Zustimmung TOP 4.2: Mehrheitliche Ablehnung"


@pytest.mark.parametrize(("recorded", "vote", "differs"), [
    ("mehrheitlich beschlossen", "Einstimmige Zustimmung", True),
    ("einstimmig zugestimmt", "Bei 44 Ja-Stimmen und 2 Enthaltungen mehrheitlich zugestimmt", True),
    ("vertagt", "Verwiesen in den Haupt- und Finanzausschuss am 8. April 2025", True),
    ("verwiesen in Fachausschuss", "Verwiesen in Haupt- und Finanzausschuss", True),
    ("mehrheitlich abgelehnt", "Mehrheitliche Zustimmung (30 Ja, 12 Nein)", True),
    ("einstimmig zugestimmt", "Einstimmige Zustimmung (45 Ja)", False),
    ("Zustimmung", "Einstimmige Zustimmung (43 JA)", False),
    ("verwiesen in den Gemeinderat", "Verwiesen in die Gemeinderatssitzung am 25. April 2023", False),
    ("vorberaten ohne Änderungen", "Keine Abstimmung", False),
    ("Kenntnisnahme", "Kenntnisnahme, keine Abstimmung", False),
    ("mehrheitlich zugestimmt", "TOP 9.1: Einstimmige Zustimmung TOP 9.2: Mehrheitliche Zustimmung", False),
    ("mehrheitlich beschlossen", "Änderungsantrag GRÜNE: Mehrheitliche Ablehnung (20 Ja, 24 Nein)", False),
])
def test_a_difference_only_where_minutes_and_record_clearly_contradict(recorded: str, vote: str, differs: bool) -> None:
    assert (difference(recorded, vote) is not None) is differs


def test_what_a_result_says() -> None:
    assert outcome_of("mehrheitlich abgelehnt").model_dump(include={"kind", "unanimity"}) == {"kind": "abgelehnt", "unanimity": "mehrheitlich"}
    assert outcome_of("verwiesen in den Jugendhilfeausschuss").target == "Jugendhilfeausschuss"
    assert outcome_of("Kenntnisnahme").kind is None


# ---- the chain from real papers ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def real(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Vorlage]:
    dump = write_oparl_folder(shared_dir / "corpus" / "karlsruhe", tmp_path_factory.mktemp("oparl"))
    lookups = OParlLookupReader().for_dump(dump).loader_arguments()
    return {v.doc_id: normalize_vorlage(v) for v in load_path(dump, **lookups)}


def _builder(vorlagen: dict[str, Vorlage]) -> DecisionChainBuilder:
    def linked(doc_id: str) -> list[LinkedPaper]:
        found = [LinkedPaper(doc_id=l.doc_id, relation=l.relation, stated_by=doc_id) for l in vorlagen[doc_id].links]
        found += [LinkedPaper(doc_id=v.doc_id, relation=l.relation, stated_by=v.doc_id)
                  for v in vorlagen.values() for l in v.links if l.doc_id == doc_id]
        return found

    return DecisionChainBuilder(vorlagen.get, linked, lambda doc_id: [])


def _id(vorlagen: dict[str, Vorlage], reference: str) -> str:
    return next(v.doc_id for v in vorlagen.values() if v.drucksache == reference)


def test_chain_of_a_deferred_vorlage_ends_with_the_follow_ups_decision(real: dict[str, Vorlage]) -> None:
    chain = _builder(real).build(_id(real, FOLLOW_UPS[0]))
    assert [paper.drucksache for paper in chain.papers] == [DEFERRED, *FOLLOW_UPS]  # oldest first, /2 via /1's Vorlage
    assert [(s.gremium, s.ergebnis) for s in chain.papers[0].steps] == [("Bauausschuss", "vertagt"), ("Gemeinderat", None)]
    assert chain.papers[1].asked and not chain.papers[0].asked
    assert chain.decision is not None and chain.decision.drucksache == FOLLOW_UPS[0]  # same day as /2: the asked one wins the tie
    assert chain.short_answer == "Gemeinderat, 27.05.2025: einstimmig beschlossen"
    from_the_vorlage = _builder(real).build(_id(real, DEFERRED))
    assert from_the_vorlage.short_answer.startswith("Gemeinderat, 27.05.2025: einstimmig beschlossen (Drucksache 2025/0228/")


def test_recorded_result_and_minutes_differ_both_shown(real: dict[str, Vorlage]) -> None:
    chain = _builder(real).build(_id(real, DIFFERING))
    step = chain.decision
    assert step is not None and step.ergebnis == "mehrheitlich beschlossen" and step.differs
    assert step.minutes is not None and "Einstimmige Zustimmung" in step.minutes.quote
    vorlage = real[chain.vorlage_id]
    assert vorlage.text[step.minutes.start : step.minutes.end] == step.minutes.quote
    assert chain.notes and "einstimmig" in chain.notes[0]


def test_nothing_recorded_is_said_not_guessed(real: dict[str, Vorlage]) -> None:
    chain = _builder(real).build(_id(real, UNRECORDED))
    assert chain.decision is None
    assert chain.short_answer.startswith(f"Zu Drucksache {UNRECORDED} ist kein Beratungsergebnis erfasst")
    assert "Ortschaftsrat Wolfartsweier" in chain.short_answer
    assert len(chain.papers) == 2 and all(step.ergebnis is None for step in chain.steps())


def test_a_named_gremium_gets_its_own_result(real: dict[str, Vorlage]) -> None:
    chain = _builder(real).build(_id(real, DEFERRED), "Wie hat der Bauausschuss über die Möblierung entschieden?")
    assert chain.decision is not None and chain.decision.gremium == "Bauausschuss" and chain.decision.ergebnis == "vertagt"


def test_a_named_year_prefers_the_vorlage_of_that_year(real: dict[str, Vorlage]) -> None:
    from assistant.decisions import DecisionAnswerer
    from vorlagen.settings import AnswerSettings

    answerer = DecisionAnswerer(None, _builder(real), lambda name: [], AnswerSettings())  # type: ignore[arg-type]
    ranked = [_id(real, DEFERRED), _id(real, UNRECORDED)]
    assert answerer._in_named_year("Was wurde 2024 aus der Vorlage?", ranked) == _id(real, UNRECORDED)
    assert answerer._in_named_year("Was wurde im April 2025 aus der Vorlage?", ranked) == _id(real, DEFERRED)
    assert answerer._in_named_year("Wie ist der Stand bei Drucksache 2024/0558?", ranked) is None  # a Drucksache, no year
    assert answerer._in_named_year("Was wurde 2019 daraus?", ranked) is None


def test_a_body_the_question_names_but_the_chain_does_not_is_said(real: dict[str, Vorlage]) -> None:
    chain = _builder(real).build(_id(real, DIFFERING), "Wie hat der Gemeinderat über die Zuwendungen entschieden?")
    assert chain.decision is not None and chain.decision.gremium == "Haupt- und Finanzausschuss"
    assert "Gemeinderat ist in der erfassten Beratungsfolge nicht genannt." in chain.notes
    consulted = _builder(real).build(_id(real, DIFFERING), "Wie hat der Haupt- und Finanzausschuss entschieden?")
    assert not any("nicht genannt" in note for note in consulted.notes)
