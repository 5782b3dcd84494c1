"""The tantivy keyword engine beside the registry: our tokens unchanged, the chunk count kept without a
scan, and the engine in step with the registry (the source of truth) across a crash between the two
commits, an engine switch, a lost index directory, and a second process reading the same data folder."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.loaders import discover_files, load_path
from tests.test_keyword_index import chunk_rows
from vorlagen.domain import Vorlage
from vorlagen.store.registry import ChunkRow, Registry
from vorlagen.store.tantivy_index import TantivyKeywordEngine
from vorlagen.text import tokenize

REPO = Path(__file__).resolve().parents[1]
MARKER = "Zauberwürfelausschuss"


@pytest.fixture(scope="module")
def seeds(shared_dir: Path) -> list[tuple[Vorlage, list[ChunkRow]]]:
    vorlagen = [v for path in discover_files([shared_dir / "corpus/seeds"]) for v in load_path(path)]
    karlsruhe = list(load_path(shared_dir / "corpus/karlsruhe/karlsruhe-eval-300.jsonl.gz"))[:8]
    return [(v, chunk_rows(v)) for v in vorlagen + karlsruhe]


def _filled(path: Path, seeds, engine: str = "tantivy") -> Registry:
    registry = Registry(path, keyword_engine=engine)
    for vorlage, rows in seeds:
        registry.put(vorlage, rows)
    return registry


def _with_marker(vorlage: Vorlage) -> Vorlage:
    return vorlage.model_copy(update={"text": vorlage.text + f"\n\nNachtrag: Der {MARKER} tagt quartalsweise."})


def _counts(registry: Registry) -> tuple[int, int, int, int]:
    db = registry._db
    return (
        registry.count_chunks(),
        int(db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]),
        int(db.execute("SELECT COUNT(*) FROM chunk_fts").fetchone()[0]),
        len(registry.keywords.engine),
    )


def test_chunk_count_is_kept_by_every_write_and_equals_the_rows(tmp_path: Path, seeds) -> None:
    path = tmp_path / "registry.sqlite3"
    registry = _filled(path, seeds)
    total = sum(len(rows) for _, rows in seeds)
    assert _counts(registry) == (total,) * 4
    vorlage, rows = seeds[0]
    registry.put(vorlage, rows[:1])  # replaced by fewer chunks
    registry.delete(seeds[1][0].doc_id)
    registry.put(vorlage, rows)  # and by more again
    expected = total - len(seeds[1][1])
    assert _counts(registry) == (expected,) * 4
    registry.close()
    db = sqlite3.connect(path)  # a registry from before the counter
    db.execute("DELETE FROM state WHERE key = 'chunk_count'")
    db.commit()
    db.close()
    assert _counts(Registry(path)) == (expected,) * 4


def test_tantivy_indexes_our_tokens_unchanged(tmp_path: Path, seeds) -> None:
    """Dates, decimals and amounts stay one token each (the whitespace tokenizer changes nothing):
    a search for a token finds exactly the chunks whose stored tokens contain it."""
    registry = _filled(tmp_path / "registry.sqlite3", seeds)
    engine = registry.keywords.engine
    containing: dict[str, set[str]] = {}
    for _, rows in seeds:
        for row in rows:
            for token in row.tokens.split():
                containing.setdefault(token, set()).add(row.chunk_id)
    tricky = [t for t in containing if not t.isalnum()]
    assert any("." in t for t in tricky) and any("," in t for t in tricky)
    for token in tricky[:200] + ["stell", "digitalisier"]:
        assert {chunk_id for chunk_id, _ in engine.search([token], 10_000)} == containing[token], token


_CRASHING_WRITER = """
import json, os, sys
from pathlib import Path
from vorlagen.domain import Vorlage
from vorlagen.store.registry import ChunkRow, Registry
registry = Registry(Path(sys.argv[1]))
payload = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
engine = registry.keywords.engine
original = engine.write

