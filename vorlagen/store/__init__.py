"""The store: Chroma for dense vectors, a SQLite registry for documents and chunks, and the German
keyword index (SQLite FTS5) in the registry — separate parts behind the ``VorlagenStore`` façade.

- ``vectors``: the Chroma connection (embedded or server) and the filters as Chroma ``where``.
- ``registry``: documents, chunks, tokens, links between papers, generation counter.
- ``keyword``: BM25 on FTS5, incremental (O(document) per change).
- ``facade``: ``VorlagenStore``, which keeps the three consistent.
"""

from vorlagen.store.facade import Passage, UpsertStatus, VorlagenStore
from vorlagen.store.keyword import KeywordIndex
from vorlagen.store.registry import DocumentInfo, LinkedPaper
from vorlagen.store.vectors import StoreUnavailableError, chroma_where

__all__ = [
    "DocumentInfo",
    "KeywordIndex",
    "LinkedPaper",
    "Passage",
    "StoreUnavailableError",
    "UpsertStatus",
    "VorlagenStore",
    "chroma_where",
]
