"""Hybrid retrieval: Chroma (dense) + German BM25, fused by reciprocal rank fusion.

Both sides honour the same metadata filters (Stadt, Jahr von/bis, Vorlagenart, Drucksache). Fusion is
LangChain's ``EnsembleRetriever`` (weighted RRF) over the two retrievers.
"""

from __future__ import annotations

from langchain_classic.retrievers import EnsembleRetriever
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableParallel
from pydantic import ConfigDict

from vorlagen.domain import SearchFilters
from vorlagen.settings import RetrievalSettings
from vorlagen.store import VorlagenStore, chroma_where


class GermanBM25Retriever(BaseRetriever):
    """German BM25 over the store's keyword index (tantivy, or SQLite FTS5), with the metadata filters."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: VorlagenStore
    k: int = 30
    filters: SearchFilters | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hits = self.store.keyword_index().search(query, self.k, self.filters)
        documents = self.store.get_chunks([chunk_id for chunk_id, _ in hits])
        for document, (_, score) in zip(documents, hits):
            document.metadata["bm25_score"] = score
        return documents


class HybridRetriever(BaseRetriever):
    """Dense + BM25 candidates fused by RRF; returns the top ``k`` chunks with their rank."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: VorlagenStore
    settings: RetrievalSettings
    k: int | None = None
    filters: SearchFilters | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        if self.store.is_empty():
            return []
        filters = self.store.selective_filters(self.filters)
        search_kwargs: dict = {"k": self.settings.fetch_k}
        where = chroma_where(filters)
        if where:
            search_kwargs["filter"] = where
        dense = self.store.vectorstore.as_retriever(search_kwargs=search_kwargs)
        sparse = GermanBM25Retriever(store=self.store, k=self.settings.fetch_k, filters=filters)
        ensemble = EnsembleRetriever(
            retrievers=[dense, sparse],
            weights=[self.settings.dense_weight, self.settings.bm25_weight],
            c=self.settings.rrf_c,
            id_key="chunk_id",
        )
        # Both searches at once (threads): the keyword search (SQLite) runs while the question is
        # embedded and Chroma searches; all three release the GIL. Fusion is the ensemble's RRF.
        candidates = RunnableParallel(dense=dense, keyword=sparse).invoke(
            query, config={"callbacks": run_manager.get_child()}
        )
        fused = ensemble.weighted_reciprocal_rank([candidates["dense"], candidates["keyword"]])
        top = fused[: self.k or self.settings.k]
        for rank, document in enumerate(top, start=1):
            document.metadata["rank"] = rank
        return top
