"""The access key of a first start: ``vorlagen serve`` without configured keys creates one
(``api.generate_key``), keeps it in ``<data_dir>/api-key.txt`` (readable by the owner only) and prints
a login URL, as Jupyter does – a newcomer opens that URL and everything works; nobody else can.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import BaseModel, SecretStr

from vorlagen.settings import Settings

KEY_FILE_NAME = "api-key.txt"
LOGIN_FRAGMENT = "schluessel"
"""``http://host:port/#schluessel=<key>``: the web UI takes the key from the URL fragment."""


class AccessKeySetup(BaseModel):
    """The settings a server runs with, and the generated key if there is one."""

    settings: Settings
    generated_key: SecretStr | None = None
    """The key from ``key_file`` (None: keys configured in ``api_keys``, or generation switched off)."""
    key_file: Path | None = None
    created: bool = False
    """True on the first start: the key was created just now."""


def key_file_path(settings: Settings) -> Path:
    return settings.data_dir / KEY_FILE_NAME


def _read_or_create_key(path: Path) -> tuple[str, bool]:
    try:
        existing = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing, False
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    try:  # a second process starting at the same moment keeps the key the first one wrote
        os.link(temporary, path)
    except FileExistsError:
        return _read_or_create_key(path)
    finally:
        temporary.unlink(missing_ok=True)
    return key, True


def with_access_key(settings: Settings) -> AccessKeySetup:
    """``settings`` as a server uses them: without configured keys (and ``api.generate_key`` on), the
    access key of ``<data_dir>/api-key.txt`` – created at the first start – is the one key."""
    if settings.api.api_keys or not settings.api.generate_key:
        return AccessKeySetup(settings=settings)
    path = key_file_path(settings)
    key, created = _read_or_create_key(path)
    api = settings.api.model_copy(update={"api_keys": [SecretStr(key)]})
    return AccessKeySetup(
        settings=settings.model_copy(update={"api": api}), generated_key=SecretStr(key), key_file=path, created=created
    )


def base_url(host: str, port: int) -> str:
    """The URL a browser on this machine opens (a wildcard address is reached via loopback)."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def login_url(host: str, port: int, key: SecretStr) -> str:
    return f"{base_url(host, port)}#{LOGIN_FRAGMENT}={key.get_secret_value()}"
