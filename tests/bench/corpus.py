"""Benchmark corpora: the Karlsruhe OParl dumps as Vorlagen, chunks and German tokens (no embedding)."""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

from pydantic import BaseModel

from ingest.chunking import chunk_vorlage
from ingest.loaders import load_path
from vorlagen.domain import Vorlage
from vorlagen.settings import ChunkingSettings
from vorlagen.text import tokenize

DUMPS = {
    300: "corpus/karlsruhe/karlsruhe-eval-300.jsonl.gz",
    1853: "corpus/karlsruhe/karlsruhe-vorlagen-2023-2026.jsonl.gz",
    13518: "corpus/karlsruhe/karlsruhe-papers-2004-2026.jsonl.xz",
}


class TokenizedChunk(BaseModel):
    chunk_id: str
    doc_id: str
    tokens: list[str]
    metadata: dict


def iter_vorlagen(shared_dir: Path, papers: int, limit: int | None = None) -> Iterator[Vorlage]:
    """The Vorlagen of a dump (streamed; ``limit`` for a prefix)."""
    return islice(load_path(shared_dir / DUMPS[papers]), limit)


def tokenized_chunks(vorlagen: Iterator[Vorlage], settings: ChunkingSettings | None = None) -> list[list[TokenizedChunk]]:
    """Per Vorlage, its chunks with their German tokens."""
    settings = settings or ChunkingSettings()
    return [
        [
            TokenizedChunk(chunk_id=c.chunk_id, doc_id=v.doc_id, tokens=tokenize(c.text), metadata=c.metadata(v))
            for c in chunk_vorlage(v, settings)
        ]
        for v in vorlagen
    ]


def questions(shared_dir: Path) -> list[str]:
    """The questions of both dev sets (seeds and Karlsruhe) as benchmark queries."""
    found: list[str] = []
    for name in ("eval/questions.jsonl", "eval/karlsruhe_dev.jsonl"):
        for line in (shared_dir / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                found.append(json.loads(line)["question"])
    return found


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def latencies_ms(queries: list[str], run: Callable[[str], object], rounds: int = 3) -> list[float]:
    """Wall time of ``run(query)`` for every query, ``rounds`` times (ms)."""
    times = []
    for _ in range(rounds):
        for query in queries:
            started = time.perf_counter()
            run(query)
            times.append((time.perf_counter() - started) * 1000)
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]
