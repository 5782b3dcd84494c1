"""German keyword search (BM25): the search engine (tantivy by default, or SQLite FTS5) and the token
statistics (document frequency, idf: always from FTS5, inside the registry database).

The chunks' German tokens (``vorlagen.text.tokenize``: folded, stemmed, numbers normalised) are
stored once, at ingestion, in the FTS5 table ``chunk_fts`` together with the filter fields (Stadt,
Vorlagenart, Drucksache, Jahr), and – with the tantivy engine – in the tantivy index beside the
registry (``vorlagen.store.tantivy_index``). Adding or removing a document touches only that document's
rows: O(document), never a rebuild. Ranking is tantivy's BM25 (top k by block-max WAND) or FTS5's
``bm25()``; the metadata filters are conditions on the matching rows. Why tantivy, and why not
``rank_bm25``/``bm25s``: see ``docs/benchmarks.md``.

How the tantivy index stays in step with the registry (its source of truth), also across a crash and
across processes: every write first journals the document in ``pending_keywords`` (its own committed
transaction), then changes the registry, commits tantivy and clears the journal *inside* the registry's
write transaction (SQLite's write lock serialises the writers of all processes), then commits SQLite.
On opening, journaled documents of dead writers are written again from the registry, and the index is
built anew when it is missing, of another version, stamped with another registry generation (e.g.
written while ``keyword_engine`` was ``fts5``) or holds another number of chunks.
"""

from __future__ import annotations

import math
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from vorlagen.domain import SearchFilters
from vorlagen.store.tantivy_index import KeywordRow, TantivyKeywordEngine
from vorlagen.text import tokenize

