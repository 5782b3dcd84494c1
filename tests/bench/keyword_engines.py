"""Keyword engines compared on the same German tokens: rank_bm25 (the former index), SQLite FTS5 (the
chosen one) and bm25s. Per engine: full build, adding one document, query latency, index size.

Run: ``.venv/bin/python -m tests.bench.keyword_engines 300 1853`` (sizes from ``tests.bench.corpus.DUMPS``);
prints one JSON line per (engine, size). Used by ``tests/bench/test_bench_keyword.py`` and
``docs/benchmarks.md``.
"""

from __future__ import annotations

import json
import pickle
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from tests.bench.corpus import TokenizedChunk, iter_vorlagen, latencies_ms, percentile, questions, tokenized_chunks
from vorlagen.settings import Settings
from vorlagen.store.keyword import KEYWORD_SCHEMA, KeywordIndex
from vorlagen.text import tokenize


class EngineResult(BaseModel):
    engine: str
    papers: int
    chunks: int
    build_s: float
    add_one_s: float
    """Adding the last document to an index of all the others."""
    query_p50_ms: float
    query_p95_ms: float
    size_mb: float


def bench_rank_bm25(docs: list[list[TokenizedChunk]], queries: list[str], folder: Path) -> EngineResult:
    from rank_bm25 import BM25Okapi

    flat = [c for doc in docs for c in doc]
    started = time.perf_counter()
    BM25Okapi([c.tokens for c in flat[: len(flat) - len(docs[-1])]])
    build = time.perf_counter() - started
    started = time.perf_counter()
    index = BM25Okapi([c.tokens for c in flat])  # rank_bm25 cannot add: rebuild
    path = folder / "bm25.pickle"
    path.write_bytes(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
    add_one = time.perf_counter() - started

    def search(query: str) -> None:
        scores = index.get_scores(tokenize(query))
        np.argsort(-scores)[:30]

    times = latencies_ms(queries, search)
    return EngineResult(
        engine="rank_bm25", papers=len(docs), chunks=len(flat), build_s=build, add_one_s=add_one,
        query_p50_ms=percentile(times, 0.5), query_p95_ms=percentile(times, 0.95),
        size_mb=path.stat().st_size / 2**20,
    )


def bench_fts5(
    docs: list[list[TokenizedChunk]], queries: list[str], folder: Path, max_df_share: float = 1.0
) -> EngineResult:
    path = folder / "fts.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(KEYWORD_SCHEMA)
    index = KeywordIndex(db, lambda: 0, max_df_share)
    started = time.perf_counter()
    with db:
        for doc in docs[:-1]:
            KeywordIndex.add(db, doc[0].doc_id if doc else "", [(c.chunk_id, " ".join(c.tokens), c.metadata) for c in doc])
    build = time.perf_counter() - started
    started = time.perf_counter()
    with db:
        last = docs[-1]
        KeywordIndex.add(db, "last", [(c.chunk_id, " ".join(c.tokens), c.metadata) for c in last])
    add_one = time.perf_counter() - started
    times = latencies_ms(queries, lambda query: index.search(query, 30))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    result = EngineResult(
        engine="sqlite-fts5" if max_df_share >= 1 else f"sqlite-fts5 (df ≤ {max_df_share:.0%})", papers=len(docs), chunks=len(index), build_s=build, add_one_s=add_one,
        query_p50_ms=percentile(times, 0.5), query_p95_ms=percentile(times, 0.95),
        size_mb=path.stat().st_size / 2**20,
    )
    db.close()
    return result


def bench_bm25s(docs: list[list[TokenizedChunk]], queries: list[str], folder: Path) -> EngineResult:
    import bm25s

    flat = [c for doc in docs for c in doc]
    started = time.perf_counter()
    bm25s.BM25().index([c.tokens for c in flat[: len(flat) - len(docs[-1])]], show_progress=False)
    build = time.perf_counter() - started
    started = time.perf_counter()
    index = bm25s.BM25()
    index.index([c.tokens for c in flat], show_progress=False)  # bm25s cannot add either: rebuild
    index.save(str(folder / "bm25s"))
    add_one = time.perf_counter() - started

    def search(query: str) -> None:
        tokens = [t for t in tokenize(query) if t in index.vocab_dict]
        if tokens:
            index.retrieve([tokens], k=30, show_progress=False, n_threads=1)

    times = latencies_ms(queries, search)
    size = sum(p.stat().st_size for p in (folder / "bm25s").rglob("*") if p.is_file())
    return EngineResult(
        engine="bm25s", papers=len(docs), chunks=len(flat), build_s=build, add_one_s=add_one,
        query_p50_ms=percentile(times, 0.5), query_p95_ms=percentile(times, 0.95), size_mb=size / 2**20,
    )


def compare(shared_dir: Path, papers: int) -> Iterator[EngineResult]:
    docs = [doc for doc in tokenized_chunks(iter_vorlagen(shared_dir, papers)) if doc]
    queries = questions(shared_dir)
    for bench in (bench_rank_bm25, bench_fts5, partial(bench_fts5, max_df_share=0.25), bench_bm25s):
        with tempfile.TemporaryDirectory() as folder:
            yield bench(docs, queries, Path(folder))


if __name__ == "__main__":
    settings = Settings()
    shared = settings.shared_dir if settings.shared_dir.is_absolute() else (Path.cwd() / settings.shared_dir).resolve()
    for size in [int(arg) for arg in sys.argv[1:]] or [300]:
        for result in compare(shared, size):
            print(json.dumps(result.model_dump()), flush=True)
