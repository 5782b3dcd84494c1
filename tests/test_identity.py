"""Document identity without loss, on a real index (Chroma on disk, the real embedder).

Ids are paths relative to the ingest root; a document from another source is never replaced; the
same source changed is replaced and reported; an extractor change reaches stored documents; an index
from before path ids is migrated.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ingest.identity
from api.cli import app
from ingest.chunking import chunk_vorlage
from ingest.pipeline import Ingestor
from vorlagen.domain import Vorlage
from vorlagen.settings import ChunkingSettings, Settings
from vorlagen.store import VorlagenStore

FIRST = (
    "Beschlussvorlage\n\nBetreff: Sanierung des Hallenbads Nord\n\n"
    "Die Stadt Hilden saniert das Hallenbad Nord. Die Kosten der Sanierung betragen 2.400.000 EUR.\n"
)
SECOND = (
    "Beschlussvorlage\n\nBetreff: Neubau der Feuerwache Süd\n\n"
    "Die Stadt Hilden baut die Feuerwache Süd neu. Der Neubau beginnt im Frühjahr 2026.\n"
)


def write(folder: Path, text: str, name: str = "vorlage.txt") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "index")


@pytest.fixture
def store(settings: Settings, embeddings):
    opened = VorlagenStore(settings, embeddings=embeddings)
    yield opened
    opened.close()


def test_same_file_name_in_two_folders_keeps_both(tmp_path: Path, shared_dir: Path, monkeypatch) -> None:
    """``vorlagen ingest a/ b/`` – two different ``vorlage.txt`` – stores both; both are answerable."""
    monkeypatch.setenv("VORLAGEN_DATA_DIR", str(tmp_path / "index"))
    monkeypatch.chdir(tmp_path)
    seeds = shared_dir / "corpus" / "seeds"
    # the first pages of two real Vorlagen (short: a few chunks to embed)
    write(tmp_path / "a", (seeds / "stuttgart_grdrs_862_2021_amtsgruendung_digitalisierung.txt").read_text(encoding="utf-8")[:3000])
    write(tmp_path / "b", (seeds / "wiesbaden_sachstandsbericht_amt15.txt").read_text(encoding="utf-8")[:3000])
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", "a/", "b/"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Neu: 2 · ersetzt: 0" in result.output and "Index: 2 Dokumente" in result.output

    # the first one – the document that used to be replaced silently – answers its question
    question = "Wie hoch sind die zusätzlichen Personalaufwendungen für das Stuttgarter Amt für Digitalisierung und IT?"
    answer = runner.invoke(app, ["ask", question], env={"COLUMNS": "200"})
    assert answer.exit_code == 0, answer.output
    assert "756.150" in answer.output, answer.output

    store = VorlagenStore(Settings())
    try:
        assert sorted(info.doc_id for info in store.documents()) == ["a/vorlage.txt", "b/vorlage.txt"]
        assert [info.source_name for info in store.documents()] == ["vorlage.txt", "vorlage.txt"]
    finally:
        store.close()


def test_changed_source_is_replaced_and_reported(tmp_path: Path, settings: Settings, store: VorlagenStore) -> None:
    ingestor = Ingestor(settings, store)
    first = write(tmp_path / "a", FIRST)
    write(tmp_path / "b", SECOND)
    assert ingestor.ingest_paths([tmp_path / "a", tmp_path / "b"]).added == ["a/vorlage.txt", "b/vorlage.txt"]

    first.write_text(FIRST.replace("2.400.000", "2.750.000"), encoding="utf-8")
    again = ingestor.ingest_paths([tmp_path / "a", tmp_path / "b"])
    assert (again.replaced, again.unchanged, again.added) == (["a/vorlage.txt"], ["b/vorlage.txt"], [])
    assert "2.750.000" in store.get_vorlage("a/vorlage.txt").text
    assert store.count_documents() == 2

    # a file named directly counts from its folder: the same id as through the folder
    assert ingestor.ingest_paths([first]).unchanged == ["a/vorlage.txt"]


def test_other_source_under_a_taken_id_is_kept_beside_it(tmp_path: Path, settings: Settings, store: VorlagenStore) -> None:
    ingestor = Ingestor(settings, store)
    write(tmp_path / "x" / "a", FIRST)
    write(tmp_path / "y" / "a", SECOND)
    assert ingestor.ingest_paths([tmp_path / "x" / "a"]).added == ["a/vorlage.txt"]

    other = ingestor.ingest_paths([tmp_path / "y" / "a"])
    assert len(other.added) == 1 and other.added[0].startswith("a/vorlage.txt~") and not other.replaced
    assert [(c.doc_id, c.kept_as) for c in other.conflicts] == [("a/vorlage.txt", other.added[0])]
    assert "Hallenbad" in store.get_vorlage("a/vorlage.txt").text
    assert "Feuerwache" in store.get_vorlage(other.added[0]).text

    again = ingestor.ingest_paths([tmp_path / "x" / "a", tmp_path / "y" / "a"])
    assert sorted(again.unchanged) == sorted(["a/vorlage.txt", other.added[0]]) and not again.conflicts
    assert store.count_documents() == 2


def test_extractor_change_updates_stored_documents(
    tmp_path: Path, settings: Settings, store: VorlagenStore, monkeypatch
) -> None:
    write(tmp_path / "a", FIRST)
    assert Ingestor(settings, store).ingest_paths([tmp_path / "a"]).added == ["a/vorlage.txt"]
    assert Ingestor(settings, store).ingest_paths([tmp_path / "a"]).unchanged == ["a/vorlage.txt"]

    monkeypatch.setattr(ingest.identity, "INGEST_VERSION", "9999.1")  # a new extractor release
    assert Ingestor(settings, store).ingest_paths([tmp_path / "a"]).replaced == ["a/vorlage.txt"]
    assert store.get_vorlage("a/vorlage.txt").extractor.startswith("9999.1;")

    rechunked = settings.model_copy(update={"chunking": ChunkingSettings(chunk_size=400, chunk_overlap=50)})
    assert Ingestor(rechunked, store).ingest_paths([tmp_path / "a"]).replaced == ["a/vorlage.txt"]


def test_changed_oparl_metadata_reaches_the_stored_paper(tmp_path: Path, settings: Settings, store: VorlagenStore) -> None:
    paper = {
        "id": "https://oparl.example.org/paper/1", "type": "https://schema.oparl.org/1.1/Paper",
        "reference": "2025/0001", "name": "Sanierung des Hallenbads Nord", "date": "2025-03-01",
        "mainFile": {"name": "Vorlage", "text": FIRST},
    }
    dump = tmp_path / "papers.jsonl"
    dump.write_text(json.dumps(paper) + "\n", encoding="utf-8")
    ingestor = Ingestor(settings, store)
    assert ingestor.ingest_paths([dump]).added == [paper["id"]]

    dump.write_text(json.dumps({**paper, "date": "2025-04-15"}) + "\n", encoding="utf-8")  # same text, new date
    assert ingestor.ingest_paths([dump]).replaced == [paper["id"]]
    assert store.get_vorlage(paper["id"]).datum.isoformat() == "2025-04-15"


def test_index_with_file_name_ids_is_migrated(tmp_path: Path, settings: Settings, store: VorlagenStore) -> None:
    """A document stored under its bare file name (before path ids) is replaced by its path id."""
    write(tmp_path / "a", FIRST)
    write(tmp_path / "b", SECOND, name="anlage.txt")
    old = Vorlage(doc_id="vorlage.txt", source="a/vorlage.txt", source_name="vorlage.txt", text=FIRST)
    store.upsert(old, chunk_vorlage(old, settings.chunking))
    unrelated = Vorlage(doc_id="anlage.txt", source="elsewhere/anlage.txt", source_name="anlage.txt", text=FIRST + "x")
    store.upsert(unrelated, chunk_vorlage(unrelated, settings.chunking))

    report = Ingestor(settings, store).ingest_paths([tmp_path / "a", tmp_path / "b"])
    assert report.migrated == ["vorlage.txt"] and report.replaced == ["a/vorlage.txt"]
    assert report.added == ["b/anlage.txt"]  # another text, another file: not the old document
    assert sorted(info.doc_id for info in store.documents()) == ["a/vorlage.txt", "anlage.txt", "b/anlage.txt"]
    assert store.get_vorlage("vorlage.txt") is None
    assert len(store.vectorstore.get(include=[])["ids"]) == store.count_chunks()
