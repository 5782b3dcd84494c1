"""Which chat model answers: a configured OpenAI-compatible server, the local GGUF, or none.

``settings.llm.mode``:

- ``openai``: any OpenAI-compatible server (vLLM, Ollama, LM Studio, llama-cpp-python's server,
  Azure-style gateways) via ``langchain_openai.ChatOpenAI``; ``base_url``, ``api_key`` and ``model``
  from settings, every request bounded by ``timeout_s`` and never retried.
- ``local``: the embedded Qwen2.5-Coder-1.5B-Instruct GGUF (``vorlagen models install``) through
  langchain-community's ``ChatLlamaCpp``.
- ``extractive``: no chat model; the extractive answerer's answer is final.
- ``auto``: the first available of configured server -> local model -> extractive for drafts; answers
  use a model under ``auto`` only with ``auto_uses_model`` (``answer_mode``).

Loading the local model takes seconds and ~2 GB RAM, so a ``ChatModelProvider`` (held by the
façade, one per process) loads it once and hands out the same instance.

``generation_deadline(at)`` bounds the local model's generations started inside it by a point in time
(``time.monotonic()``): llama.cpp stops at the next step of its computation, also while it still reads
the prompt (which yields nothing to check between pieces), and the stream raises ``DeadlineExceeded``.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

from langchain_community.chat_models.llamacpp import ChatLlamaCpp
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from pydantic import PrivateAttr

from assistant.model_install import model_path
from vorlagen.settings import Settings

logger = logging.getLogger(__name__)

ChatMode = Literal["openai", "local", "extractive"]

LOCAL_MODEL_INSTALL_HINT = "vorlagen models install"
LLAMA_CPP_REQUIREMENT = "llama-cpp-python[server]==0.3.36"

GREEDY_TEMPERATURE = 0.0
"""Every chat model decodes greedily: the same prompt gives the same answer on the same build."""
DECODING_SEED = 0
"""Fixed sampling seed (llama.cpp; OpenAI-compatible servers that honour ``seed``)."""


@dataclass(frozen=True)
class ModePlan:
    """The mode the settings lead to, decided without loading anything."""

    mode: ChatMode
    notice: str | None = None


@dataclass(frozen=True)
class ChatModelChoice:
    model: BaseChatModel | None
    mode: ChatMode
    notice: str | None = None
    """German notice for the user when the configured mode could not be used."""


def llama_cpp_available() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def plan_mode(settings: Settings) -> ModePlan:
    """Decide the chat mode from the settings and what is installed (loads no model)."""
    llm = settings.llm
    if llm.mode == "extractive":
        return ModePlan("extractive")
    if llm.mode == "openai":
        if llm.base_url:
            return ModePlan("openai")
        return ModePlan(
            "extractive",
            "Für den Modus „openai“ ist keine Server-Adresse eingestellt (VORLAGEN_LLM__BASE_URL); "
            "es folgt die extraktive Antwort.",
        )
    if llm.mode == "auto" and llm.base_url:
        return ModePlan("openai")
    local_problem = _local_model_problem(settings)
    if local_problem is None:
        return ModePlan("local")
    # ``auto`` without a local model is the documented extractive set-up, not a failure.
    return ModePlan("extractive", local_problem if llm.mode == "local" else None)


def answers_use_a_model(settings: Settings) -> bool:
    """Whether answers ask a chat model at all: never in ``extractive``; under ``auto`` only where it
    measurably helps (``llm.auto_uses_model``, off by default: docs/quality.md)."""
    llm = settings.llm
    return llm.mode != "extractive" and (llm.mode != "auto" or llm.auto_uses_model)


def answer_mode(settings: Settings) -> ModePlan:
    """The mode answers are given in: ``answers_use_a_model``, then ``plan_mode`` – the two steps
    ``AssistantService`` takes (through ``ChatModelProvider.resolve``). ``/readyz`` and ``vorlagen doctor``
    report this, so they name the mode the answers' „Modus: …“ shows."""
    if not answers_use_a_model(settings):
        return ModePlan("extractive")
    return plan_mode(settings)


def _local_model_problem(settings: Settings) -> str | None:
    path = model_path(settings)
    if not path.is_file():
        return (
            f"Das lokale Sprachmodell ist nicht installiert ({path}); "
            f"„{LOCAL_MODEL_INSTALL_HINT}“ installiert es. Es folgt die extraktive Antwort."
        )
    if not llama_cpp_available():
        return (
            f"Für das lokale Sprachmodell fehlt das Paket llama-cpp-python "
            f"(pip install '{LLAMA_CPP_REQUIREMENT}'); es folgt die extraktive Antwort."
        )
    return None


class DeadlineExceeded(TimeoutError):
    """A generation stopped at its ``generation_deadline``."""


_DEADLINE: ContextVar[float | None] = ContextVar("generation_deadline", default=None)


