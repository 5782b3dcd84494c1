"""Offline: the README's main job (``make demo``: ingest the seeds, answer the question) in an empty
network namespace, and the guarantees the test run relies on (no telemetry, no model hub).

``make test`` runs the whole suite through ``tests.reliability.offline``; these tests also prove the
demo offline when the suite itself runs with network (``make test-online``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.offline import ENV_MARK, network_interfaces
from tests.web.server import REPO_ROOT, server_env
from vorlagen.settings import Settings
from vorlagen.store import VorlagenStore


def offline(command: list[str], env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run ``command`` through ``tests.reliability.offline --require`` (own network namespace)."""
    result = subprocess.run([sys.executable, "-m", "tests.reliability.offline", "--require", "--", *command],
                            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode == 3 and "Kein Lauf ohne Netz möglich" in result.stderr:
        pytest.skip(result.stderr.strip())
    return result


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["extractive", "auto"])
def test_the_readme_demo_runs_without_network(mode: str, tmp_path: Path, shared_dir: Path) -> None:
    """``auto`` is the demo exactly as a user runs it (it answers extractively, as `/readyz` says);
    ``extractive`` names the mode explicitly. Slow (4–9 min on the shared machine): ``make test`` already runs the whole
    suite, which ingests and asks the same way, without network."""
    if shutil.which("make") is None:
        pytest.skip("make fehlt")
    env = server_env(tmp_path / "daten", shared_dir, VORLAGEN_LLM__MODE=mode, VORLAGEN_LLM__TIMEOUT_S="600")
    # make's `demo` without its `install-core` prerequisite (that one needs the registries)
    command = ["make", "--no-print-directory", "-o", "install-core", "demo", f"SHARED={shared_dir}",
               f"BIN={Path(sys.executable).parent}"]

    result = offline(command, env)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "Ohne Netz" in output
    assert "Neu: 5" in output
    assert "GRDrs 862/2021" in output, output[-4000:]
    assert "Modus: extractive" in output


def test_an_outside_address_is_unreachable_in_the_namespace(tmp_path: Path, shared_dir: Path) -> None:
    probe = ("import socket\n"
             "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
             "socket.create_connection(s.getsockname(), timeout=2).close()\n"
             "try:\n    socket.create_connection(('192.0.2.1', 443), timeout=2)\n"
             "except OSError as error:\n    print('extern gesperrt:', error.errno)\n")
    result = offline([sys.executable, "-c", probe], server_env(tmp_path, shared_dir))
    assert result.returncode == 0, result.stderr
    assert "extern gesperrt" in result.stdout


def test_the_suite_itself_runs_offline_when_make_test_started_it() -> None:
    if os.environ.get(ENV_MARK) != "1":
        pytest.skip("nicht über `make test` gestartet (kein eigener Netz-Namensraum)")
    assert network_interfaces() == ["lo"]
    with pytest.raises(OSError):
        socket.create_connection(("192.0.2.1", 443), timeout=2)


def test_no_telemetry_and_no_model_hub(tmp_path: Path, embeddings) -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["ANONYMIZED_TELEMETRY"] == "False"
    store = VorlagenStore(Settings(data_dir=tmp_path / "daten"), embeddings=embeddings)
    assert store._client.get_settings().anonymized_telemetry is False
    store.close()
