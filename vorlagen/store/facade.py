"""``VorlagenStore``: the one façade over Chroma (dense vectors), the SQLite registry and the keyword index.

- Chroma through ``langchain_chroma.Chroma``: embedded ``PersistentClient`` in ``Settings.data_dir``
  (one process only) or an ``HttpClient`` when ``Settings.chroma_server_url`` is set.
- The registry (``registry.sqlite3``) holds each Vorlage and chunk; the keyword statistics (SQLite FTS5)
  lives in the same file and changes in the same transaction, O(document) per change; the tantivy
  search index beside it follows in that transaction (``vorlagen.store.keyword``).
- Re-ingesting an unchanged document adds nothing (content hash); a changed one replaces its chunks;
  removing a document removes its chunks everywhere. New chunks are embedded before anything old is
  deleted, so a failure leaves what was stored intact.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import chromadb
import numpy as np
from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from vorlagen.domain import Chunk, PassageSource, SearchFilters, Vorlage
from vorlagen.embeddings import RecentQueries, build_embeddings
from vorlagen.settings import Settings
from vorlagen.store.keyword import KeywordIndex, process_alive
from vorlagen.store.registry import ChunkRow, DocumentInfo, LinkedPaper, Registry
from vorlagen.store.vectors import StoreUnavailableError, connect_chroma
from vorlagen.text import tokenize

UpsertStatus = Literal["added", "replaced", "unchanged", "duplicate"]


class Passage(PassageSource):
    """A cited chunk with its surroundings, for the passage view."""

    before: str
    text: str
    after: str
    start: int
    end: int


class VorlagenStore:
    """Owns the Chroma collection, the SQLite registry and the keyword index of one data folder."""

    def __init__(self, settings: Settings, embeddings: Embeddings | None = None) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.embeddings = RecentQueries(embeddings or build_embeddings(settings.embedding))
        self._client: chromadb.ClientAPI = connect_chroma(settings)
        self.vectorstore = Chroma(
            client=self._client,
            collection_name=settings.collection,
            embedding_function=self.embeddings,
            collection_metadata={"hnsw:space": "cosine"},
        )
        self.registry = Registry(
            settings.registry_path, settings.retrieval.keyword_max_df_share, settings.retrieval.keyword_engine
        )
        (settings.data_dir / "bm25.pickle").unlink(missing_ok=True)  # the former full-rebuild index
        self._doc_tokens_cache: dict[tuple[int, str], frozenset[str]] = {}
        self._cities_cache: tuple[int, frozenset[str | None]] | None = None
        self.recover_pending()

    def ping(self) -> None:
        try:
            self._client.heartbeat()
        except Exception as error:
            raise StoreUnavailableError(f"Der Vektorspeicher ist nicht erreichbar: {error}") from error

    # ---- writing ----------------------------------------------------------------------------------
    def status_of(self, vorlage: Vorlage, content_hash: str | None = None) -> UpsertStatus:
        """What ``upsert`` would do with this Vorlage, without doing it (``content_hash``: the
        Vorlage's, if already computed)."""
        content_hash = content_hash or vorlage.content_hash
        stored_hash = self.registry.content_hash_of(vorlage.doc_id)
        if stored_hash is not None:
            return "unchanged" if stored_hash == content_hash else "replaced"
        return "duplicate" if self.registry.has_content(content_hash) else "added"

    def upsert(self, vorlage: Vorlage, chunks: Sequence[Chunk], tokens: Sequence[str] | None = None) -> UpsertStatus:
        """Store a Vorlage and its chunks; unchanged or duplicate content is not stored again.
        ``tokens``: each chunk's German tokens joined by spaces, if already computed (parallel ingestion)."""
        content_hash = vorlage.content_hash  # hashes the whole Vorlage: once, not once per chunk
        status = self.status_of(vorlage, content_hash)
        if status in ("unchanged", "duplicate"):
            return status
        if tokens is None:
            tokens = [" ".join(tokenize(c.text)) for c in chunks]
        elif len(tokens) != len(chunks):
            raise ValueError(f"{len(tokens)} Token-Zeilen für {len(chunks)} Abschnitte von {vorlage.doc_id}")
        rows = [
            ChunkRow(chunk_id=c.chunk_id, text=c.text, metadata=c.metadata(vorlage, content_hash), tokens=t)
            for c, t in zip(chunks, tokens)
        ]
        ids = [r.chunk_id for r in rows]
        with self.registry.lock:
            old_ids = self.registry.chunk_ids_of(vorlage.doc_id)
            stale = sorted(set(old_ids) - set(ids))
            self.registry.journal(ids)
            if rows:  # embeds and upserts; old chunks are dropped only after this succeeded
                self.vectorstore.add_texts([r.text for r in rows], metadatas=[r.metadata for r in rows], ids=ids)
            self.registry.put(vorlage, rows, journal=stale, settle=ids)
            if stale:
                self.vectorstore.delete(ids=stale)
                self.registry.settle(stale)
        return status

    def remove(self, doc_id: str) -> bool:
        with self.registry.lock:
            if not self.registry.exists(doc_id):
                return False
            ids = self.registry.chunk_ids_of(doc_id)
            self.registry.delete(doc_id, journal=ids)
            if ids:
                self.vectorstore.delete(ids=ids)
                self.registry.settle(ids)
        return True

    # ---- crash recovery ---------------------------------------------------------------------------
    def recover_pending(self) -> list[str]:
        """After an interrupted write (crash, SIGKILL, full disk): delete the vectors the registry
        does not know, so Chroma and the registry agree. Returns the ids removed from Chroma."""
        with self.registry.lock:
            pending = [chunk_id for chunk_id, pid in self.registry.pending() if not process_alive(pid)]
            if not pending:
                return []
            orphans = sorted(set(pending) - self.registry.known_chunk_ids(pending))
            if orphans:
                self.vectorstore.delete(ids=orphans)
            self.registry.settle(pending)
            return orphans

    # ---- reading ----------------------------------------------------------------------------------
    def find_doc_ids(self, name: str) -> list[str]:
        """Documents whose id, source name or Drucksachennummer equals ``name``."""
        return self.registry.find_doc_ids(name)

    def documents(self) -> list[DocumentInfo]:
        return self.registry.documents()

    def _city_values(self) -> frozenset[str | None]:
        """The ``stadt`` of the indexed Vorlagen, ``None`` for those without (cached per registry
        generation: a write by any process invalidates it)."""
        generation = self.registry.generation()
        cached = self._cities_cache
        if cached is None or cached[0] != generation:
            cached = (generation, frozenset(self.registry.city_values()))
            self._cities_cache = cached
        return cached[1]

    def cities(self) -> set[str]:
        """The cities of the indexed Vorlagen."""
        return {city for city in self._city_values() if city}

    def selective_filters(self, filters: SearchFilters | None) -> SearchFilters | None:
        """``filters`` without a city condition that every indexed Vorlage meets (a city's own archive):
        the same hits, but the vector search need not build an allow-list of every chunk first – with
        a ``where`` on all 12.768 chunks of 300 papers, Chroma took 12 times as long (docs/benchmarks.md)."""
        if filters is None or not filters.stadt or self._city_values() != {filters.stadt}:
            return filters
        return filters.model_copy(update={"stadt": None})

    def count_documents(self) -> int:
        return self.registry.count_documents()

    def count_chunks(self) -> int:
        return self.registry.count_chunks()

    def is_empty(self) -> bool:
        """No chunk indexed (cheap: every question asks it)."""
        return not self.registry.has_chunks()

    def get_vorlage(self, doc_id: str) -> Vorlage | None:
        raw = self.registry.vorlage_json(doc_id)
        return Vorlage.model_validate_json(raw) if raw else None

    def linked_papers(self, doc_id: str) -> list[LinkedPaper]:
        """Papers linked to a Vorlage as super- or subordinated (by its links or theirs; see ``Registry``)."""
        return self.registry.linked_papers(doc_id)

    def get_chunks(self, chunk_ids: Sequence[str]) -> list[Document]:
        """Chunks as LangChain Documents, in the order asked for."""
        return self.registry.chunks(chunk_ids)

    def chunks_of(self, doc_id: str) -> list[Document]:
        """All chunks of one document, in text order."""
        chunks = self.registry.chunks(self.registry.chunk_ids_of(doc_id))
        return sorted(chunks, key=lambda chunk: int(chunk.metadata.get("start", 0)))

    def similarities(self, query: str, chunks: Sequence[Document]) -> dict[str, float]:
        """Cosine similarity of ``query``'s embedding with each chunk's: the stored embedding for a chunk in
        Chroma (not computed again), the chunk's text embedded now for one that is not (passages handed in from
        outside): how close a passage is to the question in meaning, also where it shares no word with it."""
        by_id = {str(chunk.metadata.get("chunk_id")): chunk for chunk in chunks}
        if not by_id:
            return {}
        stored = self.vectorstore.get(ids=list(by_id), include=["embeddings"])
        vectors = dict(zip(map(str, stored["ids"]), stored["embeddings"] if stored.get("embeddings") is not None else [],
                           strict=False))
        missing = [chunk_id for chunk_id in by_id if chunk_id not in vectors]
        if missing:
            vectors |= dict(zip(missing, self.embeddings.embed_documents([by_id[i].page_content for i in missing]),
                                strict=True))
        ids = list(vectors)
        matrix = np.asarray([vectors[i] for i in ids], dtype=float)
        asked = np.asarray(self.embeddings.embed_query(query), dtype=float)
        norms = np.linalg.norm(matrix, axis=1) * (np.linalg.norm(asked) or 1.0)
        cosines = matrix @ asked / np.where(norms == 0, 1.0, norms)
        return {chunk_id: float(cosine) for chunk_id, cosine in zip(ids, cosines, strict=True)}

    def doc_tokens(self, doc_id: str) -> frozenset[str] | None:
        """All German tokens of a document (cached per registry generation)."""
        key = (self.registry.generation(), doc_id)
        cached = self._doc_tokens_cache.get(key)
        if cached is None:
            rows = self.registry.token_rows(doc_id)
            if not rows:
                return None
            cached = frozenset(token for row in rows for token in row.split())
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

    # ---- keyword search -----------------------------------------------------------------------
    def keyword_index(self) -> KeywordIndex:
        """The German BM25 keyword index (tantivy or SQLite FTS5, always current; nothing to rebuild)."""
        return self.registry.keywords

    def bm25_index(self) -> KeywordIndex:
        """Former name of ``keyword_index`` (kept for callers: ``search``, ``idf``, ``len``)."""
        return self.registry.keywords

    def close(self) -> None:
        self.registry.close()
