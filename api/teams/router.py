"""``POST /api/messages``: the Bot Framework protocol endpoint, handled by the SDK.

The SDK's ``jwt_authorization_decorator`` validates the bearer token (signing keys from the
OpenID/JWKS document, audience = app id, tenant/issuer binding) against
``app.state.agent_configuration`` before the handler runs: without a valid token no answer is computed.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from microsoft_agents.hosting.fastapi import jwt_authorization_decorator, start_agent_process

from api.teams.agent import TeamsBot
from api.teams.config import TeamsNotConfigured

router = APIRouter(tags=["Microsoft Teams"])

UNAUTHORIZED = (
    "Nicht angemeldet: Anfragen an /api/messages brauchen ein gültiges Token des Bot-Framework-Dienstes "
    "(Aussteller, Zielgruppe = App-ID, Signatur, Gültigkeit)."
)


def teams_bot(request: Request) -> TeamsBot:
    bot: TeamsBot | None = getattr(request.app.state, "teams", None)
    if bot is None:
        raise HTTPException(503, str(TeamsNotConfigured()))
    return bot


@jwt_authorization_decorator
async def _process(request: Request) -> Response | None:
    bot = teams_bot(request)
    return await start_agent_process(request, bot.application, bot.adapter)


@router.post(
    "/api/messages",
    summary="Nachrichten aus Microsoft Teams (Bot-Framework-Protokoll)",
    description="Activities des Bot-Connector-Dienstes; Antworten gehen an dessen `serviceUrl`. "
    "Authentifizierung: JWT des Bot-Framework-Dienstes (siehe docs/teams.md).",
    responses={401: {"description": "Token fehlt oder ist ungültig"}, 503: {"description": "Teams-Bot nicht eingerichtet"}},
)
async def messages(request: Request) -> Response:
    teams_bot(request)
    response = await _process(request)
    if response is None:
        return Response(status_code=202)
    if response.status_code == 401:
        return JSONResponse({"detail": UNAUTHORIZED}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    return response
