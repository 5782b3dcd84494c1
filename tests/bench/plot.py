"""Plots of the benchmark results:

- ``python -m tests.bench.plot keyword reports/bench-scale/keyword-engines.jsonl docs/benchmarks-keyword.png``
- ``python -m tests.bench.plot scale reports/bench-scale/results.jsonl docs/benchmarks-scale.png``
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first


def plot_keyword(results: Path, target: Path) -> None:
    """Query latency and the cost of adding one document per keyword engine, over the corpus size."""
    rows = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines() if line.strip()]
    figure, (query, add) = plt.subplots(1, 2, figsize=(11, 4))
    for engine in dict.fromkeys(row["engine"] for row in rows):
        mine = sorted((r for r in rows if r["engine"] == engine), key=lambda r: r["chunks"])
        chunks = [r["chunks"] for r in mine]
        query.plot(chunks, [r["query_p50_ms"] for r in mine], marker="o", label=f"{engine} p50")
        add.plot(chunks, [r["add_one_s"] * 1000 for r in mine], marker="o", label=engine)
    query.set(xscale="log", yscale="log", xlabel="Abschnitte im Index", ylabel="ms", title="Stichwortsuche: Latenz p50")
    add.set(xscale="log", yscale="log", xlabel="Abschnitte im Index", ylabel="ms",
            title="Ein Dokument hinzufügen (inkl. Neuaufbau, wo nötig)")
    query.legend(fontsize=8)
    add.legend(fontsize=8)
    figure.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, dpi=110)


def plot_scale(results: Path, target: Path) -> None:
    rows = {}
    for line in results.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows[row["papers"]] = row  # the last run of each size
    sizes = sorted(rows)
    figure, (latency, disk) = plt.subplots(1, 2, figsize=(11, 4))
    for key, label in [("dense", "dicht (Chroma)"), ("keyword", "Stichwort (FTS5)"), ("hybrid", "hybrid (RRF)")]:
        latency.plot(sizes, [rows[s][f"{key}_p95_ms"] for s in sizes], marker="o", label=f"{label} p95")
    latency.axhline(150, color="grey", linestyle="--", label="Ziel hybrid p95 ≤ 150 ms")
    latency.set(xscale="log", xlabel="Vorlagen (Papers)", ylabel="ms", title="Suchlatenz p95 (2 Kerne)")
    latency.legend(fontsize=8)
    disk.plot(sizes, [rows[s]["chroma_mb"] for s in sizes], marker="o", label="Chroma (384 Dim.)")
    disk.plot(sizes, [rows[s]["registry_mb"] for s in sizes], marker="o", label="Register + FTS5")
    disk.plot(sizes, [rows[s]["peak_rss_mb"] for s in sizes], marker="o", label="Spitzen-RAM beim Einlesen")
    disk.set(xscale="log", yscale="log", xlabel="Vorlagen (Papers)", ylabel="MB", title="Platz und Speicher")
    disk.legend(fontsize=8)
    figure.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, dpi=110)


if __name__ == "__main__":
    kind, results, target = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    (plot_keyword if kind == "keyword" else plot_scale)(results, target)
