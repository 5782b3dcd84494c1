"""Keyword engines compared on a large stored index (the 287.241 chunks of ``tests.bench.scale 13518``).

Every engine gets the tokens stored in the registry's ``chunks.tokens`` (``vorlagen.text.tokenize``, no
re-tokenizing) and the 33 dev questions × 3. Per variant: build time, adding one document (remove and
add again the rows of 10 papers spread over the index: median and maximum), query p50/p95, size, and
how close its ranking stays to today's (SQLite FTS5, ``KEYWORD_MAX_DF_SHARE`` 0,25): overlap of the
top 30 and the top 5, and the share of questions whose best chunk of today is in the variant's top 5.

Variants: FTS5 as in the product with several token selections (share of chunks 0,25 / 0,10 / 1,0, the
4 rarest tokens, rare-token-first: ``r1 AND r2`` of the two rarest, OR as fallback), FTS5 with
``detail=column`` (no positions; bm25's term frequency is then 1 per column) and tantivy
(``vorlagen.store.tantivy_index``, BM25 with block-max WAND). The load average is stated per variant.

Run: ``.venv/bin/python -m tests.bench.keyword_engines_scale [--registry …/registry.sqlite3]``; prints one
JSON line per variant and appends it to ``reports/bench-scale/keyword-engines-scale.jsonl``.
``--registry-writes tantivy|fts5``: the registry's own write cost per paper with that engine (no Chroma).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from pydantic import BaseModel

from tests.bench.corpus import latencies_ms, percentile, questions
from vorlagen.settings import Settings
from vorlagen.store.keyword import KEYWORD_SCHEMA, KeywordIndex, fts_query
from vorlagen.store.tantivy_index import KeywordRow, TantivyKeywordEngine
from vorlagen.text import tokenize

Search = Callable[[str, int], list[tuple[str, float]]]


class VariantResult(BaseModel):
    variant: str
    chunks: int
    build_s: float | None
    """None: the variant searches the registry's own index (nothing built)."""
    add_one_median_ms: float | None
    add_one_max_ms: float | None
    query_p50_ms: float
    query_p95_ms: float
    overlap_at_30: float
    overlap_at_5: float
    best_in_top_5: float
    size_mb: float | None
    load_average: tuple[float, float, float]


_ROWS_SQL = (
    "SELECT rowid, chunk_id, doc_id, tokens, json_extract(metadata_json, '$.stadt'), "
    "json_extract(metadata_json, '$.vorlagenart'), json_extract(metadata_json, '$.drucksache'), "
    "json_extract(metadata_json, '$.year') FROM chunks"
)


def _keyword_rows(db: sqlite3.Connection, where: str = "", values: tuple = ()) -> Iterator[tuple[int, KeywordRow]]:
    for rowid, chunk_id, doc_id, tokens, stadt, art, drucksache, year in db.execute(_ROWS_SQL + where, values):
        yield rowid, KeywordRow(
            chunk_id=chunk_id, doc_id=doc_id, tokens=tokens, stadt=stadt, vorlagenart=art, drucksache=drucksache,
            year=year,
        )


