"""An answer the verifier is unsure of says so (``AnswerSettings.check_below``, ``Answer.unsure``): a notice asks
to check the value in its citation and names the next value the evidence offers. Passages written for the test;
the shipped scorer and verifier rank them, only the two thresholds are set by the test."""

from __future__ import annotations

import asyncio

import pytest
from langchain_core.documents import Document

from assistant.choice import ChoiceResult
from assistant.extractive import ExtractiveAnswerer
from assistant.question import analyze_question
from assistant.reader import FactReader
from assistant.scorer import AnswerScorer
from assistant.service import AssistantService
from vorlagen.settings import AnswerSettings

QUESTION = "Wie viele Ladepunkte sind am neuen Busdepot in der Nordweststadt vorgesehen?"
TEXT = ("Am neuen Busdepot in der Nordweststadt sind in der ersten Ausbaustufe 24 Ladepunkte vorgesehen. "
        "In einer zweiten Ausbaustufe können weitere 16 Ladepunkte folgen.")


def _chunk(text: str) -> Document:
    return Document(page_content=text, metadata={
        "chunk_id": "2025/0815:1", "doc_id": "2025/0815", "source_name": "2025/0815", "start": 0, "end": len(text),
        "rank": 1, "title": "Busdepot Nordweststadt: Ladeinfrastruktur", "year": 2025})


def _reader(check_below: float, flat: bool = False, **settings: object) -> FactReader:
    """The shipped scorer with a verifier that accepts every best candidate, so that the answer is given.
    ``flat``: a scorer that rates every candidate alike (0,5), so that which value is named as the one to compare
    with depends on the values alone, not on how a trained model rates a passage written for the test."""
    shipped = AnswerScorer.load()
    assert shipped.verifier is not None
    scorer = AnswerScorer.untrained() if flat else shipped
    scorer = scorer.model_copy(update={"verifier": shipped.verifier.model_copy(update={"threshold": 0.0})})
    answer_settings = AnswerSettings(check_below=check_below, **settings)
    return FactReader(ExtractiveAnswerer(answer_settings, idf=lambda _: 1.0), answer_settings, scorer)


def test_a_value_below_the_check_level_carries_the_notice_with_the_next_value() -> None:
    answer = _reader(check_below=1.0, flat=True).answer(analyze_question(QUESTION), [_chunk(TEXT)])
    assert not answer.refused and answer.unsure
    shown = "24 Ladepunkte" if "24 Ladepunkte" in (answer.short_answer or "") else "16 Ladepunkte"
    other = "16 Ladepunkte" if shown == "24 Ladepunkte" else "24 Ladepunkte"
    notice = next(n for n in answer.notices if n.startswith("Bitte im Beleg prüfen"))
    assert f"„{shown}“ ist unsicher" in notice and f"auch „{other}“ (2025/0815)" in notice


def test_a_value_the_verifier_is_sure_of_carries_no_notice() -> None:
    answer = _reader(check_below=0.0).answer(analyze_question(QUESTION), [_chunk(TEXT)])
    assert not answer.refused and not answer.unsure
    assert not any(n.startswith("Bitte im Beleg prüfen") for n in answer.notices)


class _SecondBest:
    """A stand-in for the language model's choice (its contract with the real model is tested in test_llm.py):
    picks the second of the offered candidates."""

    mode = "local"

    def choose(self, question, parts, candidates):  # noqa: ANN001, ANN201 – the CandidateChooser signature
        return ChoiceResult(choices=[1 if len(candidates[0]) > 1 else 0])


def test_a_value_the_model_chose_over_the_best_ranked_one_carries_the_notice() -> None:
    reader = _reader(check_below=0.0, choice_margin=1.0)
    answer = reader.answer(analyze_question(QUESTION), [_chunk(TEXT)], chooser=_SecondBest())
    assert answer.mode == "local" and answer.unsure
    assert any("ist unsicher" in n for n in answer.notices)


@pytest.mark.parametrize("check_below", [0.0, 1.0])
def test_a_sentence_answer_is_marked_without_quoting_it_again(check_below: float) -> None:
    text = "Die Verwaltung empfiehlt, das Depot in zwei Stufen auszubauen und zuerst die Werkstatt zu errichten."
    answer = _reader(check_below).answer(analyze_question("Was empfiehlt die Verwaltung für das Busdepot?"),
                                         [_chunk(text)])
    assert not answer.refused
    assert answer.unsure is (check_below == 1.0)
    assert ("Bitte im Beleg prüfen: Die Antwort ist unsicher." in answer.notices) is (check_below == 1.0)


def test_the_next_value_named_is_another_figure_not_the_same_one_worded_otherwise() -> None:
    question = "Was kostet die Ladeinfrastruktur am neuen Busdepot in der Nordweststadt?"
    text = ("Die Ladeinfrastruktur am neuen Busdepot in der Nordweststadt kostet ca. 40.000€. Für die "
            "Ladeinfrastruktur am Busdepot sind 40.000€ im Haushalt eingestellt, für die zweite Stufe "
            "weitere 25.000€.")
    answer = _reader(check_below=1.0, flat=True).answer(analyze_question(question), [_chunk(text)])
    notice = next(n for n in answer.notices if n.startswith("Bitte im Beleg prüfen"))
    named = notice.split("auch „")[1].split("“")[0]
    # "ca. 40.000€" and "40.000€" are one figure: the next value named is the other one
    assert "40.000" in notice.split("auch „")[0] and "40.000" not in named


@pytest.mark.parametrize("question", [
    "Wie viele Stellen bekommt das neu gegründete Stuttgarter Amt für Digitalisierung und IT?",
    # a calculation over two figures the scorer read: the notice names the inputs to check
    "Um wie viel Euro lagen die Wiesbadener Sachmittel für die Beratung über den Sachmitteln für die "
    "Softwareanschaffung 2024?",
])
def test_the_notice_reaches_the_stream_the_web_page_and_teams_read(seeds_settings, seeds_store, question: str) -> None:
    """On the real seeds index (Chroma + BM25), with every answer below the check level: the service's answer is
    marked and its stream, which the web page and Teams render, carries the notice as a notice event."""
    settings = seeds_settings.model_copy(
        update={"answer": seeds_settings.answer.model_copy(update={"check_below": 1.0})})
    service = AssistantService(settings, seeds_store)
    answer = service.ask(question)
    assert not answer.refused and answer.unsure

    async def collect():  # noqa: ANN202
        return [event async for event in service.astream(question)]

    events = asyncio.run(collect())
    notices = [event.text for event in events if event.type == "notice"]
    assert any(text.startswith("Bitte im Beleg prüfen") for text in notices)
    assert events[-2].answer.unsure


def test_a_count_of_another_thing_is_no_value_to_compare_with() -> None:
    """Only a rival is named: the same type, counting the asked noun where the answer does (and rated at least half
    as likely); a count of floors is no rival to a count of charging points, even rated alike."""
    text = ("Am neuen Busdepot in der Nordweststadt sind 24 Ladepunkte vorgesehen, verteilt auf zwei Stockwerke "
            "der Abstellhalle.")
    answer = _reader(check_below=1.0, flat=True).answer(analyze_question(QUESTION), [_chunk(text)])
    notice = next(n for n in answer.notices if n.startswith("Bitte im Beleg prüfen"))
    assert notice == "Bitte im Beleg prüfen: Die Angabe „24 Ladepunkte“ ist unsicher."
