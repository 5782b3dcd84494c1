"""Grounded generation: a chat model rephrases the extractive evidence into a short cited answer.

The retriever and the extractive answerer have already chosen a few short evidence sentences,
numbered [1]..[n]; the extractive ``Answer`` is the fallback. The model gets the German prompt
``prompts/answer_de.txt`` with those passages; its answer is checked (``check_grounding``): every
[n] must exist and every number must occur in a cited passage or a tool result. An answer that
fails the check, and any failure of the model or its server, yields the extractive answer with a
German notice. Refusals of the extractive answerer stay refusals: the model is not asked.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path

from langchain_core.exceptions import ModelConnectionError, ModelError, ModelTimeoutError
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.prompts import ChatPromptTemplate

from assistant.extractive import asks_for_amount
from assistant.grounding import check_grounding, missing_key_figures, passage_text, renumber_citations
from assistant.llm import ChatMode
from vorlagen.domain import (
    Answer,
    AnswerEvent,
    Citation,
    CitationsEvent,
    DoneEvent,
    NoticeEvent,
    StreamEvent,
    TokenEvent,
)
from vorlagen.formatting import format_eur
from vorlagen.settings import Settings

__all__ = ["GroundedAnswerer", "check_grounding", "load_answer_prompt"]

logger = logging.getLogger(__name__)

DEFAULT_PROMPT = Path(__file__).resolve().parents[1] / "prompts" / "answer_de.txt"
_SECTION = re.compile(r"^###\s*(system|human|ai)\s*$", re.MULTILINE)
_LEADING_LABEL = re.compile(r"^\s*(?:Antwort|Answer)\s*:\s*", re.IGNORECASE)


def load_answer_prompt(path: Path = DEFAULT_PROMPT) -> ChatPromptTemplate:
    """Read a prompt file of ``### system`` / ``### human`` / ``### ai`` sections (the ``ai`` turns
    are worked examples) into a ChatPromptTemplate.

    Variables: ``passages``, ``tool_results``, ``question``, ``refusal_text``.
    """
    parts = _SECTION.split(path.read_text(encoding="utf-8"))
    # parts = [preamble, role, text, role, text, ...]
    messages = [(role, text.strip()) for role, text in zip(parts[1::2], parts[2::2], strict=True)]
    if not messages:
        raise ValueError(f"Die Prompt-Datei {path} enthält keinen Abschnitt „### system“ oder „### human“.")
    return ChatPromptTemplate.from_messages(messages)


def failure_notice(error: BaseException, timeout_s: float) -> str:
    """The German notice for a failed model call (no technical details; those go to the log)."""
    if isinstance(error, (TimeoutError, ModelTimeoutError)):
        return (
            f"Das Sprachmodell hat nicht innerhalb von {timeout_s:g} Sekunden geantwortet; "
            "es folgt die extraktive Antwort."
        )
    if isinstance(error, ModelConnectionError):
        return "Das Sprachmodell war nicht erreichbar; es folgt die extraktive Antwort."
    status = getattr(error, "status_code", None)
    if isinstance(error, ModelError) and status:
        return f"Der Modellserver meldete einen Fehler (HTTP {status}); es folgt die extraktive Antwort."
    return "Das Sprachmodell lieferte keine verwertbare Antwort; es folgt die extraktive Antwort."


class GroundedAnswerer:
    """Answers with a chat model from numbered evidence; falls back to the extractive answer."""

    def __init__(
        self,
        chat_model: BaseChatModel,
        settings: Settings,
        mode: ChatMode,
        prompt: ChatPromptTemplate | None = None,
    ) -> None:
        self._model = chat_model
        self._settings = settings
        self._mode = mode
        self._prompt = prompt or load_answer_prompt()

    @property
    def mode(self) -> ChatMode:
        return self._mode

    def messages(
        self, question: str, evidence: Sequence[Citation], tool_results: Sequence[str] = ()
    ) -> list[BaseMessage]:
        """The chat messages for the model: the prompt filled with the numbered passages."""
        passages = "\n".join(f"[{citation.index}] {passage_text(citation)}" for citation in evidence)
        tools = (
            "Rechenergebnisse (verlässlich, dürfen genannt werden):\n" + "\n".join(f"- {r}" for r in tool_results)
            if tool_results
            else ""
        )
        return self._prompt.format_messages(
            passages=passages,
            tool_results=tools,
            question=question.strip(),
            refusal_text=self._settings.answer.refusal_text,
        )

    def answer(
        self,
        question: str,
        evidence: Sequence[Citation],
        fallback: Answer,
        tool_results: Sequence[str] = (),
    ) -> Answer:
        if fallback.refused or not evidence:
            return fallback
        tools = [*tool_results, *_calculation_results(fallback)]
        started = time.perf_counter()
        deadline = started + self._settings.llm.timeout_s
        first_token: float | None = None
        message: AIMessageChunk | None = None
        stream = self._model.stream(self.messages(question, evidence, tools))
        try:
            for chunk in stream:
                if first_token is None:
                    first_token = time.perf_counter() - started
                message = chunk if message is None else message + chunk
                if time.perf_counter() > deadline:
                    raise TimeoutError
        except Exception as error:  # the model/server boundary: every failure ends in the fallback
            logger.warning("Chat model call failed (%s): %r", self._mode, error)
            return self._fall_back(fallback, failure_notice(error, self._settings.llm.timeout_s), started, first_token)
        finally:
            stream.close()
        return self._finish(question, message, evidence, fallback, tools, started, first_token)

    async def astream(
        self,
        question: str,
        evidence: Sequence[Citation],
        fallback: Answer,
        tool_results: Sequence[str] = (),
    ) -> AsyncIterator[StreamEvent]:
        """Events: ``token`` (``{"text": ...}``) while the model writes, then ``notice`` (if any),
        ``citations`` (the final list) and ``answer`` (the final ``Answer``), then ``done``.

        The ``answer`` event is authoritative: if the streamed text fails the check, it carries
        the extractive answer instead (and a ``notice`` says so).
        """
        if fallback.refused or not evidence:
            final = fallback
            yield TokenEvent(text=fallback.text)
        else:
            tools = [*tool_results, *_calculation_results(fallback)]
            started = time.perf_counter()
            deadline = started + self._settings.llm.timeout_s
            first_token: float | None = None
            message: AIMessageChunk | None = None
            stream = self._model.astream(self.messages(question, evidence, tools))
            failure: str | None = None
            try:
                while True:
                    remaining = deadline - time.perf_counter()
                    if remaining <= 0:
                        raise TimeoutError
                    try:
                        chunk = await asyncio.wait_for(anext(stream), remaining)
                    except StopAsyncIteration:
                        break
                    if first_token is None:
                        first_token = time.perf_counter() - started
                    message = chunk if message is None else message + chunk
                    if chunk.text:
                        yield TokenEvent(text=chunk.text)
            except Exception as error:  # the model/server boundary: every failure ends in the fallback
                logger.warning("Chat model stream failed (%s): %r", self._mode, error)
                failure = failure_notice(error, self._settings.llm.timeout_s)
            finally:
                await stream.aclose()
            if failure is not None:
                final = self._fall_back(fallback, failure, started, first_token)
            else:
                final = self._finish(question, message, evidence, fallback, tools, started, first_token)
        for notice in final.notices:
            yield NoticeEvent(text=notice)
        yield CitationsEvent(citations=final.citations)
        yield AnswerEvent(answer=final)
        yield DoneEvent()

    def _finish(
        self,
        question: str,
        message: AIMessageChunk | None,
        evidence: Sequence[Citation],
        fallback: Answer,
        tool_results: Iterable[str],
        started: float,
        first_token: float | None,
    ) -> Answer:
        text = _LEADING_LABEL.sub("", message.text).strip() if message is not None else ""
        if not text:
            return self._fall_back(
                fallback, "Das Sprachmodell lieferte keine Antwort; es folgt die extraktive Antwort.", started
            )
        if self._settings.answer.refusal_text.rstrip(" .") in text:
            return self._fall_back(
                fallback,
                "Das Sprachmodell fand in den Belegstellen keine Antwort; es folgt die extraktive Antwort.",
                started,
                first_token,
            )
        problems = check_grounding(text, evidence, tool_results)
        if problems:
            logger.info("Generated answer rejected: %s | %s", problems, text)
            return self._fall_back(
                fallback,
                "Die Antwort des Sprachmodells war nicht vollständig durch die Belegstellen gedeckt ("
                + " ".join(problems)
                + "); es folgt die extraktive Antwort.",
                started,
                first_token,
            )
        missing = missing_key_figures(text, fallback) if asks_for_amount(question) else []
        if missing:
            logger.info("Generated answer lacks the key figures %s | %s", missing, text)
            return self._fall_back(
                fallback,
                "Die Antwort des Sprachmodells nannte den erfragten Wert nicht ("
                + ", ".join(missing)
                + "); es folgt die extraktive Antwort.",
                started,
                first_token,
            )
        text, citations = renumber_citations(text, evidence)
        timings = {**fallback.timings, "generation_s": time.perf_counter() - started}
        if first_token is not None:
            timings["first_token_s"] = first_token
        return Answer(
            question=question,
            text=text,
            citations=citations,
            mode=self._mode,
            support=fallback.support,
            notices=list(fallback.notices),
            calculation=fallback.calculation,
            timings=timings,
            tokens=_token_counts(message),
        )

    def _fall_back(self, fallback: Answer, notice: str, started: float, first_token: float | None = None) -> Answer:
        timings = {**fallback.timings, "generation_s": time.perf_counter() - started}
        if first_token is not None:
            timings["first_token_s"] = first_token
        return fallback.model_copy(update={"notices": [*fallback.notices, notice], "timings": timings})


def _calculation_results(answer: Answer) -> list[str]:
    """The calculator's steps of the extractive answer, as tool results the model may quote."""
    return [f"{step.label}: {format_eur(step.amount)} ({step.formula})" for step in answer.calculation or []]


def _token_counts(message: AIMessageChunk | None) -> dict[str, int]:
    usage = message.usage_metadata if message is not None else None
    if not usage:
        return {}
    return {"prompt": usage["input_tokens"], "completion": usage["output_tokens"], "total": usage["total_tokens"]}
