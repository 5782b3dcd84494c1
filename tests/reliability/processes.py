"""Real processes the reliability tests start, stop and kill: a Chroma server, ``vorlagen ingest``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.web.server import free_port


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Prozess beendet (Code {process.returncode}), bevor er auf Port {port} lauschte")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"Port {port} nach {timeout} s nicht offen")


class ChromaServer:
    """``chroma run --path PATH`` on 127.0.0.1; ``stop`` and ``start`` again keep port and data."""

    def __init__(self, path: Path, port: int | None = None) -> None:
        self.path = path
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.executable = Path(sys.executable).with_name("chroma")
        if not self.executable.exists():
            pytest.skip("chroma CLI nicht installiert")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = (self.path.parent / "chroma-server.log").open("ab")
        self.process = subprocess.Popen(
            [str(self.executable), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=log, stderr=subprocess.STDOUT,
            env={"ANONYMIZED_TELEMETRY": "False", "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        )
        wait_for_port(self.port, self.process)

    def stop(self, kill: bool = False) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
