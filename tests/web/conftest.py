"""Fixtures: a seeds index in a tmp data dir, served by a real uvicorn process on loopback.

``shared_dir`` comes from tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.web.server import REPO_ROOT, LiveServer, build_index, live_server, server_env

MAX_UPLOAD_MB = 1
"""Small on purpose: the 2.4 MB Nordstemmen PDF is the real oversize upload."""


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = REPO_ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def seeds_env(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> dict[str, str]:
    """Server environment whose data dir holds the index of the five seeds."""
    data_dir = tmp_path_factory.mktemp("seeds-index")
    env = server_env(data_dir, shared_dir, VORLAGEN_API__MAX_UPLOAD_MB=str(MAX_UPLOAD_MB))
    build_index(env, sorted((shared_dir / "corpus" / "seeds").glob("*.txt")))
    return env


@pytest.fixture(scope="session")
def server(seeds_env: dict[str, str], artifacts_dir: Path) -> Iterator[LiveServer]:
    with live_server(seeds_env, artifacts_dir / "server-seeds.log") as running:
        yield running


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as http:
        yield http


@pytest.fixture
def anonymous(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client(key=None) as http:
        yield http