def write_then_die(*args, **kwargs):
    original(*args, **kwargs)
    os._exit(9)  # killed after the engine's commit, before the registry's

engine.write = write_then_die
registry.put(Vorlage.model_validate(payload["vorlage"]), [ChunkRow.model_validate(r) for r in payload["rows"]])
"""


def test_crash_between_engine_and_registry_commit_is_repaired_on_open(tmp_path: Path, seeds) -> None:
    path = tmp_path / "registry.sqlite3"
    _filled(path, seeds).close()
    vorlage = _with_marker(seeds[0][0])
    payload = tmp_path / "payload.json"
    payload.write_text(
        json.dumps({"vorlage": vorlage.model_dump(mode="json"), "rows": [r.model_dump() for r in chunk_rows(vorlage)]}),
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.run([sys.executable, "-c", _CRASHING_WRITER, str(path), str(payload)], env=env, timeout=120)
    assert child.returncode == 9
    # the engine committed the new version, the registry (source of truth) kept the old one
    stale = TantivyKeywordEngine(path.with_name("registry.tantivy"))
    assert stale.search(tokenize(MARKER), 3)
    del stale
    reopened = Registry(path)
    assert reopened.keywords.search(MARKER, 3) == []
    assert reopened.token_rows(vorlage.doc_id) == [r.tokens for r in seeds[0][1]]
    hits = reopened.keywords.search(seeds[0][1][0].tokens, 5)
    assert seeds[0][1][0].chunk_id in [chunk_id for chunk_id, _ in hits]
    assert _counts(reopened) == (sum(len(rows) for _, rows in seeds),) * 4
    assert reopened._db.execute("SELECT COUNT(*) FROM pending_keywords").fetchone()[0] == 0


def test_engine_is_built_again_after_fts5_writes_or_a_lost_directory(tmp_path: Path, seeds) -> None:
    path = tmp_path / "registry.sqlite3"
    _filled(path, seeds[:4]).close()
    fts5 = Registry(path, keyword_engine="fts5")  # written while the setting said fts5: tantivy misses it
    fts5.put(_with_marker(seeds[4][0]), chunk_rows(_with_marker(seeds[4][0])))
    assert fts5.keywords.search(MARKER, 3)
    fts5.close()
    reopened = Registry(path)
    assert [reopened.chunks([c])[0].metadata["doc_id"] for c, _ in reopened.keywords.search(MARKER, 3)] == [
        seeds[4][0].doc_id
    ]
    expected = reopened.keywords.search("Personalaufwendungen Digitalisierung", 10)
    reopened.close()
    shutil.rmtree(path.with_name("registry.tantivy"))
    again = Registry(path)
    assert again.keywords.search("Personalaufwendungen Digitalisierung", 10) == expected
    assert len({_counts(again)}) == 1


_READER = """
import json, sys
from pathlib import Path
from vorlagen.store.registry import Registry
registry = Registry(Path(sys.argv[1]))
for line in sys.stdin:
    hits = registry.keywords.search(line.strip(), 3)
    print(json.dumps([registry.chunks([c])[0].metadata["doc_id"] for c, _ in hits]), flush=True)
"""


def test_a_second_process_sees_every_write_at_once(tmp_path: Path, seeds) -> None:
    """Two processes over one data folder (as two API workers): the reader's searches follow the
    writer's changes without reopening."""
    path = tmp_path / "registry.sqlite3"
    writer = _filled(path, seeds[:4])
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    reader = subprocess.Popen(
        [sys.executable, "-c", _READER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        def ask() -> list[str]:
            reader.stdin.write(MARKER + "\n")
            reader.stdin.flush()
            return json.loads(reader.stdout.readline())

        assert ask() == []
        changed = _with_marker(seeds[2][0])
        writer.put(changed, chunk_rows(changed))
        assert ask() == [changed.doc_id]
        writer.delete(changed.doc_id)
        assert ask() == []
    finally:
        reader.stdin.close()
        reader.wait(timeout=60)
