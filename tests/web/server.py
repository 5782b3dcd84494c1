"""Real server processes for the API, browser and load tests.

The index is built in a separate process (``python -m tests.web.build_index``) and then served by a
uvicorn process on a free loopback port; the test process itself never opens Chroma (the embedded
PersistentClient must be owned by one process at a time).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
API_KEY = "test-schluessel-1"
TEST_APP_FACTORY = "tests.web.app_factory:create_test_app"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(data_dir: Path, shared_dir: Path, **settings: str) -> dict[str, str]:
    """Environment of a server process: its own data dir, one API key, extractive answers.

    ``settings``: more ``VORLAGEN_*`` variables, e.g. ``VORLAGEN_API__MAX_UPLOAD_MB="1"``.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("VORLAGEN_")}
    env.update(
        {
            "VORLAGEN_DATA_DIR": str(data_dir),
            "VORLAGEN_SHARED_DIR": str(shared_dir),
            "VORLAGEN_API__API_KEYS": f'["{API_KEY}"]',
            "VORLAGEN_LLM__MODE": "extractive",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "ANONYMIZED_TELEMETRY": "False",
            "PYTHONPATH": str(REPO_ROOT),
        }
    )
    env.update(settings)
    return env


def build_index(env: dict[str, str], paths: list[Path], timeout: float = 600) -> str:
    """Ingest ``paths`` into the data dir of ``env`` in a separate process; returns its output."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.web.build_index", *map(str, paths)],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"Index konnte nicht gebaut werden:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@dataclass
class LiveServer:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def client(self, key: str | None = API_KEY, timeout: float = 120) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout)


def uvicorn_command(port: int, app: str = TEST_APP_FACTORY) -> list[str]:
    return [sys.executable, "-m", "uvicorn", app, "--factory", "--host", "127.0.0.1", "--port", str(port),
            "--log-level", "warning"]


@contextmanager
def live_server(env: dict[str, str], log_path: Path, command: list[str] | None = None, port: int | None = None,
                startup_timeout: float = 180) -> Iterator[LiveServer]:
    """Start a server process, wait until ``/healthz`` answers, stop it afterwards."""
    port = port or free_port()
    command = command or uvicorn_command(port)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        server = LiveServer(base_url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
        try:
            _wait_healthy(server, startup_timeout)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_healthy(server: LiveServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"Server beendet (Code {server.process.returncode}):\n{server.log()}")
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"Server nicht bereit nach {timeout} s:\n{server.log()}")


def wait_for_job(client: httpx.Client, job_id: str, timeout: float = 240) -> dict:
    """Poll an upload job until it is finished or failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/documents/jobs/{job_id}").json()
        if job["status"] in ("fertig", "fehlgeschlagen"):
            return job
        time.sleep(0.5)
    raise TimeoutError(f"Hochladevorgang {job_id} nicht fertig nach {timeout} s")


def sse_events(client: httpx.Client, path: str, body: dict) -> list[tuple[str, object]]:
    """POST and read a whole server-sent event stream as ``[(event, json data), ...]``."""
    import json

    events: list[tuple[str, object]] = []
    with client.stream("POST", path, json=body, headers={"Accept": "text/event-stream"}) as response:
        assert response.status_code == 200, response.read().decode()
        assert response.headers["content-type"].startswith("text/event-stream")
        event, data = "message", []
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
            elif not line and data:
                events.append((event, json.loads("\n".join(data))))
                event, data = "message", []
    return events
