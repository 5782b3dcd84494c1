"""Shared fixtures: the read-only data folder beside the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

from vorlagen.settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``Settings().shared_dir`` (relative paths resolved against the repository root)."""
    configured = Settings().shared_dir
    path = configured if configured.is_absolute() else (REPO_ROOT / configured).resolve()
    if not path.is_dir():
        pytest.skip(f"Datenordner {path} fehlt (Settings.shared_dir / VORLAGEN_SHARED_DIR)")
    return path
