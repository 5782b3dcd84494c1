"""Fixtures: a seeds index, the Bot Connector stand-in, and real uvicorn servers with the Teams bot.

Two servers (one at a time per module, each with its own copy of the index): the bot in anonymous mode
(behaviour tests, as with the Agents Playground) and the bot with app id, tenant and secret (JWT tests).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.teams.connector import BotConnector, bot_connector
from tests.teams.identity import FakeIdentity, fake_identity, proxy_environment
from tests.web.server import LiveServer, build_index, live_server, server_env

APP_ID = "3f0c2a4e-8a8f-4d51-9f7b-0a1f6b1c2d3e"
TENANT_ID = "7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e"
PUBLIC_BASE_URL = "https://vorlagen.example.org"


@pytest.fixture(scope="session")
def teams_index(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Path:
    """A data dir with the index of the five seeds (built once, copied for every server)."""
    data_dir = tmp_path_factory.mktemp("teams-index")
    build_index(server_env(data_dir, shared_dir), sorted((shared_dir / "corpus" / "seeds").glob("*.txt")))
    return data_dir


def _server_data(teams_index: Path, tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    target = tmp_path_factory.mktemp(name) / "data"
    shutil.copytree(teams_index, target)
    return target


@pytest.fixture(scope="session")
def connector() -> Iterator[BotConnector]:
    with bot_connector() as running:
        yield running


@pytest.fixture(scope="session")
def artifacts(shared_dir: Path) -> Path:
    from tests.web.server import REPO_ROOT

    path = REPO_ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="module")
def anonymous_bot(teams_index: Path, tmp_path_factory: pytest.TempPathFactory, shared_dir: Path,
                  artifacts: Path) -> Iterator[LiveServer]:
    env = server_env(_server_data(teams_index, tmp_path_factory, "teams-anon"), shared_dir,
                     VORLAGEN_TEAMS__ANONYMOUS="true", VORLAGEN_TEAMS__CHECK_SERVICE_URL="false",
                     VORLAGEN_TEAMS__PUBLIC_BASE_URL=PUBLIC_BASE_URL,
                     VORLAGEN_TEAMS__MAX_MESSAGE_CHARS="400")
    with live_server(env, artifacts / "server-teams-anonymous.log") as running:
        yield running


@pytest.fixture(scope="module")
def identity(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeIdentity]:
    with fake_identity(APP_ID, TENANT_ID, tmp_path_factory.mktemp("identity")) as running:
        yield running


@pytest.fixture(scope="module")
def secured_bot(teams_index: Path, tmp_path_factory: pytest.TempPathFactory, shared_dir: Path, artifacts: Path,
                identity: FakeIdentity) -> Iterator[LiveServer]:
    env = server_env(_server_data(teams_index, tmp_path_factory, "teams-auth"), shared_dir,
                     VORLAGEN_TEAMS__APP_ID=APP_ID, VORLAGEN_TEAMS__TENANT_ID=TENANT_ID,
                     VORLAGEN_TEAMS__CLIENT_SECRET="test-geheimnis", VORLAGEN_TEAMS__CHECK_SERVICE_URL="false",
                     VORLAGEN_TEAMS__PUBLIC_BASE_URL=PUBLIC_BASE_URL,
                     **proxy_environment(identity))
    with live_server(env, artifacts / "server-teams-auth.log") as running:
        yield running
