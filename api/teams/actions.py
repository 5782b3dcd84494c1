"""What the bot's commands do, independent of Teams: answer (with the chat history), calculate, draft.

``create_draft`` is the one adapter to the drafting entry point (``/entwurf``); re-point it there when
drafting changes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from fastapi.concurrency import run_in_threadpool

from api.repository import ApiRepository
from api.routes.ask import _chat_query
from assistant.costs.answer import answer_calculation
from assistant.drafting import Drafter
from assistant.service import AssistantService
from vorlagen.domain import DRAFT_SECTIONS, Answer, Draft, DraftSectionName
from vorlagen.settings import Settings

SESSION_PREFIX = "teams-"


def session_for(conversation_id: str) -> str:
    """The chat-history session of a Teams conversation (ids like ``19:…@thread.v2`` are long and hold
    characters the session ids of ``/v1/chat`` do not allow, so they are hashed)."""
    return SESSION_PREFIX + hashlib.sha256(conversation_id.encode("utf-8")).hexdigest()[:40]


async def answer_in_conversation(
    service: AssistantService, repository: ApiRepository, settings: Settings, conversation_id: str, question: str
) -> Answer:
    """As ``POST /v1/chat/{session}``: a follow-up is retrieved together with the previous question;
    the turn is stored in the API's chat history."""
    session = session_for(conversation_id)
    query = await _chat_query(repository, session, question, settings)
    answer = await run_in_threadpool(service.ask, query)
    await run_in_threadpool(repository.add_turn, session, question, query, answer)
    return answer


class NotACalculation(ValueError):
    def __init__(self) -> None:
        super().__init__(
            "Das habe ich nicht als Rechnung erkannt. Beispiele: „/rechne 380 Beratertage zu einem Tagessatz von "
            "1.200 EUR“ oder „/rechne 1,5 Stellen E 13 ab 01.07.2027“."
        )


def calculate(service: AssistantService, question: str) -> Answer:
    """``/rechne …``: the cost tools, with missing figures cited from retrieved Vorlagen."""
    documents = service.retrieve(question)
    answer = answer_calculation(question, documents, settings=service.settings, tables=service.cost_tables())
    if answer is None:
        raise NotACalculation()
    return answer


_DRAFT_REQUEST = re.compile(r"^\s*(?P<section>[^:]{2,60}?)\s*:\s*(?P<topic>.+)$", re.S)


@dataclass(frozen=True)
class DraftRequest:
    """``/entwurf``: the one-line request, and the one section asked for (None: the whole Vorlage)."""

    text: str
    section: DraftSectionName | None = None


class DraftUsage(ValueError):
    def __init__(self) -> None:
        sections = ", ".join(DRAFT_SECTIONS)
        super().__init__(
            "Bitte so angeben: „/entwurf Abschnitt: Thema“ oder „/entwurf Vorhaben in einem Satz“, z. B. "
            "„/entwurf Begründung: Einführung der E-Akte“. Abschnitte: " + sections + "."
        )


def parse_draft_request(text: str) -> DraftRequest:
    """``Begründung: Einführung der E-Akte`` (a known section first) or the whole request in one line."""
    text = text.strip()
    if not text:
        raise DraftUsage()
    match = _DRAFT_REQUEST.match(text)
    if match:
        section = next((name for name in DRAFT_SECTIONS if name.lower() == match["section"].strip().lower()), None)
        if section is not None:
            return DraftRequest(match["topic"].strip(), section)
    return DraftRequest(text)


def create_draft(service: AssistantService, repository: ApiRepository, request: DraftRequest) -> tuple[Draft, str]:
    """The draft (the deterministic skeleton: Teams waits ~15 s for a reply, a model would take longer)
    and its id in the API's store (``GET /v1/draft/{id}.docx``)."""
    drafter = Drafter(service.settings, service)
    parsed = drafter.parse(request.text).request
    if request.section is not None:
        parsed = parsed.model_copy(update={"abschnitte": [request.section]})
    draft = drafter.draft(parsed, use_model=False)
    return draft, repository.save_draft(draft)
