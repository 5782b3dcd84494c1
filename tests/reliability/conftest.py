"""Fixtures of the reliability tests: a real server over a one-seed index, a real Chroma server process.

``shared_dir`` and ``embeddings`` come from tests/conftest.py.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.reliability.processes import ChromaServer
from tests.web.server import REPO_ROOT, LiveServer, build_index, live_server, server_env

SEED = "mitteilung_buendelung_digitalisierung_2024.txt"
"""The one seed Vorlage (Stuttgart, 2024) the reliability servers hold."""


@pytest.fixture(scope="session")
def artifacts() -> Path:
    path = REPO_ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def seed_folder(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Path:
    folder = tmp_path_factory.mktemp("one-seed")
    shutil.copy(shared_dir / "corpus" / "seeds" / SEED, folder)
    return folder


@pytest.fixture(scope="session")
def reliability_env(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path, seed_folder: Path) -> dict[str, str]:
    """A server environment whose data dir holds the one-seed index (default upload limit: 25 MB)."""
    env = server_env(tmp_path_factory.mktemp("reliability-index"), shared_dir)
    build_index(env, [seed_folder])
    return env


@pytest.fixture(scope="session")
def reliability_server(reliability_env: dict[str, str], artifacts: Path) -> Iterator[LiveServer]:
    with live_server(reliability_env, artifacts / "server-reliability.log") as running:
        yield running


@pytest.fixture
def api(reliability_server: LiveServer) -> Iterator[httpx.Client]:
    with reliability_server.client() as http:
        yield http


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[ChromaServer]:
    """``chroma run`` as a real process on a free loopback port (stopped and restarted by tests)."""
    server = ChromaServer(tmp_path / "chroma-server")
    server.start()
    try:
        yield server
    finally:
        server.stop()
