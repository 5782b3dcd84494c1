"""Chunking: exact offsets on real documents, sections, pages, parts, noise."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from ingest.chunking import chunk_vorlage, chunk_vorlage_with_report
from ingest.loaders import LoadReport, discover_files, load_path
from ingest.sections import heading_title
from vorlagen.domain import TextSpan, Vorlage
from vorlagen.settings import ChunkingSettings

SETTINGS = ChunkingSettings()


def assert_exact(vorlage: Vorlage, settings: ChunkingSettings = SETTINGS) -> int:
    chunks = chunk_vorlage(vorlage, settings)
    for index, chunk in enumerate(chunks):
        assert vorlage.text[chunk.start : chunk.end] == chunk.text
        assert chunk.chunk_id == f"{vorlage.doc_id}::{index:04d}"
        assert chunk.doc_id == vorlage.doc_id
        assert chunk.text == chunk.text.strip()
        # a short subheading piece may be joined to the piece after it
        assert len(chunk.text) <= settings.chunk_size + settings.chunk_overlap
    starts = [chunk.start for chunk in chunks]
    assert starts == sorted(starts)
    return len(chunks)


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("Beschlussantrag", "Beschlussantrag"),
        ("Beschlußantrag:", "Beschlußantrag"),
        ("C Beschlussvorschlag", "Beschlussvorschlag"),
        ("D Begründung", "Begründung"),
        ("1. Ausgangslage", "Ausgangslage"),
        ("## Sachverhalt", "Sachverhalt"),
        ("**Finanzielle Auswirkungen**", "Finanzielle Auswirkungen"),
        ("### **Begründung:**", "Begründung"),
        ("Erläuterungen und Begründungen:", "Erläuterungen und Begründungen"),
        ("Haushaltsrechtliche Auswirkungen", "Haushaltsrechtliche Auswirkungen"),
        ("Kosten der Maßnahme belaufen sich auf 20.000 Euro.", None),
        ("Antrag an die Verwaltung, die Kosten zu prüfen, und", None),
        ("Die Begründung folgt.", None),
    ],
)
def test_heading_forms(line: str, title: str | None) -> None:
    assert heading_title(line, after_blank=True) == title


def test_wrapped_line_is_no_heading() -> None:
    assert heading_title("Kosten für die Sanierung der Halle", after_blank=False) is None
    assert heading_title("Kosten für die Sanierung der Halle", after_blank=True) == "Kosten für die Sanierung der Halle"


def test_offsets_exact_on_seeds(shared_dir: Path) -> None:
    for path in discover_files([shared_dir / "corpus" / "seeds"]):
        for vorlage in load_path(path):
            assert assert_exact(vorlage) > 0
            # small chunks and no overlap: the property must hold for other sizes, too
            assert_exact(vorlage, ChunkingSettings(chunk_size=300, chunk_overlap=0))


def test_offsets_exact_on_karlsruhe_papers(shared_dir: Path) -> None:
    path = shared_dir / "corpus" / "karlsruhe" / "karlsruhe-eval-300.jsonl.gz"
    for vorlage in itertools.islice(load_path(path), 25):
        assert_exact(vorlage)


def test_sections_of_the_stuttgart_seed(shared_dir: Path) -> None:
    path = shared_dir / "corpus" / "seeds" / "stuttgart_grdrs_862_2021_amtsgruendung_digitalisierung.txt"
    vorlage = next(iter(load_path(path)))
    chunks = chunk_vorlage(vorlage, SETTINGS)

    def section_of(phrase: str) -> str | None:
        return next(chunk.section for chunk in chunks if phrase in chunk.text)

    assert section_of("zusätzliche Personalaufwendungen in Höhe von 756.150 EUR") == "Finanzielle Auswirkungen"
    assert section_of("Der geplanten Gründung eines Amts") == "Beschlußantrag"
    # "Vorgehen bei der Amtsgründung: …" is no known heading: still the section before it
    assert section_of("Next Digital Group") == "Begründung der Notwendigkeit eines neuen Amts für Digitalisierung und IT"
    assert section_of("Seit 2018 wurden bereits diverse Maßnahmen") == "Ausgangslage"
    assert section_of("Landeshauptstadt Stuttgart\nReferat") is None  # the header before any heading


def test_wiesbaden_lettered_sections(shared_dir: Path) -> None:
    vorlage = next(iter(load_path(shared_dir / "corpus" / "seeds" / "wiesbaden_sachstandsbericht_amt15.txt")))
    sections = {chunk.section for chunk in chunk_vorlage(vorlage, SETTINGS)}
    assert {"Kurzbeschreibung des Vorhabens (verpflichtend)", "Beschlussvorschlag", "Begründung"} <= sections


def test_pdf_chunks_carry_pages(shared_dir: Path) -> None:
    path = shared_dir / "corpus" / "real" / "pdf" / "koeln_rat_2021-08-23_9-sitzung_wortprotokoll_sondersitzung.pdf"
    vorlage = next(iter(load_path(path)))
    chunks = chunk_vorlage(vorlage, SETTINGS)

    assert {chunk.page for chunk in chunks} == set(range(1, 13))
    for chunk in chunks:
        span = vorlage.span_at(chunk.start)
        assert span is not None and span.page == chunk.page


def test_oparl_chunks_carry_parts_and_stay_inside_them(shared_dir: Path) -> None:
    path = shared_dir / "corpus" / "karlsruhe" / "karlsruhe-eval-300.jsonl.gz"
    vorlage = next(iter(load_path(path)))  # 2023/0425/1: Vorlage, two plans, two protocols
    result = chunk_vorlage_with_report(vorlage, SETTINGS)

    parts = {span.label: span for span in vorlage.spans}
    assert {chunk.part for chunk in result.chunks} <= set(parts)
    for chunk in result.chunks:
        span = parts[chunk.part]
        assert span.start <= chunk.start and chunk.end <= span.end
    first_part = vorlage.spans[0].label
    assert any(c.part == first_part and c.section == "Finanzielle Auswirkungen" for c in result.chunks)
    # the plan "Anlage_Variante_A.1" is mostly labels "IV", "W", "G": dropped as noise
    plan = parts["Anlage_Variante_A.1"]
    dropped_in_plan = [d for d in result.dropped if plan.start <= d.start < plan.end]
    assert any("Zeilen ohne Wörter" in d.reason for d in dropped_in_plan)
    assert not any("IV\nIV\nIV\nIV" in c.text for c in result.chunks)


def test_short_subheading_joins_the_next_piece(shared_dir: Path) -> None:
    vorlage = next(iter(load_path(shared_dir / "corpus" / "seeds" / "kommune21_stuttgart_mobiles_arbeiten_2022.txt")))
    chunks = chunk_vorlage(vorlage, SETTINGS)
    joined = next(chunk for chunk in chunks if chunk.text.startswith("Pandemie setzt Präsenzkultur aus"))
    assert "Zu Beginn der Pandemie" in joined.text


def test_noise_is_dropped_and_counted() -> None:
    plan = "\n".join(["IV", "W", "G", "IV", "Asphalt", "IV", "W"] * 10)
    prose = "Der Gemeinderat beschließt den Ausbau der Haltestelle. Die Kosten betragen 1.300.000 Euro."
    text = f"Beschlussantrag\n{prose}\n\nAnlagen\n{plan}"
    vorlage = Vorlage(doc_id="t", source="t", source_name="t", text=text, spans=[TextSpan(start=0, end=len(text), page=1)])

    result = chunk_vorlage_with_report(vorlage, SETTINGS)

    assert [chunk.section for chunk in result.chunks] == ["Beschlussantrag"]
    assert result.chunks[0].page == 1
    assert len(result.dropped) == 1 and "Zeilen ohne Wörter" in result.dropped[0].reason


@pytest.mark.slow
def test_benchmark_chunking_karlsruhe_eval_300(shared_dir: Path) -> None:
    """Measured figures for the report (run with ``pytest -m slow -s``)."""
    started = time.perf_counter()
    report = LoadReport()
    vorlagen = list(load_path(shared_dir / "corpus" / "karlsruhe" / "karlsruhe-eval-300.jsonl.gz", report=report))
    loaded = time.perf_counter()
    results = [chunk_vorlage_with_report(vorlage, SETTINGS) for vorlage in vorlagen]
    chunked = time.perf_counter()
    seeds = [v for p in discover_files([shared_dir / "corpus" / "seeds"]) for v in load_path(p)]
    seed_results = [chunk_vorlage_with_report(v, SETTINGS) for v in seeds]
    print(
        f"\nKarlsruhe eval-300: {len(vorlagen)} Vorlagen, {sum(len(v.text) for v in vorlagen):,} Zeichen, "
        f"Laden {loaded - started:.2f} s, Chunking {chunked - loaded:.2f} s, "
        f"{sum(len(r.chunks) for r in results)} Chunks, {sum(len(r.dropped) for r in results)} verworfen; "
        f"ohne Text übersprungen: {len(report.skipped_without_text)}\n"
        f"Seeds: {sum(len(r.chunks) for r in seed_results)} Chunks, "
        f"{sum(len(r.dropped) for r in seed_results)} verworfen"
    )
    assert len(vorlagen) == 300
    for vorlage, result in zip(vorlagen, results):
        for chunk in result.chunks:
            assert vorlage.text[chunk.start : chunk.end] == chunk.text
