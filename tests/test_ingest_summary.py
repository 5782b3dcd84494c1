"""What an ingest read but did not store reaches its summary: noise pieces the chunker dropped and OParl
records the loader skipped – in ``vorlagen ingest``'s German text and in ``vorlagen ingest --json``.
Real files, a real index in a tmp folder (the API job report: tests/web/test_api_server.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from ingest.pipeline import IngestReport

runner = CliRunner()

NOISY = "karlsruhe_2025-1094_protokoll-gr-top17_verlagerung-des-1-baseball-und-softball-club-karls.txt"
"""A real Karlsruhe protocol excerpt with one piece too short to be a passage (dropped as noise)."""
BODY = "https://ris.example.org/oparl/body/1"
WITHOUT_TEXT = "https://ris.example.org/paper/1"
PAPERS = [
    {"id": WITHOUT_TEXT, "type": "https://schema.oparl.org/1.1/Paper", "body": BODY, "reference": "DS 1/2025",
     "name": "Ohne Text", "auxiliaryFile": [{"name": "Anlage", "text": "  \n"}]},
    {"id": "https://ris.example.org/org/7", "type": "https://schema.oparl.org/1.1/Organization", "name": "Rat"},
    {"id": "https://ris.example.org/paper/2", "type": "https://schema.oparl.org/1.1/Paper", "body": BODY,
     "reference": "DS 2/2025", "name": "Neubau Radweg Musterallee",
     "mainFile": {"name": "Vorlage", "text": "Beschlussvorlage\nDer Rat beschließt den Neubau des Radwegs an der "
                  "Musterallee. Die Kosten betragen 120.000 Euro und werden im Haushalt 2026 bereitgestellt."}},
    {"id": "https://ris.example.org/paper/3", "type": "https://schema.oparl.org/1.1/Paper", "body": BODY,
     "reference": "DS 3/2025", "name": ["kein", "Text"]},
]  # fmt: skip


@pytest.fixture
def corpus(tmp_path: Path, shared_dir: Path) -> Path:
    folder = tmp_path / "eingang"
    folder.mkdir()
    shutil.copy(shared_dir / "corpus" / "real" / "text" / NOISY, folder)
    (folder / "papers.jsonl").write_text("".join(json.dumps(paper) + "\n" for paper in PAPERS), encoding="utf-8")
    return folder


def test_ingest_summary_names_dropped_noise_and_skipped_papers(corpus: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("VORLAGEN_DATA_DIR", str(tmp_path / "index"))
    result = runner.invoke(app, ["ingest", str(corpus)], env={"COLUMNS": "400"})
    assert result.exit_code == 1, result.output  # the invalid paper is a failure; the rest is stored
    text = " ".join(result.output.split())
    assert "Neu: 2" in text
    assert f"Als Rauschen verworfen: 1 Textstück in 1 Dokument (eingang/{NOISY} Zeichen " in text
    assert ": weniger als 40 Buchstaben)." in text
    assert (
        f"OParl „{corpus / 'papers.jsonl'}“: 3 Vorlagen gelesen, übersprungen: 1 ohne Text ({WITHOUT_TEXT}); "
        "1 mit fehlenden oder falschen Feldern; 1 Zeile ohne Vorlage (andere OParl-Objekte)."
    ) in text


def test_ingest_json_is_the_full_report(corpus: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("VORLAGEN_DATA_DIR", str(tmp_path / "index"))
    result = runner.invoke(app, ["ingest", "--json", str(corpus)])
    assert result.exit_code == 1, result.stderr
    report = IngestReport.model_validate_json(result.stdout)  # stdout is the report only; progress went to stderr
    assert sorted(report.added) == sorted([f"eingang/{NOISY}", "https://ris.example.org/paper/2"])
    (dropped,) = report.dropped_chunks
    assert dropped.doc_id == f"eingang/{NOISY}" and dropped.reason == "weniger als 40 Buchstaben"
    assert 0 < dropped.start < dropped.end
    (dump,) = report.oparl_dumps
    assert dump.source == str(corpus / "papers.jsonl") and dump.papers == 3
    assert dump.skipped_without_text == [WITHOUT_TEXT] and dump.skipped_other_objects == 1
    assert len(dump.invalid) == 1 and "Feld „name“ ungültig" in dump.invalid[0]
    (failure,) = report.failed
    assert failure.source == str(corpus / "papers.jsonl") and "1 von 3 Vorlagen" in failure.message

    again = runner.invoke(app, ["ingest", "--json", str(corpus)])
    repeated = IngestReport.model_validate_json(again.stdout)
    assert sorted(repeated.unchanged) == sorted(report.added)
    assert repeated.dropped_chunks == []  # unchanged documents are not chunked again
    assert repeated.oparl_dumps[0].skipped_without_text == [WITHOUT_TEXT]
