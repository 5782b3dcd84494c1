"""JWT validation with auth on (app id, tenant, secret): the SDK checks every request's token against the
signing keys of the OpenID/JWKS documents, which the test serves on loopback (``tests/teams/identity.py``)."""

from __future__ import annotations

import httpx
import pytest

from api.teams.actions import session_for
from tests.teams import activities
from tests.teams.conftest import APP_ID
from tests.teams.connector import BotConnector
from tests.teams.identity import FakeIdentity, unknown_key_token
from tests.web.server import LiveServer

QUESTION = "Wie viele Stellen werden für das Stuttgarter Amt für Digitalisierung und IT geschaffen?"


def _post(server: LiveServer, connector: BotConnector, conversation: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(f"{server.base_url}/api/messages", json=activities.message(conversation, connector.url, QUESTION),
                      headers=headers, timeout=120)


def _nothing_computed(server: LiveServer, connector: BotConnector, conversation: str) -> None:
    assert connector.activities(conversation) == []
    with server.client() as api:
        assert api.get(f"/v1/chat/{session_for(conversation)}").json()["turns"] == []


@pytest.mark.parametrize("case", ["kein Token", "abgelaufen", "andere Zielgruppe", "unbekannter Schlüssel", "kein Bearer"])
def test_bad_tokens_get_401_and_no_answer(case: str, teams_server: LiveServer, connector: BotConnector,
                                          identity: FakeIdentity) -> None:
    conversation = activities.new_conversation()
    tokens = {
        "kein Token": None,
        "abgelaufen": identity.token(service_url=connector.url, lifetime_s=-3600),
        "andere Zielgruppe": identity.token(service_url=connector.url, audience="a-different-app-id"),
        "unbekannter Schlüssel": unknown_key_token(identity, connector.url),
    }
    if case == "kein Bearer":
        response = httpx.post(f"{teams_server.base_url}/api/messages",
                              json=activities.message(conversation, connector.url, QUESTION),
                              headers={"Authorization": f"Basic {identity.token(service_url=connector.url)}"})
    else:
        response = _post(teams_server, connector, conversation, tokens[case])
    assert response.status_code == 401, response.text
    assert "Token" in response.json()["detail"]
    _nothing_computed(teams_server, connector, conversation)


def test_token_signed_by_the_published_key_is_accepted(teams_server: LiveServer, connector: BotConnector,
                                                       identity: FakeIdentity) -> None:
    conversation = activities.new_conversation()
    response = _post(teams_server, connector, conversation, identity.token(service_url=connector.url))
    assert response.status_code in (200, 202), response.text
    posts = connector.wait_for(conversation, lambda p: any(post.cards for post in p))
    [reply] = [post for post in posts if post.cards]
    assert "7,5" in str(reply.cards[0])
    # the keys came from the JWKS document served here; the reply carries the bot's own token from MSAL
    assert ("login.botframework.com", "GET", "/v1/.well-known/keys") in identity.requests
    assert identity.outgoing_tokens() >= 1
    assert reply.authorization and reply.authorization.startswith("Bearer ")
    outgoing = reply.authorization.removeprefix("Bearer ")
    import jwt

    assert jwt.decode(outgoing, options={"verify_signature": False})["appid"] == APP_ID
