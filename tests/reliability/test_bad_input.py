"""Bad input through the real ingestion (real embedder, real Chroma on disk, SQLite registry).

Each input ends in one German error that names the file, within a bounded time and peak memory of this
process, and the index (registry and Chroma) is exactly as before.
"""

from __future__ import annotations

import gzip
import shutil
import time
from pathlib import Path

import pytest

from ingest.errors import LoaderError
from ingest.loaders import LoadReport, load_path
from ingest.pipeline import Ingestor
from tests.reliability.corpus import (
    BAD_FILES,
    BAD_PAPERS,
    MIXED_CP1252_LINE,
    MIXED_UTF8_LINE,
    BadInput,
    bad_oparl_dump,
    many_pages_pdf,
    mixed_encoding_txt,
)
from tests.reliability.measure import PeakMemory
from vorlagen.settings import Settings
from vorlagen.store import VorlagenStore

SECONDS_PER_BAD_FILE = 20.0
PEAK_MB_PER_BAD_FILE = 400
"""The zip bomb inflates to 300 MB; pypdf stops at its limit (75 MB), so the peak stays far below."""


def snapshot(store: VorlagenStore) -> tuple[object, ...]:
    """Everything stored: documents with hashes, registry chunks, Chroma ids."""
    documents = [(d.doc_id, d.content_hash, d.chunks) for d in store.documents()]
    return documents, store.count_chunks(), sorted(store.vectorstore.get(include=[])["ids"])


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path, embeddings) -> VorlagenStore:
    settings = Settings(data_dir=tmp_path_factory.mktemp("bad-input-index"))
    store = VorlagenStore(settings, embeddings=embeddings)
    folder = tmp_path_factory.mktemp("one-seed")
    shutil.copy(shared_dir / "corpus/seeds/mitteilung_buendelung_digitalisierung_2024.txt", folder)
    assert Ingestor(settings, store).ingest_paths([folder]).ok
    return store


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda bad: bad.name)
def test_bad_file_is_refused_in_german_and_changes_nothing(bad: BadInput, store: VorlagenStore, tmp_path: Path) -> None:
    path = tmp_path / bad.name
    path.write_bytes(bad.make())
    before = snapshot(store)

    with PeakMemory() as memory:
        started = time.monotonic()
        report = Ingestor(store.settings, store).ingest_paths([path])
        elapsed = time.monotonic() - started

    assert [failure.source for failure in report.failed] == [str(path)]
    message = report.failed[0].message
    assert f"„{bad.name}“" in message and bad.expect in message, message
    assert not (report.added or report.replaced or report.duplicates)
    assert elapsed < SECONDS_PER_BAD_FILE, f"{bad.name}: {elapsed:.1f} s"
    assert memory.peak_mb < PEAK_MB_PER_BAD_FILE, f"{bad.name}: {memory.peak_mb:.0f} MB"
    assert snapshot(store) == before


def test_a_bad_file_among_good_ones_does_not_stop_the_rest(store: VorlagenStore, tmp_path: Path) -> None:
    folder = tmp_path / "gemischt"
    folder.mkdir()
    for bad in BAD_FILES[:6]:
        (folder / bad.name).write_bytes(bad.make())
    (folder / "gut.txt").write_text(
        "Beschlussvorlage Nr. 12/2025\n\nDer Gemeinderat beschließt den Neubau der Mensa am Schulzentrum Süd "
        "für 1,2 Mio. Euro. Die Arbeiten beginnen im Frühjahr 2026.\n", encoding="utf-8")

    report = Ingestor(store.settings, store).ingest_paths([folder])

    assert len(report.failed) == 6
    assert report.added == ["gemischt/gut.txt"]  # the id: the path below the ingest root


def test_five_hundred_pages_load_in_bounded_time_and_memory(tmp_path: Path) -> None:
    path = tmp_path / "haushaltsplan-500-seiten.pdf"
    path.write_bytes(many_pages_pdf(500))

    with PeakMemory() as memory:
        started = time.monotonic()
        [vorlage] = list(load_path(path))
        elapsed = time.monotonic() - started

    assert [span.page for span in vorlage.spans] == list(range(1, 501))
    assert "Beschlussvorlage Nr. 500" in vorlage.text and "Grundschule für 1.200 Euro" in vorlage.text
    assert elapsed < 60, f"{elapsed:.1f} s"
    assert memory.peak_mb < 300, f"{memory.peak_mb:.0f} MB"


def test_mixed_encodings_are_read_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "gemischt.txt"
    path.write_bytes(mixed_encoding_txt())

    [vorlage] = list(load_path(path))

    assert MIXED_UTF8_LINE in vorlage.text and MIXED_CP1252_LINE in vorlage.text


def test_utf16_text_with_bom_is_text_not_binary(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes("Beschlussvorlage: Die Verwaltung prüft die Maßnahme.\n".encode("utf-16"))

    [vorlage] = list(load_path(path))

    assert "prüft die Maßnahme" in vorlage.text


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_oparl_papers_with_missing_or_wrong_fields_are_named_and_the_rest_is_read(
    suffix: str, store: VorlagenStore, tmp_path: Path
) -> None:
    path = tmp_path / f"papers{suffix}"
    data = bad_oparl_dump()
    path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    report = LoadReport()

    loaded = []
    with pytest.raises(LoaderError) as error:
        for vorlage in load_path(path, report=report):
            loaded.append(vorlage)

    assert [vorlage.drucksache for vorlage in loaded] == ["DS 100/2025"]
    message = str(error.value)
    assert f"„{path.name}“" in message and f"{len(BAD_PAPERS)} von {len(BAD_PAPERS) + 1} Vorlagen" in message
    assert "Zeile 2: Feld „id“ fehlt" in message
    assert "Zeile 3 (Paper „https://ris.example.org/paper/2“): Feld „name“ ungültig" in message
    assert "Feld „mainFile.text“ ungültig" in message
    assert len(report.invalid) == len(BAD_PAPERS)

    # through the pipeline: the valid paper is stored, the file is reported as failed
    ingest_report = Ingestor(store.settings, store).ingest_paths([path])
    assert ingest_report.added + ingest_report.unchanged == ["https://ris.example.org/paper/ok"]  # the OParl id
    assert [failure.source for failure in ingest_report.failed] == [str(path)]
    assert store.find_doc_ids("DS 100/2025")
