"""``is_calculation_question``: the router's cheap test whether a question asks for arithmetic.

Questions that ask for an amount the documents state are fact questions, however much money they
mention; only questions that ask to combine figures are calculations.
"""

from __future__ import annotations

import json
import time

import pytest
from langchain_core.documents import Document

from assistant.costs import is_calculation_question
from assistant.costs.cues import calculation_kind
from assistant.costs.parser import plan_calculation
from vorlagen.settings import Settings

CALCULATIONS = [
    # explicit arithmetic with the question's own figures
    ("Was kosten 380 Beratertage bei einem Tagessatz von 1.200 Euro?", "beratungskosten"),
    ("Berechne die Beratungskosten für 200 Beratertage zu 1.150 EUR.", "beratungskosten"),
    ("Was kosten die beantragten Beratertage in Wiesbaden zum genannten Tagessatz?", "beratungskosten"),
    ("Was kosten 2 Stellen E 13 TVöD ab 01.07.2026?", "personalkosten"),
    ("Wie hoch sind die Personalkosten für 1,5 VZÄ A 12 ab dem 1. Juli 2027?", "personalkosten"),
    ("Wie hoch ist die Finanzplanung für 1.426.274 EUR jährlich ab 01.07.2024 bis 2026 mit einer Steigerung von 2,5 %?",
     "finanzplanung"),
    ("Was ergeben 1.426.274 EUR pro Jahr ab 01.07.2024?", "anteilig"),
    ("Wie hoch ist der anteilige Betrag von 90.000 EUR für 4 Monate?", "anteilig"),
    ("Wie hoch ist der Betrag je Stelle, wenn 756.150 EUR auf 7,5 Stellen entfallen?", "je_einheit"),
    ("Wie hoch sind die zusätzlichen Personalaufwendungen je Stelle beim Stuttgarter Amt für Digitalisierung und IT?",
     "je_einheit"),
    ("Was kostet ein Fahrzeug im Durchschnitt bei der Ersatzbeschaffung der Hochdachkombis?", "je_einheit"),
    ("Wie viel Prozent sind 713.137 EUR von 1.426.274 EUR?", "anteil"),
    ("Wie viele VZÄ sind 10 + 4 + 1 + 0,5 VZÄ zusammen?", "summe"),
    ("Wie hoch ist die Summe von 300.000, 400.000, 450.000 und 450.000 Euro?", "summe"),
    # over figures the documents state
    ("Wie hoch sind die Sachmittel für die Prozessmanagement-Software 2024 und 2025 zusammen?", "summe"),
    ("Was kosten Kran und Wartungsvertrag insgesamt?", "summe"),
    ("Wie hoch sind die Personal- und Arbeitsplatzkosten für 2024 und 2025 zusammengerechnet?", "summe"),
    ("Um wie viel sind die Personalkosten von 2024 auf 2025 gestiegen?", "differenz"),
    ("Um wie viel Euro ist die Auftragssumme gesunken?", "differenz"),
    ("Um wie viel Prozent steigt der Betrag von 300.000 EUR auf 400.000 EUR?", "differenz"),
    ("Wie groß ist die Differenz zwischen den Kosten 2024 und 2025?", "differenz"),
    ("Wie viel mehr kostet die Software 2025 als 2024?", "differenz"),
    ("Wie viel weniger zahlt die Stadt für die Reinigung der Schulen 2026 als im Vorjahr?", "differenz"),
    ("Wie stark sind die Kosten für den Support seit 2023 gestiegen?", "differenz"),
    ("Was ist der Unterschied zwischen den Sachmitteln 2024 und 2025?", "differenz"),
    ("Rechne bitte nach.", "unbestimmt"),
]