KEYWORD_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_fts USING fts5(
    tokens, chunk_id UNINDEXED, doc_id UNINDEXED, stadt UNINDEXED, vorlagenart UNINDEXED,
    drucksache UNINDEXED, year UNINDEXED,
    tokenize = "unicode61 remove_diacritics 0 tokenchars ','"
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_fts_vocab USING fts5vocab(chunk_fts, 'row');
CREATE TABLE IF NOT EXISTS pending_keywords (doc_id TEXT PRIMARY KEY, writer_pid INTEGER NOT NULL);
"""

KEYWORD_INDEX_VERSION = "fts5-2"
"""Stored in the registry's ``state``; a registry without it gets its index built once from the
tokens of the ``chunks`` table (registries written before the FTS5 index, or before ``fts5-2``: the keyword
row of a chunk has the chunk's rowid in ``chunks``, so a document's keyword rows are found through the
``chunks_doc`` index instead of a scan of every keyword row — removing a document costs O(document))."""


def fts_query(tokens: Sequence[str]) -> str:
    """An FTS5 query matching any of the tokens (each quoted: no query syntax from user text)."""
    unique = dict.fromkeys(token.replace('"', "") for token in tokens if token)
    return " OR ".join(f'"{token}"' for token in unique if token)


def _filter_sql(filters: SearchFilters | None) -> tuple[str, list[Any]]:
    if filters is None:
        return "", []
    clauses: list[str] = []
    values: list[Any] = []
    for column in ("stadt", "vorlagenart", "drucksache"):
        value = getattr(filters, column)
        if value:
            clauses.append(f"{column} = ?")
            values.append(value)
    if filters.jahr_von is not None:
        clauses.append("year >= ?")
        values.append(filters.jahr_von)
    if filters.jahr_bis is not None:
        clauses.append("year <= ?")
        values.append(filters.jahr_bis)
    return "".join(f" AND {clause}" for clause in clauses), values


def process_alive(pid: int) -> bool:
    """Is the process that journaled a write still running (then its write is not interrupted)?"""
    if pid == os.getpid():
        return False  # the store is being opened: no write of this process is under way
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_KEYWORD_ROWS = (
    "SELECT chunk_id, doc_id, tokens, json_extract(metadata_json, '$.stadt'), "
    "json_extract(metadata_json, '$.vorlagenart'), json_extract(metadata_json, '$.drucksache'), "
    "json_extract(metadata_json, '$.year') FROM chunks"
)


def stored_keyword_rows(db: sqlite3.Connection, doc_ids: Sequence[str] | None = None) -> Iterator[KeywordRow]:
    """The registry's chunks (of ``doc_ids``, or all) as the keyword engine indexes them."""
    where = f" WHERE doc_id IN ({','.join('?' * len(doc_ids))})" if doc_ids is not None else ""
    for chunk_id, doc_id, tokens, stadt, vorlagenart, drucksache, year in db.execute(_KEYWORD_ROWS + where, doc_ids or []):
        yield KeywordRow(
            chunk_id=chunk_id, doc_id=doc_id, tokens=tokens, stadt=stadt, vorlagenart=vorlagenart,
            drucksache=drucksache, year=year,
        )


class KeywordIndex:
    """BM25 search over the engine (tantivy, or ``chunk_fts``) and the token statistics of ``chunk_fts``.
    Reads use the registry's connection; writes happen inside the registry's transactions
    (``add``/``remove_document`` take that connection, ``sync`` the engine's part)."""

    def __init__(
        self, db: sqlite3.Connection, generation: Callable[[], int], max_df_share: float = 1.0,
        count: Callable[[], int] | None = None, engine: TantivyKeywordEngine | None = None,
    ) -> None:
        self._db = db
        self._generation = generation
        self._count = count or (lambda: int(db.execute("SELECT COUNT(*) FROM chunk_fts").fetchone()[0]))
        self.engine = engine
        """The tantivy engine; None: FTS5 searches."""
        self._engine_generation = -1
        self.max_df_share = max_df_share
        """FTS5 only: query tokens in more than this share of all chunks are left out of the match (their
        idf is near zero, but they would make FTS5 score nearly every chunk); the rarest token stays.
        Tantivy needs no such cut: its top-k search skips what cannot reach the top."""
        self._stats: tuple[int, int, float | None] | None = None
        """(registry generation, chunk count, mean idf or None until needed) for ``idf``."""

    # ---- the tantivy engine in step with the registry --------------------------------------------
    @staticmethod
    def journal(db: sqlite3.Connection, doc_ids: Sequence[str]) -> None:
        """Before a write (in a transaction of its own): these documents' engine entries may change."""
        db.executemany(
            "INSERT OR REPLACE INTO pending_keywords(doc_id, writer_pid) VALUES (?, ?)",
            [(doc_id, os.getpid()) for doc_id in doc_ids],
        )

    def sync(self, db: sqlite3.Connection, doc_ids: Sequence[str], rows: Sequence[KeywordRow]) -> None:
        """Inside the registry's write transaction, after its changes: replace these documents' engine
        entries by ``rows``, commit the engine, clear the journal and stamp the generation."""
        if self.engine is None:
            return
        db.executemany("DELETE FROM pending_keywords WHERE doc_id = ?", [(doc_id,) for doc_id in doc_ids])
        self._stamp(db)
        self.engine.write(doc_ids, rows)

    @staticmethod
    def _stamp(db: sqlite3.Connection) -> None:
        db.execute(
            "INSERT INTO state(key, value) SELECT 'keyword_engine_generation', COALESCE("
            "(SELECT value FROM state WHERE key = 'generation'), '0') WHERE true "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value"
        )

    def recover(self, db: sqlite3.Connection) -> None:
        """On opening, inside a write transaction: write journaled documents of dead writers again
        from the registry; build the whole engine index when it is not in step (see module text)."""
        if self.engine is None:
            return
        stamp = db.execute("SELECT value FROM state WHERE key = 'keyword_engine_generation'").fetchone()
        if self.engine.fresh or stamp is None or int(stamp[0]) != self._generation() or len(self.engine) != self._count():
            db.execute("DELETE FROM pending_keywords")
            self._stamp(db)
            self.engine.rebuild(stored_keyword_rows(db))
            return
        pending = [doc_id for doc_id, pid in db.execute("SELECT doc_id, writer_pid FROM pending_keywords") if not process_alive(pid)]
        if pending:
            self.sync(db, pending, list(stored_keyword_rows(db, pending)))

    # ---- writing (inside the registry's transaction) ------------------------------------------
    @staticmethod
    def add(db: sqlite3.Connection, doc_id: str, rows: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
        """Index chunks ``(chunk_id, tokens joined by spaces, metadata)`` of one document, after their
        rows in ``chunks``: each keyword row takes its chunk's rowid."""
        db.executemany(
            "INSERT INTO chunk_fts(rowid, tokens, chunk_id, doc_id, stadt, vorlagenart, drucksache, year) "
            "VALUES ((SELECT rowid FROM chunks WHERE chunk_id = ?),?,?,?,?,?,?,?)",
            [
                (chunk_id, tokens, chunk_id, doc_id, meta.get("stadt"), meta.get("vorlagenart"),
                 meta.get("drucksache"), meta.get("year"))
                for chunk_id, tokens, meta in rows
            ],
        )

    @staticmethod
    def remove_document(db: sqlite3.Connection, doc_id: str) -> None:
        """Remove a document's keyword rows — before its rows in ``chunks``, which lead to them."""
        db.execute("DELETE FROM chunk_fts WHERE rowid IN (SELECT rowid FROM chunks WHERE doc_id = ?)", (doc_id,))

    # ---- reading --------------------------------------------------------------------------------
    def __len__(self) -> int:
        return self._count()

    def search(self, query: str, k: int, filters: SearchFilters | None = None) -> list[tuple[str, float]]:
        """The ``k`` best chunks as ``(chunk_id, score)``, best first (score > 0)."""
        if self.engine is not None:
            generation = self._generation()
            if generation != self._engine_generation:  # written meanwhile (maybe by another process)
                self.engine.reload()
                self._engine_generation = generation
            return self.engine.search(tokenize(query), k, filters)
        match = fts_query(self._selective(tokenize(query)))
        if not match:
            return []
        where, values = _filter_sql(filters)
        rows = self._db.execute(
            f"SELECT chunk_id, bm25(chunk_fts) FROM chunk_fts WHERE chunk_fts MATCH ?{where} "
            "ORDER BY bm25(chunk_fts) LIMIT ?",
            [match, *values, k],
        ).fetchall()
        return [(chunk_id, -score) for chunk_id, score in rows]

    def _selective(self, tokens: list[str]) -> list[str]:
        unique = list(dict.fromkeys(tokens))
        if self.max_df_share >= 1.0 or len(unique) < 2:
            return unique
        _, total, _ = self._current_stats()
        frequencies = {token: self.document_frequency(token) for token in unique}
        kept = [token for token in unique if frequencies[token] <= self.max_df_share * total]
        return kept or [min(unique, key=frequencies.__getitem__)]

    def _current_stats(self) -> tuple[int, int, float | None]:
        generation = self._generation()
        if self._stats is None or self._stats[0] != generation:
            self._stats = (generation, len(self), None)
        return self._stats

    def document_frequency(self, token: str) -> int:
        row = self._db.execute("SELECT doc FROM chunk_fts_vocab WHERE term = ?", (token,)).fetchone()
        return int(row[0]) if row else 0

    def _mean_idf(self) -> float:
        generation, total, mean = self._current_stats()
        if mean is None:
            row = self._db.execute(
                "SELECT AVG(ln(? - doc + 0.5) - ln(doc + 0.5)) FROM chunk_fts_vocab", (total,)
            ).fetchone()
            mean = float(row[0] or 0.0)
            self._stats = (generation, total, mean)
        return mean

    def idf(self, token: str) -> float:
        """Okapi BM25 idf as ``rank_bm25`` computes it: ``ln(N - n + 0.5) - ln(n + 0.5)``, a token in
        more than half of the chunks gets a quarter of the mean idf; an unknown token counts as
        occurring once (the rarest a known token can be)."""
        _, total, _ = self._current_stats()
        if total == 0:
            return 0.0
        frequency = max(self.document_frequency(token), 1)
        value = math.log(total - frequency + 0.5) - math.log(frequency + 0.5)
        return value if value >= 0 else 0.25 * self._mean_idf()
