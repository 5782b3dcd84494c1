"""The Teams bot over the real protocol: Activity JSON posted with a valid Bot Framework token to
``/api/messages`` of a running uvicorn server, replies captured by the Bot Connector stand-in."""

from __future__ import annotations

import httpx
import pytest

from api.teams.actions import session_for
from tests.teams import activities
from tests.teams.conftest import PUBLIC_BASE_URL
from tests.teams.conversation import Bot, card_texts as _texts, messages as _messages
from tests.teams.connector import Posted
from tests.web.server import LiveServer

QUESTION = "Wie hoch sind die zusätzlichen Personalaufwendungen für die neuen Stellen des Stuttgarter Amts für Digitalisierung und IT?"
SOURCE = "stuttgart_grdrs_862_2021_amtsgruendung_digitalisierung.txt"
MAX_CHARS = 200


def _urls(card: dict) -> list[str]:
    urls = [a["url"] for a in card.get("actions", []) if a["type"] == "Action.OpenUrl"]
    for element in card.get("body", []):
        for item in element.get("items", []):
            urls += [a["url"] for a in item.get("actions", []) if a["type"] == "Action.OpenUrl"]
    return urls


def test_welcome_on_members_added(bot: Bot) -> None:
    conversation = activities.new_conversation()
    response = bot.post(activities.members_added(conversation, bot.connector.url))
    assert response.status_code in (200, 202), response.text
    [welcome] = _messages(bot.connector.wait_for(conversation, lambda p: bool(_messages(p))))
    text = " ".join(_texts(welcome.cards[0]))
    assert "Willkommen" in text and "/hilfe" in str(welcome.cards[0])
    assert welcome.activity["conversation"]["id"] == conversation
    assert welcome.activity["recipient"]["id"] == activities.USER.id


def test_help_lists_the_commands(bot: Bot) -> None:
    [reply] = bot.say(activities.new_conversation(), "/hilfe")
    facts = [fact["title"] for element in reply.cards[0]["body"] if element["type"] == "FactSet" for fact in element["facts"]]
    assert {"/rechne …", "/entwurf Abschnitt: Thema", "/hilfe"} <= set(facts)


def test_answer_card_with_citations_typing_and_follow_up(bot: Bot) -> None:
    conversation = activities.new_conversation()
    *_, reply = bot.say(conversation, QUESTION)
    # the SDK's typing indicator went out before the answer; replies carry the bot's token (MSAL)
    kinds = [post.type for post in bot.connector.activities(conversation)]
    assert reply.authorization and reply.authorization.startswith("Bearer ")
    assert "typing" in kinds and kinds.index("typing") < kinds.index("message")
    assert reply.path.endswith(f"/activities/{reply.activity['replyToId']}")
    card = reply.cards[0]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    texts = _texts(card)
    with bot.server.client() as api:
        [turn] = api.get(f"/v1/chat/{session_for(conversation)}").json()["turns"]
    assert "756.150" in turn["answer"]["text"] and "[1]" in turn["answer"]["text"]
    assert texts[0] in turn["answer"]["text"]
    assert "Belege" in texts
    assert any(text.startswith("[1] ") for text in texts)
    assert any(text.startswith("„") and text.endswith("“") for text in texts)
    assert any("Abschnitt" in text or "Seite" in text for text in texts)
    links = _urls(card)
    assert links and all(link.startswith(f"{PUBLIC_BASE_URL}/#dokument=") for link in links)
    assert {a["title"] for e in card["body"] for i in e.get("items", []) for a in i.get("actions", [])} == {"Im Browser öffnen"}

    # follow-up in the same conversation: retrieved together with the first question, history shared with /v1/chat
    *_, follow_up = bot.say(conversation, "Und wie viele Stellen sind das?")
    assert any(text.startswith("[1] ") for text in _texts(follow_up.cards[0]))
    with bot.server.client() as api:
        turns = api.get(f"/v1/chat/{session_for(conversation)}").json()["turns"]
    assert [turn["question"] for turn in turns] == [QUESTION, "Und wie viele Stellen sind das?"]
    assert QUESTION in turns[1]["retrieval_query"]
    assert SOURCE in {c["source_name"] for c in turns[1]["answer"]["citations"]}


