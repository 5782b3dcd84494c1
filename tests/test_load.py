"""Load benchmark: 20 concurrent clients ask for 60 s against the extractive mode, on loopback.

Goal: 0 errors, p95 latency <= 2 s. Run with ``pytest -m slow -s tests/test_load.py``; the figures
are printed and written to ``test-artifacts/load.json``.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.web.server import API_KEY, REPO_ROOT, LiveServer, build_index, live_server, server_env

CLIENTS = 20
DURATION_S = 60.0
P95_GOAL_S = 2.0


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


async def _client(base_url: str, questions: list[str], offset: int, deadline: float,
                  latencies: list[float], errors: list[str]) -> None:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=60) as http:
        index = offset
        while time.monotonic() < deadline:
            question = questions[index % len(questions)]
            index += 1
            started = time.monotonic()
            try:
                response = await http.post("/v1/ask", json={"question": question})
                if response.status_code != 200 or not response.json().get("text"):
                    errors.append(f"HTTP {response.status_code}: {response.text[:200]}")
            except httpx.HTTPError as error:
                errors.append(f"{type(error).__name__}: {error}")
            latencies.append(time.monotonic() - started)


async def _run(base_url: str, questions: list[str]) -> dict[str, float | int | list[str]]:
    latencies: list[float] = []
    errors: list[str] = []
    started = time.monotonic()
    deadline = started + DURATION_S
    await asyncio.gather(*(_client(base_url, questions, n * 7, deadline, latencies, errors) for n in range(CLIENTS)))
    elapsed = time.monotonic() - started
    return {
        "clients": CLIENTS,
        "duration_s": round(elapsed, 1),
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / elapsed, 2),
        "p50_s": round(statistics.median(latencies), 3),
        "p95_s": round(percentile(latencies, 0.95), 3),
        "max_s": round(max(latencies), 3),
        "errors": len(errors),
        "error_samples": errors[:5],
    }


@pytest.mark.slow
def test_twenty_clients_for_a_minute(load_server: LiveServer, questions: list[str]) -> None:
    with load_server.client() as http:  # warm-up: models loaded, caches filled
        for question in questions[:3]:
            assert http.post("/v1/ask", json={"question": question}).status_code == 200
    figures = asyncio.run(_run(load_server.base_url, questions))
    print("\nLastmessung:", json.dumps(figures, ensure_ascii=False, indent=2))
    out = REPO_ROOT / "test-artifacts" / "load.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    assert figures["errors"] == 0, figures["error_samples"]
    assert figures["p95_s"] <= P95_GOAL_S, figures
