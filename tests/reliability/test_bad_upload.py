"""Bad uploads against a real server process: 200 MB streamed, hostile names, hostile contents.

The 200 MB upload is sent over a raw socket (with and without Content-Length) while the server's RSS is
sampled: the server answers 413 long before the body is through and never holds it in memory.
"""

from __future__ import annotations

import select
import socket
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.reliability.corpus import BadInput, binary_named_txt, encrypted_pdf, inflating_pdf, nested_pdf
from tests.reliability.measure import rss_mb
from tests.web.server import API_KEY, LiveServer, wait_for_job

UPLOAD_MB = 200
SEND_PIECE = 1024 * 1024
RSS_GROWTH_LIMIT_MB = 100
GERMAN_TEXT = "Beschlussvorlage\n\nDer Gemeinderat beschließt die Sanierung der Turnhalle Nord für 480.000 Euro.\n"


def documents(api: httpx.Client) -> list[tuple[str, str]]:
    return sorted((d["doc_id"], d["content_hash"]) for d in api.get("/v1/documents").json())


def german_detail(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail and "Error" not in detail
    return detail


def stream_upload(server: LiveServer, megabytes: int, *, chunked: bool) -> tuple[int, bytes, int, float]:
    """POST a ``megabytes`` MB PDF to /v1/documents over a raw socket, piece by piece.

    Stops sending as soon as the server answers or closes. Returns (status, body, bytes sent,
    peak RSS growth of the server in MB).
    """
    host, port = server.base_url.removeprefix("http://").split(":")
    boundary = "grenze" + uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"gross.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    total = len(head) + megabytes * 1024 * 1024 + len(tail)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}"
    request = (f"POST /v1/documents HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {API_KEY}\r\n"
               f"Content-Type: multipart/form-data; boundary={boundary}\r\n{framing}\r\n\r\n").encode()
    pid = server.process.pid
    baseline = peak = rss_mb(pid)
    sent = 0
    piece = b"\0" * SEND_PIECE
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(request)

        def send(data: bytes) -> None:
            nonlocal sent
            sock.sendall(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
            sent += len(data)

        try:
            send(head)
            remaining = megabytes * 1024 * 1024
            while remaining > 0 and not select.select([sock], [], [], 0)[0]:
                send(piece[: min(SEND_PIECE, remaining)])
                remaining -= SEND_PIECE
                peak = max(peak, rss_mb(pid))
            if remaining <= 0:
                send(tail)
                if chunked:
                    sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed; its answer is read below
        response = b""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            response += data
            if b"\r\n\r\n" in response and response.split(b"\r\n\r\n", 1)[1].rstrip().endswith(b"}"):
                break
        peak = max(peak, rss_mb(pid))
    status = int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/1.1") else 0
    return status, response.split(b"\r\n\r\n", 1)[-1], sent, peak - baseline


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_200_mb_upload_is_refused_early_without_holding_it_in_memory(
    chunked: bool, reliability_server: LiveServer, api: httpx.Client, reliability_env: dict[str, str]
) -> None:
    upload_dir = Path(reliability_env["VORLAGEN_DATA_DIR"]) / "uploads"
    before = documents(api), sorted(upload_dir.glob("*")) if upload_dir.exists() else []

    status, body, sent, growth = stream_upload(reliability_server, UPLOAD_MB, chunked=chunked)
    print(f"\n200-MB-Upload ({'gestreamt' if chunked else 'Content-Length'}): HTTP {status} nach "
          f"{sent / 1048576:.1f} MB gesendet, Server-RSS +{growth:.1f} MB")

    assert status == 413, body[:500]
    assert "zu groß" in body.decode() and "25 MB" in body.decode()
    assert sent < 60 * 1024 * 1024, f"{sent / 1048576:.0f} MB gesendet, bevor der Server ablehnte"
    assert growth < RSS_GROWTH_LIMIT_MB, f"Server-RSS wuchs um {growth:.0f} MB"
    assert (documents(api), sorted(upload_dir.glob("*")) if upload_dir.exists() else []) == before
    assert api.get("/healthz").status_code == 200


def post_raw_multipart(api: httpx.Client, filename: str, content: bytes) -> httpx.Response:
    """A multipart upload whose file name goes on the wire byte for byte (httpx would escape NUL)."""
    boundary = "grenze" + uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            "Content-Type: text/plain\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return api.post("/v1/documents", content=body,
                    headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})


@pytest.mark.parametrize(
    "filename",
    ["../../../../tmp/ausbruch-{tag}.txt", "..\\..\\windows\\ausbruch-{tag}.txt", "vor\x00lage-{tag}.txt",
     "{tag}-{long}.txt"],
    ids=["dot-dot-slash", "dot-dot-backslash", "nul-byte", "300-zeichen"],
)
def test_hostile_file_names_stay_inside_the_upload_folder(
    filename: str, api: httpx.Client, reliability_env: dict[str, str]
) -> None:
    tag = uuid.uuid4().hex[:8]
    name = filename.format(tag=tag, long="x" * 280)
    upload_dir = (Path(reliability_env["VORLAGEN_DATA_DIR"]) / "uploads").resolve()
    text = f"{GERMAN_TEXT}Kennung {tag}.\n"

    response = post_raw_multipart(api, name, text.encode())

    assert response.status_code == 202, response.text
    job = wait_for_job(api, response.json()["job_id"])
    assert job["status"] == "fertig", job
    # stored under a generated name inside the upload folder; the user's name is kept only for display
    [document] = [d for d in api.get("/v1/documents").json() if tag in d["source_name"]]
    stored = Path(document["source"]).resolve()
    assert stored.is_file() and stored.parent == upload_dir, stored
    assert tag not in stored.name and "\x00" not in document["source_name"] and len(stored.name.encode()) <= 255
    assert stored.suffix == ".txt"
    assert not list(Path("/tmp").glob(f"ausbruch-{tag}*"))
    assert api.delete(f"/v1/documents/{document['doc_id']}").status_code == 204


HOSTILE_CONTENTS = [
    BadInput("verschluesselt.pdf", encrypted_pdf, "ist verschlüsselt"),
    BadInput("verschachtelt.pdf", nested_pdf, "zu tief verschachtelt"),
    BadInput("zipbombe.pdf", lambda: inflating_pdf(100), "übermäßig entpackt"),
]


@pytest.mark.parametrize("bad", HOSTILE_CONTENTS, ids=lambda bad: bad.name)
def test_hostile_pdf_upload_fails_its_job_in_german_and_stores_nothing(bad: BadInput, api: httpx.Client) -> None:
    before = documents(api)

    response = api.post("/v1/documents", files={"file": (bad.name, bad.make(), "application/pdf")})

    assert response.status_code == 202, response.text
    job = wait_for_job(api, response.json()["job_id"], timeout=60)
    assert job["status"] == "fehlgeschlagen", job
    assert bad.name in job["message"] and bad.expect in job["message"], job["message"]
    assert documents(api) == before
    assert api.get("/healthz").status_code == 200


def test_binary_content_named_txt_is_refused_before_storing(api: httpx.Client) -> None:
    before = documents(api)
    response = api.post("/v1/documents", files={"file": ("notiz.txt", binary_named_txt(), "text/plain")})
    assert "binär" in german_detail(response, 415)
    assert documents(api) == before
