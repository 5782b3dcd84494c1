"""Load and soak benchmark of the API on loopback (extractive mode, the seeds index), marked slow.

1. Load: 50 concurrent clients ask for 60 s, each sending its next question when the last is answered.
2. Soak: 10 minutes at a steady rate (``SOAK_RATE`` questions per second, scheduled open-loop so a slow
   answer does not lower the rate).

Goals: 0 errors in both; p95 of the load phase <= 5 s on the 2-core machine; the server's resident
memory (RSS of the uvicorn process, sampled every 5 s) flat during the soak: the median of its last
minute at most ``RSS_GROWTH_LIMIT_MB`` above the median of its first minute. Run with
``make bench`` or ``pytest -m slow -s tests/test_load.py``; the figures are printed and written to
``test-artifacts/load.json``.

Besides the client latency each phase records the time the server spent in the answer itself (the
``timings.total`` of each ``Answer``; the rest of a latency is waiting for a thread and the CPU), the
server's CPU seconds per answer and the load average of the machine at start and end, so a missed goal
can be told apart: too little CPU for the rate (``cpu_s_per_answer`` times the rate above the free
cores) or queueing in the server. With 50 clients that ask again as soon as they are answered, the mean
latency is 50 divided by the answers per second (Little's law): p95 <= 5 s needs more than 10 answers/s.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.reliability.measure import cpu_s, rss_mb
from tests.web.server import API_KEY, REPO_ROOT, LiveServer, build_index, live_server, server_env
from vorlagen.domain import Answer

CLIENTS = 50
LOAD_S = 60.0
P95_GOAL_S = 5.0
SOAK_S = 600.0
SOAK_RATE = 4.0
"""Questions per second during the soak (about half of what the load phase sustains)."""
RSS_SAMPLE_S = 5.0
RSS_GROWTH_LIMIT_MB = 50.0


@pytest.fixture(scope="module")
def questions(shared_dir: Path) -> list[str]:
    path = shared_dir / "eval" / "questions.jsonl"
    if not path.exists():
        pytest.skip(f"Fragenkatalog fehlt: {path}")
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def load_server(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Iterator[LiveServer]:
    seeds = shared_dir / "corpus" / "seeds"
    env = server_env(tmp_path_factory.mktemp("load-index"), shared_dir)
    build_index(env, sorted(seeds.glob("*.txt")))
    with live_server(env, REPO_ROOT / "test-artifacts" / "server-load.log") as running:
        yield running


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


class Tally:
    """Latencies and errors of one phase, the server's own answer times and its CPU use."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.latencies: list[float] = []
        self.server_times: list[float] = []
        self.errors: list[str] = []
        self.load_average_start = os.getloadavg()
        self.cpu_start = cpu_s(server_pid)

    async def ask(self, http: httpx.AsyncClient, question: str) -> None:
        started = time.monotonic()
        try:
            response = await http.post("/v1/ask", json={"question": question})
            if response.status_code != 200:
                self.errors.append(f"HTTP {response.status_code}: {response.text[:200]}")
            else:
                answer = Answer.model_validate_json(response.content)
                if not answer.text:
                    self.errors.append(f"leere Antwort auf: {question}")
                self.server_times.append(answer.timings.get("total", 0.0))
        except (httpx.HTTPError, ValueError) as error:
            self.errors.append(f"{type(error).__name__}: {error}")
        self.latencies.append(time.monotonic() - started)

    def figures(self, elapsed: float) -> dict[str, object]:
        answered = max(1, len(self.server_times))
        return {
            "requests": len(self.latencies),
            "requests_per_s": round(len(self.latencies) / elapsed, 2),
            "p50_s": round(statistics.median(self.latencies), 3),
            "p95_s": round(percentile(self.latencies, 0.95), 3),
            "max_s": round(max(self.latencies), 3),
            "server_p50_s": round(statistics.median(self.server_times or [0.0]), 3),
            "server_p95_s": round(percentile(self.server_times or [0.0], 0.95), 3),
            "cpu_s_per_answer": round((cpu_s(self.server_pid) - self.cpu_start) / answered, 3),
            "load_average_start": [round(value, 2) for value in self.load_average_start],
            "load_average_end": [round(value, 2) for value in os.getloadavg()],
            "errors": len(self.errors),
            "error_samples": self.errors[:5],
        }


