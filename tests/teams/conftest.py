"""Fixtures: a seeds index, the Bot Connector and identity stand-ins, and one real uvicorn server with the
Teams bot configured as in production (app id, tenant, secret: every request needs a valid token)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.teams.connector import BotConnector, bot_connector
from tests.teams.conversation import Bot
from tests.teams.identity import FakeIdentity, fake_identity, proxy_environment
from tests.web.server import LiveServer, live_server, server_env, wait_for_job

APP_ID = "3f0c2a4e-8a8f-4d51-9f7b-0a1f6b1c2d3e"
TENANT_ID = "7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e"
PUBLIC_BASE_URL = "https://vorlagen.example.org"


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


@pytest.fixture(scope="session")
def identity(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeIdentity]:
    with fake_identity(APP_ID, TENANT_ID, tmp_path_factory.mktemp("identity")) as running:
        yield running


@pytest.fixture(scope="session")
def teams_server(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path, artifacts: Path,
                 identity: FakeIdentity) -> Iterator[LiveServer]:
    """The server starts on an empty data dir and reads the five seeds through its own upload endpoint
    (one process loads the embedder once)."""
    env = server_env(tmp_path_factory.mktemp("teams-data"), shared_dir,
                     VORLAGEN_TEAMS__APP_ID=APP_ID, VORLAGEN_TEAMS__TENANT_ID=TENANT_ID,
                     VORLAGEN_TEAMS__CLIENT_SECRET="test-geheimnis", VORLAGEN_TEAMS__CHECK_SERVICE_URL="false",
                     VORLAGEN_TEAMS__PUBLIC_BASE_URL=PUBLIC_BASE_URL, VORLAGEN_TEAMS__MAX_MESSAGE_CHARS="200",
                     **proxy_environment(identity))
    with live_server(env, artifacts / "server-teams.log") as running, running.client() as api:
        for seed in sorted((shared_dir / "corpus" / "seeds").glob("*.txt")):
            response = api.post("/v1/documents", files={"file": (seed.name, seed.read_bytes(), "text/plain")})
            assert response.status_code == 202, response.text
            job = wait_for_job(api, response.json()["job_id"])
            assert job["status"] == "fertig", job
        yield running


@pytest.fixture
def bot(teams_server: LiveServer, connector: BotConnector, identity: FakeIdentity) -> Bot:
    return Bot(teams_server, connector, identity)
