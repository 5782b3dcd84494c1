"""Grounded generation: the faithfulness check, renumbering, fallback and streaming events.

The chat model here is LangChain's ``GenericFakeChatModel`` (it returns the answers given), so the
check itself is under test; the real models are exercised in ``test_llm.py``.
"""

from __future__ import annotations

import asyncio

import pytest
from langchain_core.language_models import GenericFakeChatModel

from assistant.generation import GroundedAnswerer, check_grounding, load_answer_prompt
from assistant.grounding import cited_indices, renumber_citations
from tests.evidence_helpers import extractive_answer, seed_evidence
from vorlagen.domain import Answer
from vorlagen.settings import Settings

QUESTION = "Wie viele Stellen werden zum Stellenplan 2022 für das neue Amt geschaffen?"


@pytest.fixture(scope="module")
def evidence():
    return seed_evidence()


def fake_model(*replies: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter(replies))


def answerer(model, mode="local") -> GroundedAnswerer:
    return GroundedAnswerer(model, Settings(), mode)


# --- the check ---------------------------------------------------------------------------------


def test_numbers_in_cited_evidence_pass_in_any_german_notation(evidence):
    # Evidence: "7,5 Stellen", "756.150 EUR", "01.01.2022", "2019", "Stellenplan 2022".
    assert check_grounding("Es werden 7,5 Stellen geschaffen [1].", evidence) == []
    assert check_grounding("Die Personalaufwendungen betragen 756150 EUR pro Jahr [2].", evidence) == []
    assert check_grounding("Das Amt startet am 1. Januar 2022 [5].", evidence) == []
    assert check_grounding("Das Amt startet am 01.01.22 [5].", evidence) == []
    assert check_grounding("Seit 2018 [6] und mit der Strategie von 2019 [4].", evidence) == []


def test_invented_number_is_reported(evidence):
    problems = check_grounding("Es werden 8,5 Stellen geschaffen [1].", evidence)
    assert problems == ["Die Zahl „8,5“ steht in keiner zitierten Belegstelle."]


def test_number_must_be_in_a_cited_passage_not_just_anywhere(evidence):
    # 756.150 is in passage [2], but the answer cites only [1].
    problems = check_grounding("Die Stellen kosten 756.150 EUR im Jahr [1].", evidence)
    assert problems == ["Die Zahl „756.150“ steht in keiner zitierten Belegstelle."]


def test_unknown_citation_and_missing_citation_are_reported(evidence):
    assert check_grounding("Es werden 7,5 Stellen geschaffen [9].", evidence)[0] == "Die Belegstelle [9] gibt es nicht."
    assert check_grounding("Es werden Stellen geschaffen.", evidence) == ["Die Antwort nennt keine Belegstelle."]


def test_tool_results_back_computed_numbers(evidence):
    text = "Für zwei Jahre sind das 1.512.300,00 EUR [2]."
    assert check_grounding(text, evidence) != []
    assert check_grounding(text, evidence, tool_results=["Personalaufwand 2 Jahre: 1.512.300,00 EUR"]) == []


def test_scaled_amounts_match(evidence):
    passage = evidence[0].model_copy(update={"quote": "Das Vorhaben kostet 2,5 Mio. EUR."})
    assert check_grounding("Es kostet 2.500.000 EUR [1].", [passage]) == []
    assert check_grounding("Es kostet 2,5 Millionen EUR [1].", [passage]) == []
    assert check_grounding("Es kostet 3 Mio. EUR [1].", [passage]) != []


def test_renumbering_keeps_only_cited_passages_in_order(evidence):
    text, citations = renumber_citations("Erst [5], dann [2, 5] und [1][2].", evidence)
    assert text == "Erst [1], dann [1][2] und [2][3]."
    assert [c.quote for c in citations] == [evidence[4].quote, evidence[1].quote, evidence[0].quote]
    assert [c.index for c in citations] == [1, 2, 3]


# --- the answerer with a fake chat model -------------------------------------------------------


def test_invented_number_falls_back_to_extractive_answer_with_notice(evidence):
    fallback = extractive_answer(QUESTION, evidence)
    result = answerer(fake_model("Zum Stellenplan 2022 werden 9,5 Stellen geschaffen [1].")).answer(
        QUESTION, evidence, fallback
    )
    assert result.mode == "extractive"
    assert result.text == fallback.text
    assert result.citations == fallback.citations
    assert len(result.notices) == 1
    assert "nicht vollständig durch die Belegstellen gedeckt" in result.notices[0]
    assert "9,5" in result.notices[0]


