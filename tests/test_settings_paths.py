"""Where data lives: one resolution of paths at load time, the per-user default, offline mode set by
``load_settings()`` (not on import), and ``vorlagen doctor``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import platformdirs
from typer.testing import CliRunner

from api.cli import app
from vorlagen.settings import PROJECT_ROOT, Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def test_default_data_dir_is_the_per_user_data_directory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("VORLAGEN_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    settings = Settings()
    assert settings.data_dir == Path(platformdirs.user_data_dir("vorlagen-assistent", appauthor=False))
    assert settings.data_dir == tmp_path / "xdg" / "vorlagen-assistent"
    assert settings.llm.model_dir == PROJECT_ROOT / "models"


def test_relative_paths_are_resolved_once_at_load_time(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VORLAGEN_DATA_DIR", "daten")
    monkeypatch.setenv("VORLAGEN_API__UPLOAD_DIR", "eingang")
    settings = Settings()
    monkeypatch.chdir(REPO_ROOT)  # a later change of directory does not move the index
    assert settings.data_dir == tmp_path / "daten"
    assert settings.api.upload_dir == tmp_path / "eingang"
    assert settings.chroma_path == tmp_path / "daten" / "chroma"
    assert all(path.is_absolute() for path in (settings.shared_dir, settings.llm.model_dir, settings.evaluation.reports_dir))


def test_importing_settings_changes_no_environment_load_settings_goes_offline() -> None:
    code = (
        "import os\n"
        "import vorlagen.settings as s\n"
        "print(os.environ.get('HF_HUB_OFFLINE'), os.environ.get('ANONYMIZED_TELEMETRY'))\n"
        "s.load_settings()\n"
        "print(os.environ.get('HF_HUB_OFFLINE'), os.environ.get('ANONYMIZED_TELEMETRY'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "ANONYMIZED_TELEMETRY")}
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["None None", "1 False"]


def test_commands_from_another_folder_use_the_same_index(tmp_path: Path, shared_dir: Path, monkeypatch) -> None:
    """No surprise empty index: the default data dir does not depend on the working directory."""
    monkeypatch.delenv("VORLAGEN_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    seed = shared_dir / "corpus" / "seeds" / "mitteilung_buendelung_digitalisierung_2024.txt"
    (tmp_path / "hier").mkdir()
    (tmp_path / "anderswo").mkdir()
    monkeypatch.chdir(tmp_path / "hier")
    ingested = runner.invoke(app, ["ingest", str(seed)], env={"COLUMNS": "300"})
    assert ingested.exit_code == 0, ingested.output
    expected = tmp_path / "xdg" / "vorlagen-assistent"
    assert f"Index: {expected}" in ingested.output

    monkeypatch.chdir(tmp_path / "anderswo")
    doctor = runner.invoke(app, ["doctor", "--json"])
    assert doctor.exit_code == 0, doctor.output
    report = json.loads(doctor.output)
    assert report["index"]["data_dir"] == str(expected)
    assert (report["index"]["documents"], report["index"]["exists"]) == (1, True) and report["index"]["chunks"] > 0
    assert report["models"]["configured_mode"] == "extractive" and report["models"]["answer_mode"] == "extractive"
    assert report["settings"]["data_dir"] == str(expected)
    assert not list((tmp_path / "anderswo").iterdir()), "nothing is created in the working directory"

    text = runner.invoke(app, ["doctor"], env={"COLUMNS": "300"})
    assert text.exit_code == 0, text.output
    assert str(expected) in text.output and "1 Dokumente" in text.output and "VORLAGEN_LLM__MODE" in text.output


def test_doctor_creates_no_index_and_masks_secrets(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("VORLAGEN_DATA_DIR", str(tmp_path / "nirgends"))
    monkeypatch.setenv("VORLAGEN_API__API_KEYS", '["geheim-123"]')
    result = runner.invoke(app, ["doctor", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["index"]["exists"] is False and report["index"]["documents"] == 0
    assert "geheim-123" not in result.output
    assert not (tmp_path / "nirgends").exists()


def test_invalid_settings_are_a_german_message(monkeypatch) -> None:
    monkeypatch.setenv("VORLAGEN_RETRIEVAL__K", "viele")
    result = runner.invoke(app, ["docs", "list"])
    assert result.exit_code == 2
    assert "Einstellungen" in result.output and "retrieval.k" in result.output
