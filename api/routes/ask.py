"""Questions: ``/v1/ask`` (JSON and server-sent events) and ``/v1/chat/{session}`` with history."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterable, AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, status
from fastapi.concurrency import run_in_threadpool
from fastapi.sse import EventSourceResponse, ServerSentEvent

from api.auth import ReadAccess
from api.conversation import retrieval_query
from api.errors import is_connection_error
from api.repository import ApiRepository
from api.resources import RepositoryDep, ServiceDep, SettingsDep
from api.schemas import AskRequest, ChatHistoryResponse, ChatResponse
from assistant.service import EmptyIndexError
from vorlagen.domain import (
    Answer,
    AnswerEvent,
    Citation,
    CitationsEvent,
    NoticeEvent,
    StreamEvent,
    TokenEvent,
)
from vorlagen.settings import Settings
from vorlagen.store import StoreUnavailableError

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["Fragen"], dependencies=[ReadAccess])

_SESSION = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def checked_question(body: AskRequest, settings: SettingsDep) -> AskRequest:
    """The request with its question stripped and within the configured length (a dependency, so
    that streaming endpoints refuse before the stream starts)."""
    question = body.question.strip()
    if not question:
        raise HTTPException(422, "Bitte eine Frage eingeben.")
    if len(question) > settings.api.max_question_chars:
        raise HTTPException(422, f"Die Frage ist zu lang (höchstens {settings.api.max_question_chars} Zeichen).")
    return body.model_copy(update={"question": question})


def checked_session(
    session: str = Path(description="Frei wählbare Sitzungskennung (Buchstaben, Ziffern, - und _; bis 64 Zeichen)."),
) -> str:
    if not _SESSION.match(session):
        raise HTTPException(422, "Ungültige Sitzungskennung: erlaubt sind Buchstaben, Ziffern, - und _ (bis 64 Zeichen).")
    return session


Question = Annotated[AskRequest, Depends(checked_question)]
Session = Annotated[str, Depends(checked_session)]


def _stream_error_message(error: Exception) -> str:
    if isinstance(error, EmptyIndexError | StoreUnavailableError):
        return str(error)
    if is_connection_error(error):
        return f"Ein benötigter Dienst (Index oder Sprachmodell-Server) ist nicht erreichbar: {error}"
    return "Die Antwort konnte nicht vollständig erzeugt werden. Details stehen im Server-Protokoll."


class _Collector:
    """Rebuilds the Answer from the stream (for the chat history) if the service sends none."""

    def __init__(self, question: str) -> None:
        self.question = question
        self.tokens: list[str] = []
        self.citations: list[Citation] = []
        self.notices: list[str] = []
        self.answer: Answer | None = None

    def see(self, event: StreamEvent) -> None:
        match event:
            case TokenEvent(text=text):
                self.tokens.append(text)
            case NoticeEvent(text=text):
                self.notices.append(text)
            case CitationsEvent(citations=citations):
                self.citations = list(citations)
            case AnswerEvent(answer=answer):
                self.answer = answer

    def result(self) -> Answer:
        if self.answer is not None:
            return self.answer
        return Answer(question=self.question, text="".join(self.tokens), citations=self.citations, notices=self.notices)


async def _sse(
    events: AsyncIterator[StreamEvent], collector: _Collector | None = None, before_done: list[ServerSentEvent] | None = None
) -> AsyncIterator[ServerSentEvent]:
    try:
        async for event in events:
            if collector is not None:
                collector.see(event)
            if event.type == "done":
                break
            yield ServerSentEvent(event=event.type, data=event.sse_data())
    except Exception as error:  # noqa: BLE001 - the client gets a German error event, the log the trace
        logger.exception("Fehler im Antwort-Stream")
        yield ServerSentEvent(event="error", data={"detail": _stream_error_message(error)})
        yield ServerSentEvent(event="done", data={})
        return
    for extra in before_done or []:
        yield extra
    yield ServerSentEvent(event="done", data={})


@router.post("/ask", response_model=Answer, summary="Frage stellen (Antwort mit Belegen)")
async def ask(body: Question, service: ServiceDep) -> Answer:
    return await run_in_threadpool(service.ask, body.question, body.filters, body.k)


@router.post(
    "/ask/stream",
    response_class=EventSourceResponse,
    summary="Frage stellen, Antwort als Server-Sent Events",
    description="Ereignisse: `token` (Textstücke), `notice`, `citations` (Belege), `answer` (vollständige Antwort), "
    "`error`, zuletzt `done`.",
)
async def ask_stream(body: Question, service: ServiceDep) -> AsyncIterable[ServerSentEvent]:
    async for event in _sse(service.astream(body.question, body.filters, body.k)):
        yield event


def _previous_queries(repository: ApiRepository, session: str, settings: Settings) -> list[str]:
    turns = max(settings.api.follow_up_turns, 0)
    return [turn.retrieval_query for turn in repository.turns(session, last=turns)] if turns else []


async def _chat_query(repository: ApiRepository, session: str, question: str, settings: Settings) -> str:
    previous = await run_in_threadpool(_previous_queries, repository, session, settings)
    return retrieval_query(previous, question, settings.api.follow_up_turns)


@router.post("/chat/{session}", response_model=ChatResponse, summary="Frage im Gespräch (Folgefragen möglich)")
async def chat(
    body: Question, session: Session, service: ServiceDep, repository: RepositoryDep, settings: SettingsDep
) -> ChatResponse:
    query = await _chat_query(repository, session, body.question, settings)
    answer = await run_in_threadpool(service.ask, query, body.filters, body.k)
    turn = await run_in_threadpool(repository.add_turn, session, body.question, query, answer)
    return ChatResponse(session=session, turn=turn, retrieval_query=query, answer=answer)


@router.post(
    "/chat/{session}/stream",
    response_class=EventSourceResponse,
    summary="Frage im Gespräch, Antwort als Server-Sent Events",
    description="Wie `/v1/ask/stream`; vor `done` folgt `session` mit Sitzung, Gesprächsschritt und Suchanfrage.",
)
async def chat_stream(
    body: Question, session: Session, service: ServiceDep, repository: RepositoryDep, settings: SettingsDep
) -> AsyncIterable[ServerSentEvent]:
    query = await _chat_query(repository, session, body.question, settings)
    collector = _Collector(query)
    failed = False
    async for event in _sse(service.astream(query, body.filters, body.k), collector):
        if event.event == "error":
            failed = True
        if event.event == "done" and not failed:
            turn = await run_in_threadpool(repository.add_turn, session, body.question, query, collector.result())
            yield ServerSentEvent(event="session", data={"session": session, "turn": turn, "retrieval_query": query})
        yield event


@router.get("/chat/{session}", response_model=ChatHistoryResponse, summary="Verlauf einer Sitzung")
async def chat_history(session: Session, repository: RepositoryDep) -> ChatHistoryResponse:
    return ChatHistoryResponse(session=session, turns=await run_in_threadpool(repository.turns, session))


@router.delete("/chat/{session}", status_code=status.HTTP_204_NO_CONTENT, summary="Verlauf einer Sitzung löschen")
async def chat_clear(session: Session, repository: RepositoryDep) -> None:
    await run_in_threadpool(repository.clear_session, session)

