"""One mode everywhere: ``/readyz`` (``model.data.answer_mode``), ``vorlagen doctor`` and the mode an answer
reports („Modus: …“ under every answer) come from the same decision (``assistant.llm.answer_mode``).

Before this test, ``auto`` with an installed local model made ``/readyz`` and ``vorlagen doctor`` say
``local`` while every answer said ``extractive``. The settings differ only in what is installed and
configured; the answers come from the real seeds index.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.cli_doctor import models_report
from api.routes.health import mode_options, model_status
from assistant.llm import answer_mode, llama_cpp_available
from assistant.service import AssistantService
from vorlagen.settings import LLMSettings, Settings

QUESTION = "Wie hoch sind die zusätzlichen Personalaufwendungen für das Stuttgarter Amt für Digitalisierung und IT?"


@pytest.fixture()
def model_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A model folder that holds the local model file, with llama.cpp importable: what ``make llm`` leaves.

    The file only has to exist (nothing may load it: ``auto`` answers without a model); where
    llama-cpp-python is not installed, an empty package of that name stands in for it."""
    folder = tmp_path / "modelle"
    folder.mkdir()
    (folder / LLMSettings().local_model_file).write_bytes(b"GGUF")
    if not llama_cpp_available():
        stand_in = tmp_path / "site"
        (stand_in / "llama_cpp").mkdir(parents=True)
        (stand_in / "llama_cpp" / "__init__.py").write_text("")
        monkeypatch.syspath_prepend(str(stand_in))
    assert llama_cpp_available()
    return folder


def _settings(base: Settings, model_dir: Path, **llm: object) -> Settings:
    return base.model_copy(update={"llm": LLMSettings(model_dir=model_dir, **llm)})


def _three_modes(settings: Settings, store) -> tuple[str, str, str]:
    """(/readyz, vorlagen doctor, the answer's „Modus: …“)."""
    ready = model_status(settings).data["answer_mode"]
    doctor = models_report(settings).answer_mode
    answer = AssistantService(settings, store).ask(QUESTION)
    assert answer.citations and answer.citations[0].drucksache == "GRDrs 862/2021"
    return ready, doctor, answer.mode


def test_auto_without_a_model_is_extractive_everywhere(seeds_settings: Settings, seeds_store, tmp_path: Path) -> None:
    settings = _settings(seeds_settings, tmp_path / "keine-modelle", mode="auto")
    assert not next(o for o in mode_options(settings) if o.mode == "local").available
    assert _three_modes(settings, seeds_store) == ("extractive", "extractive", "extractive")


def test_auto_with_an_installed_model_is_extractive_everywhere(
    seeds_settings: Settings, seeds_store, model_installed: Path
) -> None:
    settings = _settings(seeds_settings, model_installed, mode="auto")
    options = {option.mode: option.available for option in mode_options(settings)}
    assert options == {"extractive": True, "local": True, "openai": False}
    ready, doctor, answered = _three_modes(settings, seeds_store)
    assert ready == doctor == answered == "extractive"
    # the draft prose is what ``auto`` hands to an available model: reported apart, not as the answer mode
    assert model_status(settings).data["draft_mode"] == models_report(settings).draft_mode == "local"


def test_auto_with_a_configured_server_still_answers_extractively(
    seeds_settings: Settings, seeds_store, tmp_path: Path
) -> None:
    """A configured server is available, but ``auto`` answers without it (``auto_uses_model`` off):
    nothing contacts the (closed) port."""
    settings = _settings(seeds_settings, tmp_path, mode="auto", base_url="http://127.0.0.1:9/v1", timeout_s=1)
    assert _three_modes(settings, seeds_store) == ("extractive", "extractive", "extractive")


def test_auto_uses_model_switches_all_three_reports(seeds_settings: Settings, model_installed: Path) -> None:
    """With ``auto_uses_model`` the decision says ``local`` – and ``/readyz`` and the doctor follow it."""
    settings = _settings(seeds_settings, model_installed, mode="auto", auto_uses_model=True)
    assert answer_mode(settings).mode == "local"
    assert model_status(settings).data["answer_mode"] == models_report(settings).answer_mode == "local"


def test_local_without_a_model_says_so_everywhere(seeds_settings: Settings, seeds_store, tmp_path: Path) -> None:
    settings = _settings(seeds_settings, tmp_path / "keine-modelle", mode="local")
    answer = AssistantService(settings, seeds_store).ask(QUESTION)
    assert model_status(settings).data["answer_mode"] == models_report(settings).answer_mode == answer.mode == "extractive"
    assert any("make llm" in option.detail for option in mode_options(settings))
    assert any("vorlagen models install" in notice for notice in answer.notices)


def test_doctor_lists_the_modes_and_how_to_add_the_model(tmp_path: Path) -> None:
    """``vorlagen doctor --json`` and its text name every mode; the missing local model points to ``make llm``."""
    env = {"VORLAGEN_DATA_DIR": str(tmp_path / "daten"), "VORLAGEN_LLM__MODEL_DIR": str(tmp_path / "leer"),
           "VORLAGEN_LLM__MODE": "auto"}
    result = CliRunner().invoke(app, ["doctor", "--json"], env=env)
    assert result.exit_code == 0, result.output
    models = json.loads(result.output)["models"]
    assert models["answer_mode"] == "extractive"
    assert [(m["mode"], m["available"]) for m in models["modes"]] == [
        ("extractive", True), ("local", False), ("openai", False)]
    text = CliRunner().invoke(app, ["doctor"], env=env, terminal_width=200)
    assert "verwendet extractive" in text.output and "make llm" in text.output


def test_models_status_names_the_answer_mode_apart_from_the_draft_mode(model_installed: Path, tmp_path: Path) -> None:
    env = {"VORLAGEN_DATA_DIR": str(tmp_path / "daten"), "VORLAGEN_LLM__MODEL_DIR": str(model_installed),
           "VORLAGEN_LLM__MODE": "auto"}
    result = CliRunner().invoke(app, ["models", "status"], env=env, terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Antworten: extractive, Entwürfe: local" in result.output
