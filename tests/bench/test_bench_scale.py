"""Slow scale benchmarks (``make bench``): keyword engines compared, and the store at 300, 1,853 and
13,518 papers with a stand-in embedder (see ``tests/bench/scale.py`` and ``docs/benchmarks.md``).

Each size runs in its own process (peak memory per size). Results: ``reports/bench-scale/``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow
OUT = REPO_ROOT / "reports/bench-scale"


def test_keyword_engines(shared_dir: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "tests.bench.keyword_engines", "300", "1853"], cwd=REPO_ROOT,
                          capture_output=True, text=True, check=True)
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "keyword-engines.jsonl").write_text(done.stdout, encoding="utf-8")
    fts = {r["papers"]: r for r in rows if r["engine"] == "sqlite-fts5"}
    rank = {r["papers"]: r for r in rows if r["engine"] == "rank_bm25"}
    assert fts[1853]["add_one_s"] < rank[1853]["add_one_s"] / 10, "FTS5 adds without a rebuild"


@pytest.mark.parametrize("papers", [300, 1853, 13518])
def test_store_at_scale(papers: int, shared_dir: Path) -> None:
    sample = ["--sample", "20"] if papers == 300 else ["--sample", "0"]  # the real-embedder sample once
    done = subprocess.run([sys.executable, "-m", "tests.bench.scale", str(papers), "--out", str(OUT), *sample],
                          cwd=REPO_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(json.dumps(result, indent=1))
    assert result["documents"] > 0.9 * papers
    assert result["real_sample"]["ratio"] <= 1.3, "Ziel: Einlesen ≤ 1,3 × reine Embedder-Zeit"
    per_chunk = [a["seconds"] / a["chunks"] for a in result["add_one"]]
    assert max(per_chunk) < 0.5, "ein Dokument hinzufügen kostet O(Dokument), kein Neuaufbau"
    assert result["hybrid_p95_ms"] <= 150, "Ziel: hybride Suche p95 ≤ 150 ms"
