"""Live OParl sync against the local fixture server (``tests/oparl_server.py``, a real uvicorn process on
loopback serving the Hürtgenwald OParl cache, Karlsruhe papers and real PDFs), into a real store."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

from ingest.oparl_client import NotOParlError, OParlError
from ingest.oparl_state import SyncState
from ingest.oparl_sync import OParlSync
from tests.conftest import REPO_ROOT
from vorlagen.settings import OParlSettings, Settings
from vorlagen.store import VorlagenStore
from vorlagen.store.registry import Registry


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FixtureServer:
    def __init__(self, folder: Path, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.control = folder / "control.json"
        self.log = folder / "requests.log"

    @property
    def system(self) -> str:
        return f"{self.base}/oparl/system"

    def change(self, **values) -> None:
        values.setdefault("changed_at", datetime.now(timezone.utc).isoformat(timespec="seconds"))
        temporary = self.control.with_suffix(".tmp")
        temporary.write_text(json.dumps(values), encoding="utf-8")
        temporary.replace(self.control)

    def requests(self) -> list[str]:
        return self.log.read_text(encoding="utf-8").splitlines() if self.log.exists() else []

    def clear_log(self) -> None:
        self.log.unlink(missing_ok=True)


def start_fixture_server(folder: Path, shared_dir: Path, papers: int, page_size: int) -> Iterator[FixtureServer]:
    """The fixture server as a process on a free loopback port (stopped afterwards)."""
    folder.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    server = FixtureServer(folder, port)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oparl_server", "--port", str(port), "--shared", str(shared_dir),
         "--control", str(server.control), "--papers", str(papers), "--page-size", str(page_size),
         "--max-pdf-bytes", "100000", "--max-paper-chars", "6000"],
        cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("OParl-Testserver startet nicht")
            time.sleep(0.2)
    try:
        yield server
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def running_oparl_server(tmp_path_factory, shared_dir: Path) -> Iterator[FixtureServer]:
    yield from start_fixture_server(tmp_path_factory.mktemp("oparl"), shared_dir, papers=6, page_size=2)


@pytest.fixture()
def oparl_server(running_oparl_server: FixtureServer) -> FixtureServer:
    """The module's server with its original data and an empty request log."""
    running_oparl_server.change()
    running_oparl_server.clear_log()
    return running_oparl_server


def _settings(tmp_path: Path, shared_dir: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", shared_dir=shared_dir,
        oparl=OParlSettings(request_rate=0, retries=1, backoff_s=0.05, modified_since_margin_s=0),
    )


def _downloads(requests: list[str]) -> list[str]:
    return [url for url in requests if "/files/" in url]


def test_sync_end_to_end_then_nothing_then_modified_then_deleted(
    tmp_path: Path, shared_dir: Path, embeddings, oparl_server: FixtureServer
) -> None:
    settings = _settings(tmp_path, shared_dir)
    store = VorlagenStore(settings, embeddings=embeddings)
    sync = OParlSync(settings, store)

    first = sync.sync(oparl_server.system, body_filter="Hürtgenwald").bodies[0]
    assert first.city == "Hürtgenwald" and first.pages == 3 and first.papers == 6  # 6 papers, 2 a page
    assert not first.failed and first.files_downloaded >= 6
    stored = [sync.store.get_vorlage(d.doc_id) for d in store.documents()]
    assert stored and len(first.added) + len(first.duplicates) + len(first.without_text) + len(first.removed) == 6
    assert all(v.stadt == "Hürtgenwald" and v.source.startswith(oparl_server.base) for v in stored)
    assert any(b.gremium and b.datum for v in stored for b in v.beratungsfolge), "Beratungsfolge aus Consultations"
    chunks = store.count_chunks()

    oparl_server.clear_log()
    second = sync.sync(oparl_server.system, body_filter="Hürtgenwald").bodies[0]
    assert second.papers == 0 and not second.added and not second.replaced and not second.removed
    assert not _downloads(oparl_server.requests()), "unveränderte Vorlagen werden nicht erneut geladen"
    assert store.count_chunks() == chunks

    changed_id = stored[0].doc_id
    removed_id = stored[-1].doc_id
    assert changed_id != removed_id
    extra = {"id": f"{changed_id}/file/neu", "type": "https://schema.oparl.org/1.0/File",
             "name": "Ergänzungsvorlage", "text": "Ergänzung: Die Verwaltung schlägt eine zweite Ausbaustufe "
             "für 48.500 Euro vor, finanziert aus dem Ansatz Waldwegebau."}
    paper = sync.client.get_object(changed_id)
    oparl_server.change(modified={changed_id: {"auxiliaryFile": [*paper.get("auxiliaryFile", []), extra]}})
    third = sync.sync(oparl_server.system, body_filter="Hürtgenwald").bodies[0]
    assert third.papers == 1 and third.replaced == [stored[0].source_name]
    assert third.files_downloaded == 0, "unveränderte Dateien werden nicht erneut ausgewertet"
    assert "zweite Ausbaustufe" in store.get_vorlage(changed_id).text
    hits = store.keyword_index().search("zweite Ausbaustufe Waldwegebau", 3)
    assert hits and store.get_chunks([hits[0][0]])[0].metadata["doc_id"] == changed_id

    oparl_server.change(modified={changed_id: {"auxiliaryFile": [*paper.get("auxiliaryFile", []), extra]}},
                        deleted=[removed_id])
    fourth = sync.sync(oparl_server.system, body_filter="Hürtgenwald").bodies[0]
    assert fourth.removed == [removed_id]
    assert store.get_vorlage(removed_id) is None
    assert not store.vectorstore.get(where={"doc_id": removed_id}, include=[])["ids"]
    assert all(store.get_chunks([cid])[0].metadata["doc_id"] != removed_id
               for cid, _ in store.keyword_index().search(stored[-1].title or "Vorlage", 50))
    sync.close()


