"""``/v1/drafts`` against a real uvicorn process with the seeds index: parse, draft, stream, downloads,
the older ``/v1/draft``, German errors."""

from __future__ import annotations

import io

import httpx
from docx import Document as WordDocument

from tests.web.server import sse_events
from tests.web.test_api_server import assert_german_error

LINE = "Gründung eines Amts für Digitalisierung und IT in Stuttgart zum 01.07.2026 mit 4 Stellen E 12, 2026 bis 2027"


def test_parse_then_draft_then_download(client: httpx.Client) -> None:
    parsed = client.post("/v1/drafts/parse", json={"text": LINE})
    assert parsed.status_code == 200, parsed.text
    request = parsed.json()["request"]
    assert request["stadt"] == "Stuttgart" and request["stellen"][0]["gruppe"] == "E 12"
    assert any(item["label"] == "Stelle" for item in parsed.json()["understood"])

    request["abschnitte"] = ["Beschlussantrag", "Begründung", "Finanzielle Auswirkungen"]
    response = client.post("/v1/drafts", json={"request": request})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [s["name"] for s in body["draft"]["sections"]] == request["abschnitte"]
    summe = body["draft"]["cost_table"]["rows"][-1]
    assert summe["label"] == "Summe"
    assert "Die Verwaltung wird ermächtigt" in body["markdown"] and "(vgl. GRDrs 862/2021) [1]" in body["markdown"]
    for citation in body["draft"]["citations"]:
        passage = client.get(f"/v1/documents/{citation['doc_id']}/passages/{citation['chunk_id']}").json()
        assert " ".join(citation["quote"].split()) in " ".join(passage["text"].split())

    docx = client.get(body["docx_url"])
    assert docx.status_code == 200 and docx.headers["content-type"].startswith("application/vnd.openxmlformats")
    word = WordDocument(io.BytesIO(docx.content))
    assert word.tables[-1].rows[0].cells[0].text == "Kostenart (EUR)"
    markdown = client.get(body["markdown_url"])
    assert markdown.status_code == 200 and markdown.text == body["markdown"]


def test_stream_sends_understood_sections_and_the_stored_draft(client: httpx.Client) -> None:
    events = sse_events(client, "/v1/drafts/stream", {"text": LINE, "abschnitte": ["Beschlussantrag", "Anlagen"]})
    types = [event for event, _ in events]
    assert types[0] == "understood" and types[-1] == "done"
    assert [data["section"]["name"] for event, data in events if event == "section"] == ["Beschlussantrag", "Anlagen"]
    draft = next(data for event, data in events if event == "draft")
    assert client.get(draft["docx_url"]).status_code == 200


def test_older_endpoint_and_german_errors(client: httpx.Client) -> None:
    legacy = client.post("/v1/draft", json={"section": "Finanzielle Auswirkungen",
                                           "topic": "Beratung Digitalstrategie: 80 Beratertage je Jahr, Tagessatz 1.150 EUR, 2026 bis 2027"})
    assert legacy.status_code == 200, legacy.text
    draft = legacy.json()["draft"]
    assert [s["name"] for s in draft["sections"]] == ["Finanzielle Auswirkungen"]
    assert "184.000,00 EUR" in draft["sections"][0]["text"]
    assert client.get(legacy.json()["docx_url"]).status_code == 200

    assert_german_error(client.get("/v1/drafts/unbekannt.docx"), 404)
    assert_german_error(client.post("/v1/drafts", json={}), 422)
    # a year after the last cost table is no error: projected, marked „Annahme“ with the assumption's source
    no_table = {"request": {"betreff": "Stelle ohne Tabelle", "stellen": [{"gruppe": "E 9a", "ab": "2031-01-01"}],
                            "abschnitte": ["Finanzielle Auswirkungen"]}}
    projected = client.post("/v1/drafts", json=no_table)
    assert projected.status_code == 200, projected.text
    assert "2031 (Annahme)" in projected.json()["markdown"] and "Quelle der Annahme" in projected.json()["markdown"]
    # figures of a one-line request that no field takes: 422 naming them, unless „trotzdem“
    line = "Digitalisierung der Bauantragsverfahren: 40 bis 60 Beratertage, Tagessatz 1.100 EUR, Sachkosten 2027 20.000 EUR"
    assert "40 bis 60 Beratertage" in assert_german_error(client.post("/v1/drafts", json={"text": line}), 422)
    parsed = client.post("/v1/drafts/parse", json={"text": line}).json()
    assert [u["text"] for u in parsed["unassigned"]] == ["40 bis 60 Beratertage", "1.100 EUR"]
    assert any(item["label"] == "Nicht zugeordnet" for item in parsed["understood"])
    anyway = client.post("/v1/drafts", json={"text": line, "trotzdem": True, "abschnitte": ["Finanzielle Auswirkungen"]})
    assert anyway.status_code == 200 and [u["text"] for u in anyway.json()["unassigned"]] == ["40 bis 60 Beratertage", "1.100 EUR"]
    assert_german_error(client.post("/v1/draft", json={"section": "Sachstand", "topic": "Neubau Sporthalle"}), 422)
