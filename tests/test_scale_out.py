"""Scale-out: two API workers (``vorlagen serve --workers 2``) share one Chroma server and the SQLite
registry with its FTS5 keyword index. Both answer at once, and a document another process adds is found
by both at once (no per-worker index to go stale)."""

from __future__ import annotations

import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.test_store import chroma_server  # noqa: F401 - the real `chroma run` fixture
from tests.web.server import build_index, free_port, live_server, server_env


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(child) for child in (task / "children").read_text().split()]
    return children


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:  # already gone
        return ""


def _workers(server_pid: int, expected: int, timeout: float = 120) -> list[int]:
    """The uvicorn worker processes: children of the supervisor started by multiprocessing's spawn."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = [pid for pid in _children(server_pid) if "spawn_main" in _cmdline(pid)]
        if len(workers) >= expected:
            return workers
        time.sleep(0.5)
    raise AssertionError(f"keine {expected} Worker-Prozesse")


# An access-log line of ``vorlagen serve --workers N`` (api.cli_serve.worker_log_config): the worker's pid first.
_ANSWERED = re.compile(r'^\[(\d+)\] .*"POST /v1/ask HTTP/1\.1" 200', re.MULTILINE)


def _answering_workers(log: str) -> set[int]:
    return {int(pid) for pid in _ANSWERED.findall(log)}


def _ask_all(base_url: str, question: str, times: int) -> list[dict]:
    def ask(_: int) -> dict:
        response = httpx.post(f"{base_url}/v1/ask", json={"question": question}, timeout=180)
        assert response.status_code == 200, response.text
        return response.json()

    with ThreadPoolExecutor(max_workers=times) as pool:
        return list(pool.map(ask, range(times)))


def test_two_workers_answer_at_once_from_one_chroma_server(
    tmp_path: Path, shared_dir: Path, chroma_server: str  # noqa: F811
) -> None:
    env = server_env(tmp_path / "data", shared_dir, VORLAGEN_CHROMA_SERVER_URL=chroma_server,
                     VORLAGEN_API__PUBLIC_READS="true")
    seeds = shared_dir / "corpus/seeds"
    build_index(env, [seeds / "stuttgart_grdrs_862_2021_amtsgruendung_digitalisierung.txt"])
    port = free_port()
    command = [sys.executable, "-m", "api.cli_serve", "--workers", "2", "--port", str(port)]
    with live_server(env, tmp_path / "serve.log", command=command, port=port, startup_timeout=600) as running:
        workers = set(_workers(running.process.pid, 2))
        # The kernel hands each connection to whichever worker accepts first; one round of 16 questions at
        # once nearly always reaches both, a few rounds make "only one ever answers" the only way to fail.
        answered_at_once: set[int] = set()
        for _ in range(6):
            before = running.log()
            answers = _ask_all(running.base_url, "Welche Aufgaben hat das Amt für Digitalisierung?", 16)
            # each worker read the shared index: a cited answer, or a refusal naming the Vorlagen it found there
            assert all(answer["citations"] or answer["vorlagen"] for answer in answers)
            answered_at_once = _answering_workers(running.log()[len(before):])
            if len(answered_at_once) >= 2:
                break
        assert len(answered_at_once) >= 2, f"nur ein Worker hat geantwortet: {answered_at_once} von {workers}"

        # another process adds a document; both workers find it right away
        build_index(env, [seeds / "mitteilung_buendelung_digitalisierung_2024.txt"])
        fresh = _ask_all(running.base_url, "Zu welchem Datum soll das Digitalisierungsamt die Arbeit aufnehmen?", 8)
        assert all(any(c["source_name"] == "mitteilung_buendelung_digitalisierung_2024.txt" for c in a["citations"])
                   for a in fresh)
