"""Scoring of decision answers (``eval.decisions``): fully right chains, refusals where nothing is recorded,
invented results, differences found; the report's German summary."""

from __future__ import annotations

from datetime import date

from eval.decisions import DecisionQuestion, score, summarize, summary_rows
from vorlagen.decision import ChainPaper, DecisionChain, DecisionStep

DECIDED = DecisionStep(doc_id="vo/2", drucksache="2025/0228/1", gremium="Gemeinderat", datum=date(2025, 5, 27),
                       rolle="Entscheidung", ergebnis="einstimmig beschlossen")
DEFERRED = DecisionStep(doc_id="vo/1", drucksache="2025/0228", gremium="Bauausschuss", datum=date(2025, 4, 3),
                        ergebnis="vertagt", differs=True, difference="…")


def _chain(*steps: DecisionStep, decision: DecisionStep | None, references: tuple[str, ...] = ("2025/0228", "2025/0228/1")) -> DecisionChain:
    papers = [ChainPaper(doc_id=f"vo/{i}", drucksache=reference, steps=[s for s in steps if s.drucksache == reference])
              for i, reference in enumerate(references, start=1)]
    return DecisionChain(vorlage_id="vo/1", drucksache=references[0], papers=papers, decision=decision, short_answer="…")


def _question(expected: dict | None, kind: str = "folgevorlage", **extra) -> DecisionQuestion:
    return DecisionQuestion(id="q", kind=kind, vorlage="2025/0228", question="Was ist aus … geworden?", expected=expected, **extra)


EXPECTED = {"gremium": "Gemeinderat", "datum": "2025-05-27", "ergebnis": "einstimmig beschlossen"}


def test_fully_right_needs_gremium_date_and_result() -> None:
    assert score(_question(EXPECTED), _chain(DEFERRED, DECIDED, decision=DECIDED), 0.1, "").fully_right
    for change in ({"gremium": "Hauptausschuss"}, {"datum": "2025-05-28"}, {"ergebnis": "mehrheitlich beschlossen"}):
        assert not score(_question({**EXPECTED, **change}), _chain(DEFERRED, DECIDED, decision=DECIDED), 0.1, "").fully_right


def test_nothing_recorded_right_only_without_a_claim() -> None:
    quiet = score(_question(None, kind="kein_ergebnis"), _chain(decision=None), 0.1, "")
    assert quiet.refusal_right and not quiet.invented
    claiming = score(_question(None, kind="kein_ergebnis"), _chain(DECIDED, decision=DECIDED), 0.1, "")
    assert claiming.invented and not claiming.refusal_right
    refused = score(_question(None, kind="kein_ergebnis"), None, 0.1, "Dazu enthalten …")
    assert refused.refusal_right and not refused.invented


def test_a_result_of_another_vorlage_is_invented_and_differences_are_counted() -> None:
    other = DecisionStep(doc_id="vo/9", drucksache="2024/0965", gremium="Planungsausschuss", datum=date(2024, 11, 14),
                         ergebnis="einstimmig zugestimmt")
    wrong = score(_question(EXPECTED), _chain(other, decision=other, references=("2024/0965",)), 0.1, "")
    assert wrong.invented and not wrong.vorlage_found and not wrong.fully_right
    flagged = score(_question(EXPECTED, minutes_differ=[{"datum": "2025-04-03", "says": "Verwiesen"}]),
                    _chain(DEFERRED, DECIDED, decision=DECIDED), 0.1, "")
    assert (flagged.differences_found, flagged.differences_expected) == (1, 1)


def test_summary_and_report_in_german() -> None:
    questions = [_question(EXPECTED), _question(None, kind="kein_ergebnis").model_copy(update={"id": "r"})]
    results = [score(questions[0], _chain(DEFERRED, DECIDED, decision=DECIDED), 0.2, "Gemeinderat, 27.05.2025: …"),
               score(questions[1], _chain(decision=None), 0.4, "kein Ergebnis").model_copy(update={"id": "r"})]
    summary = summarize(results, questions)
    assert (summary.fully_right, summary.refusals_right, summary.invented) == (1.0, 1.0, 0)
    rows = dict(summary_rows(summary))
    assert rows["Kette ganz richtig (Ergebnis, Gremium, Datum)"] == "100,0 %"
    assert rows["Latenz p50"].endswith(" s") and "," in rows["Latenz p50"]