def test_interrupted_sync_resumes_without_repeating(
    tmp_path: Path, shared_dir: Path, embeddings, oparl_server: FixtureServer
) -> None:
    settings = _settings(tmp_path, shared_dir)
    store = VorlagenStore(settings, embeddings=embeddings)
    oparl_server.change(fail_pages_from=2)  # the server goes down after the first page
    interrupted = OParlSync(settings, store)
    with pytest.raises(OParlError, match="HTTP 503"):
        interrupted.sync(oparl_server.system, body_filter="Hürtgenwald")
    interrupted.close()
    stored_before = store.count_documents()
    assert stored_before >= 1, "die Vorlagen der ersten Seite sind gespeichert"

    oparl_server.change()
    resumed_sync = OParlSync(settings, store)
    resumed = resumed_sync.sync(oparl_server.system, body_filter="Hürtgenwald").bodies[0]
    assert resumed.resumed and resumed.pages == 2 and resumed.papers == 4  # pages 2 and 3 only
    downloads = _downloads(oparl_server.requests())
    assert len(downloads) == len(set(downloads)), "keine Datei wird zweimal geladen"
    first_pages = [url for url in oparl_server.requests() if "/body/1/paper" in url and "page=" not in url]
    assert len(first_pages) == 1, "die erste Seite wird nach dem Abbruch nicht erneut geholt"
    assert store.count_documents() > stored_before
    resumed_sync.close()