FACTS = [
    "Wie hoch sind die Kosten für den neuen Feuerwehrkran?",
    "Welche Auftragssumme hat die Firma REFA für die Dachdeckungsarbeiten erhalten?",
    "Wie viele Betten hat die Notunterkunft und was kostet eine Nacht?",
    "Wie viele Betten gibt es, und wie hoch ist der Preis pro Nacht?",
    "Was kostet ein Beratertag?",
    "Wie hoch ist der Tagessatz der Berater?",
    "Wie hoch ist der Zuschuss pro Jahr für die Netzwerkkoordinationsstelle?",
    "Wie viele Stellen hatte das Amt 15 insgesamt?",
    "Wie viele Stellen und welches Budget sind insgesamt vorgesehen?",
    "Von wie viel auf wie viel Prozent stieg die Quote für mobiles Arbeiten?",
    "Wie viel Prozent der OZG-Leistungen wurden umgesetzt?",
    "Welche Entgeltgruppe hat die Stelle?",
    "Was ist der Unterschied zwischen Amt 15 und dem Hauptamt?",
    "Mit wem arbeitet die Stadt zusammen?",
    "Wer hat den Auftrag über 1.653.750,60 EUR erhalten?",
    "Wofür werden die 300.000 EUR verwendet?",
    "Wie wird der Zuschuss berechnet?",
    "Was steht in der Finanzplanung für 2025?",
    "Wie hoch sind die anteiligen Kosten für 2024?",
    "Wie hoch sind die Gesamtkosten des Projekts?",
    # "wie viel mehr" without a second figure asks for the stated increase, not for a difference to compute
    "Wie viel mehr Einnahmen erwartet die Stadt durch die neue Parkgebührenordnung?",
    "Wie viel mehr Personal bekommt das Bürgerbüro im kommenden Jahr?",
    # a time of day asks for no difference
    "Um wie viel Uhr beginnt die Einwohnerversammlung, und wann endet sie?",
]


@pytest.mark.parametrize(("question", "kind"), CALCULATIONS)
def test_calculations_are_recognised(question: str, kind: str) -> None:
    assert is_calculation_question(question)
    assert calculation_kind(question) == kind


@pytest.mark.parametrize("question", FACTS)
def test_stated_amounts_are_no_calculation(question: str) -> None:
    assert not is_calculation_question(question)
    assert plan_calculation(question, []) is None


def _shared_questions() -> list[dict[str, object]]:
    eval_dir = Settings().shared_dir / "eval"
    if not eval_dir.is_dir():
        pytest.skip(f"Der geteilte Datenordner {eval_dir} fehlt.")
    questions: list[dict[str, object]] = []
    for name in ("questions.jsonl", "karlsruhe_dev.jsonl"):
        lines = (eval_dir / name).read_text(encoding="utf-8").splitlines()
        questions += [json.loads(line) for line in lines if line.strip()]
    return questions


def test_only_the_calc_questions_of_the_dev_sets_are_calculations() -> None:
    questions = _shared_questions()
    assert {q["type"] for q in questions} >= {"fact", "calc", "unanswerable"}
    wrong = [q["id"] for q in questions if is_calculation_question(str(q["question"])) != (q["type"] == "calc")]
    assert wrong == []


def test_the_beds_question_is_not_captured_by_the_cost_parser() -> None:
    evidence = [Document(page_content="Die Unterkunft hat 2 Betten. Eine Nacht kostet 45 Euro.",
                         metadata={"chunk_id": "u#0", "doc_id": "u", "source_name": "u.txt", "start": 0, "end": 55})]
    assert plan_calculation("Wie viele Betten hat die Unterkunft und was kostet eine Nacht?", evidence) is None


def test_deciding_is_cheap() -> None:
    questions = [q for q, _ in CALCULATIONS] + FACTS
    started = time.perf_counter()
    for _ in range(20):
        for question in questions:
            is_calculation_question(question)
    per_question = (time.perf_counter() - started) / (20 * len(questions))
    assert per_question < 0.005, f"{per_question * 1000:.2f} ms je Frage"


@pytest.mark.parametrize(
    ("question", "quote", "answers"),
    [
        # one item of a sum is no answer to the sum; a total the Vorlage states is
        ("Was kosten die Stellen der Jahre 2024, 2025 und 2026 zusammengerechnet?",
         "Für 2025 sind Personalkosten von 8.600 Euro angesetzt.", False),
        ("Was kosten die Stellen der Jahre 2024, 2025 und 2026 zusammengerechnet?",
         "Über alle drei Jahre betragen die Kosten insgesamt 276.000 Euro.", True),
        # a change needs a figure with its unit
        ("Um wie viel Prozent steigt die Gebühr?", "Die Gebühr steigt deutlich.", False),
        ("Um wie viel Prozent steigt die Gebühr?", "Die Gebühr steigt um 12 Prozent.", True),
    ],
)
def test_a_stated_value_answers_a_calculation_only_as_what_is_asked(question: str, quote: str, answers: bool) -> None:
    from assistant.router import _states_what_is_asked
    from vorlagen.domain import Answer, Citation

    citation = Citation(doc_id="d", chunk_id="d#0", source_name="d", quote=quote, start=0, end=len(quote), index=1)
    value = quote.split(" von ")[-1].split(" insgesamt ")[-1].split(" um ")[-1].rstrip(".")
    stated = Answer(question=question, text=f"{value} [1]", short_answer=f"{value} [1]", citations=[citation])
    assert _states_what_is_asked(question, stated) is answers
