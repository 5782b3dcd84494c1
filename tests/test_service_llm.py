"""The assistant with a chat model: it chooses among candidate values (never writes one), and where
composition is switched on, its rewritten answer is used only when it stays grounded."""

from __future__ import annotations

import asyncio

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.llm import ChatModelChoice, ChatModelProvider
from assistant.service import AssistantService

QUESTION = "Wie hoch sind die zusätzlichen Personalaufwendungen für das Stuttgarter Amt für Digitalisierung und IT?"


class FixedChatModel(ChatModelProvider):
    """A provider that always offers the given chat model (as a configured server would)."""

    def __init__(self, settings, model) -> None:
        super().__init__(settings)
        self._model = model

    def resolve(self) -> ChatModelChoice:
        return ChatModelChoice(self._model, "openai", None)


def _llm_settings(settings, **llm):
    return settings.model_copy(update={"llm": settings.llm.model_copy(update={"mode": "openai", **llm})})


def _service(seeds_settings, seeds_store, reply: str) -> AssistantService:
    """Composition on (the model rewrites fact answers), choice off."""
    settings = _llm_settings(seeds_settings, compose=True, choose=False)
    model = FakeListChatModel(responses=[reply])
    return AssistantService(settings, seeds_store, chat_models=FixedChatModel(settings, model))


def _every_candidate_settings(seeds_settings, tmp_path):
    """The shipped scorer with its no-answer threshold at 0: every candidate may be shown to the model
    (what the model does with close candidates, apart from which the scorer deems close)."""
    from assistant.scorer import AnswerScorer

    scorer = AnswerScorer.load(seeds_settings.answer.scorer).model_copy(update={"threshold": 0.0, "sentence_threshold": 0.0, "verifier": None})
    scorer.save(tmp_path / "scorer.json")
    return seeds_settings.model_copy(update={"answer": seeds_settings.answer.model_copy(update={"scorer": tmp_path / "scorer.json"})})


def _chooser_service(
    seeds_settings, seeds_store, replies: list[str], margin: float | None = None
) -> tuple[AssistantService, FakeListChatModel]:
    """``margin``: how close to the best a candidate must score to be shown to the model (None: the
    default setting)."""
    settings = _llm_settings(seeds_settings)
    if margin is not None:  # close calls above the threshold only (no floor: the model is no reader here)
        settings = settings.model_copy(update={"answer": settings.answer.model_copy(
            update={"choice_margin": margin, "choice_floor": None})})
    model = FakeListChatModel(responses=replies)
    return AssistantService(settings, seeds_store, chat_models=FixedChatModel(settings, model)), model


SEVERAL = "Welche Sachmittel werden in Wiesbaden für die Softwareanschaffung bereitgestellt?"


def test_model_choice_picks_a_candidate_and_cannot_write_a_value(seeds_settings, seeds_store, tmp_path) -> None:
    settings = _every_candidate_settings(seeds_settings, tmp_path)
    extractive = AssistantService(settings, seeds_store).ask(SEVERAL)
    assert not extractive.refused
    service, _ = _chooser_service(settings, seeds_store, ['{"wahl": [2]}'], margin=1.0)
    answer = service.ask(SEVERAL)
    assert answer.mode == "openai"
    # the model chose the second candidate: another value, which stands in the evidence and is cited there
    assert answer.short_answer != extractive.short_answer
    # … and not the best-ranked one, so the answer asks to check it and names the best-ranked value
    assert answer.unsure and len(answer.notices) == 1 and answer.notices[0].startswith("Bitte im Beleg prüfen")
    assert extractive.short_answer.split(" [", 1)[0] in answer.notices[0]
    value = answer.short_answer.split(" [", 1)[0]
    quote = answer.citations[0]
    assert value.split(" (", 1)[0] in quote.quote
    assert seeds_store.get_vorlage(quote.doc_id).text[quote.start : quote.end] == quote.quote


def test_unusable_model_choice_keeps_the_extractive_answer_with_notice(seeds_settings, seeds_store, tmp_path) -> None:
    settings = _every_candidate_settings(seeds_settings, tmp_path)
    extractive = AssistantService(settings, seeds_store).ask(SEVERAL)
    service, _ = _chooser_service(settings, seeds_store, ["Die Antwort ist 999.999 Euro."], margin=1.0)
    answer = service.ask(SEVERAL)
    assert answer.text == extractive.text and "999" not in answer.text
    assert answer.notices == ["Das Sprachmodell lieferte keine verwertbare Auswahl; es gilt die Auswahl ohne Sprachmodell."]


def test_grounded_model_answer_is_used(seeds_settings, seeds_store) -> None:
    service = _service(seeds_settings, seeds_store, "Es entstehen zusätzliche Personalaufwendungen von 756.150 EUR pro Jahr [1].")
    answer = service.ask(QUESTION)
    assert answer.mode == "openai" and not answer.notices
    assert "756.150" in answer.text and answer.citations
    assert answer.citations[0].drucksache == "GRDrs 862/2021"


def test_invented_number_falls_back_to_the_extractive_answer(seeds_settings, seeds_store) -> None:
    service = _service(seeds_settings, seeds_store, "Die Personalaufwendungen betragen 999.999 EUR im Jahr [1].")
    answer = service.ask(QUESTION)
    assert answer.mode == "extractive"
    assert "999.999" not in answer.text and "756.150" in answer.text
    assert answer.notices and "extraktive" in " ".join(answer.notices)


def test_streaming_sends_tokens_then_citations_then_the_answer(seeds_settings, seeds_store) -> None:
    service = _service(seeds_settings, seeds_store, "Es entstehen zusätzliche Personalaufwendungen von 756.150 EUR pro Jahr [1].")

    async def collect():
        return [event async for event in service.astream(QUESTION)]

    events = asyncio.run(collect())
    types = [event.type for event in events]
    assert types[0] == "token" and types[-3:] == ["citations", "answer", "done"]
    assert types.count("token") > 1, "a model answer is streamed in pieces"
    streamed = "".join(e.text for e in events if e.type == "token")
    assert streamed == events[-2].answer.text


def test_refusals_are_not_sent_to_the_model(seeds_settings, seeds_store) -> None:
    service = _service(seeds_settings, seeds_store, "Das KI-Budget beträgt 5 Mio. EUR [1].")
    answer = service.ask("Wie hoch ist das KI-Budget der Stadt München für das Jahr 2025?")
    assert answer.refused and answer.citations == [] and "5 Mio" not in answer.text


def test_answer_that_drops_the_asked_amount_falls_back(seeds_settings, seeds_store) -> None:
    service = _service(seeds_settings, seeds_store, "Für die Stellen entstehen zusätzliche Personalaufwendungen [1].")
    answer = service.ask(QUESTION)
    assert answer.mode == "extractive" and "756.150" in answer.text
    assert any("nannte den erfragten Wert nicht" in notice for notice in answer.notices)


def test_a_clear_best_candidate_is_kept_without_asking_the_model(seeds_settings, seeds_store) -> None:
    """The model is asked only where candidates score close; a reply it would give is never read."""
    extractive = AssistantService(seeds_settings, seeds_store).ask(SEVERAL)
    service, model = _chooser_service(seeds_settings, seeds_store, ['{"wahl": [2]}'], margin=0.0)
    answer = service.ask(SEVERAL)  # no other candidate within a margin of 0
    assert answer.mode == "extractive" and answer.notices == extractive.notices  # no notice of the model
    assert answer.text == extractive.text
    assert model.i == 0, "das Sprachmodell wurde gefragt"