@contextmanager
def generation_deadline(at: float | None) -> Iterator[None]:
    """Local-model generations started (first piece requested) inside this block stop at ``at``
    (``time.monotonic()``), prompt reading included. Other chat models ignore it; their callers check
    the time between pieces."""
    token = _DEADLINE.set(at)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _abort_callback(deadline: float) -> Any:
    """A llama.cpp abort callback (asked between the steps of every computation) that says stop once
    ``deadline`` has passed; ``None`` where this llama-cpp-python has no such hook."""
    try:
        import llama_cpp
    except ImportError:  # pragma: no cover - SerializedChatLlamaCpp needs llama_cpp anyway
        return None
    factory = getattr(llama_cpp, "ggml_abort_callback", None)
    return factory(lambda _data: time.monotonic() > deadline) if factory is not None else None


class SerializedChatLlamaCpp(ChatLlamaCpp):
    """``ChatLlamaCpp`` whose generations run one at a time and stop at a ``generation_deadline``.

    One ``llama_cpp.Llama`` context must not be used by two threads at once (API requests run in a
    thread pool), so each generation holds a lock until its stream is exhausted or closed.
    """

    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        deadline = _DEADLINE.get()
        with self._lock:
            if deadline is None:
                yield from super()._stream(messages, stop=stop, run_manager=run_manager, **kwargs)
                return
            if time.monotonic() >= deadline:
                raise DeadlineExceeded
            with self._abort_at(deadline):
                try:
                    yield from super()._stream(messages, stop=stop, run_manager=run_manager, **kwargs)
                except RuntimeError as error:  # llama_decode returned 2: aborted by the callback
                    if time.monotonic() >= deadline:
                        raise DeadlineExceeded from error
                    raise

    @contextmanager
    def _abort_at(self, deadline: float) -> Iterator[None]:
        import llama_cpp

        context = getattr(getattr(self.client, "_ctx", None), "ctx", None)
        callback = _abort_callback(deadline)
        if context is None or callback is None or not hasattr(llama_cpp, "llama_set_abort_callback"):
            yield  # an older build: the caller's check between pieces still applies
            return
        llama_cpp.llama_set_abort_callback(context, callback, None)
        try:
            yield
        finally:
            llama_cpp.llama_set_abort_callback(context, llama_cpp.ggml_abort_callback(), None)


def build_local_model(settings: Settings) -> BaseChatModel:
    """Load the local GGUF (seconds; ~2 GB RAM at n_ctx 4096)."""
    llm = settings.llm
    return SerializedChatLlamaCpp(
        model_path=str(model_path(settings)),
        n_ctx=llm.n_ctx,
        # None: llama.cpp's default (half the cores for writing, all for reading the prompt); more
        # writing threads than free cores make it several times slower on a busy machine
        n_threads=llm.n_threads,
        n_batch=512,  # ChatLlamaCpp's default of 8 reads the prompt several times slower
        max_tokens=llm.max_tokens,
        temperature=GREEDY_TEMPERATURE,
        seed=DECODING_SEED,
        streaming=True,
        verbose=False,
    )


def build_openai_model(settings: Settings) -> BaseChatModel:
    """A client for the configured OpenAI-compatible server (nothing is contacted yet)."""
    from langchain_openai import ChatOpenAI

    llm = settings.llm
    if not llm.base_url:
        raise ValueError("Für den Modus „openai“ fehlt die Server-Adresse (VORLAGEN_LLM__BASE_URL).")
    return ChatOpenAI(
        base_url=llm.base_url,
        # Local servers accept any key; the client library insists on one.
        api_key=llm.api_key.get_secret_value() if llm.api_key else "ohne-schluessel",
        model=llm.model or "default",
        timeout=llm.timeout_s,
        stream_chunk_timeout=llm.timeout_s,  # the library's own 120 s silence limit would cut timeout_s short
        max_retries=0,
        max_tokens=llm.max_tokens,
        temperature=GREEDY_TEMPERATURE,
        seed=DECODING_SEED,
        stream_usage=True,
    )


class ChatModelProvider:
    """Resolves the chat model for the settings; loads the local model once and keeps it."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._local_model: BaseChatModel | None = None
        self._local_failure: str | None = None
        self._lock = threading.Lock()

    def resolve(self) -> ChatModelChoice:
        plan = plan_mode(self._settings)
        if plan.mode == "openai":
            return ChatModelChoice(build_openai_model(self._settings), "openai", plan.notice)
        if plan.mode == "local":
            model, failure = self.local_model()
            if model is not None:
                return ChatModelChoice(model, "local", plan.notice)
            return ChatModelChoice(None, "extractive", failure)
        return ChatModelChoice(None, "extractive", plan.notice)

    def local_model(self) -> tuple[BaseChatModel | None, str | None]:
        """The loaded local model, or ``None`` and a German notice if it cannot be loaded."""
        with self._lock:
            if self._local_model is None and self._local_failure is None:
                try:
                    self._local_model = build_local_model(self._settings)
                except Exception:  # a damaged GGUF or an incompatible llama.cpp build
                    logger.exception("Loading the local model failed")
                    self._local_failure = (
                        "Das lokale Sprachmodell ließ sich nicht laden "
                        f"(„{LOCAL_MODEL_INSTALL_HINT} --force“ installiert es neu); "
                        "es folgt die extraktive Antwort."
                    )
            return self._local_model, self._local_failure


def resolve_chat_model(settings: Settings, provider: ChatModelProvider | None = None) -> ChatModelChoice:
    """The chat model for ``settings``; pass the process's provider to reuse a loaded local model."""
    return (provider or ChatModelProvider(settings)).resolve()