def _sample_docs(db: sqlite3.Connection, count: int = 10) -> list[str]:
    ids = [row[0] for row in db.execute("SELECT doc_id FROM documents ORDER BY rowid")]
    return [ids[i * (len(ids) - 1) // (count - 1)] for i in range(count)]


def _folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def _fts5_token_selections(index: KeywordIndex) -> dict[str, Search]:
    """Token selections on one FTS5 index: the product's (``max_df_share``) and two stricter ones."""

    def rarest(query: str, count: int) -> list[str]:
        unique = list(dict.fromkeys(tokenize(query)))
        frequencies = {token: index.document_frequency(token) for token in unique}
        return sorted((t for t in unique if frequencies[t] > 0), key=frequencies.__getitem__)[:count]

    def run(match: str, k: int) -> list[tuple[str, float]]:
        rows = index._db.execute(
            "SELECT chunk_id, bm25(chunk_fts) FROM chunk_fts WHERE chunk_fts MATCH ? ORDER BY bm25(chunk_fts) LIMIT ?",
            (match, k),
        ).fetchall()
        return [(chunk_id, -score) for chunk_id, score in rows]

    def top4(query: str, k: int) -> list[tuple[str, float]]:
        tokens = rarest(query, 4)
        return run(fts_query(tokens), k) if tokens else []

    def rare_first(query: str, k: int) -> list[tuple[str, float]]:
        tokens = rarest(query, 2)
        if len(tokens) == 2:
            hits = run(f'"{tokens[0]}" AND "{tokens[1]}"', k)
            if len(hits) >= k:
                return hits
        return index.search(query, k)

    return {"rarest 4 tokens": top4, "rare-token-first (AND of 2 rarest, else OR)": rare_first}


def _compare(search: Search, reference: dict[str, list[str]], queries: list[str]) -> tuple[float, float, float]:
    at30 = at5 = best = 0.0
    for query in queries:
        theirs = reference[query]
        ours = [chunk_id for chunk_id, _ in search(query, 30)]
        at30 += len(set(theirs) & set(ours)) / max(1, len(theirs))
        at5 += len(set(theirs[:5]) & set(ours[:5])) / max(1, len(theirs[:5]))
        best += bool(theirs) and theirs[0] in ours[:5]
    return at30 / len(queries), at5 / len(queries), best / len(queries)


def _result(name: str, search: Search, chunks: int, reference, queries, build=None, adds=None, size=None) -> VariantResult:
    times = latencies_ms(queries, lambda query: search(query, 30))
    at30, at5, best = _compare(search, reference, queries)
    return VariantResult(
        variant=name, chunks=chunks, build_s=build,
        add_one_median_ms=statistics.median(adds) if adds else None, add_one_max_ms=max(adds) if adds else None,
        query_p50_ms=percentile(times, 0.5), query_p95_ms=percentile(times, 0.95),
        overlap_at_30=at30, overlap_at_5=at5, best_in_top_5=best, size_mb=size, load_average=os.getloadavg(),
    )


def bench_registry_fts5(db: sqlite3.Connection, queries: list[str], today: KeywordIndex, reference) -> Iterator[VariantResult]:
    """The product's FTS5 index as stored, with several token selections (nothing built)."""
    chunks = int(db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
    yield _result("fts5 (today: df share ≤ 0,25)", today.search, chunks, reference, queries)
    for share in (0.10, 1.0):
        index = KeywordIndex(db, lambda: 0, share)
        yield _result(f"fts5 df share ≤ {share:.2f}".replace(".", ","), index.search, chunks, reference, queries)
    for name, search in _fts5_token_selections(today).items():
        yield _result(f"fts5 {name}", search, chunks, reference, queries)


def bench_fts5_copy(db: sqlite3.Connection, queries: list[str], reference, folder: Path, detail: str) -> VariantResult:
    """An FTS5 index with ``detail`` built from the stored tokens in a separate file."""
    path = folder / f"fts5-{detail}.sqlite3"
    copy = sqlite3.connect(path)
    copy.execute("PRAGMA journal_mode=WAL")
    schema = KEYWORD_SCHEMA if detail == "full" else KEYWORD_SCHEMA.replace("tokenize =", f"detail={detail}, tokenize =")
    copy.executescript(schema)
    insert = (
        "INSERT INTO chunk_fts(rowid, tokens, chunk_id, doc_id, stadt, vorlagenart, drucksache, year) VALUES (?,?,?,?,?,?,?,?)"
    )

    def values(rows: Iterator[tuple[int, KeywordRow]]) -> Iterator[tuple]:
        for rowid, r in rows:
            yield rowid, r.tokens, r.chunk_id, r.doc_id, r.stadt, r.vorlagenart, r.drucksache, r.year

    started = time.perf_counter()
    with copy:
        copy.executemany(insert, values(_keyword_rows(db)))
    build = time.perf_counter() - started
    adds = []
    for doc_id in _sample_docs(db):
        rows = list(_keyword_rows(db, " WHERE doc_id = ?", (doc_id,)))
        started = time.perf_counter()
        with copy:
            copy.executemany("DELETE FROM chunk_fts WHERE rowid = ?", [(rowid,) for rowid, _ in rows])
            copy.executemany(insert, values(iter(rows)))
        adds.append((time.perf_counter() - started) * 1000)
    copy.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    index = KeywordIndex(copy, lambda: 0, 0.25)
    chunks = int(db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
    search = index.search
    if detail != "full":  # no phrase queries: leave out tokens FTS5 splits into several ("22.10.2013")
        def search(query: str, k: int) -> list[tuple[str, float]]:
            return index.search(" ".join(t for t in tokenize(query) if t.replace(",", "").isalnum()), k)
    result = _result(f"fts5 detail={detail} (df share ≤ 0,25), separate file", search, chunks, reference, queries,
                     build, adds, path.stat().st_size / 2**20)
    copy.close()
    return result


def bench_tantivy(db: sqlite3.Connection, queries: list[str], reference, folder: Path) -> VariantResult:
    engine = TantivyKeywordEngine(folder / "tantivy")
    started = time.perf_counter()
    engine.rebuild(row for _, row in _keyword_rows(db))
    build = time.perf_counter() - started
    adds = []
    for doc_id in _sample_docs(db):
        rows = [row for _, row in _keyword_rows(db, " WHERE doc_id = ?", (doc_id,))]
        started = time.perf_counter()
        engine.write([doc_id], rows)
        adds.append((time.perf_counter() - started) * 1000)
    return _result(
        "tantivy 0.27 (all tokens, block-max WAND)", lambda query, k: engine.search(tokenize(query), k),
        len(engine), reference, queries, build, adds, _folder_mb(folder / "tantivy"),
    )


class RegistryWrites(BaseModel):
    """``Registry.delete`` + ``Registry.put`` of 10 stored papers (same content, without Chroma) with one
    keyword engine; ``open_s`` includes building the tantivy index when it is not in step."""

    engine: str
    open_s: float
    count_chunks_ms: float
    count_fts5_ms: float
    """``SELECT COUNT(*) FROM chunk_fts``: what was recounted after every write before the counter."""
    writes: list[tuple[int, float, float]]
    """(chunks, delete ms, put ms) per paper."""
    load_average: tuple[float, float, float]


def registry_writes(path: Path, engine: str) -> RegistryWrites:
    from vorlagen.domain import Vorlage
    from vorlagen.store.registry import ChunkRow, Registry

    started = time.perf_counter()
    registry = Registry(path, 0.25, engine)  # type: ignore[arg-type]
    open_s = time.perf_counter() - started
    started = time.perf_counter()
    registry.count_chunks()
    count_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    registry._db.execute("SELECT COUNT(*) FROM chunk_fts").fetchone()
    fts5_ms = (time.perf_counter() - started) * 1000
    writes = []
    for doc_id in _sample_docs(registry._db):
        rows = [
            ChunkRow(chunk_id=r[0], text=r[1], metadata=json.loads(r[2]), tokens=r[3])
            for r in registry._db.execute("SELECT chunk_id, text, metadata_json, tokens FROM chunks WHERE doc_id = ?", (doc_id,))
        ]
        vorlage = Vorlage.model_validate_json(registry.vorlage_json(doc_id) or "")
        t0 = time.perf_counter()
        registry.delete(doc_id)
        t1 = time.perf_counter()
        registry.put(vorlage, rows)
        writes.append((len(rows), (t1 - t0) * 1000, (time.perf_counter() - t1) * 1000))
    registry.close()
    return RegistryWrites(engine=engine, open_s=open_s, count_chunks_ms=count_ms, count_fts5_ms=fts5_ms,
                          writes=writes, load_average=os.getloadavg())


def run(registry: Path, details: tuple[str, ...] = ("full", "column"), others: bool = True) -> Iterator[VariantResult]:
    settings = Settings()
    shared = settings.shared_dir if settings.shared_dir.is_absolute() else (Path.cwd() / settings.shared_dir).resolve()
    queries = questions(shared)
    db = sqlite3.connect(f"file:{registry}?mode=ro", uri=True, check_same_thread=False)
    today = KeywordIndex(db, lambda: 0, 0.25)
    reference = {query: [chunk_id for chunk_id, _ in today.search(query, 30)] for query in queries}
    if others:
        yield from bench_registry_fts5(db, queries, today, reference)
    with tempfile.TemporaryDirectory(dir=registry.parent.parent) as folder:
        if others:
            yield bench_tantivy(db, queries, reference, Path(folder))
        for detail in details:
            yield bench_fts5_copy(db, queries, reference, Path(folder), detail)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", type=Path, default=Path("reports/bench-scale/index-13518/registry.sqlite3"))
    parser.add_argument("--out", type=Path, default=Path("reports/bench-scale/keyword-engines-scale.jsonl"))
    parser.add_argument("--detail", action="append", choices=["full", "column", "none"],
                        help="FTS5 copies to build (default: full and column)")
    parser.add_argument("--only-detail", action="store_true", help="only the FTS5 copies of --detail")
    parser.add_argument("--registry-writes", choices=["tantivy", "fts5"],
                        help="instead: time Registry.delete + put of 10 papers with this engine (writes the registry)")
    args = parser.parse_args()
    if args.registry_writes:
        print(registry_writes(args.registry.resolve(), args.registry_writes).model_dump_json())
        raise SystemExit(0)
    for result in run(args.registry.resolve(), tuple(args.detail or ("full", "column")), not args.only_detail):
        line = json.dumps(result.model_dump(), ensure_ascii=False)
        print(line, flush=True)
        with args.out.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
