"""The Teams bot on the Microsoft 365 Agents SDK: an ``AgentApplication`` with its handlers.

Welcome on ``conversationUpdate`` (members added); ``/hilfe``, ``/rechne …``, ``/entwurf …``; every other
message is a question, answered with an Adaptive Card (answer text, numbered citations, „Im Browser
öffnen“). The SDK sends the typing indicator while the answer is computed.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from fastapi.concurrency import run_in_threadpool
from microsoft_agents.activity import Attachment
from microsoft_agents.hosting.core import (
    AgentApplication,
    ApplicationOptions,
    Citation as SdkCitation,
    MemoryStorage,
    MessageFactory,
    OutboundHostValidator,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.app import TypingOptions
from microsoft_agents.hosting.fastapi import CloudAdapter

from api.routes.ask import _stream_error_message
from api.teams import actions, cards
from api.teams.config import SdkConfiguration
from api.teams.splitting import split_message
from assistant.service import AssistantService
from vorlagen.domain import Answer

if TYPE_CHECKING:
    from api.resources import Resources

logger = logging.getLogger(__name__)

_FLAGS = re.IGNORECASE | re.DOTALL
HELP = re.compile(r"\s*/(hilfe|help|\?)\s*", _FLAGS)
CALCULATE = re.compile(r"\s*/rechne\b(?P<rest>.*)", _FLAGS)
DRAFT = re.compile(r"\s*/entwurf\b(?P<rest>.*)", _FLAGS)
UNKNOWN_COMMAND = re.compile(r"\s*/\S*.*", _FLAGS)


class TeamsBot:
    """Built once in the app's lifespan from the same resources (assistant, chat history) the web API uses."""

    def __init__(self, resources: Resources, sdk: SdkConfiguration) -> None:
        self.resources = resources
        self.settings = resources.settings
        self.teams = resources.settings.teams
        self.sdk = sdk
        self.adapter = CloudAdapter(
            connection_manager=sdk.connections,
            host_validator=OutboundHostValidator(enabled=self.teams.check_service_url, hosts=self.teams.service_hosts),
        )
        self.application: AgentApplication[TurnState] = AgentApplication[TurnState](
            ApplicationOptions(
                storage=MemoryStorage(),
                bot_app_id=self.teams.app_id or "",
                typing=TypingOptions(initial_delay_ms=0),
            ),
            connection_manager=sdk.connections,
            **sdk.application,
        )
        self._register()

    # ---- routes ----------------------------------------------------------------------------------
    def _register(self) -> None:
        app = self.application
        app.conversation_update("membersAdded")(self.on_members_added)
        app.message(HELP)(self.on_help)
        app.message(CALCULATE)(self.on_calculate)
        app.message(DRAFT)(self.on_draft)
        app.message(UNKNOWN_COMMAND)(self.on_unknown_command)
        app.message()(self.on_question)
        app.error(self.on_error)

    async def on_members_added(self, context: TurnContext, _state: TurnState) -> None:
        """Welcome once when the bot is installed (it is among the members added) or someone opens a personal
        chat with it; not for every colleague who joins a team."""
        activity = context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        added = activity.members_added or []
        personal = activity.conversation is not None and activity.conversation.conversation_type == "personal"
        if any(member.id == bot_id for member in added) or (personal and added):
            await self._send_card(context, cards.help_card(self.teams.bot_name, welcome=True))

    async def on_help(self, context: TurnContext, _state: TurnState) -> None:
        await self._send_card(context, cards.help_card(self.teams.bot_name))

    async def on_unknown_command(self, context: TurnContext, _state: TurnState) -> None:
        command = (context.activity.text or "").strip().split()[0]
        await context.send_activity(MessageFactory.text(f"Den Befehl „{command}“ kenne ich nicht."))
        await self.on_help(context, _state)

    async def on_question(self, context: TurnContext, _state: TurnState) -> None:
        question = (context.activity.text or "").strip()
        if not question:
            await context.send_activity(MessageFactory.text("Bitte eine Frage als Text schreiben (Hilfe: /hilfe)."))
            return
        if len(question) > self.settings.api.max_question_chars:
            await context.send_activity(MessageFactory.text(
                f"Die Frage ist zu lang (höchstens {self.settings.api.max_question_chars} Zeichen)."))
            return
        service = self._service()
        if service is None:
            await self._send_unavailable(context)
            return
        answer = await actions.answer_in_conversation(
            service, self.resources.repository, self.settings, context.activity.conversation.id, question
        )
        await self.send_answer(context, answer)

    async def on_calculate(self, context: TurnContext, _state: TurnState) -> None:
        match = CALCULATE.fullmatch(context.activity.text or "")
        question = match["rest"].strip() if match else ""
        service = self._service()
        if service is None:
            await self._send_unavailable(context)
            return
        if not question:
            await context.send_activity(MessageFactory.text(str(actions.NotACalculation())))
            return
        try:
            answer = await run_in_threadpool(actions.calculate, service, question)
        except actions.NotACalculation as error:
            await context.send_activity(MessageFactory.text(str(error)))
            return
        await self.send_answer(context, answer)

    async def on_draft(self, context: TurnContext, _state: TurnState) -> None:
        match = DRAFT.fullmatch(context.activity.text or "")
        service = self._service()
        if service is None:
            await self._send_unavailable(context)
            return
        try:
            request = actions.parse_draft_request(match["rest"] if match else "")
        except actions.DraftUsage as error:
            await context.send_activity(MessageFactory.text(str(error)))
            return
        draft, draft_id = await run_in_threadpool(actions.create_draft, service, self.resources.repository, request)
        base = self.teams.public_base_url
        docx_url = f"{base.rstrip('/')}/v1/draft/{draft_id}.docx" if base else None
        await self._send_card(context, cards.draft_card(draft, docx_url))

    async def on_error(self, context: TurnContext, error: Exception) -> None:
        """Empty index, unreachable index or model server, anything else: a German message, never a trace."""
        logger.error("Teams-Bot: Fehler bei der Antwort", exc_info=error)
        await context.send_activity(MessageFactory.text(_stream_error_message(error)))

    # ---- sending ---------------------------------------------------------------------------------
    def _service(self) -> AssistantService | None:
        """The web API's assistant; None when it could not be started (the reason is in ``startup_errors``)."""
        return self.resources.service

    async def _send_unavailable(self, context: TurnContext) -> None:
        reason = " ".join(self.resources.startup_errors) or "unbekannter Grund"
        await context.send_activity(MessageFactory.text(f"Der Assistent ist derzeit nicht verfügbar. {reason}"))

    async def _send_card(self, context: TurnContext, card: Attachment) -> None:
        await context.send_activity(MessageFactory.attachment(card))

    async def send_answer(self, context: TurnContext, answer: Answer) -> None:
        """Long texts go out in parts; the last part carries the card with the citations. With Teams
        streaming enabled the SDK's StreamingResponse sends it, citations set the SDK's way. A decision answer
        („Wie wurde über … entschieden?“) is one card with the Verlauf."""
        if answer.decision is not None:
            await self._send_card(context, cards.decision_card(answer, self.teams.public_base_url))
            return
        parts = split_message(answer.text, self.teams.max_message_chars)
        for part in parts[:-1]:
            await context.send_activity(MessageFactory.text(part))
        card = cards.answer_card(answer, parts[-1], self.teams.public_base_url)
        streaming = context.streaming_response
        if not (self.teams.streaming and streaming.is_streaming_channel):
            await self._send_card(context, card)
            return
        streaming.set_generated_by_ai_label(True)
        streaming.set_citations([
            SdkCitation(content=citation.quote, title=cards.citation_heading(citation),
                        url=cards.passage_url(self.teams.public_base_url, citation))
            for citation in answer.citations
        ])
        streaming.queue_text_chunk(parts[-1])
        streaming.set_attachments([card])
        await streaming.end_stream()
