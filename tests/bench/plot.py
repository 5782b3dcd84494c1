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
    """Latency p95, one document added, disk and memory over the papers actually stored (a run that
    stopped at its time budget is marked „Teil“)."""
    rows = {}
    for line in results.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows[row["papers"]] = row  # the last run of each size
    ordered = sorted(rows.values(), key=lambda r: r["documents"])
    sizes = [r["documents"] for r in ordered]
    figure, (latency, add, disk) = plt.subplots(1, 3, figsize=(15, 4.2))
    for key, label in [("dense", "dicht (Chroma)"), ("keyword", "Stichwort (FTS5)"), ("hybrid", "hybrid (RRF, Stadtfilter)")]:
        latency.plot(sizes, [r[f"{key}_p95_ms"] for r in ordered], marker="o", label=f"{label} p95")
    latency.axhline(150, color="grey", linestyle="--", label="Ziel hybrid p95 ≤ 150 ms")
    latency.set(xscale="log", yscale="log", xlabel="gespeicherte Vorlagen", ylabel="ms",
                title="Suchlatenz p95 inkl. echter Frage-Einbettung")
    latency.legend(fontsize=8)
    add.plot(sizes, [r["add_one_ms_per_chunk"] for r in ordered], marker="o", label="ms je Abschnitt")
    add.set(xscale="log", xlabel="gespeicherte Vorlagen", ylabel="ms je Abschnitt",
            title="Ein Dokument hinzufügen (Platzhalter-Embedder)")
    add.set_ylim(bottom=0)
    add.legend(fontsize=8)
    disk.plot(sizes, [r["chroma_mb"] for r in ordered], marker="o", label="Chroma (384 Dim.)")
    disk.plot(sizes, [r["registry_mb"] for r in ordered], marker="o", label="Register + FTS5")
    disk.plot(sizes, [r["peak_rss_mb"] for r in ordered], marker="o", label="Spitzen-RAM Hauptprozess")
    disk.set(xscale="log", yscale="log", xlabel="gespeicherte Vorlagen", ylabel="MB", title="Platz und Speicher")
    disk.legend(fontsize=8)
    for axis in (latency, add, disk):
        for row in ordered:
            if not row.get("complete", True):
                axis.annotate(f"Teil von {row['papers']:,}".replace(",", "."), (row["documents"], axis.get_ylim()[0]),
                              fontsize=7, rotation=90, va="bottom")
    figure.suptitle("Vektoren: Platzhalter-Embedder (384 Dim.); 2 geteilte Kerne unter Last – siehe docs/benchmarks.md",
                    fontsize=9)
    figure.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, dpi=110)


if __name__ == "__main__":
    kind, results, target = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    (plot_keyword if kind == "keyword" else plot_scale)(results, target)
