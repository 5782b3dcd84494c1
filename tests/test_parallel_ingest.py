"""Parallel ingestion (``ingest.parallel``): worker processes prepare, one writer stores — and the result
is exactly the serial ``Ingestor``'s: the same documents, chunks, tokens, vectors and report.

Real corpus (a seed text, a real PDF, Karlsruhe OParl papers as a gzip dump, unreadable input), real
Chroma on disk, the real embedder, real worker processes.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from ingest.oparl import iter_jsonl
from ingest.parallel import ParallelIngestor
from ingest.pipeline import Ingestor, IngestReport
from vorlagen.settings import IngestSettings, Settings
from vorlagen.store import VorlagenStore

PAPERS = 4
"""Karlsruhe papers of 1,500–3,000 characters in the dump (few chunks: the real embedder runs twice)."""
PDF = "erlangen_stbr-buechenbach_2021-05-07_stellungnahme_bebauungsplan-199-odenwaldallee.pdf"
SEED = "mitteilung_buendelung_digitalisierung_2024.txt"


def _text_length(paper: dict) -> int:
    files = [paper.get("mainFile"), *(paper.get("auxiliaryFile") or [])]
    return sum(len((f or {}).get("text") or "") for f in files)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, shared_dir: Path) -> list[Path]:
    """A folder with a seed text, a real PDF and a 'PDF' that is none; a dump of short real papers plus
    one line that is no valid paper."""
    root = tmp_path_factory.mktemp("parallel-corpus")
    papers = [p for p in iter_jsonl(shared_dir / "corpus/karlsruhe/karlsruhe-eval-300.jsonl.gz")
              if 1500 < _text_length(p) < 3000][:PAPERS]
    broken_paper = {**papers[0], "id": None, "name": ["keine", "Zeichenkette"]}
    with gzip.open(root / "karlsruhe-papers.jsonl.gz", "wt", encoding="utf-8") as handle:
        for paper in [*papers[:3], broken_paper, *papers[3:]]:
            handle.write(json.dumps(paper, ensure_ascii=False) + "\n")
    files = root / "dateien"
    files.mkdir()
    shutil.copy(shared_dir / "corpus/real/pdf" / PDF, files / PDF)
    shutil.copy(shared_dir / "corpus/seeds" / SEED, files / SEED)
    (files / "kaputt.pdf").write_bytes(b"Das ist keine PDF-Datei.\n")
    return [files, root / "karlsruhe-papers.jsonl.gz"]


def _ingest(tmp_path: Path, name: str, corpus: list[Path], embeddings, workers: int) -> tuple[IngestReport, VorlagenStore]:
    settings = Settings(data_dir=tmp_path / name, ingest=IngestSettings(workers=workers, batch=2, queue=2))
    store = VorlagenStore(settings, embeddings=embeddings)
    ingestor = ParallelIngestor(settings, store) if workers else Ingestor(settings, store)
    return ingestor.ingest_paths(corpus), store


def _contents(store: VorlagenStore) -> dict:
    documents = store.documents()
    chunk_ids = [row[0] for row in store.registry._db.execute("SELECT chunk_id FROM chunks ORDER BY chunk_id")]
    chunks = store.registry._db.execute("SELECT chunk_id, doc_id, text, metadata_json, tokens FROM chunks ORDER BY chunk_id")
    vectors = store.vectorstore.get(include=["embeddings", "metadatas", "documents"])
    by_id = sorted(zip(vectors["ids"], vectors["documents"], vectors["metadatas"], [list(e) for e in vectors["embeddings"]]))
    return {
        "documents": [d.model_dump() for d in documents],
        "vorlagen": [store.registry.vorlage_json(d.doc_id) for d in documents],
        "chunks": chunks.fetchall(),
        "chunk_ids": chunk_ids,
        "vectors": by_id,
        "keyword_hits": store.keyword_index().search("Bebauungsplan Odenwaldallee Stellungnahme", 10),
    }


def test_parallel_ingestion_stores_exactly_what_serial_ingestion_stores(tmp_path: Path, corpus: list[Path], embeddings) -> None:
    serial_report, serial = _ingest(tmp_path, "serial", corpus, embeddings, workers=0)
    parallel_report, parallel = _ingest(tmp_path, "parallel", corpus, embeddings, workers=2)

    assert len(serial_report.added) == 2 + PAPERS
    compared = ("added", "replaced", "unchanged", "duplicates", "conflicts", "migrated", "failed", "chunks_added")
    assert parallel_report.model_dump(include=set(compared)) == serial_report.model_dump(include=set(compared))
    assert {f.source.rsplit("/", 1)[-1] for f in parallel_report.failed} == {"kaputt.pdf", "karlsruhe-papers.jsonl.gz"}
    expected, got = _contents(serial), _contents(parallel)
    assert got["chunk_ids"] and got["keyword_hits"]
    assert len(got["vectors"]) == len(got["chunk_ids"]) == serial.count_chunks()
    for key in expected:
        assert got[key] == expected[key], key

    again = ParallelIngestor(parallel.settings, parallel).ingest_paths(corpus)
    assert not again.added and not again.replaced and again.chunks_added == 0
    assert sorted(again.unchanged) == sorted(serial_report.added)
    assert parallel.registry.pending() == []
    assert _contents(parallel) == got


def test_worker_count_default_leaves_a_core_for_the_embedder() -> None:
    assert IngestSettings(workers=3).worker_count() == 3
    assert IngestSettings(workers=0).worker_count() == 0
    assert 1 <= IngestSettings().worker_count() <= 4
