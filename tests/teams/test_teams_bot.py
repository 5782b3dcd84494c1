"""The Teams bot over the real protocol: Activity JSON posted to ``/api/messages`` of a running uvicorn
server (anonymous mode, as with the Agents Playground), replies captured by the Bot Connector stand-in."""

from __future__ import annotations

import httpx
import pytest

from api.teams.actions import session_for
from tests.teams import activities
from tests.teams.conftest import PUBLIC_BASE_URL
from tests.teams.connector import BotConnector, Posted
from tests.web.server import LiveServer

QUESTION = "Wie hoch sind die zusätzlichen Personalaufwendungen für die neuen Stellen des Stuttgarter Amts für Digitalisierung und IT?"
SOURCE = "stuttgart_grdrs_862_2021_amtsgruendung_digitalisierung.txt"


def _post(server: LiveServer, activity: dict) -> httpx.Response:
    return httpx.post(f"{server.base_url}/api/messages", json=activity, timeout=120)


def _messages(posts: list[Posted]) -> list[Posted]:
    return [post for post in posts if post.type == "message"]


def _exchange(server: LiveServer, connector: BotConnector, conversation: str, text: str, expected: int = 1) -> list[Posted]:
    """Post a user message; the bot's new message activities in that conversation."""
    before = len(_messages(connector.activities(conversation)))
    response = _post(server, activities.message(conversation, connector.url, text))
    assert response.status_code in (200, 202), response.text
    posts = connector.wait_for(conversation, lambda p: len(_messages(p)) >= before + expected)
    return _messages(posts)[before:]


def _texts(card: dict) -> list[str]:
    """All TextBlock texts of a card, in order (containers included)."""
    found: list[str] = []
    for element in card.get("body", []):
        if element.get("type") == "TextBlock":
            found.append(element["text"])
        for item in element.get("items", []):
            if item.get("type") == "TextBlock":
                found.append(item["text"])
    return found


def _urls(card: dict) -> list[str]:
    urls = [a["url"] for a in card.get("actions", []) if a["type"] == "Action.OpenUrl"]
    for element in card.get("body", []):
        for item in element.get("items", []):
            urls += [a["url"] for a in item.get("actions", []) if a["type"] == "Action.OpenUrl"]
    return urls


def test_welcome_on_members_added(anonymous_bot: LiveServer, connector: BotConnector) -> None:
    conversation = activities.new_conversation()
    response = _post(anonymous_bot, activities.members_added(conversation, connector.url))
    assert response.status_code in (200, 202), response.text
    [welcome] = _messages(connector.wait_for(conversation, lambda p: bool(_messages(p))))
    text = " ".join(_texts(welcome.cards[0]))
    assert "Willkommen" in text and "/hilfe" in str(welcome.cards[0])
    assert welcome.activity["conversation"]["id"] == conversation
    assert welcome.activity["recipient"]["id"] == activities.USER.id


def test_help_lists_the_commands(anonymous_bot: LiveServer, connector: BotConnector) -> None:
    [reply] = _exchange(anonymous_bot, connector, activities.new_conversation(), "/hilfe")
    facts = [fact["title"] for element in reply.cards[0]["body"] if element["type"] == "FactSet" for fact in element["facts"]]
    assert {"/rechne …", "/entwurf Abschnitt: Thema", "/hilfe"} <= set(facts)


def test_answer_card_with_citations_typing_and_follow_up(anonymous_bot: LiveServer, connector: BotConnector) -> None:
    conversation = activities.new_conversation()
    [reply] = _exchange(anonymous_bot, connector, conversation, QUESTION)
    # the SDK's typing indicator went out before the answer
    kinds = [post.type for post in connector.activities(conversation)]
    assert "typing" in kinds and kinds.index("typing") < kinds.index("message")
    assert reply.path.endswith(f"/activities/{reply.activity['replyToId']}")
    card = reply.cards[0]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    texts = _texts(card)
    answer_text = texts[0]
    assert "756.150" in answer_text and "[1]" in answer_text
    assert "Belege" in texts
    assert any(text.startswith("[1] ") for text in texts)
    assert any(text.startswith("„") and text.endswith("“") for text in texts)
    assert any("Abschnitt" in text or "Seite" in text for text in texts)
    links = _urls(card)
    assert links and all(link.startswith(f"{PUBLIC_BASE_URL}/#dokument=") for link in links)
    assert {a["title"] for e in card["body"] for i in e.get("items", []) for a in i.get("actions", [])} == {"Im Browser öffnen"}

    # follow-up in the same conversation: retrieved together with the first question, history shared with /v1/chat
    [follow_up] = _exchange(anonymous_bot, connector, conversation, "Und wie viele Stellen sind das?")
    assert any(text.startswith("[1] ") for text in _texts(follow_up.cards[0]))
    with anonymous_bot.client() as api:
        turns = api.get(f"/v1/chat/{session_for(conversation)}").json()["turns"]
    assert [turn["question"] for turn in turns] == [QUESTION, "Und wie viele Stellen sind das?"]
    assert QUESTION in turns[1]["retrieval_query"]
    assert SOURCE in {c["source_name"] for c in turns[1]["answer"]["citations"]}


def test_refusal_is_a_friendly_german_message(anonymous_bot: LiveServer, connector: BotConnector) -> None:
    [reply] = _exchange(anonymous_bot, connector, activities.new_conversation(),
                        "Wie hoch ist das KI-Budget der Stadt München für das Jahr 2025?")
    texts = _texts(reply.cards[0])
    assert "keine Angabe" in texts[0] or "nicht" in texts[0]
    assert "Belege" not in texts


def test_unknown_command_answers_with_help(anonymous_bot: LiveServer, connector: BotConnector) -> None:
    first, second = _exchange(anonymous_bot, connector, activities.new_conversation(), "/zaubern bitte", expected=2)
    assert "„/zaubern“ kenne ich nicht" in first.activity["text"]
    assert second.cards
