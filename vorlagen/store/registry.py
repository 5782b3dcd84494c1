"""The SQLite registry: every stored Vorlage (metadata, text, content hash) and every chunk (text,
metadata, German tokens), plus the keyword index (``chunk_fts``) in the same database, so a
document's rows and its keyword entries change in one transaction. The tantivy keyword engine beside
it (``<registry>.tantivy/``) is derived from the registry and kept in step by ``KeywordIndex``."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, Literal

from langchain_core.documents import Document
from pydantic import BaseModel

from vorlagen.domain import PaperRelation, Vorlage
from vorlagen.store.keyword import KEYWORD_INDEX_VERSION, KEYWORD_SCHEMA, KeywordIndex
from vorlagen.store.tantivy_index import KeywordRow, TantivyKeywordEngine

KeywordEngineName = Literal["tantivy", "fts5"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    source_name TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    vorlage_json TEXT NOT NULL,
    chunk_count INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_hash ON documents(content_hash);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    text TEXT NOT NULL,
    metadata_json TEXT NOT NULL,
    tokens TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS paper_links (
    doc_id TEXT NOT NULL,
    linked_id TEXT NOT NULL,
    relation TEXT NOT NULL,
    PRIMARY KEY (doc_id, linked_id)
);
CREATE INDEX IF NOT EXISTS paper_links_linked ON paper_links(linked_id);
CREATE TABLE IF NOT EXISTS pending_vectors (chunk_id TEXT PRIMARY KEY, writer_pid INTEGER NOT NULL);
"""
# paper_links: the super-/subordinated papers each stored Vorlage names (``Vorlage.links``), indexed both
# ways, so the papers linked to one are found whichever of the two named the link.
# pending_vectors: a journal of Chroma writes the registry does not (yet) reflect. Ids are entered
# before vectors are added and before registry rows are deleted, and leave it once Chroma and the
# registry agree again; ``VorlagenStore.recover_pending`` (at every start) deletes the vectors of ids
# whose writing process is gone and which the registry lacks: a SIGKILL mid-ingestion leaves no half
# document.


class DocumentInfo(BaseModel):
    doc_id: str
    source_name: str
    source: str
    drucksache: str | None = None
    title: str | None = None
    datum: date | None = None
    vorlagenart: str | None = None
    stadt: str | None = None
    chunks: int
    content_hash: str


class LinkedPaper(BaseModel):
    """A paper linked to a stored Vorlage, by a link either of them states."""

    doc_id: str
    """The other paper's id (stored or not)."""
    relation: PaperRelation
    """As stated by ``stated_by``: ``superordinated`` or ``subordinated``."""
    stated_by: str
    """The id of the paper whose ``links`` name the link."""


class ChunkRow(BaseModel):
    """One chunk as the registry stores it."""

    chunk_id: str
    text: str
    metadata: dict[str, Any]
    tokens: str
    """German tokens (``vorlagen.text.tokenize``) joined by spaces."""


