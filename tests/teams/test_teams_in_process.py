"""The bot in process with the SDK's own ``TestAdapter`` on the ``msteams`` channel (what it records is
what would be posted): Teams streaming (``VORLAGEN_TEAMS__STREAMING=true``: the answer through the SDK's
``StreamingResponse``, citations set the SDK's way, AI-generated label) and an empty index (a German
message, no trace)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from microsoft_agents.activity import Activity, ChannelAccount, ConversationAccount
from microsoft_agents.hosting.core import ClaimsIdentity
from microsoft_agents.testing import TestAdapter

from api.repository import ApiRepository
from api.resources import Resources
from api.teams.agent import TeamsBot
from api.teams.config import sdk_configuration
from assistant.service import AssistantService
from vorlagen.domain import Answer, Citation
from vorlagen.settings import Settings, TeamsSettings
from vorlagen.store import VorlagenStore

CITATIONS = [
    Citation(doc_id="a.txt", chunk_id="a.txt#1", source_name="a.txt", drucksache="GRDrs 862/2021", title="Amtsgründung",
             section="Finanzielle Auswirkungen", page=2, quote="Die Aufwendungen betragen 756.150 EUR.", start=0, end=38,
             index=1),
    Citation(doc_id="b.txt", chunk_id="b.txt#4", source_name="b.txt", quote="Es werden 7,5 Stellen geschaffen.",
             start=5, end=38, index=2),
]


def _entities(activity: Activity) -> list[dict]:
    return [entity.model_dump(mode="json", by_alias=True, exclude_none=True) if hasattr(entity, "model_dump") else entity
            for entity in activity.entities or []]


def _bot(tmp_path: Path, teams: TeamsSettings) -> tuple[TeamsBot, Resources]:
    settings = Settings(data_dir=tmp_path, teams=teams)
    resources = Resources(settings=settings, repository=ApiRepository(tmp_path / "api.sqlite3"), tools={},
                          ingest_executor=ThreadPoolExecutor(max_workers=1))
    return TeamsBot(resources, sdk_configuration(teams)), resources


def _message(text: str) -> Activity:
    return Activity(type="message", text=text, channel_id="msteams", id="1",
                    from_property=ChannelAccount(id="29:nutzerin"), recipient=ChannelAccount(id="28:bot"),
                    conversation=ConversationAccount(id="a:konversation"),
                    service_url="https://smba.trafficmanager.net/emea/")


def test_streamed_answer_carries_sdk_citations_and_ai_label(tmp_path: Path) -> None:
    teams = TeamsSettings(anonymous=True, streaming=True, public_base_url="https://vorlagen.example.org")
    bot, resources = _bot(tmp_path, teams)
    adapter = TestAdapter(channel_id="msteams")
    context = adapter.create_turn_context(_message("Wie hoch?"))
    answer = Answer(question="Wie hoch?", text="Die Aufwendungen betragen 756.150 EUR [1] für 7,5 Stellen [2].",
                    citations=CITATIONS)

    asyncio.run(bot.send_answer(context, answer))
    resources.close()

    sent = adapter.get_activity_snapshot()
    final = [a for a in sent if a.type == "message"]
    assert len(final) == 1, [a.type for a in sent]
    message = final[0]
    assert message.text == answer.text
    assert message.attachments and message.attachments[0].content_type == "application/vnd.microsoft.card.adaptive"
    entities = _entities(message)
    stream = [e for e in entities if e.get("type") == "streaminfo"]
    assert stream and stream[0]["streamType"] == "final"
    [ai] = [e for e in entities if "AIGeneratedContent" in (e.get("additionalType") or [])]
    positions = {c["position"]: c["appearance"] for c in ai["citation"]}
    assert positions[1]["name"] == "[1] GRDrs 862/2021 – Amtsgründung"
    assert positions[1]["abstract"] == "Die Aufwendungen betragen 756.150 EUR."
    assert positions[1]["url"].startswith("https://vorlagen.example.org/#dokument=a.txt")
    assert positions[2]["name"] == "[2] b.txt"


def test_empty_index_is_a_german_message(tmp_path: Path, embeddings) -> None:
    """A real store without documents behind the real service: the turn ends with the service's German
    explanation, sent by the bot's error handler."""
    bot, resources = _bot(tmp_path, TeamsSettings(anonymous=True))
    resources.store = VorlagenStore(resources.settings, embeddings=embeddings)
    resources.service = AssistantService(resources.settings, resources.store)
    adapter = TestAdapter(channel_id="msteams")

    asyncio.run(adapter.process_activity(ClaimsIdentity(), _message("Wie viele Stellen?"),
                                         bot.application.on_turn))
    resources.close()

    texts = [a.text for a in adapter.get_activity_snapshot() if a.type == "message"]
    assert len(texts) == 1 and "Der Index ist leer" in texts[0]