def test_karlsruhe_oparl_text_beratungsfolge_and_cli(
    tmp_path: Path, shared_dir: Path, oparl_server: FixtureServer
) -> None:
    env = {**os.environ, "VORLAGEN_DATA_DIR": str(tmp_path / "cli-data"), "VORLAGEN_OPARL__REQUEST_RATE": "0",
           "VORLAGEN_SHARED_DIR": str(shared_dir)}
    vorlagen = [str(Path(sys.executable).with_name("vorlagen"))]
    done = subprocess.run([*vorlagen, "sync", oparl_server.system, "--body", "Karlsruhe", "--json"],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)[0]["bodies"][0]
    served = httpx.get(f"{oparl_server.base}/karlsruhe/bodies/0001/papers", params={"limit": 50}).json()["data"]
    blank = [f for p in served for f in [p.get("mainFile"), *p.get("auxiliaryFile", [])]
             if f and not (f.get("text") or "").strip()]
    assert body["city"] == "Karlsruhe" and body["papers"] == 6
    assert body["files_downloaded"] == len(blank) < 6, "nur Dateien ohne OParl-Text werden geladen"
    assert len(body["added"]) == 6
    again = subprocess.run([*vorlagen, "sync", "--all", "--json"], cwd=REPO_ROOT, env=env,
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)[0]["bodies"][0]["papers"] == 0
    settings = Settings(data_dir=tmp_path / "cli-data")
    registry = Registry(settings.registry_path)
    documents = registry.documents()
    assert {d.stadt for d in documents} == {"Karlsruhe"} and len(documents) == 6
    vorlage = json.loads(registry.vorlage_json(documents[0].doc_id))
    assert vorlage["beratungsfolge"] and all(b["gremium"] for b in vorlage["beratungsfolge"])
    nothing = subprocess.run([*vorlagen, "sync"], cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    assert nothing.returncode == 2 and "genau eines" in nothing.stderr

    # A stored endpoint that is down (listed first): the others are still synced; exit code 2, German message.
    down = f"http://127.0.0.1:{_free_port()}/oparl/system"
    state = SyncState(settings.data_dir / "oparl-sync.sqlite3")
    state.remember_endpoint(down, None)
    state._write("UPDATE endpoints SET added = ? WHERE url = ?", ("2000-01-01T00:00:00+00:00", down))
    state.close()
    changed = documents[0].doc_id
    time.sleep(1.1)  # ``modified`` (whole seconds) after the last sync started
    oparl_server.change(modified={changed: {"name": "Geänderter Betreff nach dem Ausfall"}})
    mixed = subprocess.run([*vorlagen, "sync", "--all", "--json"], cwd=REPO_ROOT, env=env,
                           capture_output=True, text=True, timeout=600)
    assert mixed.returncode == 2, mixed.stderr
    first, second = json.loads(mixed.stdout)
    assert first["endpoint"] == down and "nicht erreichbar" in first["error"] and not first["bodies"]
    assert second["error"] is None and second["bodies"][0]["papers"] == 1 and len(second["bodies"][0]["replaced"]) == 1
    assert f"Schnittstelle {down} nicht abgeglichen" in mixed.stderr
    assert "1 von 2 Schnittstellen nicht abgeglichen" in mixed.stderr
    assert json.loads(Registry(settings.registry_path).vorlage_json(changed))["title"] == "Geänderter Betreff nach dem Ausfall"


def test_a_paper_whose_files_cannot_be_downloaded_is_reported_kept_and_retried(
    tmp_path: Path, shared_dir: Path, embeddings, oparl_server: FixtureServer
) -> None:
    settings = _settings(tmp_path, shared_dir)
    store = VorlagenStore(settings, embeddings=embeddings)
    sync = OParlSync(settings, store)

    oparl_server.change(fail_files=True)  # the file store is down, the OParl API answers
    first = sync.sync(oparl_server.system, body_filter="Hürtgenwald").bodies[0]
    held = {f.object_id for f in first.failed if f.message.startswith("Vorlage nicht übernommen")}
    assert held and any("Datei nicht geladen" in f.message and "503" in f.message for f in first.failed)
    for paper_id in held:  # nothing half-stored
        assert store.get_vorlage(paper_id) is None
        assert not store.vectorstore.get(where={"doc_id": paper_id}, include=[])["ids"]
    assert store.registry.pending() == []

    oparl_server.change()  # back up: the modified_since list no longer names them, the retry does
    second = sync.sync(oparl_server.system, body_filter="Hürtgenwald").bodies[0]
    assert set(second.retried) == held and second.papers == len(held) and not second.failed
    assert len(second.added) + len(second.duplicates) + len(second.without_text) == len(held)
    papers = {pid: sync.client.get_object(pid) for pid in sorted(held) if store.get_vorlage(pid) is not None}
    stored, paper = next((pid, p) for pid, p in papers.items() if isinstance(p.get("mainFile"), dict))
    before, chunks = store.get_vorlage(stored), store.count_chunks()

    # A stored paper changes, and its new file cannot be downloaded: the stored version stays.
    time.sleep(1.1)  # ``modified`` (whole seconds) after the second sync started
    new_file = {**paper["mainFile"], "id": paper["mainFile"]["id"] + "-neu"}
    changed_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    change = {stored: {"name": "Neuer Betreff", "mainFile": new_file}}
    oparl_server.change(modified=change, fail_files=True, changed_at=changed_at)
    time.sleep(1.1)  # the next sync's ``modified_since`` (whole seconds) lies after ``changed_at``
    third = sync.sync(oparl_server.system, body_filter="Hürtgenwald").bodies[0]
    assert third.papers == 1 and any(f.object_id == stored and "bleibt" in f.message for f in third.failed)
    assert store.get_vorlage(stored) == before and store.count_chunks() == chunks

    oparl_server.change(modified=change, changed_at=changed_at)
    fourth = sync.sync(oparl_server.system, body_filter="Hürtgenwald").bodies[0]
    assert fourth.retried == [stored] and fourth.papers == 1 and not fourth.failed
    assert store.get_vorlage(stored).title == "Neuer Betreff"
    assert sync.state.papers_to_retry(fourth.body_id) == []
    sync.close()


def test_an_address_that_is_not_oparl_gives_a_german_error(
    tmp_path: Path, shared_dir: Path, embeddings, oparl_server: FixtureServer
) -> None:
    settings = _settings(tmp_path, shared_dir)
    sync = OParlSync(settings, VorlagenStore(settings, embeddings=embeddings))
    with pytest.raises(NotOParlError, match="keine OParl-Schnittstelle: Die Antwort ist kein JSON"):
        sync.sync(f"{oparl_server.base}/docs")
    with pytest.raises(NotOParlError, match="keine OParl-Schnittstelle"):
        sync.sync(f"{oparl_server.base}/huertgenwald/body/1/paper")
    with pytest.raises(OParlError, match="nicht erreichbar"):
        sync.sync(f"http://127.0.0.1:{_free_port()}/oparl/system")
    sync.close()


def test_a_result_recorded_later_reaches_the_stored_paper(
    tmp_path: Path, shared_dir: Path, embeddings, oparl_server: FixtureServer
) -> None:
    """A council records the result on the agenda item; the paper's own ``modified`` stays. The next sync reads
    the meetings changed since the last run and syncs the papers consulted there again: the paper with the new
    result is replaced, nothing else."""
    settings = _settings(tmp_path, shared_dir)
    store = VorlagenStore(settings, embeddings=embeddings)
    sync = OParlSync(settings, store)
    first = sync.sync(oparl_server.system, body_filter="Karlsruhe").bodies[0]
    assert first.added and not first.failed
    stored = [store.get_vorlage(d.doc_id) for d in store.documents()]
    paper_id, agenda_item = next(
        (v.doc_id, c["agendaItem"]) for v in stored for c in sync.client.get_object(v.doc_id).get("consultation") or []
        if c.get("agendaItem") and c.get("meeting"))
    vorlage = store.get_vorlage(paper_id)
    chunks = store.count_chunks()

    time.sleep(1.1)  # ``modified`` (whole seconds) after the first sync started
    oparl_server.change(agenda={agenda_item: {"result": "vertagt", "resolutionText": "Die Beratung wird vertagt."}})
    second = sync.sync(oparl_server.system, body_filter="Karlsruhe").bodies[0]
    assert second.papers == 1 and second.rechecked == [paper_id]
    assert second.replaced == [vorlage.source_name] and not second.failed
    changed = store.get_vorlage(paper_id)
    assert ("vertagt", "Die Beratung wird vertagt.") in [(b.ergebnis, b.beschlusstext) for b in changed.beratungsfolge]
    assert changed.content_hash != vorlage.content_hash and store.count_chunks() == chunks
    assert any("/meetings" in url and "modified_since" in url for url in oparl_server.requests())

    third = sync.sync(oparl_server.system, body_filter="Karlsruhe").bodies[0]  # within the same second the
    assert not third.replaced and not third.added and third.unchanged == third.papers <= 1  # meeting may be read again
    sync.close()


def test_a_full_sync_reads_unchanged_papers_anew_after_an_update(
    tmp_path: Path, shared_dir: Path, embeddings, oparl_server: FixtureServer, monkeypatch
) -> None:
    """Papers synced by an older reading (here: one that stored no Beratungsfolge at all) stay as they are on a
    normal sync, which skips unchanged papers; ``full`` reads them anew and replaces those that now come out
    different, without downloading files again."""
    import ingest.oparl

    settings = _settings(tmp_path, shared_dir)
    store = VorlagenStore(settings, embeddings=embeddings)
    sync = OParlSync(settings, store)
    with monkeypatch.context() as older:
        older.setattr(ingest.oparl, "merged_beratungsfolge", lambda recorded, stated: [])
        first = sync.sync(oparl_server.system, body_filter="Karlsruhe").bodies[0]
    assert first.papers == 6 and not first.failed
    steps = {d.doc_id: len(store.get_vorlage(d.doc_id).beratungsfolge) for d in store.documents()}

    normal = sync.sync(oparl_server.system, body_filter="Karlsruhe").bodies[0]
    assert normal.papers == 0 and not normal.replaced

    oparl_server.clear_log()
    full = sync.sync(oparl_server.system, body_filter="Karlsruhe", full=True).bodies[0]
    assert full.papers == 6 and not full.failed and not full.added
    assert full.replaced and len(full.replaced) + full.unchanged == 6
    assert not _downloads(oparl_server.requests()), "Dateien mit unveränderter Prüfsumme werden nicht erneut geladen"
    now = {d.doc_id: len(store.get_vorlage(d.doc_id).beratungsfolge) for d in store.documents()}
    grown = [doc_id for doc_id in steps if now[doc_id] > steps[doc_id]]
    assert len(grown) == len(full.replaced) and all(now[d] >= steps[d] for d in steps)
