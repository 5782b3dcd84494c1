"""``python -m tests.bench.plot reports/bench-scale/results.jsonl docs/benchmarks.png``: latency and index
size over the number of papers (from ``tests.bench.scale`` results)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first


def plot(results: Path, target: Path) -> None:
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
    plot(Path(sys.argv[1]), Path(sys.argv[2]))
