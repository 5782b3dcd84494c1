"""First start of the server, readiness from the answerer's own mode decision, and uploads that leave
nothing behind – against real server processes on loopback."""

from __future__ import annotations

import re
import stat
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi import HTTPException

from api.access_key import login_url, with_access_key
from api.routes.health import model_status
from api.upload import check_file_type, safe_filename
from assistant.llm import answer_mode
from tests.web.server import free_port, live_server, server_env, wait_for_job
from vorlagen.settings import LLMSettings, Settings


def test_access_key_is_created_once_and_kept(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = with_access_key(settings)
    assert first.created and first.key_file == tmp_path / "api-key.txt"
    assert stat.S_IMODE(first.key_file.stat().st_mode) == 0o600
    key = first.generated_key.get_secret_value()
    assert len(key) >= 40 and [k.get_secret_value() for k in first.settings.api.api_keys] == [key]
    again = with_access_key(settings)
    assert not again.created and again.generated_key.get_secret_value() == key
    assert login_url("0.0.0.0", 8000, again.generated_key) == f"http://127.0.0.1:8000/#schluessel={key}"

    configured = Settings(data_dir=tmp_path / "b", api={"api_keys": ["eigener"]})
    assert with_access_key(configured).generated_key is None and not (tmp_path / "b").exists()


def test_first_start_prints_a_login_url_that_works(tmp_path: Path, shared_dir: Path, artifacts_dir: Path) -> None:
    """``vorlagen serve`` with default settings: loopback, a generated key, reads and writes work with it."""
    port = free_port()
    env = server_env(tmp_path, shared_dir)
    del env["VORLAGEN_API__API_KEYS"]
    log_path = artifacts_dir / "server-first-start.log"
    command = [sys.executable, "-m", "api.cli_serve", "--port", str(port)]
    with live_server(env, log_path, command=command, port=port) as running:
        match = re.search(r"http://127\.0\.0\.1:(\d+)/#schluessel=(\S+)", running.log())
        assert match and int(match.group(1)) == port, running.log()
        key = match.group(2)
        assert "beim ersten Start erzeugt" in running.log() and f"Index: {tmp_path}" in running.log()
        assert (tmp_path / "api-key.txt").read_text().strip() == key
        with httpx.Client(base_url=running.base_url, timeout=60) as anonymous:
            assert anonymous.get("/v1/documents").status_code == 401
            assert anonymous.get("/").status_code == 200
        with running.client(key=key) as client:
            assert client.get("/v1/documents").json() == []
            upload = client.post("/v1/documents", files={"file": ("notiz.txt", "Kurze Notiz zur Sitzung.".encode(), "text/plain")})
            assert upload.status_code == 202, upload.text
    assert re.search(r"Uvicorn running on http://127\.0\.0\.1:", running.log()), "bound to loopback"


def test_readyz_asks_the_answerers_mode_decision(tmp_path: Path, monkeypatch) -> None:
    def settings(**llm: object) -> Settings:
        return Settings(data_dir=tmp_path, llm=LLMSettings(model_dir=tmp_path, **llm))

    (tmp_path / Settings().llm.local_model_file).write_bytes(b"GGUF")  # the file is there ...
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # ... but llama.cpp cannot be imported
    for mode in ("local", "auto", "extractive", "openai"):
        status = model_status(settings(mode=mode))
        assert status.data["answer_mode"] == answer_mode(settings(mode=mode)).mode == "extractive"
    local = model_status(settings(mode="local"))
    assert not local.ok and "llama-cpp-python" in local.detail
    auto = model_status(settings(mode="auto"))
    assert auto.ok and "llama-cpp-python" in auto.detail and "extraktiv" in auto.detail
    assert not model_status(settings(mode="openai")).ok  # no server URL: cannot work


def test_long_names_keep_their_ending() -> None:
    name = "Beschlussvorlage " + "sehr lang " * 40 + ".pdf"
    safe = safe_filename(name)
    assert len(safe) <= 180 and safe.endswith(".pdf")
    assert check_file_type(safe, b"%PDF-1.7\n") == "PDF"
    assert safe_filename("../../etc/passwd\x00.txt") == "passwd.txt"
    with pytest.raises(HTTPException, match="ohne Endung"):
        check_file_type(safe_filename("README"), b"Text")


def _upload_dir(seeds_env: dict[str, str]) -> Path:
    return Path(seeds_env["VORLAGEN_DATA_DIR"]) / "uploads"


def test_upload_is_stored_under_its_upload_id_and_shown_with_its_name(client: httpx.Client, seeds_env: dict[str, str]) -> None:
    name = "Vorlage " + "Neubau Radweg " * 20 + ".txt"
    text = "Beschlussvorlage\n\nBetreff: Radweg am Kanal\n\nDer Radweg am Kanal wird auf 3,5 Meter verbreitert.\n"
    response = client.post("/v1/documents", files={"file": (name, text.encode(), "text/plain")})
    assert response.status_code == 202, response.text
    job = wait_for_job(client, response.json()["job_id"])
    assert job["status"] == "fertig", job
    shown = safe_filename(name)
    document = next(d for d in client.get("/v1/documents").json() if d["source_name"] == shown)
    upload_id = document["doc_id"].removeprefix("upload/")
    assert re.fullmatch(r"[0-9a-f]{32}", upload_id)
    stored = _upload_dir(seeds_env) / f"{upload_id}.txt"
    assert stored.is_file() and document["source"] == str(stored)
    assert client.delete(f"/v1/documents/{document['doc_id']}").status_code == 204
    assert not stored.exists()


def test_failed_and_duplicate_uploads_leave_no_file(client: httpx.Client, seeds_env: dict[str, str], shared_dir: Path) -> None:
    before = set(_upload_dir(seeds_env).glob("*")) if _upload_dir(seeds_env).exists() else set()
    pdf = next((shared_dir / "corpus" / "real" / "pdf").glob("*.pdf")).read_bytes()[:4000]  # cut off: unreadable
    broken = client.post("/v1/documents", files={"file": ("kaputt.pdf", pdf, "application/pdf")})
    assert broken.status_code == 202, broken.text
    job = wait_for_job(client, broken.json()["job_id"])
    assert job["status"] == "fehlgeschlagen" and "kaputt.pdf" in job["message"], job

    seed = (shared_dir / "corpus" / "seeds" / "hilden_sv_12_037_mehrwerte_stellen.txt").read_bytes()
    duplicate = client.post("/v1/documents", files={"file": ("nochmal.txt", seed, "text/plain")})
    job = wait_for_job(client, duplicate.json()["job_id"])
    assert job["status"] == "fertig" and "bereits unter anderem Namen" in job["message"], job
    time.sleep(0.2)
    assert set(_upload_dir(seeds_env).glob("*")) == before
