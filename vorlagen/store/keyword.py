"""German keyword search (BM25) on SQLite FTS5, inside the registry database.

The chunks' German tokens (``vorlagen.text.tokenize``: folded, stemmed, numbers normalised) are
stored once, at ingestion, in the FTS5 table ``chunk_fts`` together with the filter fields (Stadt,
Vorlagenart, Drucksache, Jahr). Adding or removing a document touches only that document's rows:
O(document), never a rebuild. Ranking is FTS5's ``bm25()``; the metadata filters are SQL conditions
on the matching rows. Why FTS5 and not ``rank_bm25``/``bm25s``: see ``docs/benchmarks.md``.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from vorlagen.domain import SearchFilters
from vorlagen.text import tokenize

KEYWORD_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_fts USING fts5(
    tokens, chunk_id UNINDEXED, doc_id UNINDEXED, stadt UNINDEXED, vorlagenart UNINDEXED,
    drucksache UNINDEXED, year UNINDEXED,
    tokenize = "unicode61 remove_diacritics 0 tokenchars ','"
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_fts_vocab USING fts5vocab(chunk_fts, 'row');
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


class KeywordIndex:
    """BM25 over ``chunk_fts``. Reads use the registry's connection; writes happen inside the
    registry's transactions (``add``/``remove_document`` take that connection)."""

    def __init__(self, db: sqlite3.Connection, generation: Callable[[], int], max_df_share: float = 1.0) -> None:
        self._db = db
        self._generation = generation
        self.max_df_share = max_df_share
        """Query tokens in more than this share of all chunks are left out of the match (their idf is
        near zero, but they would make FTS5 score nearly every chunk); the rarest token always stays."""
        self._stats: tuple[int, int, float | None] | None = None
        """(registry generation, chunk count, mean idf or None until needed) for ``idf``."""

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
        return int(self._db.execute("SELECT COUNT(*) FROM chunk_fts").fetchone()[0])

    def search(self, query: str, k: int, filters: SearchFilters | None = None) -> list[tuple[str, float]]:
        """The ``k`` best chunks as ``(chunk_id, score)``, best first (score > 0)."""
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
