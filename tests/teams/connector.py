"""A local stand-in for the Bot Connector service: an HTTP server on loopback that records every
activity the bot posts to its ``serviceUrl`` (``/v3/conversations/{id}/activities[/{replyToId}]``)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class Posted:
    """One request the bot made to the connector."""

    method: str
    path: str
    conversation_id: str | None
    authorization: str | None
    activity: dict[str, Any]

    @property
    def type(self) -> str:
        return str(self.activity.get("type"))

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [a["content"] for a in self.activity.get("attachments") or []
                if a.get("contentType") == "application/vnd.microsoft.card.adaptive"]


class BotConnector:
    def __init__(self) -> None:
        self.posted: list[Posted] = []
        self._lock = threading.Lock()
        connector = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}") if length else {}
                parts = unquote(urlsplit(self.path).path).strip("/").split("/")
                conversation = parts[2] if len(parts) >= 3 and parts[:2] == ["v3", "conversations"] else None
                with connector._lock:
                    connector.posted.append(Posted(self.command, self.path, conversation,
                                                   self.headers.get("Authorization"), body))
                reply = json.dumps({"id": f"antwort-{uuid.uuid4().hex[:12]}"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            do_POST = do_PUT = _record

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def activities(self, conversation_id: str, kind: str | None = None) -> list[Posted]:
        with self._lock:
            return [p for p in self.posted if p.conversation_id == conversation_id and (kind is None or p.type == kind)]

    def wait_for(self, conversation_id: str, done: Callable[[list[Posted]], bool], timeout: float = 60) -> list[Posted]:
        """The conversation's posts once ``done(posts)`` holds (the SDK may finish sending after its 202)."""
        deadline = time.monotonic() + timeout
        while True:
            posts = self.activities(conversation_id)
            if done(posts) or time.monotonic() > deadline:
                return posts
            time.sleep(0.05)


@contextmanager
def bot_connector() -> Iterator[BotConnector]:
    connector = BotConnector()
    thread = threading.Thread(target=connector.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield connector
    finally:
        connector.server.shutdown()
        connector.server.server_close()
