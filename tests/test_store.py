"""The store with the real embedder and a real Chroma: on disk, and as a server process."""

from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from langchain_core.documents import Document

from ingest.pipeline import Ingestor
from vorlagen.settings import Settings
from vorlagen.store import VorlagenStore


def _chroma_ids(store: VorlagenStore) -> list[str]:
    return store.vectorstore.get(include=[])["ids"]


@pytest.fixture()
def small_corpus(tmp_path: Path, shared_dir: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(shared_dir / "corpus/seeds/mitteilung_buendelung_digitalisierung_2024.txt", folder)
    return folder


def test_reingest_is_idempotent_and_changes_replace(tmp_path: Path, small_corpus: Path, embeddings) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    store = VorlagenStore(settings, embeddings=embeddings)
    ingestor = Ingestor(settings, store)

    first = ingestor.ingest_paths([small_corpus])
    assert first.added == ["corpus/mitteilung_buendelung_digitalisierung_2024.txt"]  # path from the ingest root
    chunks = store.count_chunks()
    assert chunks > 0 and len(_chroma_ids(store)) == chunks

    again = ingestor.ingest_paths([small_corpus])
    assert again.unchanged == first.added and again.chunks_added == 0
    assert len(_chroma_ids(store)) == chunks

    # the same content under another name is not stored twice
    original = small_corpus / "mitteilung_buendelung_digitalisierung_2024.txt"
    shutil.copy(original, small_corpus / "kopie.txt")
    copy = ingestor.ingest_paths([small_corpus / "kopie.txt"])
    assert copy.duplicates == ["corpus/kopie.txt"] and store.count_documents() == 1

    changed = original
    changed.write_text(changed.read_text(encoding="utf-8")[:600] + "\n\nNeuer Absatz.", encoding="utf-8")
    replaced = ingestor.ingest_paths([changed])
    assert replaced.replaced == first.added
    ids = _chroma_ids(store)
    assert len(ids) == len(set(ids)) == store.count_chunks() < chunks
    assert "Neuer Absatz" in store.get_vorlage(first.added[0]).text

    assert store.remove(first.added[0])
    assert store.count_chunks() == 0 and _chroma_ids(store) == []
    assert not store.remove(first.added[0])


def test_failed_files_leave_the_store_untouched(tmp_path: Path, small_corpus: Path, embeddings) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    store = VorlagenStore(settings, embeddings=embeddings)
    Ingestor(settings, store).ingest_paths([small_corpus])
    before = (store.count_documents(), store.count_chunks())

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "kaputt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<\ngarbage")
    (bad / "tabelle.xlsx").write_bytes(b"PK\x03\x04")
    report = Ingestor(settings, store).ingest_paths([bad])
    assert {Path(f.source).name for f in report.failed} == {"kaputt.pdf", "tabelle.xlsx"}
    assert all(Path(f.source).name in f.message for f in report.failed)
    assert (store.count_documents(), store.count_chunks()) == before


def test_keyword_index_is_persisted_not_rebuilt(tmp_path: Path, small_corpus: Path, embeddings, monkeypatch) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    store = VorlagenStore(settings, embeddings=embeddings)
    Ingestor(settings, store).ingest_paths([small_corpus])
    built = store.keyword_index().search("Koordinierungsstelle Digitalisierung", 3)
    assert built and len(store.keyword_index()) == store.count_chunks()
    store.close()

    executed: list[str] = []
    connect = sqlite3.connect

    def traced(*args, **kwargs):
        connection = connect(*args, **kwargs)
        connection.set_trace_callback(executed.append)
        return connection

    monkeypatch.setattr("vorlagen.store.registry.sqlite3.connect", traced)
    reopened = VorlagenStore(settings, embeddings=embeddings)
    assert reopened.keyword_index().search("Koordinierungsstelle Digitalisierung", 3) == built
    assert not any("INSERT" in statement.upper() for statement in executed), "nothing rebuilt"
    assert reopened.bm25_index() is reopened.keyword_index()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def chroma_server(tmp_path: Path):
    chroma = Path(sys.executable).with_name("chroma")
    if not chroma.exists():
        pytest.skip("chroma CLI nicht installiert")
    port = _free_port()
    process = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None:
                pytest.fail("chroma run ist beendet, bevor es lauschte")
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("chroma run lauscht nicht")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=20)