def test_grounded_answer_is_accepted_and_renumbered(evidence):
    fallback = extractive_answer(QUESTION, evidence)
    reply = "Zum Stellenplan 2022 schafft die Stadt 7,5 Stellen [1]; Beginn ist der 01.01.2022 [5]."
    result = answerer(fake_model(reply), mode="openai").answer(QUESTION, evidence, fallback)
    assert result.mode == "openai"
    assert result.notices == []
    assert result.text == "Zum Stellenplan 2022 schafft die Stadt 7,5 Stellen [1]; Beginn ist der 01.01.2022 [2]."
    assert [(c.index, c.quote) for c in result.citations] == [(1, evidence[0].quote), (2, evidence[4].quote)]
    assert result.support == fallback.support
    assert result.timings["generation_s"] >= 0


def test_model_refusal_keeps_extractive_answer(evidence):
    fallback = extractive_answer(QUESTION, evidence)
    reply = Settings().answer.refusal_text
    result = answerer(fake_model(reply)).answer(QUESTION, evidence, fallback)
    assert result.text == fallback.text
    assert "keine Antwort" in result.notices[0]


def test_refusal_is_returned_without_asking_the_model(evidence):
    refusal = Answer(question=QUESTION, text=Settings().answer.refusal_text, refused=True)
    replies = iter(["Es sind 7,5 Stellen [1]."])
    result = answerer(GenericFakeChatModel(messages=replies)).answer(QUESTION, evidence, refusal)
    assert result == refusal
    assert next(replies, None) is not None  # the model did not consume its reply


def test_prompt_is_german_with_numbered_passages(evidence):
    prompt = load_answer_prompt()
    assert set(prompt.input_variables) == {"passages", "tool_results", "question", "refusal_text"}
    messages = answerer(fake_model()).messages(QUESTION, evidence)
    assert [m.type for m in messages] == ["system", "human", "ai", "human"]  # with one worked example
    assert "Belegstelle" in messages[0].content
    assert cited_indices(messages[2].content) == [1]  # the example answer cites as it should
    human = messages[-1].content
    assert f"[1] (Drucksache GRDrs 862/2021) {evidence[0].quote}" in human
    assert f"[6] (Drucksache GRDrs 862/2021) {evidence[5].quote}" in human
    assert QUESTION in human


# --- streaming ---------------------------------------------------------------------------------


async def collect(stream):
    return [event async for event in stream]


def test_stream_yields_tokens_then_citations_answer_done(evidence):
    fallback = extractive_answer(QUESTION, evidence)
    reply = "Es werden 7,5 Stellen geschaffen [1]."
    events = asyncio.run(collect(answerer(fake_model(reply)).astream(QUESTION, evidence, fallback)))
    types = [event.type for event in events]
    assert types[-3:] == ["citations", "answer", "done"]
    assert set(types[:-3]) == {"token"} and len(types) > 4
    assert "".join(event.text for event in events if event.type == "token") == reply
    final = events[-2].answer
    assert final.mode == "local" and final.text == reply
    assert events[-3].citations == final.citations == [evidence[0]]
    assert events[-1].model_dump_json()  # serialisable for server-sent events
    assert '"mode":"local"' in events[-2].model_dump_json()


def test_stream_with_invented_number_ends_with_notice_and_extractive_answer(evidence):
    fallback = extractive_answer(QUESTION, evidence)
    reply = "Es werden 12 Stellen geschaffen [1]."
    events = asyncio.run(collect(answerer(fake_model(reply)).astream(QUESTION, evidence, fallback)))
    notices = [event for event in events if event.type == "notice"]
    assert len(notices) == 1 and "„12“" in notices[0].text
    final = next(event.answer for event in events if event.type == "answer")
    assert final.mode == "extractive" and final.text == fallback.text


def test_stream_of_refusal_has_no_model_call(evidence):
    refusal = Answer(question=QUESTION, text=Settings().answer.refusal_text, refused=True)
    replies = iter(["Es sind 7,5 Stellen [1]."])
    events = asyncio.run(collect(answerer(GenericFakeChatModel(messages=replies)).astream(QUESTION, evidence, refusal)))
    assert [event.type for event in events] == ["token", "citations", "answer", "done"]
    assert events[2].answer == refusal
    assert next(replies, None) is not None

