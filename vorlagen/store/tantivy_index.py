"""The keyword search engine on tantivy: BM25 with block-max WAND top-k over the chunks' German tokens.

A derived index in ``<data_dir>/keyword-tantivy/``; the registry (SQLite) stays the source of truth.
The tokens are the ones stored at ingestion (``vorlagen.text.tokenize``: folded, stemmed, numbers
normalised), indexed with tantivy's whitespace tokenizer, which splits on spaces only and changes
nothing else. Why tantivy (an OR query over a large index scores only the candidates that can still
reach the top k, where FTS5 scores every chunk containing any query token): ``docs/benchmarks.md``.

Writing: ``write`` removes documents by their ``doc_id`` term and adds their chunks, then commits
(one writer per call, so several processes can write one after another; the registry serialises them).
How the registry keeps this index in step, also across a crash: ``vorlagen.store.registry``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import tantivy
from pydantic import BaseModel

from vorlagen.domain import SearchFilters

TANTIVY_SCHEMA_VERSION = "tantivy-1"
"""Stored beside the index (``version``); another value (or none) means: build it again."""

_TOKENIZER = "vorlagen_tokens"
_WRITER_HEAP = 15_000_000
"""Bytes of the writer's memory arena for one document (tantivy needs at least 3 MB per thread)."""
_BUILD_HEAP = 200_000_000


class KeywordRow(BaseModel):
    """One chunk as the keyword engine indexes it."""

    chunk_id: str
    doc_id: str
    tokens: str
    """German tokens joined by spaces."""
    stadt: str | None = None
    vorlagenart: str | None = None
    drucksache: str | None = None
    year: int | None = None

    @classmethod
    def from_chunk(cls, chunk_id: str, doc_id: str, tokens: str, metadata: dict[str, Any]) -> KeywordRow:
        year = metadata.get("year")
        return cls(
            chunk_id=chunk_id, doc_id=doc_id, tokens=tokens, stadt=metadata.get("stadt"),
            vorlagenart=metadata.get("vorlagenart"), drucksache=metadata.get("drucksache"),
            year=int(year) if year is not None else None,
        )


_FILTER_FIELDS = ("stadt", "vorlagenart", "drucksache")


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("tokens", stored=False, tokenizer_name=_TOKENIZER, index_option="freq")
    builder.add_text_field("chunk_id", stored=True, tokenizer_name="raw", index_option="basic")
    for field in ("doc_id", *_FILTER_FIELDS):
        builder.add_text_field(field, stored=False, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("year", indexed=True, fast=True)
    return builder.build()


class TantivyKeywordEngine:
    """BM25 top-k over one tantivy index directory (``search``), changed document by document (``write``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        version_file = path / "version"
        current = version_file.exists() and version_file.read_text(encoding="utf-8").strip() == TANTIVY_SCHEMA_VERSION
        self.fresh = not current
        """True when the directory held no index of this version: it is empty now and needs ``rebuild``."""
        if not current:
            path.mkdir(parents=True, exist_ok=True)
            for stale in path.iterdir():  # an index of another version, or a half-created one
                if stale.is_file():
                    stale.unlink()
        self._schema = _schema()
        self._index = tantivy.Index(self._schema, path=str(path), reuse=current)
        self._index.register_tokenizer(_TOKENIZER, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
        self._index.config_reader(reload_policy="Manual")
        if not current:
            version_file.write_text(TANTIVY_SCHEMA_VERSION, encoding="utf-8")

    # ---- writing -----------------------------------------------------------------------------------
    @contextmanager
    def _writer(self, heap: int) -> Iterator[tantivy.IndexWriter]:
        """A writer for one commit: rolled back on an error; afterwards merges are finished, the writer's
        lock is released (another process may write next) and readers see the commit."""
        writer = self._index.writer(heap_size=heap, num_threads=1)
        try:
            yield writer
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        self._index.reload()

    def write(self, removed_doc_ids: Iterable[str], added: Sequence[KeywordRow], heap: int = _WRITER_HEAP) -> None:
        """Remove the chunks of ``removed_doc_ids``, add ``added``; one commit (readers see all or none)."""
        with self._writer(heap) as writer:
            for doc_id in removed_doc_ids:
                writer.delete_documents_by_term("doc_id", doc_id)
            for row in added:
                writer.add_document(self._document(row))

    def rebuild(self, rows: Iterable[KeywordRow]) -> None:
        """Replace the whole index by ``rows`` (one commit)."""
        with self._writer(_BUILD_HEAP) as writer:
            writer.delete_all_documents()
            for row in rows:
                writer.add_document(self._document(row))
        self.fresh = False

    @staticmethod
    def _document(row: KeywordRow) -> tantivy.Document:
        document = tantivy.Document(tokens=row.tokens, chunk_id=row.chunk_id, doc_id=row.doc_id)
        for field in _FILTER_FIELDS:
            value = getattr(row, field)
            if value:
                document.add_text(field, value)
        if row.year is not None:
            document.add_integer("year", row.year)
        return document

    # ---- reading -----------------------------------------------------------------------------------
    def reload(self) -> None:
        """See the last commit (also one made by another process)."""
        self._index.reload()

    def __len__(self) -> int:
        return int(self._index.searcher().num_docs)

    def search(self, tokens: Sequence[str], k: int, filters: SearchFilters | None = None) -> list[tuple[str, float]]:
        """The ``k`` best chunks for any of ``tokens`` as ``(chunk_id, BM25 score)``, best first."""
        unique = [token for token in dict.fromkeys(tokens) if token]
        if not unique or k <= 0:
            return []
        should = [
            (tantivy.Occur.Should, tantivy.Query.term_query(self._schema, "tokens", token)) for token in unique
        ]
        query = tantivy.Query.boolean_query(should)
        conditions = self._conditions(filters)
        if conditions:  # filters select, they do not score
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query)]
                + [(tantivy.Occur.Must, tantivy.Query.const_score_query(condition, 0.0)) for condition in conditions]
            )
        searcher = self._index.searcher()
        hits = searcher.search(query, k, count=False).hits
        return [(searcher.doc(address)["chunk_id"][0], float(score)) for score, address in hits]

    def _conditions(self, filters: SearchFilters | None) -> list[tantivy.Query]:
        if filters is None:
            return []
        conditions = [
            tantivy.Query.term_query(self._schema, field, getattr(filters, field))
            for field in _FILTER_FIELDS
            if getattr(filters, field)
        ]
        if filters.jahr_von is not None or filters.jahr_bis is not None:
            years = tantivy.Query.range_query(
                self._schema, "year", tantivy.FieldType.Integer, filters.jahr_von, filters.jahr_bis
            )
            conditions.append(years)
        return conditions
