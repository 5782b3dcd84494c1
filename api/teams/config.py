"""``TeamsSettings`` (prefix ``VORLAGEN_TEAMS__``) mapped to the Microsoft 365 Agents SDK's configuration.

The SDK reads its configuration as ``CONNECTIONS__SERVICE_CONNECTION__SETTINGS__…`` keys
(``load_configuration_from_env``); we build exactly those keys from our one settings object, so the
SDK's own connection manager (MSAL) and JWT validation run with them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from microsoft_agents.activity import load_configuration_from_env
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.core import AgentAuthConfiguration

from vorlagen.settings import TeamsSettings

logger = logging.getLogger(__name__)

_PREFIX = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"

ANONYMOUS_WARNING = (
    "Teams-Bot im anonymen Modus (VORLAGEN_TEAMS__ANONYMOUS=true): Anfragen an /api/messages werden OHNE "
    "Token-Prüfung angenommen. Nur für lokale Tests (Microsoft 365 Agents Playground) verwenden!"
)


class TeamsNotConfigured(RuntimeError):
    """Neither an app id nor anonymous mode: the bot is off."""

    def __init__(self) -> None:
        super().__init__(
            "Der Teams-Bot ist nicht eingerichtet: Bitte VORLAGEN_TEAMS__APP_ID, VORLAGEN_TEAMS__TENANT_ID und "
            "VORLAGEN_TEAMS__CLIENT_SECRET setzen (oder für lokale Tests VORLAGEN_TEAMS__ANONYMOUS=true)."
        )


def is_enabled(teams: TeamsSettings) -> bool:
    return bool(teams.app_id) or teams.anonymous


def sdk_environment(teams: TeamsSettings) -> dict[str, str]:
    """The SDK's configuration keys for our settings (what a ``.env`` of an SDK sample would hold)."""
    values: dict[str, str | None] = {
        f"{_PREFIX}AUTHTYPE": "ClientSecret",
        f"{_PREFIX}CLIENTID": teams.app_id,
        f"{_PREFIX}TENANTID": teams.tenant_id,
        f"{_PREFIX}CLIENTSECRET": teams.client_secret.get_secret_value() if teams.client_secret else None,
        f"{_PREFIX}ANONYMOUS_ALLOWED": "true" if teams.anonymous else "false",
    }
    return {key: value for key, value in values.items() if value is not None}


@dataclass(frozen=True)
class SdkConfiguration:
    """What the agent needs from the SDK: the connection manager (outgoing tokens) and the
    configuration the JWT validation of incoming requests uses."""

    connections: MsalConnectionManager
    auth: AgentAuthConfiguration
    application: dict[str, Any]


def sdk_configuration(teams: TeamsSettings) -> SdkConfiguration:
    if not is_enabled(teams):
        raise TeamsNotConfigured()
    if teams.app_id and not teams.client_secret:
        logger.error("Teams-Bot: VORLAGEN_TEAMS__CLIENT_SECRET fehlt – Antworten an Teams werden scheitern.")
    if teams.anonymous:
        logger.warning(ANONYMOUS_WARNING)
    config = load_configuration_from_env(sdk_environment(teams))
    connections = MsalConnectionManager(**config)
    return SdkConfiguration(
        connections=connections,
        auth=connections.get_default_connection_configuration(),
        application=dict(config.get("AGENTAPPLICATION") or {}),
    )
