"""Scale-out: two API workers (``vorlagen serve --workers 2``) share one Chroma server and the SQLite
registry with its FTS5 keyword index. Both answer at once, and a document another process adds is found
by both at once (no per-worker index to go stale)."""

from __future__ import annotations

import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.test_store import chroma_server  # noqa: F401 - the real `chroma run` fixture
from tests.web.server import build_index, free_port, live_server, server_env


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        children += [int(child) for child in text]
    return children


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # gone (uvicorn replaces a worker that misses its health check on busy cores)
        return None
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime in clock ticks (100 Hz)


class CpuSampler(threading.Thread):
    """Samples the CPU time of every worker while the questions run (workers may be replaced)."""

    def __init__(self, server_pid: int) -> None:
        super().__init__(daemon=True)
        self.server_pid = server_pid
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            for pid in [p for p in _children(self.server_pid) if "spawn_main" in _cmdline(p)]:
                seconds = _cpu_seconds(pid)
                if seconds is not None:
                    self.first.setdefault(pid, seconds)
                    self.last[pid] = seconds
            time.sleep(0.2)

    def used(self) -> dict[int, float]:
        self.done.set()
        self.join()
        return {pid: self.last[pid] - self.first[pid] for pid in self.last}


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
        _workers(running.process.pid, 2)
        sampler = CpuSampler(running.process.pid)
        sampler.start()
        time.sleep(1)
        answers = _ask_all(running.base_url, "Welche Aufgaben hat das Amt für Digitalisierung?", 16)
        assert all(answer["citations"] for answer in answers)
        used = sampler.used()
        assert sum(seconds > 0.15 for seconds in used.values()) >= 2, f"nur ein Worker hat geantwortet: {used}"

        # another process adds a document; both workers find it right away
        build_index(env, [seeds / "mitteilung_buendelung_digitalisierung_2024.txt"])
        fresh = _ask_all(running.base_url, "Wann nimmt das Digitalisierungsamt die Arbeit auf?", 8)
        assert all(any(c["source_name"] == "mitteilung_buendelung_digitalisierung_2024.txt" for c in a["citations"])
                   for a in fresh)
