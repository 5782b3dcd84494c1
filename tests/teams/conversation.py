"""Talking to the bot as the Bot Connector service does, and reading its replies."""

from __future__ import annotations

import httpx

from tests.teams import activities
from tests.teams.connector import BotConnector, Posted
from tests.teams.identity import FakeIdentity
from tests.web.server import LiveServer


def messages(posts: list[Posted]) -> list[Posted]:
    return [post for post in posts if post.type == "message"]


def card_texts(card: dict) -> list[str]:
    """All TextBlock texts of a card, in order (containers included)."""
    found: list[str] = []
    for element in card.get("body", []):
        if element.get("type") == "TextBlock":
            found.append(element["text"])
        for item in element.get("items", []):
            if item.get("type") == "TextBlock":
                found.append(item["text"])
    return found


class Bot:
    """Talks to the server as the Bot Connector service does: Activity JSON with a fresh token."""

    def __init__(self, server: LiveServer, connector: BotConnector, identity: FakeIdentity) -> None:
        self.server, self.connector, self.identity = server, connector, identity

    def post(self, activity: dict) -> httpx.Response:
        token = self.identity.token(service_url=self.connector.url)
        return httpx.post(f"{self.server.base_url}/api/messages", json=activity,
                          headers={"Authorization": f"Bearer {token}"}, timeout=120)

    def say(self, conversation: str, text: str, *, card: bool = True) -> list[Posted]:
        """Post a user message; the bot's new message activities in that conversation (up to its card)."""
        before = len(messages(self.connector.activities(conversation)))

        def done(posts: list[Posted]) -> bool:
            new = messages(posts)[before:]
            return any(post.cards for post in new) if card else bool(new)

        response = self.post(activities.message(conversation, self.connector.url, text))
        assert response.status_code in (200, 202), response.text
        return messages(self.connector.wait_for(conversation, done))[before:]
