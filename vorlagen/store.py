"""The store: Chroma for dense vectors, a SQLite registry for documents, chunk texts and BM25 tokens.

- Chroma is reached through ``langchain_chroma.Chroma``: the embedded ``PersistentClient`` in
  ``Settings.data_dir`` by default (one process only), an ``HttpClient`` when
  ``Settings.chroma_server_url`` is set.
- The registry (``registry.sqlite3``) holds each ``Vorlage`` (metadata, text, content hash) and each
  chunk's text, metadata and German BM25 tokens. Tokens are computed once, at ingestion; the BM25
  index is rebuilt from them only when the registry changed, and pickled beside the registry, so a
  start reads one file instead of re-analysing every chunk.
- Re-ingesting an unchanged document adds nothing (content hash); a changed one replaces its chunks;
  removing a document removes its chunks from Chroma and the registry. New chunks are embedded before
  anything old is deleted, so a failure leaves what was stored intact.
"""

from __future__ import annotations

import json
import os
import pickle
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaClientSettings
from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from pydantic import BaseModel
from rank_bm25 import BM25Okapi

from vorlagen.domain import Chunk, SearchFilters, Vorlage
from vorlagen.embeddings import build_embeddings
from vorlagen.settings import Settings
from vorlagen.text import tokenize

UpsertStatus = Literal["added", "replaced", "unchanged", "duplicate"]


class StoreUnavailableError(RuntimeError):
    """The vector store cannot be reached (German message for the user)."""


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


class Passage(BaseModel):
    """A cited chunk with its surroundings, for the passage view."""

    doc_id: str
    chunk_id: str
    source_name: str
    drucksache: str | None = None
    title: str | None = None
    section: str | None = None
    page: int | None = None
    before: str
    text: str
    after: str
    start: int
    end: int


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
CREATE TABLE IF NOT EXISTS pending_vectors (chunk_id TEXT PRIMARY KEY, writer_pid INTEGER NOT NULL);
"""
# pending_vectors: a journal of Chroma writes the registry does not (yet) reflect. Ids are entered
# before vectors are added and before registry rows are deleted, and leave it once Chroma and the
# registry agree again. ``recover_pending`` (at every start) deletes the vectors of ids whose writing
# process is gone and which the registry lacks: a SIGKILL mid-ingestion leaves no half document.


def chroma_where(filters: SearchFilters | None) -> dict[str, Any] | None:
    """Chroma ``where`` clause for the metadata filters."""
    if filters is None:
        return None
    clauses: list[dict[str, Any]] = []
    if filters.stadt:
        clauses.append({"stadt": filters.stadt})
    if filters.vorlagenart:
        clauses.append({"vorlagenart": filters.vorlagenart})
    if filters.drucksache:
        clauses.append({"drucksache": filters.drucksache})
    if filters.jahr_von is not None:
        clauses.append({"year": {"$gte": filters.jahr_von}})
    if filters.jahr_bis is not None:
        clauses.append({"year": {"$lte": filters.jahr_bis}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def matches_filters(metadata: dict[str, Any], filters: SearchFilters | None) -> bool:
    """The same filters applied to a chunk's metadata (for the BM25 side)."""
    if filters is None:
        return True
    if filters.stadt and metadata.get("stadt") != filters.stadt:
        return False
    if filters.vorlagenart and metadata.get("vorlagenart") != filters.vorlagenart:
        return False
    if filters.drucksache and metadata.get("drucksache") != filters.drucksache:
        return False
    year = metadata.get("year")
    if filters.jahr_von is not None and (year is None or year < filters.jahr_von):
        return False
    if filters.jahr_bis is not None and (year is None or year > filters.jahr_bis):
        return False
    return True


