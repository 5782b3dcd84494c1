"""The Teams app package an administrator uploads: ``manifest.json`` (bot id, valid domains, commands)
and two icons (192×192 colour, 32×32 white outline on transparent), zipped."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PIL import Image, ImageDraw
from pydantic import BaseModel, HttpUrl

from api.teams.cards import COMMANDS
from vorlagen.settings import TeamsSettings

MANIFEST_VERSION = "1.24"
SCHEMA_URL = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
ACCENT = "#1F4E79"
COLOR_ICON, OUTLINE_ICON = "color.png", "outline.png"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SCOPES = ["personal", "team", "groupChat"]


class ManifestError(ValueError):
    """Missing or invalid input for the manifest, with a German message."""


class ManifestInput(BaseModel):
    app_id: str
    base_url: HttpUrl
    name: str
    version: str = "1.0.0"
    developer: str = "Vorlagen-Assistent (Open Source)"


def manifest_input(teams: TeamsSettings, *, app_id: str | None = None, base_url: str | None = None,
                   version: str = "1.0.0", developer: str | None = None) -> ManifestInput:
    app_id = app_id or teams.app_id
    base_url = base_url or teams.public_base_url
    if not app_id or not _GUID.match(app_id):
        raise ManifestError("Die App-ID fehlt oder ist keine GUID: VORLAGEN_TEAMS__APP_ID setzen oder --app-id angeben.")
    if not base_url or not base_url.startswith("https://"):
        raise ManifestError(
            "Die öffentliche https-Adresse fehlt: VORLAGEN_TEAMS__PUBLIC_BASE_URL setzen oder --basis-url angeben.")
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise ManifestError(f"Version „{version}“ ungültig: erwartet wird z. B. 1.0.0.")
    values: dict[str, Any] = {"app_id": app_id, "base_url": base_url, "name": teams.bot_name, "version": version}
    if developer:
        values["developer"] = developer
    return ManifestInput(**values)


def build_manifest(data: ManifestInput) -> dict[str, Any]:
    base = str(data.base_url).rstrip("/")
    commands = [{"title": title.split()[0].lstrip("/"), "description": description[:128]}
                for title, description in COMMANDS if title.startswith("/")]
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": data.version,
        "id": data.app_id,
        "developer": {"name": data.developer, "websiteUrl": f"{base}/", "privacyUrl": f"{base}/",
                      "termsOfUseUrl": f"{base}/"},
        "name": {"short": data.name[:30], "full": f"{data.name} – Fragen an frühere Vorlagen"[:100]},
        "description": {
            "short": "Fragen zu früheren Vorlagen, mit Belegen beantwortet."[:80],
            "full": ("Beantwortet Fragen zu früheren Beschluss-, Mitteilungs- und Informationsvorlagen Ihrer Verwaltung "
                     "mit nummerierten Belegen (Drucksache, Abschnitt, Seite, Zitat), rechnet Kosten exakt und "
                     "entwirft Abschnitte neuer Vorlagen."),
        },
        "icons": {"color": COLOR_ICON, "outline": OUTLINE_ICON},
        "accentColor": ACCENT,
        "bots": [{"botId": data.app_id, "scopes": _SCOPES, "supportsFiles": False, "isNotificationOnly": False,
                  "commandLists": [{"scopes": _SCOPES, "commands": commands}]}],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [urlsplit(base).hostname],
    }


def _icon(size: int, *, outline: bool) -> bytes:
    """A sheet of paper with lines (the Vorlage); white on transparent for the outline icon."""
    background = (0, 0, 0, 0) if outline else ACCENT
    ink = (255, 255, 255, 255)
    image = Image.new("RGBA", (size, size), background)
    draw = ImageDraw.Draw(image)
    margin, width = size * 0.22, max(1, size // 16)
    draw.rectangle([margin, size * 0.12, size - margin, size * 0.88], outline=ink, width=width)
    for row in range(4):
        y = size * (0.3 + row * 0.14)
        draw.line([margin + size * 0.1, y, size - margin - size * 0.1, y], fill=ink, width=width)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def write_package(data: ManifestInput, target: Path) -> Path:
    """Write the zip (``manifest.json``, ``color.png``, ``outline.png``); an existing file is not replaced."""
    if target.exists():
        raise ManifestError(f"{target} gibt es schon; bitte einen anderen Namen wählen oder die Datei entfernen.")
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "x", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(build_manifest(data), ensure_ascii=False, indent=2))
        package.writestr(COLOR_ICON, _icon(192, outline=False))
        package.writestr(OUTLINE_ICON, _icon(32, outline=True))
    return target