def test_chroma_server_mode(tmp_path: Path, small_corpus: Path, embeddings, chroma_server: str) -> None:
    settings = Settings(data_dir=tmp_path / "data", chroma_server_url=chroma_server)
    store = VorlagenStore(settings, embeddings=embeddings)
    store.ping()
    report = Ingestor(settings, store).ingest_paths([small_corpus])
    assert report.ok and report.chunks_added > 0
    assert not (tmp_path / "data" / "chroma").exists(), "server mode must not write an embedded store"
    hits = store.vectorstore.similarity_search("Wann nimmt das Digitalisierungsamt die Arbeit auf?", k=2)
    assert hits and hits[0].metadata["doc_id"] == "corpus/mitteilung_buendelung_digitalisierung_2024.txt"
    again = Ingestor(settings, store).ingest_paths([small_corpus])
    assert again.unchanged and len(_chroma_ids(store)) == store.count_chunks()


def test_unreachable_chroma_server_gives_a_german_message(tmp_path: Path, embeddings) -> None:
    from vorlagen.store import StoreUnavailableError

    settings = Settings(data_dir=tmp_path / "data", chroma_server_url=f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(StoreUnavailableError, match="nicht erreichbar"):
        VorlagenStore(settings, embeddings=embeddings).ping()


def test_writer_hashes_each_vorlage_once_and_stores_the_same_metadata(
    tmp_path: Path, shared_dir: Path, embeddings, monkeypatch
) -> None:
    """``Vorlage.content_hash`` hashes the whole Vorlage: the writer computes it once per Vorlage, not
    once per chunk, and every stored chunk still carries exactly the metadata ``Chunk.metadata`` gives."""
    import hashlib

    from ingest.chunking import chunk_vorlage
    from ingest.loaders import load_path
    from vorlagen.domain import documents as domain

    settings = Settings(data_dir=tmp_path / "data")
    store = VorlagenStore(settings, embeddings=embeddings)
    vorlage = next(iter(load_path(shared_dir / "corpus/seeds/stuttgart_grdrs_862_2021_amtsgruendung_digitalisierung.txt")))
    chunks = chunk_vorlage(vorlage, settings.chunking)
    expected = [c.metadata(vorlage) for c in chunks]  # each chunk on its own, hash included
    assert len(chunks) >= 4 and {m["content_hash"] for m in expected} == {vorlage.content_hash}

    hashed: list[int] = []

    class CountingHashlib:
        @staticmethod
        def sha256(data: bytes):  # noqa: ANN205
            hashed.append(len(data))
            return hashlib.sha256(data)

    monkeypatch.setattr(domain, "hashlib", CountingHashlib)
    assert store.upsert(vorlage, chunks) == "added"
    assert 1 <= len(hashed) <= 2 < len(chunks), f"{len(hashed)} Hashes für {len(chunks)} Abschnitte"

    stored = store.vectorstore.get(ids=[c.chunk_id for c in chunks], include=["metadatas"])
    in_chroma = dict(zip(stored["ids"], stored["metadatas"]))
    assert [in_chroma[c.chunk_id] for c in chunks] == expected
    assert [d.metadata for d in store.get_chunks([c.chunk_id for c in chunks])] == expected
    assert store.documents()[0].content_hash == vorlage.content_hash


def test_similarities_read_the_stored_embeddings_and_rank_a_reworded_question(seeds_store: VorlagenStore,
                                                                              embeddings) -> None:
    """The question's closeness in meaning to each chunk, from the embeddings Chroma holds: the same cosine as
    embedding the chunk anew (which is what a passage not in the index gets), and a question that shares few words
    with its passage still ranks it near the top."""
    import numpy as np

    doc_id = next(d.doc_id for d in seeds_store.documents() if "hilden" in d.source_name)
    chunks = seeds_store.chunks_of(doc_id)
    ids = [str(chunk.metadata["chunk_id"]) for chunk in chunks]
    question = "Wie viele Vollzeitkräfte hatte die Organisationsabteilung, bevor neue Leute dazukamen?"
    found = seeds_store.similarities(question, chunks)
    assert set(found) == set(ids) and all(-1.0 <= value <= 1.0 for value in found.values())
    asked = np.asarray(embeddings.embed_query(question))
    fresh = np.asarray(embeddings.embed_documents([chunks[0].page_content])[0])
    expected = float(asked @ fresh / (np.linalg.norm(asked) * np.linalg.norm(fresh)))
    assert found[ids[0]] == pytest.approx(expected, abs=0.02)
    holding = [i for i, chunk in zip(ids, chunks, strict=True) if "4,5 VZÄ" in chunk.page_content]
    assert holding
    ranked = sorted(found, key=found.__getitem__, reverse=True)
    assert min(ranked.index(i) for i in holding) < max(3, len(ranked) // 3)
    assert seeds_store.similarities(question, []) == {}
    outside = Document(page_content=chunks[0].page_content, metadata={"chunk_id": "nicht-im-index"})
    assert seeds_store.similarities(question, [outside])["nicht-im-index"] == pytest.approx(expected, abs=0.02)
