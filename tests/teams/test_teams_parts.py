"""The bot's building blocks without a server: message splitting, the answer card, the SDK configuration."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from api.teams import cards
from api.teams.config import sdk_configuration, sdk_environment
from api.teams.splitting import split_message
from vorlagen.domain import Answer, Citation
from vorlagen.settings import Settings, TeamsSettings

_TEXT = st.lists(st.sampled_from([*"abc äöü ß.,;\n", "Satz. ", "\n\n", "Wort", "Donaudampfschifffahrt"]),
                 max_size=600).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=_TEXT, limit=st.integers(min_value=5, max_value=600))
def test_split_parts_fit_and_lose_no_words(text: str, limit: int) -> None:
    parts = split_message(text, limit)
    assert all(len(part) <= limit for part in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


def test_split_prefers_paragraphs_then_sentences() -> None:
    first, second = "Erster Absatz. " * 10, "Zweiter Absatz mit einem Satz."
    assert split_message(f"{first.strip()}\n\n{second}", 160) == [first.strip(), second]
    parts = split_message("Ein Satz hier. " * 40, 100)
    assert all(part.endswith(".") for part in parts)


def test_answer_card_numbers_citations_and_links_to_the_passage() -> None:
    citation = Citation(doc_id="doc.txt", chunk_id="doc.txt#3", source_name="doc.txt", drucksache="GRDrs 862/2021",
                        title="Gründung eines Amts", section="Finanzielle Auswirkungen", page=4,
                        quote="Die Personalaufwendungen betragen 756.150 EUR.", start=10, end=57, index=1)
    answer = Answer(question="Wie hoch?", text="Sie betragen 756.150 EUR [1].", citations=[citation],
                    notices=["Das Sprachmodell war nicht erreichbar."])
    card = cards.answer_card(answer, answer.text, "https://vorlagen.example.org/").content
    texts = [block["text"] for block in card["body"] if block["type"] == "TextBlock"]
    assert texts[0] == answer.text and texts[1].startswith("Hinweis:") and "Belege" in texts
    [container] = [block for block in card["body"] if block["type"] == "Container"]
    inner = [item["text"] for item in container["items"] if item["type"] == "TextBlock"]
    assert inner == ["[1] GRDrs 862/2021 – Gründung eines Amts", "Abschnitt „Finanzielle Auswirkungen“, Seite 4",
                     "„Die Personalaufwendungen betragen 756.150 EUR.“"]
    [action] = container["items"][-1]["actions"]
    assert action["title"] == "Im Browser öffnen"
    assert action["url"].startswith("https://vorlagen.example.org/#dokument=doc.txt&abschnitt=doc.txt%233&zitat=Die%20")


def test_settings_map_to_the_sdk_configuration() -> None:
    teams = Settings(teams=TeamsSettings(app_id="app-1", tenant_id="tenant-1", client_secret="geheim")).teams
    environment = sdk_environment(teams)
    assert environment["CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID"] == "app-1"
    assert environment["CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED"] == "false"
    sdk = sdk_configuration(teams)
    assert (sdk.auth.CLIENT_ID, sdk.auth.TENANT_ID, sdk.auth.CLIENT_SECRET) == ("app-1", "tenant-1", "geheim")
    assert sdk.auth.ANONYMOUS_ALLOWED is False


def test_anonymous_mode_logs_a_warning(caplog) -> None:
    with caplog.at_level("WARNING", logger="api.teams.config"):
        sdk = sdk_configuration(TeamsSettings(anonymous=True))
    assert sdk.auth.ANONYMOUS_ALLOWED is True
    assert any("anonymen Modus" in record.getMessage() for record in caplog.records)


def test_messages_endpoint_without_configuration_is_503_in_german() -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from api.errors import install_error_handlers
    from api.teams import router

    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    response = TestClient(app).post("/api/messages", json={"type": "message"})
    assert response.status_code == 503
    assert "VORLAGEN_TEAMS__APP_ID" in response.json()["detail"]
