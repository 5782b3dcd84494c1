"""The HTTP API against a real uvicorn process on loopback, over an index of the five seeds."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import MAX_UPLOAD_MB
from tests.web.server import REPO_ROOT, LiveServer, free_port, live_server, server_env, sse_events, wait_for_job

STUTTGART = "stuttgart_grdrs_862_2021_amtsgruendung_digitalisierung.txt"


@pytest.fixture(scope="module")
def eval_questions(shared_dir: Path) -> dict[str, dict]:
    path = shared_dir / "eval" / "questions.jsonl"
    if not path.exists():
        pytest.skip(f"Fragenkatalog fehlt: {path}")
    return {item["id"]: item for item in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if item}


def cited_sources(answer: dict) -> set[str]:
    return {citation["source_name"] for citation in answer["citations"]}


def assert_german_error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail
    assert not any(english in detail for english in ("Not Found", "Unauthorized", "field required", "Internal Server"))
    return detail


# --- operations --------------------------------------------------------------------------------


def test_healthz_and_readyz_report_the_index(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["status"] == "bereit"
    assert body["index"]["data"]["documents"] >= 5
    assert body["index"]["data"]["chunks"] > 5
    assert body["model"]["data"]["mode"] == "extractive"


def test_openapi_docs_list_every_endpoint(anonymous: httpx.Client) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]
    for path in ("/v1/ask", "/v1/ask/stream", "/v1/chat/{session}", "/v1/draft", "/v1/drafts", "/v1/drafts/stream", "/v1/calc/{tool}",
                 "/v1/documents", "/v1/documents/{doc_id}/passages/{chunk_id}", "/healthz", "/readyz"):
        assert path in paths
    assert anonymous.get("/docs").status_code == 200


# --- auth --------------------------------------------------------------------------------------


def test_reads_need_a_key(anonymous: httpx.Client, server: LiveServer) -> None:
    missing = anonymous.post("/v1/ask", json={"question": "Wie viele Stellen?"})
    assert "fehlt" in assert_german_error(missing, 401)
    assert missing.headers["www-authenticate"] == "Bearer"
    assert_german_error(anonymous.get("/v1/documents"), 401)
    with server.client(key="falscher-schluessel") as wrong:
        assert "ungültig" in assert_german_error(wrong.post("/v1/ask", json={"question": "Wie viele Stellen?"}), 401)


def test_uploads_and_deletes_need_a_key(anonymous: httpx.Client, shared_dir: Path) -> None:
    pdf = next((shared_dir / "corpus" / "real" / "pdf").glob("*.pdf"))
    response = anonymous.post("/v1/documents", files={"file": (pdf.name, pdf.read_bytes(), "application/pdf")})
    assert_german_error(response, 401)
    assert_german_error(anonymous.delete(f"/v1/documents/{STUTTGART}"), 401)


# --- ask ---------------------------------------------------------------------------------------


def test_ask_answers_with_citations_from_the_right_vorlage(client: httpx.Client, eval_questions: dict) -> None:
    question = eval_questions["v02"]
    response = client.post("/v1/ask", json={"question": question["question"]})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["text"] and not answer["refused"]
    assert answer["citations"], answer
    assert set(question["sources"]) & cited_sources(answer)
    indices = {citation["index"] for citation in answer["citations"]}
    for marker in re.findall(r"\[(\d+)\]", answer["text"]):
        assert int(marker) in indices


def test_ask_with_filters_that_exclude_everything_refuses_or_cites_nothing(client: httpx.Client, eval_questions: dict) -> None:
    question = eval_questions["v02"]["question"]
    response = client.post("/v1/ask", json={"question": question, "filters": {"stadt": "Gibtsnicht-Stadt"}})
    assert response.status_code == 200, response.text
    assert STUTTGART not in cited_sources(response.json())


def test_ask_rejects_bad_bodies_in_german(client: httpx.Client) -> None:
    assert_german_error(client.post("/v1/ask", json={"question": "   "}), 422)
    invalid = client.post("/v1/ask", json={"k": "viele"})
    assert_german_error(invalid, 422)
    fields = {error["feld"]: error["meldung"] for error in invalid.json()["errors"]}
    assert fields["body.question"] == "Angabe fehlt."
    assert "ganze Zahl" in fields["body.k"]
    too_long = client.post("/v1/ask", json={"question": "Warum? " * 400})
    assert "zu lang" in assert_german_error(too_long, 422)
    assert_german_error(client.post("/v1/ask", content=b"{kein json", headers={"Content-Type": "application/json"}), 422)


def test_ask_stream_sends_tokens_then_citations_then_done(client: httpx.Client, eval_questions: dict) -> None:
    events = sse_events(client, "/v1/ask/stream", {"question": eval_questions["v01"]["question"]})
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "done"
    assert "error" not in kinds, events
    assert "token" in kinds and "citations" in kinds
    assert max(i for i, kind in enumerate(kinds) if kind == "token") < kinds.index("citations")
    streamed = "".join(data if isinstance(data, str) else data.get("text", "") for kind, data in events if kind == "token")
    assert streamed.strip()
    citations = next(data for kind, data in events if kind == "citations")
    assert set(eval_questions["v01"]["sources"]) & {citation["source_name"] for citation in citations}


# --- chat --------------------------------------------------------------------------------------


def test_chat_follow_up_uses_the_earlier_question(client: httpx.Client, eval_questions: dict) -> None:
    session = "test-folgefrage"
    client.delete(f"/v1/chat/{session}")
    first = client.post(f"/v1/chat/{session}", json={"question": eval_questions["v01"]["question"]}).json()
    assert first["turn"] == 1
    follow_up = client.post(f"/v1/chat/{session}", json={"question": "Und wie viel kostet das?"})
    assert follow_up.status_code == 200, follow_up.text
    body = follow_up.json()
    assert body["turn"] == 2
    assert eval_questions["v01"]["question"] in body["retrieval_query"]
    assert STUTTGART in cited_sources(body["answer"])
    history = client.get(f"/v1/chat/{session}").json()["turns"]
    assert [turn["question"] for turn in history] == [eval_questions["v01"]["question"], "Und wie viel kostet das?"]
    assert client.delete(f"/v1/chat/{session}").status_code == 204
    assert client.get(f"/v1/chat/{session}").json()["turns"] == []


def test_chat_stream_records_the_turn(client: httpx.Client, eval_questions: dict) -> None:
    session = "test-stream"
    client.delete(f"/v1/chat/{session}")
    events = sse_events(client, f"/v1/chat/{session}/stream", {"question": eval_questions["v05"]["question"]})
    kinds = [kind for kind, _ in events]
    assert kinds[-2:] == ["session", "done"], kinds
    turns = client.get(f"/v1/chat/{session}").json()["turns"]
    assert len(turns) == 1 and turns[0]["answer"]["text"]


def test_chat_session_id_is_checked(client: httpx.Client) -> None:
    assert "Sitzungskennung" in assert_german_error(client.post("/v1/chat/ung%C3%BCltig!", json={"question": "Wie?"}), 422)


# --- documents and passages --------------------------------------------------------------------


def test_documents_list_has_metadata(client: httpx.Client) -> None:
    documents = {document["source_name"]: document for document in client.get("/v1/documents").json()}
    assert STUTTGART in documents
    stuttgart = documents[STUTTGART]
    assert stuttgart["chunks"] > 0 and stuttgart["content_hash"]


def test_cited_passage_contains_the_quote_and_its_surroundings(client: httpx.Client, eval_questions: dict) -> None:
    answer = client.post("/v1/ask", json={"question": eval_questions["v02"]["question"]}).json()
    citation = answer["citations"][0]
    response = client.get(
        f"/v1/documents/{citation['doc_id']}/passages/{citation['chunk_id']}",
        params={"quote": citation["quote"], "context": 300},
    )
    assert response.status_code == 200, response.text
    passage = response.json()
    assert citation["quote"] in passage["text"]
    assert passage["text"][passage["highlight_start"] : passage["highlight_end"]] == citation["quote"]
    assert passage["before"] or passage["after"]
    assert len(passage["before"]) <= 300 and len(passage["after"]) <= 300


def test_unknown_passage_and_document_are_404_in_german(client: httpx.Client) -> None:
    assert_german_error(client.get(f"/v1/documents/{STUTTGART}/passages/gibt-es-nicht"), 404)
    assert_german_error(client.delete("/v1/documents/gibt-es-nicht.pdf"), 404)


def test_upload_pdf_ask_about_it_and_delete_it(client: httpx.Client, shared_dir: Path) -> None:
    pdf = shared_dir / "corpus" / "real" / "pdf" / "erlangen_stbr-buechenbach_2020-11-25_antrag_neubau-buechenbacher-anlage.pdf"
    response = client.post("/v1/documents", files={"file": (pdf.name, pdf.read_bytes(), "application/pdf")})
    assert response.status_code == 202, response.text
    job = wait_for_job(client, response.json()["job_id"])
    assert job["status"] == "fertig", job
    documents = {document["source_name"]: document for document in client.get("/v1/documents").json()}
    assert pdf.name in documents

    answer = client.post(
        "/v1/ask", json={"question": "Wie viele Unterschriften gegen das geplante Objekt an der Büchenbacher Anlage wurden übergeben?"}
    ).json()
    assert pdf.name in cited_sources(answer), answer

    doc_id = documents[pdf.name]["doc_id"]
    assert client.delete(f"/v1/documents/{doc_id}").status_code == 204
    assert pdf.name not in {document["source_name"] for document in client.get("/v1/documents").json()}
    assert_german_error(client.delete(f"/v1/documents/{doc_id}"), 404)


def test_bad_uploads(client: httpx.Client, shared_dir: Path) -> None:
    real = shared_dir / "corpus" / "real"
    html = next((real / "html").glob("*.html"))
    docx = client.post("/v1/documents", files={"file": ("bericht.docx", html.read_bytes(), "application/octet-stream")})
    assert "nicht unterstützt" in assert_german_error(docx, 415)
    fake_pdf = client.post("/v1/documents", files={"file": ("vorlage.pdf", html.read_bytes(), "application/pdf")})
    assert "keine PDF" in assert_german_error(fake_pdf, 415)
    binary_txt = (real / "pdf").glob("*.pdf").__next__().read_bytes()
    assert_german_error(client.post("/v1/documents", files={"file": ("notiz.txt", binary_txt, "text/plain")}), 415)
    assert "leer" in assert_german_error(client.post("/v1/documents", files={"file": ("leer.txt", b"", "text/plain")}), 422)
    assert_german_error(client.post("/v1/documents", data={"nichts": "x"}), 422)

    big = real / "pdf" / "nordstemmen_DS-35-2024_anlage1_brandschutzbedarfsplan-1-fortschreibung.pdf"
    assert big.stat().st_size > MAX_UPLOAD_MB * 1024 * 1024
    too_large = client.post("/v1/documents", files={"file": (big.name, big.read_bytes(), "application/pdf")})
    assert f"{MAX_UPLOAD_MB} MB" in assert_german_error(too_large, 413)


def test_upload_job_report_shows_dropped_noise(client: httpx.Client, shared_dir: Path) -> None:
    """The job's report is the typed ingest summary, read back from the API's database."""
    noisy = shared_dir / "corpus" / "real" / "text" / (
        "karlsruhe_2025-1094_protokoll-gr-top17_verlagerung-des-1-baseball-und-softball-club-karls.txt"
    )
    response = client.post("/v1/documents", files={"file": (noisy.name, noisy.read_bytes(), "text/plain")})
    assert response.status_code == 202, response.text
    job = wait_for_job(client, response.json()["job_id"])
    assert job["status"] == "fertig", job
    report = job["report"]
    (doc_id,) = report["added"]
    assert doc_id.startswith("upload/") and report["chunks_added"] == 3 and report["failed"] == []
    assert report["dropped_chunks"] == [
        {"doc_id": doc_id, "start": report["dropped_chunks"][0]["start"], "end": report["dropped_chunks"][0]["end"],
         "reason": "weniger als 40 Buchstaben"}
    ]
    assert "Als Rauschen verworfen: 1 Textstück in 1 Dokument" in job["message"]
    listed = {item["job_id"]: item for item in client.get("/v1/documents/jobs").json()}
    assert listed[response.json()["job_id"]]["report"] == report
    assert client.delete(f"/v1/documents/{doc_id}").status_code == 204


def test_upload_jobs_are_listed(client: httpx.Client) -> None:
    response = client.get("/v1/documents/jobs")
    assert response.status_code == 200
    assert_german_error(client.get("/v1/documents/jobs/unbekannt"), 404)


# --- calculation tools -------------------------------------------------------------------------


def test_calc_dispatches_to_the_named_tool(client: httpx.Client) -> None:
    tools = {tool["name"]: tool for tool in client.get("/v1/calc").json()}
    assert "summe_mit_zuschlag" in tools
    response = client.post("/v1/calc/summe_mit_zuschlag", json={"betraege": ["756.150,00", "1.234,56"], "zuschlag_prozent": "10"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["result"]["summe"] == "833123.02"  # (756150 + 1234.56) * 1.1, to the cent, as an exact string
    assert body["text"] == "Summe mit Zuschlag: 833.123,02 EUR"


def test_calc_runs_the_project_cost_tools(client: httpx.Client) -> None:
    tools = {tool["name"] for tool in client.get("/v1/calc").json()}
    assert "beratungskosten" in tools
    response = client.post("/v1/calc/beratungskosten", json={"items": [{"days": "200", "day_rate": "1200"}]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["result"]["total"] == "240000.00"
    assert "240.000,00 EUR" in body["text"]
    empty = client.post("/v1/calc/beratungskosten", json={"items": []})
    assert_german_error(empty, 422)
    assert "mindestens einen Posten" in " ".join(error["meldung"] for error in empty.json()["errors"])


def test_calc_errors_are_german(client: httpx.Client) -> None:
    assert "Verfügbar" in assert_german_error(client.post("/v1/calc/gibt_es_nicht", json={}), 404)
    invalid = client.post("/v1/calc/summe_mit_zuschlag", json={"betraege": ["zwölf"], "zuschlag_prozent": 500})
    assert_german_error(invalid, 422)
    messages = " ".join(error["meldung"] for error in invalid.json()["errors"])
    assert "deutschen Format" in messages and "höchstens 100" in messages


# --- web UI pages ------------------------------------------------------------------------------


def test_ui_pages_are_served_in_german(anonymous: httpx.Client) -> None:
    for path in ("/", "/entwurf", "/dokumente"):
        page = anonymous.get(path)
        assert page.status_code == 200
        assert '<html lang="de">' in page.text and "Zum Inhalt springen" in page.text
    assert anonymous.get("/static/app.js").status_code == 200
    assert_german_error(anonymous.get("/gibt-es-nicht"), 404)


# --- unavailable dependencies and the serve command ---------------------------------------------


def test_unreachable_chroma_and_model_server_give_503(tmp_path: Path, shared_dir: Path, artifacts_dir: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    env = server_env(tmp_path, shared_dir, VORLAGEN_CHROMA_SERVER_URL=closed, VORLAGEN_LLM__MODE="openai",
                     VORLAGEN_LLM__BASE_URL=f"{closed}/v1", VORLAGEN_LLM__MODEL="irgendein-modell")
    with live_server(env, artifacts_dir / "server-unreachable.log") as running, running.client() as http:
        ready = http.get("/readyz")
        assert ready.status_code == 503
        body = ready.json()
        assert body["status"] == "nicht bereit"
        assert not body["index"]["ok"] and not body["model"]["ok"]
        assert "nicht erreichbar" in body["model"]["detail"]
        assert "nicht verfügbar" in assert_german_error(http.post("/v1/ask", json={"question": "Wie viele Stellen?"}), 503)
        assert_german_error(http.get("/v1/documents"), 503)


def test_serve_refuses_several_workers_with_the_embedded_store(tmp_path: Path, shared_dir: Path) -> None:
    env = server_env(tmp_path, shared_dir)
    result = subprocess.run([sys.executable, "-m", "api.cli_serve", "--workers", "2", "--port", str(free_port())],
                            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "PersistentClient" in result.stderr and "VORLAGEN_CHROMA_SERVER_URL" in result.stderr


def test_serve_command_starts_the_app(tmp_path: Path, shared_dir: Path, artifacts_dir: Path) -> None:
    port = free_port()
    env = server_env(tmp_path, shared_dir)
    command = [sys.executable, "-m", "api.cli_serve", "--port", str(port)]
    with live_server(env, artifacts_dir / "server-serve-command.log", command=command, port=port) as running:
        with running.client() as http:
            ready = http.get("/readyz").json()
        assert ready["index"]["data"].get("chunks", 0) == 0
        assert "leer" in ready["index"]["detail"]