class Registry:
    """One SQLite file (WAL) per data folder; thread-safe for one process. Several processes may open
    it; their writes are serialised by SQLite's write lock (waiting up to a minute)."""

    def __init__(self, path: Path, keyword_max_df_share: float = 1.0, keyword_engine: KeywordEngineName = "tantivy") -> None:
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=60)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA + KEYWORD_SCHEMA)
        self._index_old_chunks()
        self._count_old_chunks()
        self.keywords = KeywordIndex(self._db, self.generation, keyword_max_df_share, self.count_chunks)
        if keyword_engine == "tantivy":
            with self.transaction() as db:
                db.execute("BEGIN IMMEDIATE")  # one process at a time opens, repairs or builds the engine
                self.keywords.engine = TantivyKeywordEngine(path.with_name(f"{path.stem}.tantivy"))
                self.keywords.recover(db)
        self._index_cities()
        self._index_old_links()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._db:
            yield self._db

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    def _index_old_chunks(self) -> None:
        """Registries written before the FTS5 index (or before its current version) get it built once
        from their stored tokens."""
        if self._state("keyword_index") == KEYWORD_INDEX_VERSION:
            return
        with self.transaction() as db:
            db.execute("DELETE FROM chunk_fts")
            db.execute(
                "INSERT INTO chunk_fts(rowid, tokens, chunk_id, doc_id, stadt, vorlagenart, drucksache, year) "
                "SELECT rowid, tokens, chunk_id, doc_id, json_extract(metadata_json, '$.stadt'), "
                "json_extract(metadata_json, '$.vorlagenart'), json_extract(metadata_json, '$.drucksache'), "
                "json_extract(metadata_json, '$.year') FROM chunks"
            )
            db.execute(
                "INSERT INTO state(key, value) VALUES('keyword_index', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (KEYWORD_INDEX_VERSION,),
            )

    def _count_old_chunks(self) -> None:
        """The chunk count is kept in ``state`` by every write (a ``COUNT(*)`` reads a whole index:
        0,4–0,8 s at 287.241 chunks); registries written before get it counted once."""
        if self._state("chunk_count") is None:
            with self.transaction() as db:
                db.execute(
                    "INSERT INTO state(key, value) SELECT 'chunk_count', COUNT(*) FROM chunks WHERE true "
                    "ON CONFLICT(key) DO NOTHING"
                )

    @staticmethod
    def _add_chunk_count(db: sqlite3.Connection, change: int) -> None:
        db.execute("UPDATE state SET value = CAST(value AS INTEGER) + ? WHERE key = 'chunk_count'", (change,))

    def _index_cities(self) -> None:
        """``documents.stadt``: each Vorlage's city as an indexed virtual column, so the city list comes
        from an index instead of parsing every stored Vorlage's JSON (0,1–0,2 s at 3.400 Vorlagen, after
        every write). Registries written before get the column once."""
        columns = {row[1] for row in self._db.execute("PRAGMA table_xinfo(documents)")}
        if "stadt" not in columns:
            try:
                self._db.execute(
                    "ALTER TABLE documents ADD COLUMN stadt TEXT "
                    "GENERATED ALWAYS AS (json_extract(vorlage_json, '$.stadt')) VIRTUAL"
                )
            except sqlite3.OperationalError as error:  # another process added it just now
                if "duplicate column" not in str(error):
                    raise
        self._db.execute("CREATE INDEX IF NOT EXISTS documents_stadt ON documents(stadt)")

    def _index_old_links(self) -> None:
        """Registries written before ``paper_links`` get it filled once from their stored Vorlagen."""
        if self._state("paper_links") == "1":
            return
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO paper_links(doc_id, linked_id, relation) SELECT documents.doc_id, "
                "json_extract(link.value, '$.doc_id'), json_extract(link.value, '$.relation') "
                "FROM documents, json_each(documents.vorlage_json, '$.links') AS link"
            )
            db.execute("INSERT INTO state(key, value) VALUES('paper_links', '1') ON CONFLICT(key) DO UPDATE SET value = '1'")

    @staticmethod
    def _put_links(db: sqlite3.Connection, vorlage: Vorlage) -> None:
        db.execute("DELETE FROM paper_links WHERE doc_id = ?", (vorlage.doc_id,))
        db.executemany(
            "INSERT OR IGNORE INTO paper_links(doc_id, linked_id, relation) VALUES (?,?,?)",
            [(vorlage.doc_id, link.doc_id, link.relation) for link in vorlage.links],
        )

    # ---- state ------------------------------------------------------------------------------------
    def _state(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def generation(self) -> int:
        """Counts the registry's changes (caches key on it)."""
        return int(self._state("generation") or 0)

    @staticmethod
    def _bump_generation(db: sqlite3.Connection) -> None:
        db.execute(
            "INSERT INTO state(key, value) VALUES('generation', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    # ---- writing ----------------------------------------------------------------------------------
    def content_hash_of(self, doc_id: str) -> str | None:
        row = self._db.execute("SELECT content_hash FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def has_content(self, content_hash: str) -> bool:
        return (
            self._db.execute(
                "SELECT 1 FROM documents WHERE content_hash = ? LIMIT 1", (content_hash,)
            ).fetchone()
            is not None
        )

    def chunk_ids_of(self, doc_id: str) -> list[str]:
        return [row[0] for row in self._db.execute("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,))]

    def put(
        self, vorlage: Vorlage, chunks: Sequence[ChunkRow], journal: Sequence[str] = (), settle: Sequence[str] = ()
    ) -> None:
        """Store a Vorlage with its chunks and keyword entries, replacing what it had (one transaction);
        in the same transaction ``journal`` vector ids about to be deleted and ``settle`` those written."""
        self._journal_keywords([vorlage.doc_id])
        with self.transaction() as db:
            self._journal(db, journal)
            self._settle(db, settle)
            KeywordIndex.remove_document(db, vorlage.doc_id)  # first: found through the chunks' rowids
            removed = db.execute("DELETE FROM chunks WHERE doc_id = ?", (vorlage.doc_id,)).rowcount
            self._add_chunk_count(db, len(chunks) - removed)
            db.executemany(
                "INSERT INTO chunks(chunk_id, doc_id, text, metadata_json, tokens) VALUES (?,?,?,?,?)",
                [
                    (c.chunk_id, vorlage.doc_id, c.text, json.dumps(c.metadata, ensure_ascii=False), c.tokens)
                    for c in chunks
                ],
            )
            KeywordIndex.add(db, vorlage.doc_id, [(c.chunk_id, c.tokens, c.metadata) for c in chunks])
            db.execute(
                "INSERT INTO documents(doc_id, source_name, content_hash, vorlage_json, chunk_count) "
                "VALUES (?,?,?,?,?) ON CONFLICT(doc_id) DO UPDATE SET source_name=excluded.source_name, "
                "content_hash=excluded.content_hash, vorlage_json=excluded.vorlage_json, "
                "chunk_count=excluded.chunk_count",
                (
                    vorlage.doc_id,
                    vorlage.source_name,
                    vorlage.content_hash,
                    vorlage.model_dump_json(exclude={"content_hash"}),
                    len(chunks),
                ),
            )
            self._put_links(db, vorlage)
            self._bump_generation(db)
            self.keywords.sync(
                db, [vorlage.doc_id], [KeywordRow.from_chunk(c.chunk_id, vorlage.doc_id, c.tokens, c.metadata) for c in chunks]
            )

    def delete(self, doc_id: str, journal: Sequence[str] = ()) -> None:
        """Delete a Vorlage; in the same transaction journal its vector ids (deleted next)."""
        self._journal_keywords([doc_id])
        with self.transaction() as db:
            self._journal(db, journal)
            KeywordIndex.remove_document(db, doc_id)  # first: found through the chunks' rowids
            removed = db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,)).rowcount
            self._add_chunk_count(db, -removed)
            db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
            db.execute("DELETE FROM paper_links WHERE doc_id = ?", (doc_id,))
            self._bump_generation(db)
            self.keywords.sync(db, [doc_id], [])

    def _journal_keywords(self, doc_ids: Sequence[str]) -> None:
        """Before a write, in a transaction of its own: journal the documents for the tantivy engine."""
        if self.keywords.engine is not None:
            with self.transaction() as db:
                KeywordIndex.journal(db, doc_ids)

    # ---- the journal of vector writes --------------------------------------------------------------
    @staticmethod
    def _journal(db: sqlite3.Connection, chunk_ids: Sequence[str]) -> None:
        db.executemany(
            "INSERT OR REPLACE INTO pending_vectors(chunk_id, writer_pid) VALUES (?, ?)",
            [(chunk_id, os.getpid()) for chunk_id in chunk_ids],
        )

    @staticmethod
    def _settle(db: sqlite3.Connection, chunk_ids: Sequence[str]) -> None:
        db.executemany("DELETE FROM pending_vectors WHERE chunk_id = ?", [(chunk_id,) for chunk_id in chunk_ids])

    def journal(self, chunk_ids: Sequence[str]) -> None:
        with self.transaction() as db:
            self._journal(db, chunk_ids)

    def settle(self, chunk_ids: Sequence[str]) -> None:
        with self.transaction() as db:
            self._settle(db, chunk_ids)

    def pending(self) -> list[tuple[str, int]]:
        """(chunk id, writer's process id) of every journaled vector write."""
        return [(row[0], int(row[1])) for row in self._db.execute("SELECT chunk_id, writer_pid FROM pending_vectors")]

    def known_chunk_ids(self, chunk_ids: Sequence[str]) -> set[str]:
        if not chunk_ids:
            return set()
        marks = ",".join("?" * len(chunk_ids))
        return {row[0] for row in self._db.execute(f"SELECT chunk_id FROM chunks WHERE chunk_id IN ({marks})", list(chunk_ids))}

    # ---- reading ----------------------------------------------------------------------------------
    def exists(self, doc_id: str) -> bool:
        return self.content_hash_of(doc_id) is not None

    def find_doc_ids(self, name: str) -> list[str]:
        rows = self._db.execute(
            "SELECT doc_id FROM documents WHERE doc_id = ? OR source_name = ? "
            "OR json_extract(vorlage_json, '$.drucksache') = ?",
            (name, name, name),
        ).fetchall()
        return [row[0] for row in rows]

    def documents(self) -> list[DocumentInfo]:
        rows = self._db.execute(
            "SELECT doc_id, source_name, content_hash, chunk_count, "
            "json_extract(vorlage_json, '$.source'), json_extract(vorlage_json, '$.drucksache'), "
            "json_extract(vorlage_json, '$.title'), json_extract(vorlage_json, '$.datum'), "
            "json_extract(vorlage_json, '$.vorlagenart'), json_extract(vorlage_json, '$.stadt') "
            "FROM documents ORDER BY source_name"
        ).fetchall()
        return [
            DocumentInfo(
                doc_id=r[0], source_name=r[1], content_hash=r[2], chunks=r[3], source=r[4],
                drucksache=r[5], title=r[6], datum=r[7], vorlagenart=r[8], stadt=r[9],
            )
            for r in rows
        ]

    def city_values(self) -> set[str | None]:
        """The ``stadt`` of the stored Vorlagen; ``None`` stands for Vorlagen without a city."""
        rows = self._db.execute("SELECT DISTINCT stadt FROM documents").fetchall()
        return {row[0] or None for row in rows}

    def count_documents(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def count_chunks(self) -> int:
        """The number of stored chunks (kept by every write, no scan)."""
        return int(self._state("chunk_count") or 0)

    def has_chunks(self) -> bool:
        """Any chunk stored?"""
        return self._db.execute("SELECT 1 FROM chunks LIMIT 1").fetchone() is not None

    def vorlage_json(self, doc_id: str) -> str | None:
        row = self._db.execute("SELECT vorlage_json FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def chunks(self, chunk_ids: Sequence[str]) -> list[Document]:
        """Chunks as LangChain Documents, in the order asked for."""
        if not chunk_ids:
            return []
        placeholders = ",".join("?" * len(chunk_ids))
        rows = self._db.execute(
            f"SELECT chunk_id, text, metadata_json FROM chunks WHERE chunk_id IN ({placeholders})",
            list(chunk_ids),
        ).fetchall()
        by_id = {r[0]: Document(id=r[0], page_content=r[1], metadata=json.loads(r[2])) for r in rows}
        return [by_id[cid] for cid in chunk_ids if cid in by_id]

    def linked_papers(self, doc_id: str) -> list[LinkedPaper]:
        """The papers linked to ``doc_id`` by its own links and by the links of stored papers naming it."""
        rows = self._db.execute(
            "SELECT linked_id, relation, doc_id FROM paper_links WHERE doc_id = ? "
            "UNION SELECT doc_id, relation, doc_id FROM paper_links WHERE linked_id = ?",
            (doc_id, doc_id),
        ).fetchall()
        return [LinkedPaper(doc_id=row[0], relation=row[1], stated_by=row[2]) for row in rows]

    def token_rows(self, doc_id: str) -> list[str]:
        return [row[0] for row in self._db.execute("SELECT tokens FROM chunks WHERE doc_id = ?", (doc_id,))]

    def close(self) -> None:
        self._db.close()
