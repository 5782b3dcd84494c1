"""API keys (``Authorization: Bearer <key>``) from ``Settings.api.api_keys``.

Uploads and deletes always need a key; reads need one unless ``api.public_reads`` is set. Without
configured keys a server uses the access key generated at its first start (``api.access_key``).
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.resources import SettingsDep
from vorlagen.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="API-Schlüssel aus VORLAGEN_API__API_KEYS")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def check_key(settings: Settings, credentials: HTTPAuthorizationCredentials | None) -> None:
    if not settings.api.api_keys:
        raise _unauthorized(
            "Auf diesem Server ist kein API-Schlüssel eingerichtet (VORLAGEN_API__API_KEYS); "
            "Änderungen sind daher nicht möglich."
        )
    if credentials is None or not credentials.credentials:
        raise _unauthorized("API-Schlüssel fehlt. Bitte im Kopf „Authorization: Bearer <Schlüssel>“ mitsenden.")
    given = credentials.credentials.encode("utf-8")
    if not any(secrets.compare_digest(given, key.get_secret_value().encode("utf-8")) for key in settings.api.api_keys):
        raise _unauthorized("API-Schlüssel ist ungültig.")


def require_write_key(settings: SettingsDep, credentials: Credentials) -> None:
    """Dependency of uploads and deletes."""
    check_key(settings, credentials)


def require_read_key(settings: SettingsDep, credentials: Credentials) -> None:
    """Dependency of reads; open when the operator set ``api.public_reads``."""
    if settings.api.public_reads:
        return
    check_key(settings, credentials)


ReadAccess = Depends(require_read_key)
WriteAccess = Depends(require_write_key)
