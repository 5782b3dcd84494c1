"""Activity JSON as the Bot Connector service posts it for Microsoft Teams (built with the SDK's model)."""

from __future__ import annotations

import uuid
from typing import Any

from microsoft_agents.activity import Activity, ChannelAccount, ConversationAccount

BOT = ChannelAccount(id="28:vorlagen-bot", name="Vorlagen-Assistent")
USER = ChannelAccount(id="29:nutzerin-1", name="Erika Mustermann", aad_object_id=str(uuid.uuid4()))


def new_conversation() -> str:
    return f"a:teams-test-{uuid.uuid4().hex}"


def _activity(kind: str, conversation_id: str, service_url: str, **fields: Any) -> dict[str, Any]:
    activity = Activity(
        type=kind, id=f"1{uuid.uuid4().int % 10**12:012d}", channel_id="msteams", service_url=service_url,
        from_property=USER, recipient=BOT, locale="de-DE",
        conversation=ConversationAccount(id=conversation_id, conversation_type="personal", tenant_id="test-tenant"),
        channel_data={"tenant": {"id": "test-tenant"}}, **fields,
    )
    return activity.model_dump(mode="json", by_alias=True, exclude_none=True)


def message(conversation_id: str, service_url: str, text: str) -> dict[str, Any]:
    return _activity("message", conversation_id, service_url, text=text, text_format="plain")


def members_added(conversation_id: str, service_url: str) -> dict[str, Any]:
    return _activity("conversationUpdate", conversation_id, service_url, members_added=[BOT, USER])
