"""Plots of the benchmark results:

- ``python -m tests.bench.plot keyword reports/bench-scale/keyword-engines.jsonl docs/benchmarks-keyword.png``
- ``python -m tests.bench.plot scale reports/bench-scale/results.jsonl docs/benchmarks-scale.png``
- ``python -m tests.bench.plot table reports/bench-scale/results.jsonl`` (the Markdown table of docs/benchmarks.md)
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
    engines = " / ".join(sorted({r.get("keyword_engine", "fts5") for r in ordered}))
    for key, label in [("dense", "dicht (Chroma)"), ("keyword", f"Stichwort ({engines})"), ("hybrid", "hybrid (RRF, Stadtfilter)")]:
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
    disk.plot(sizes, [r["registry_mb"] for r in ordered], marker="o", label="Register + FTS5 (+ tantivy)")
    disk.plot(sizes, [r["peak_rss_mb"] for r in ordered], marker="o", label="Spitzen-RAM Hauptprozess")
    disk.set(xscale="log", yscale="log", xlabel="gespeicherte Vorlagen", ylabel="MB", title="Platz und Speicher")
    disk.legend(fontsize=8)
    for axis in (latency, add, disk):
        for row in ordered:
            if not row.get("complete", True):
                axis.annotate(f"Teil von {row['papers']:,}".replace(",", "."), (row["documents"], axis.get_ylim()[0]),
                              fontsize=7, rotation=90, va="bottom")
    figure.suptitle("Vektoren: Platzhalter-Embedder (384 Dim.); 2 geteilte Kerne, Load je Lauf in docs/benchmarks.md",
                    fontsize=9)
    figure.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, dpi=110)


def _de(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}".replace(",", "_").replace(".", ",").replace("_", ".")


def scale_table(results: Path) -> str:
    """The scale results as a German Markdown table (one row per size, the last run of each)."""
    rows = {}
    for line in results.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows[row["papers"]] = row
    head = ("| Papers (Dump) | gespeichert | Abschnitte | Einlesen s (Platzhalter) | echt hochgerechnet h | "
            "dicht p50/p95 ms | Stichwort p50/p95 ms (Suchmaschine) | hybrid p50/p95 ms | +1 Dokument ms (ms/Abschnitt) | "
            "RAM MB (Haupt/Worker) | Chroma MB | Register MB | Load |")
    lines = [head, "|" + "|".join(["---:"] * (head.count("|") - 1)) + "|"]
    for papers in sorted(rows):
        r = rows[papers]
        add_ms = sum(a["seconds"] for a in r["add_one"]) * 1000 / len(r["add_one"])
        lines.append(
            f"| {_de(papers)}{'' if r.get('complete', True) else ' (Teil)'} | {_de(r['documents'])} | {_de(r['chunks'])} "
            f"| {_de(r['ingest_s'])} | {_de(r['real_ingest_s_extrapolated'] / 3600, 1)} "
            f"| {_de(r['dense_p50_ms'])} / {_de(r['dense_p95_ms'])} "
            f"| {_de(r['keyword_p50_ms'])} / {_de(r['keyword_p95_ms'])} ({r.get('keyword_engine', 'fts5')}) "
            f"| {_de(r['hybrid_p50_ms'])} / {_de(r['hybrid_p95_ms'])} | {_de(add_ms)} ({_de(r['add_one_ms_per_chunk'], 1)}) "
            f"| {_de(r['peak_rss_mb'])} / {_de(r['worker_peak_rss_mb'])} | {_de(r['chroma_mb'])} | {_de(r['registry_mb'])} "
            f"| {_de(r['load_average'][0], 1)} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    kind, results = sys.argv[1], Path(sys.argv[2])
    if kind == "table":
        print(scale_table(results))
    else:
        (plot_keyword if kind == "keyword" else plot_scale)(results, Path(sys.argv[3]))
