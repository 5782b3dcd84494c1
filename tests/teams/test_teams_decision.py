"""A decision question in Teams: the bot in process with the SDK's own ``TestAdapter`` on the ``msteams``
channel, the real assistant over a real index of four Karlsruhe papers (what the adapter records is what
would be posted). The answer is one Adaptive Card: the latest recorded result, the Verlauf paper by paper,
recorded result and minutes where they differ, links to each Vorlage's Verlauf in the web UI."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from microsoft_agents.activity import Activity, ChannelAccount, ConversationAccount
from microsoft_agents.hosting.core import ClaimsIdentity
from microsoft_agents.testing import TestAdapter

from api.repository import ApiRepository
from api.resources import Resources
from api.teams.agent import TeamsBot
from api.teams.config import sdk_configuration
from assistant.service import AssistantService
from ingest.pipeline import Ingestor
from tests.decision_support import DEFERRED, DIFFERING, FOLLOW_UPS, write_oparl_folder
from vorlagen.settings import Settings, TeamsSettings
from vorlagen.store import VorlagenStore

BASE_URL = "https://vorlagen.example.org"


@pytest.fixture(scope="module")
def resources(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory, embeddings):
    data = tmp_path_factory.mktemp("teams-decision")
    dump = write_oparl_folder(shared_dir / "corpus" / "karlsruhe", data / "oparl", (DIFFERING, DEFERRED, *FOLLOW_UPS))
    teams = TeamsSettings(anonymous=True, public_base_url=BASE_URL)
    settings = Settings(data_dir=data / "index", teams=teams, llm={"mode": "extractive"})
    store = VorlagenStore(settings, embeddings=embeddings)
    assert Ingestor(settings, store).ingest_paths([dump]).ok
    built = Resources(settings=settings, repository=ApiRepository(data / "api.sqlite3"), tools={},
                      ingest_executor=ThreadPoolExecutor(max_workers=1))
    built.store, built.service = store, AssistantService(settings, store)
    yield built
    built.close()


def _ask(resources: Resources, question: str) -> list[Activity]:
    bot = TeamsBot(resources, sdk_configuration(resources.settings.teams))
    adapter = TestAdapter(channel_id="msteams")
    message = Activity(type="message", text=question, channel_id="msteams", id="1",
                       from_property=ChannelAccount(id="29:nutzerin"), recipient=ChannelAccount(id="28:bot"),
                       conversation=ConversationAccount(id="a:entscheidungen"),
                       service_url="https://smba.trafficmanager.net/emea/")
    asyncio.run(adapter.process_activity(ClaimsIdentity(), message, bot.application.on_turn))
    return [activity for activity in adapter.get_activity_snapshot() if activity.type == "message"]


def _texts(element: object) -> list[str]:
    """Every TextBlock text and FactSet title/value of a card, in order."""
    found: list[str] = []
    if isinstance(element, dict):
        if element.get("type") == "TextBlock":
            found.append(element["text"])
        if element.get("type") == "FactSet":
            found += [f"{fact['title']}: {fact['value']}" for fact in element["facts"]]
        for value in element.values():
            found += _texts(value)
    elif isinstance(element, list):
        for value in element:
            found += _texts(value)
    return found


def _urls(element: object) -> list[str]:
    if isinstance(element, dict):
        own = [element["url"]] if element.get("type") == "Action.OpenUrl" else []
        return own + [url for value in element.values() for url in _urls(value)]
    if isinstance(element, list):
        return [url for value in element for url in _urls(value)]
    return []


def test_decision_answer_is_one_card_with_the_verlauf(resources: Resources) -> None:
    [message] = _ask(resources, "Was ist aus der Vergabe der Möblierung für die Stadthalle geworden?")
    [attachment] = message.attachments
    assert attachment.content_type == "application/vnd.microsoft.card.adaptive"
    card = attachment.content
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    texts = _texts(card["body"])
    assert texts[0].startswith("Gemeinderat, 27.05.2025: einstimmig beschlossen")
    assert "Verlauf (älteste zuerst)" in texts
    headings = [text for text in texts if text.startswith("Drucksache ")]
    assert headings[0].startswith(f"Drucksache {DEFERRED} vom 06.03.2025")  # oldest first
    assert {heading.split()[1] for heading in headings} == {DEFERRED, *FOLLOW_UPS}
    assert any(text.startswith("03.04.2025 · Bauausschuss (Entscheidung): vertagt") for text in texts)
    urls = _urls(card["body"])
    verlauf = [url for url in urls if url.startswith(f"{BASE_URL}/verlauf?vorlage=")]
    assert len(verlauf) == 3  # one per Vorlage
    assert "Belege" in texts and any(url.startswith(f"{BASE_URL}/#dokument=") for url in urls)


def test_differing_minutes_are_on_the_card(resources: Resources) -> None:
    [message] = _ask(resources, "Wurde die Annahme der angebotenen Zuwendungen beschlossen?")
    texts = _texts(message.attachments[0].content["body"])
    assert texts[0].startswith("Haupt- und Finanzausschuss, 04.02.2025: mehrheitlich beschlossen")
    assert "weichen voneinander ab" in texts[0]
    [fact] = [text for text in texts if text.startswith("04.02.2025 · Haupt- und Finanzausschuss")]
    assert "mehrheitlich beschlossen" in fact and "Einstimmige Zustimmung" in fact and "weicht" in fact
