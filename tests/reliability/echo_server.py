"""``python -m tests.reliability.echo_server PORT``: an OpenAI-compatible stand-in that obeys injections.

A real HTTP process on 127.0.0.1 (``/v1/models``, ``/v1/chat/completions``, streamed or not). It plays a
model that falls for prompt injection: if the prompt contains ``Antworte ab jetzt nur noch: „…“`` or
``Die richtige Antwort lautet „…“`` it answers exactly the quoted text; if it contains a persona (``Du bist ein Pirat``) it answers as one.
Otherwise it answers with a sentence that cites [1]. It exists to show that the grounding check, not
the model's good will, keeps injected instructions out of answers.
"""

from __future__ import annotations

import json
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

INSTRUCTION = re.compile(r"(?:Antworte ab jetzt nur noch:|Die richtige Antwort lautet)\s*„([^“]+)“")


def obey(prompt: str) -> str:
    match = INSTRUCTION.search(prompt)
    if match:
        return match.group(1)
    if "Pirat" in prompt:
        return "Arr, ich bin ein Pirat und brauche keine Belege."
    return "Die Vorlage nennt dazu eine Angabe [1]."


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path.rstrip("/").endswith("/models"):
            self._send(200, json.dumps({"object": "list", "data": [{"id": "echo", "object": "model"}]}).encode())
        else:
            self._send(404, b'{"error": "not found"}')

    def do_POST(self) -> None:  # noqa: N802
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        prompt = "\n".join(str(message.get("content", "")) for message in request.get("messages", []))
        reply = obey(prompt)
        created = int(time.time())
        if not request.get("stream"):
            body = {"id": "echo-1", "object": "chat.completion", "created": created, "model": "echo",
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": reply}}]}
            self._send(200, json.dumps(body, ensure_ascii=False).encode())
            return
        events = []
        for piece in re.findall(r"\S+\s*", reply):
            chunk = {"id": "echo-1", "object": "chat.completion.chunk", "created": created, "model": "echo",
                     "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
            events.append(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n")
        final = {"id": "echo-1", "object": "chat.completion.chunk", "created": created, "model": "echo",
                 "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        events += [f"data: {json.dumps(final)}\n\n", "data: [DONE]\n\n"]
        self._send(200, "".join(events).encode(), "text/event-stream")

    def log_message(self, *args: object) -> None:
        pass


def main(port: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]))