def _client(base_url: str) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    return httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=120,
                             limits=limits)


async def load_phase(server: LiveServer, questions: list[str]) -> dict[str, object]:
    tally = Tally(server.process.pid)
    started = time.monotonic()
    deadline = started + LOAD_S

    async def client(offset: int) -> None:
        index = offset
        async with _client(server.base_url) as http:
            while time.monotonic() < deadline:
                await tally.ask(http, questions[index % len(questions)])
                index += 1

    await asyncio.gather(*(client(n * 7) for n in range(CLIENTS)))
    return {"clients": CLIENTS, "duration_s": round(time.monotonic() - started, 1),
            **tally.figures(time.monotonic() - started)}


async def soak_phase(server: LiveServer, questions: list[str]) -> dict[str, object]:
    tally = Tally(server.process.pid)
    samples: list[tuple[float, float]] = []
    started = time.monotonic()

    async def sample_rss() -> None:
        while time.monotonic() - started < SOAK_S:
            samples.append((round(time.monotonic() - started, 1), round(rss_mb(server.process.pid), 1)))
            await asyncio.sleep(RSS_SAMPLE_S)

    sampler = asyncio.create_task(sample_rss())
    async with _client(server.base_url) as http:
        pending: set[asyncio.Task[None]] = set()
        number = 0
        while (now := time.monotonic() - started) < SOAK_S:
            task = asyncio.create_task(tally.ask(http, questions[number % len(questions)]))
            pending.add(task)
            task.add_done_callback(pending.discard)
            number += 1
            await asyncio.sleep(max(0.0, number / SOAK_RATE - (time.monotonic() - started)))
        await asyncio.gather(*pending)
    await sampler
    first = [rss for at, rss in samples if at < 60]
    last = [rss for at, rss in samples if at >= SOAK_S - 60]
    return {
        "duration_s": round(time.monotonic() - started, 1), "rate_per_s": SOAK_RATE,
        **tally.figures(time.monotonic() - started),
        "rss_first_minute_mb": statistics.median(first), "rss_last_minute_mb": statistics.median(last),
        "rss_max_mb": max(rss for _, rss in samples),
        "rss_growth_mb": round(statistics.median(last) - statistics.median(first), 1),
        "rss_samples": samples,
    }


@pytest.mark.slow
def test_fifty_clients_for_a_minute_then_a_ten_minute_soak(load_server: LiveServer, questions: list[str]) -> None:
    with load_server.client() as http:  # warm-up: models loaded, caches filled
        for question in questions[:5]:
            assert http.post("/v1/ask", json={"question": question}).status_code == 200
    rss_start = rss_mb(load_server.process.pid)
    load = asyncio.run(load_phase(load_server, questions))
    soak = asyncio.run(soak_phase(load_server, questions))
    figures = {"rss_after_warm_up_mb": round(rss_start, 1), "load": load, "soak": soak}
    print("\nLast- und Dauermessung:", json.dumps({**figures, "soak": {k: v for k, v in soak.items()
                                                                   if k != "rss_samples"}}, ensure_ascii=False, indent=2))
    out = REPO_ROOT / "test-artifacts" / "load.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    missed = [
        goal for goal, met in (
            (f"Last: 0 Fehler (waren {load['errors']}: {load['error_samples']})", load["errors"] == 0),
            (f"Last: p95 <= {P95_GOAL_S} s (war {load['p95_s']} s)", load["p95_s"] <= P95_GOAL_S),
            (f"Dauerlast: 0 Fehler (waren {soak['errors']}: {soak['error_samples']})", soak["errors"] == 0),
            (f"Dauerlast: RSS-Zuwachs <= {RSS_GROWTH_LIMIT_MB} MB (war {soak['rss_growth_mb']} MB)",
             soak["rss_growth_mb"] <= RSS_GROWTH_LIMIT_MB),
        ) if not met
    ]
    assert not missed, "Verfehlte Ziele: " + "; ".join(missed)
