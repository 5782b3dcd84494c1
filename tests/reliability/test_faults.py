"""Faults injected into real processes: the Chroma server stops mid-request and comes back; ``vorlagen
ingest`` is killed with SIGKILL (embedded store and Chroma server); the disk fills up.

After each fault the registry (SQLite) and Chroma hold exactly the same chunks, every stored document
is whole, and nothing stored earlier is lost. (Model-server faults: tests/test_llm.py.) The default run
has the Chroma outage and the exact-point SIGKILL with the embedded store; the SIGKILL with the Chroma
server, the SIGKILL at a random moment and the full disk (each several CLI processes) are marked slow.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from ingest.pipeline import Ingestor
from tests.reliability.conftest import SEED
from tests.reliability.processes import ChromaServer
from tests.web.server import REPO_ROOT, build_index, live_server, server_env
from vorlagen.settings import Settings
from vorlagen.store import VorlagenStore

QUESTION = "Zu welchem Datum soll das gebündelte Digitalisierungsamt die Arbeit aufnehmen?"
PAPERS = 8
VORLAGEN = str(Path(sys.executable).with_name("vorlagen"))
"""The console script of this environment (``make install``)."""


def vorlage_text(number: int) -> str:
    topics = ["Sanierung der Grundschule", "Neubau eines Radwegs", "Beschaffung von Löschfahrzeugen",
              "Erweiterung der Kita", "Digitalisierung der Bauakten", "Umbau des Rathauses",
              "Pflanzung von Stadtbäumen", "Ausbau der Straßenbeleuchtung"]  # fmt: skip
    topic = topics[number % len(topics)]
    return (
        f"Beschlussvorlage Nr. {number}/2025\n\nBetreff: {topic} (Maßnahme {number})\n\n"
        f"Beschlussantrag\nDer Gemeinderat der Stadt Musterstadt beschließt die {topic} mit Kosten von "
        f"{100 + number}.000 Euro.\n\nBegründung\n"
        + f"Die Maßnahme {number} ist nötig, weil der Bestand veraltet ist und die Nutzung steigt. " * 12
        + f"\n\nFinanzielle Auswirkungen\nIm Haushalt 2025 stehen {100 + number}.000 Euro bereit.\n"
    )


@pytest.fixture
def papers(tmp_path: Path) -> Path:
    folder = tmp_path / "vorlagen"
    folder.mkdir()
    for number in range(1, PAPERS + 1):
        (folder / f"vorlage-{number:02d}.txt").write_text(vorlage_text(number), encoding="utf-8")
    return folder


def assert_registry_and_chroma_agree(store: VorlagenStore) -> None:
    with store.registry.transaction() as db:
        registry = {row[0]: row[1] for row in db.execute("SELECT chunk_id, doc_id FROM chunks")}
    chroma = store.vectorstore.get(include=["metadatas"])
    chroma_ids = chroma["ids"]
    assert len(chroma_ids) == len(set(chroma_ids)), "doppelte Vektoren"
    assert set(chroma_ids) == set(registry), {
        "nur in Chroma": sorted(set(chroma_ids) - set(registry))[:5],
        "nur im Register": sorted(set(registry) - set(chroma_ids))[:5],
    }
    for info in store.documents():  # every document whole: its recorded chunk count is what is stored
        assert info.chunks == sum(1 for doc_id in registry.values() if doc_id == info.doc_id), info.doc_id
    assert all(meta["doc_id"] == registry[cid] for cid, meta in zip(chroma_ids, chroma["metadatas"]))


def cli_env(data_dir: Path, shared_dir: Path, chroma_url: str | None) -> dict[str, str]:
    env = server_env(data_dir, shared_dir)
    if chroma_url:
        env["VORLAGEN_CHROMA_SERVER_URL"] = chroma_url
    return env


def run(command: list[str], env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def restart_then_check_then_finish(data_dir: Path, env: dict[str, str], papers: Path, embeddings,
                                   chroma_url: str | None) -> None:
    """The restart (a real ``vorlagen docs list`` opens the store), the check, and the ingestion resumed."""
    restarted = run([VORLAGEN, "docs", "list"], env)
    assert restarted.returncode == 0, restarted.stderr
    settings = Settings(data_dir=data_dir, chroma_server_url=chroma_url)
    store = VorlagenStore(settings, embeddings=embeddings)
    assert_registry_and_chroma_agree(store)
    stored_before = store.count_documents()
    assert stored_before < PAPERS

    report = Ingestor(settings, store).ingest_paths([papers])

    assert report.ok and len(report.added) == PAPERS - stored_before and len(report.unchanged) == stored_before
    assert store.count_documents() == PAPERS
    assert_registry_and_chroma_agree(store)
    store.close()


@pytest.mark.parametrize("where", ["eingebettet", pytest.param("chroma-server", marks=pytest.mark.slow)])
def test_sigkill_between_vector_write_and_registry_leaves_no_half_document(
    where: str, papers: Path, tmp_path: Path, shared_dir: Path, embeddings, request: pytest.FixtureRequest
) -> None:
    chroma_url = request.getfixturevalue("chroma_server").url if where == "chroma-server" else None
    data_dir = tmp_path / "data"
    env = cli_env(data_dir, shared_dir, chroma_url)

    killed = run([sys.executable, "-m", "tests.reliability.kill_during_ingest", "3", str(papers)], env)

    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    with sqlite3.connect(f"file:{data_dir / 'registry.sqlite3'}?mode=ro", uri=True) as registry:
        assert registry.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 2
        assert registry.execute("SELECT COUNT(*) FROM pending_vectors").fetchone()[0] > 0  # the third, half written
    restart_then_check_then_finish(data_dir, env, papers, embeddings, chroma_url)


@pytest.mark.slow
def test_sigkill_of_a_running_vorlagen_ingest(papers: Path, tmp_path: Path, shared_dir: Path, embeddings) -> None:
    data_dir = tmp_path / "data"
    env = cli_env(data_dir, shared_dir, None)
    registry_path = data_dir / "registry.sqlite3"
    process = subprocess.Popen([VORLAGEN, "ingest", str(papers)], cwd=REPO_ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and process.poll() is None:
            if registry_path.exists():
                try:
                    with sqlite3.connect(f"file:{registry_path}?mode=ro", uri=True, timeout=1) as registry:
                        if registry.execute("SELECT COUNT(*) FROM documents").fetchone()[0] >= 2:
                            break
                except sqlite3.OperationalError:
                    pass  # schema not created yet
            time.sleep(0.05)
        assert process.poll() is None, "das Einlesen war schon fertig, bevor es beendet werden konnte"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    restart_then_check_then_finish(data_dir, env, papers, embeddings, None)


def test_chroma_server_stopping_mid_request_gives_503_and_recovers(
    chroma_server: ChromaServer, seed_folder: Path, shared_dir: Path, tmp_path: Path, artifacts: Path
) -> None:
    env = server_env(tmp_path / "data", shared_dir, VORLAGEN_CHROMA_SERVER_URL=chroma_server.url)
    build_index(env, [seed_folder])
    with live_server(env, artifacts / "server-chroma-fault.log") as running, running.client(timeout=60) as http:

        def ask() -> httpx.Response:
            return http.post("/v1/ask", json={"question": QUESTION})

        def found_in_chroma() -> bool:  # retrieval through the Chroma server finds the seed (whatever the answer)
            hits = http.get("/v1/search", params={"q": QUESTION})
            return hits.status_code == 200 and any(hit["source_name"] == SEED for hit in hits.json())

        before = ask()
        assert before.status_code == 200 and found_in_chroma(), before.text
        with ThreadPoolExecutor(max_workers=6) as pool:  # requests in flight while Chroma goes away
            in_flight = [pool.submit(ask) for _ in range(18)]
            time.sleep(0.2)
            chroma_server.stop(kill=True)
            statuses = [future.result().status_code for future in in_flight]
        assert set(statuses) <= {200, 503}, statuses

        down = ask()
        assert down.status_code == 503, down.text
        detail = down.json()["detail"]
        assert "Vektorspeicher" in detail and "nicht erreichbar" in detail, detail
        assert down.headers.get("retry-after")
        assert http.get("/readyz").status_code == 503
        assert http.get("/healthz").status_code == 200

        chroma_server.start()  # same port, same data
        deadline = time.monotonic() + 60
        while (back := ask()).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert back.status_code == 200, back.text
        assert found_in_chroma()
        assert http.get("/readyz").status_code == 200


# --- disk full ---------------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Path:
    """A 6 MB tmpfs mounted for this test (root only); skipped where mounting is not permitted."""
    mount_point = tmp_path / "kleine-platte"
    mount_point.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount_point)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"tmpfs kann nicht eingehängt werden (root nötig): {result.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.mark.slow
def test_disk_full_during_ingest_is_a_clear_error_and_corrupts_nothing(
    small_disk: Path, papers: Path, tmp_path: Path, shared_dir: Path, embeddings
) -> None:
    data_dir = small_disk / "data"
    env = cli_env(data_dir, shared_dir, None)
    first = run([VORLAGEN, "ingest", str(papers / "vorlage-01.txt")], env)
    assert first.returncode == 0, first.stdout + first.stderr
    filler = small_disk / "fuellung"
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    filler.write_bytes(b"\0" * max(0, free - 64 * 1024))  # leave 64 KB

    full = run([VORLAGEN, "ingest", str(papers)], env)

    output = full.stdout + full.stderr
    assert full.returncode != 0
    assert "Speicherplatz" in output, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    filler.unlink()  # space again: the index opens, agrees with itself and still answers
    settings = Settings(data_dir=data_dir)
    store = VorlagenStore(settings, embeddings=embeddings)
    assert_registry_and_chroma_agree(store)
    assert "vorlage-01.txt" in {document.source_name for document in store.documents()}
    report = Ingestor(settings, store).ingest_paths([papers])
    assert report.ok and store.count_documents() == PAPERS
    assert_registry_and_chroma_agree(store)
    store.close()