def test_refusal_is_a_friendly_german_message(bot: Bot) -> None:
    [reply] = bot.say(activities.new_conversation(), "Wie hoch ist das KI-Budget der Stadt München für das Jahr 2025?")
    texts = _texts(reply.cards[0])
    assert "keine Angabe" in texts[0] or "nicht" in texts[0]
    assert "„München“ ist keine Vorlage eingelesen" in texts[0]  # the card says why, and which cities are indexed
    assert "Belege" not in texts


def test_a_refusal_names_the_vorlagen_to_read_on(bot: Bot) -> None:
    """The refusal, then the Vorlagen to read on (in parts: the test server sends at most 200 characters a message);
    the last part's card names them without Belege."""
    *parts, last = bot.say(activities.new_conversation(),
                           "Wie viele Parkplätze hat das Gebäude des Stuttgarter Amts für Digitalisierung und IT?")
    card = _texts(last.cards[0])
    said = "\n".join([*(part.activity["text"] for part in parts), *card])
    assert said.startswith("Dazu enthalten die vorliegenden Vorlagen keine Angabe.")
    assert "Am nächsten kommen diese Vorlagen" in said and "GRDrs 862/2021" in said
    assert "Belege" not in card  # named, not cited


def test_unknown_command_answers_with_help(bot: Bot) -> None:
    first, second = bot.say(activities.new_conversation(), "/zaubern bitte")
    assert "„/zaubern“ kenne ich nicht" in first.activity["text"]
    assert second.cards


def test_long_answers_are_split_into_messages(bot: Bot) -> None:
    """The server runs with VORLAGEN_TEAMS__MAX_MESSAGE_CHARS=200: the answer's text parts, then the card.
    (A list of Vorlagen is long; a fact answer is one short line and its quote.)"""
    conversation = activities.new_conversation()
    posts = bot.say(conversation, "Welche Vorlagen gibt es zur Digitalisierung der Verwaltung?")
    with bot.server.client() as api:
        [turn] = api.get(f"/v1/chat/{session_for(conversation)}").json()["turns"]
    full = turn["answer"]["text"]
    assert len(full) > MAX_CHARS
    *texts, card = posts
    assert texts and all(not post.cards for post in texts) and card.cards
    parts = [post.activity["text"] for post in texts] + [_texts(card.cards[0])[0]]
    assert all(len(part) <= MAX_CHARS for part in parts)
    assert "".join("".join(parts).split()) == "".join(full.split())


def test_rechne_uses_the_cost_tools(bot: Bot) -> None:
    posts = bot.say(activities.new_conversation(), "/rechne Was kosten 380 Beratertage bei einem Tagessatz von 1.200 Euro?")
    assert "456.000,00 EUR" in " ".join(post.activity.get("text") or _texts(post.cards[0])[0] for post in posts)
    [hint] = bot.say(activities.new_conversation(), "/rechne schönes Wetter", card=False)
    assert "nicht als Rechnung erkannt" in hint.activity["text"]


def test_entwurf_returns_a_draft_with_a_word_link(bot: Bot) -> None:
    [reply] = bot.say(activities.new_conversation(), "/entwurf Begründung: Gründung eines Amts für Digitalisierung")
    card = reply.cards[0]
    assert _texts(card)[0].startswith("Entwurf: Begründung – ")
    [link] = [a["url"] for a in card["actions"]]
    assert link.startswith(f"{PUBLIC_BASE_URL}/v1/draft/") and link.endswith(".docx")
    with bot.server.client() as api:
        word = api.get(link.removeprefix(PUBLIC_BASE_URL))
    assert word.status_code == 200 and word.content[:2] == b"PK"
    [usage] = bot.say(activities.new_conversation(), "/entwurf", card=False)
    assert "/entwurf Abschnitt: Thema" in usage.activity["text"]