class BM25Index:
    """A German BM25 index over all chunks, built from the registry's stored tokens."""

    def __init__(self, chunk_ids: list[str], metadatas: list[dict[str, Any]], tokens: list[list[str]]):
        self.chunk_ids = chunk_ids
        self.metadatas = metadatas
        self.bm25 = BM25Okapi(tokens) if tokens else None

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def search(
        self, query: str, k: int, filters: SearchFilters | None = None
    ) -> list[tuple[str, float]]:
        if self.bm25 is None:
            return []
        query_tokens = tokenize(query)
        if not query_tokens:
            return []
        scores = self.bm25.get_scores(query_tokens)
        if filters is not None and not filters.is_empty():
            mask = np.array([matches_filters(m, filters) for m in self.metadatas], dtype=bool)
            scores = np.where(mask, scores, -np.inf)
        top = np.argsort(-scores)[:k]
        return [(self.chunk_ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def idf(self, token: str) -> float:
        if self.bm25 is None:
            return 0.0
        return float(self.bm25.idf.get(token, max(self.bm25.idf.values(), default=0.0)))


def _process_alive(pid: int) -> bool:
    """Is the process that journaled a write still running (then its write is not interrupted)?"""
    if pid == os.getpid():
        return False  # this store is being opened: no write of this process is under way
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class VorlagenStore:
    """Owns the Chroma collection, the SQLite registry and the BM25 index of one data folder."""

    def __init__(self, settings: Settings, embeddings: Embeddings | None = None) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.embeddings = embeddings or build_embeddings(settings.embedding)
        self._client = self._connect_chroma()
        self.vectorstore = Chroma(
            client=self._client,
            collection_name=settings.collection,
            embedding_function=self.embeddings,
            collection_metadata={"hnsw:space": "cosine"},
        )
        self._lock = threading.RLock()
        self._db = sqlite3.connect(settings.registry_path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self.recover_pending()
        self._bm25: BM25Index | None = None
        self._bm25_generation = -1
        self._doc_tokens_cache: dict[tuple[int, str], frozenset[str]] = {}

    # ---- connection -------------------------------------------------------------------------
    def _connect_chroma(self) -> chromadb.ClientAPI:
        client_settings = ChromaClientSettings(anonymized_telemetry=False, allow_reset=False)
        url = self.settings.chroma_server_url
        try:
            if url:
                parsed = urlparse(url)
                return chromadb.HttpClient(
                    host=parsed.hostname or "localhost",
                    port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                    ssl=parsed.scheme == "https",
                    settings=client_settings,
                )
            return chromadb.PersistentClient(
                path=str(self.settings.chroma_path), settings=client_settings
            )
        except Exception as error:  # chromadb raises plain exceptions for unreachable servers
            where = url or str(self.settings.chroma_path)
            raise StoreUnavailableError(
                f"Der Vektorspeicher ({where}) ist nicht erreichbar: {error}"
            ) from error

    def ping(self) -> None:
        try:
            self._client.heartbeat()
        except Exception as error:
            raise StoreUnavailableError(
                f"Der Vektorspeicher ist nicht erreichbar: {error}"
            ) from error

    # ---- registry helpers -----------------------------------------------------------------------
    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._db:
            yield self._db

    def _generation(self) -> int:
        row = self._db.execute("SELECT value FROM state WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def _bump_generation(self, db: sqlite3.Connection) -> None:
        db.execute(
            "INSERT INTO state(key, value) VALUES('generation', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    # ---- writing ----------------------------------------------------------------------------------
    def status_of(self, vorlage: Vorlage) -> UpsertStatus:
        """What ``upsert`` would do with this Vorlage, without doing it."""
        row = self._db.execute(
            "SELECT content_hash FROM documents WHERE doc_id = ?", (vorlage.doc_id,)
        ).fetchone()
        if row is not None:
            return "unchanged" if row[0] == vorlage.content_hash else "replaced"
        duplicate = self._db.execute(
            "SELECT 1 FROM documents WHERE content_hash = ? LIMIT 1", (vorlage.content_hash,)
        ).fetchone()
        return "duplicate" if duplicate else "added"

    def upsert(self, vorlage: Vorlage, chunks: Sequence[Chunk]) -> UpsertStatus:
        """Store a Vorlage and its chunks; unchanged or duplicate content is not stored again."""
        status = self.status_of(vorlage)
        if status in ("unchanged", "duplicate"):
            return status
        texts = [chunk.text for chunk in chunks]
        metadatas = [chunk.metadata(vorlage) for chunk in chunks]
        ids = [chunk.chunk_id for chunk in chunks]
        token_lists = [" ".join(tokenize(text)) for text in texts]
        with self._lock:
            old_ids = [
                row[0]
                for row in self._db.execute(
                    "SELECT chunk_id FROM chunks WHERE doc_id = ?", (vorlage.doc_id,)
                )
            ]
            stale = sorted(set(old_ids) - set(ids))
            with self._transaction() as db:
                self._journal(db, ids)
            if ids:  # embeds and upserts; old chunks are dropped only after this succeeded
                self.vectorstore.add_texts(texts, metadatas=metadatas, ids=ids)
            with self._transaction() as db:
                self._journal(db, stale)
                db.execute("DELETE FROM chunks WHERE doc_id = ?", (vorlage.doc_id,))
                db.executemany(
                    "INSERT INTO chunks(chunk_id, doc_id, text, metadata_json, tokens) VALUES (?,?,?,?,?)",
                    [
                        (cid, vorlage.doc_id, text, json.dumps(meta, ensure_ascii=False), tokens)
                        for cid, text, meta, tokens in zip(ids, texts, metadatas, token_lists)
                    ],
                )
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
                self._bump_generation(db)
                self._settle(db, ids)
            if stale:
                self.vectorstore.delete(ids=stale)
                with self._transaction() as db:
                    self._settle(db, stale)
        return status

    def remove(self, doc_id: str) -> bool:
        with self._lock:
            ids = [
                row[0]
                for row in self._db.execute("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,))
            ]
            exists = self._db.execute(
                "SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)
            ).fetchone()
            if not exists:
                return False
            with self._transaction() as db:
                self._journal(db, ids)
                db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
                db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
                self._bump_generation(db)
            if ids:
                self.vectorstore.delete(ids=ids)
                with self._transaction() as db:
                    self._settle(db, ids)
        return True

    # ---- crash recovery -----------------------------------------------------------------------
    @staticmethod
    def _journal(db: sqlite3.Connection, chunk_ids: Sequence[str]) -> None:
        db.executemany(
            "INSERT OR REPLACE INTO pending_vectors(chunk_id, writer_pid) VALUES (?, ?)",
            [(chunk_id, os.getpid()) for chunk_id in chunk_ids],
        )

    @staticmethod
    def _settle(db: sqlite3.Connection, chunk_ids: Sequence[str]) -> None:
        db.executemany("DELETE FROM pending_vectors WHERE chunk_id = ?", [(chunk_id,) for chunk_id in chunk_ids])

    def recover_pending(self) -> list[str]:
        """After an interrupted write (crash, SIGKILL, full disk): delete the vectors the registry
        does not know, so Chroma and the registry agree. Returns the ids removed from Chroma."""
        with self._lock:
            rows = self._db.execute("SELECT chunk_id, writer_pid FROM pending_vectors").fetchall()
            pending = [chunk_id for chunk_id, pid in rows if not _process_alive(pid)]
            if not pending:
                return []
            known = {
                row[0]
                for row in self._db.execute(
                    f"SELECT chunk_id FROM chunks WHERE chunk_id IN ({','.join('?' * len(pending))})", pending
                )
            }
            orphans = sorted(set(pending) - known)
            if orphans:
                self.vectorstore.delete(ids=orphans)
            with self._transaction() as db:
                self._settle(db, pending)
            return orphans

    # ---- reading ----------------------------------------------------------------------------------
    def find_doc_ids(self, name: str) -> list[str]:
        """Documents whose id, source name or Drucksachennummer equals ``name``."""
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

    def cities(self) -> set[str]:
        """The cities of the indexed Vorlagen."""
        rows = self._db.execute(
            "SELECT DISTINCT json_extract(vorlage_json, '$.stadt') FROM documents"
        ).fetchall()
        return {row[0] for row in rows if row[0]}

    def count_documents(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def count_chunks(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])

    def get_vorlage(self, doc_id: str) -> Vorlage | None:
        row = self._db.execute(
            "SELECT vorlage_json FROM documents WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        return Vorlage.model_validate_json(row[0]) if row else None

    def get_chunks(self, chunk_ids: Sequence[str]) -> list[Document]:
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

    def doc_tokens(self, doc_id: str) -> frozenset[str] | None:
        """All BM25 tokens of a document (cached per registry generation)."""
        key = (self._generation(), doc_id)
        cached = self._doc_tokens_cache.get(key)
        if cached is None:
            rows = self._db.execute("SELECT tokens FROM chunks WHERE doc_id = ?", (doc_id,)).fetchall()
            if not rows:
                return None
            cached = frozenset(token for row in rows for token in row[0].split())
            if len(self._doc_tokens_cache) > 256:
                self._doc_tokens_cache.clear()
            self._doc_tokens_cache[key] = cached
        return cached

    def passage(self, doc_id: str, chunk_id: str, context_chars: int = 600) -> Passage | None:
        vorlage = self.get_vorlage(doc_id)
        chunks = self.get_chunks([chunk_id])
        if vorlage is None or not chunks or chunks[0].metadata.get("doc_id") != doc_id:
            return None
        meta = chunks[0].metadata
        start, end = int(meta["start"]), int(meta["end"])
        return Passage(
            doc_id=doc_id,
            chunk_id=chunk_id,
            source_name=vorlage.source_name,
            drucksache=vorlage.drucksache,
            title=vorlage.title,
            section=meta.get("section"),
            page=meta.get("page"),
            before=vorlage.text[max(0, start - context_chars) : start],
            text=vorlage.text[start:end],
            after=vorlage.text[end : end + context_chars],
            start=start,
            end=end,
        )

    # ---- BM25 ---------------------------------------------------------------------------------------
    @property
    def _bm25_path(self) -> Path:
        return self.settings.data_dir / "bm25.pickle"

    def bm25_index(self) -> BM25Index:
        """The BM25 index of the current registry generation (pickled; rebuilt only after changes)."""
        with self._lock:
            generation = self._generation()
            if self._bm25 is not None and self._bm25_generation == generation:
                return self._bm25
            index = self._load_pickled_bm25(generation)
            if index is None:
                rows = self._db.execute(
                    "SELECT chunk_id, metadata_json, tokens FROM chunks ORDER BY chunk_id"
                ).fetchall()
                index = BM25Index(
                    [r[0] for r in rows], [json.loads(r[1]) for r in rows], [r[2].split() for r in rows]
                )
                self._pickle_bm25(generation, index)
            self._bm25, self._bm25_generation = index, generation
            return index

    def _load_pickled_bm25(self, generation: int) -> BM25Index | None:
        try:
            with self._bm25_path.open("rb") as handle:
                stored_generation, index = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError):
            return None
        return index if stored_generation == generation else None

    def _pickle_bm25(self, generation: int, index: BM25Index) -> None:
        temporary = self._bm25_path.with_suffix(".tmp")
        with temporary.open("wb") as handle:
            pickle.dump((generation, index), handle, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(self._bm25_path)

    def close(self) -> None:
        self._db.close()
