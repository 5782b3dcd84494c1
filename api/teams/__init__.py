"""Microsoft Teams: the bot on the Microsoft 365 Agents SDK (``POST /api/messages``).

``install_teams(app, resources)`` is called in the app's lifespan; the router is always included and
answers 503 while the bot is not configured (``VORLAGEN_TEAMS__…``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from fastapi import FastAPI

from api.teams.router import router

if TYPE_CHECKING:
    from api.resources import Resources

logger = logging.getLogger(__name__)

__all__ = ["install_teams", "router"]


def install_teams(app: FastAPI, resources: Resources) -> None:
    """Build the bot from the app's resources; the SDK's JWT check reads ``app.state.agent_configuration``."""
    from api.teams.agent import TeamsBot
    from api.teams.config import is_enabled, sdk_configuration

    app.state.teams = None
    app.state.agent_configuration = None
    if not is_enabled(resources.settings.teams):
        return
    sdk = sdk_configuration(resources.settings.teams)
    app.state.teams = TeamsBot(resources, sdk)
    app.state.agent_configuration = sdk.auth
    logger.info("Teams-Bot bereit: POST /api/messages")
