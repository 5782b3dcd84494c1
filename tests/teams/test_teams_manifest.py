"""``vorlagen teams manifest``: the app package validates against the Teams manifest schema (v1.24, bundled
from Microsoft's MIT-licensed npm package ``@microsoft/app-manifest`` 1.1.2) and holds the three files."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest
from click.testing import Result
from PIL import Image
from typer.testing import CliRunner

from api.cli import app
from tests.teams.conftest import APP_ID, PUBLIC_BASE_URL

SCHEMA = Path(__file__).parent / "schema" / "MicrosoftTeams.v1.24.schema.json"


def _vorlagen(monkeypatch: pytest.MonkeyPatch, *args: str, **env: str) -> Result:
    """``vorlagen …`` with these ``VORLAGEN_*`` variables (settings are loaded per command)."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return CliRunner().invoke(app, list(args))


def test_manifest_package_validates_and_holds_three_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "app.zip"
    result = _vorlagen(monkeypatch, "teams", "manifest", "--out", str(target), "--json",
                       VORLAGEN_TEAMS__APP_ID=APP_ID, VORLAGEN_TEAMS__PUBLIC_BASE_URL=PUBLIC_BASE_URL)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["datei"] == str(target)
    with zipfile.ZipFile(target) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        color = Image.open(io.BytesIO(package.read("color.png")))
        outline = Image.open(io.BytesIO(package.read("outline.png")))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(manifest)
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID
    assert manifest["validDomains"] == ["vorlagen.example.org"]
    assert color.size == (192, 192) and outline.size == (32, 32) and outline.mode == "RGBA"


def test_manifest_without_app_id_is_a_german_error_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "app.zip"
    monkeypatch.delenv("VORLAGEN_TEAMS__APP_ID", raising=False)
    result = _vorlagen(monkeypatch, "teams", "manifest", "--out", str(target), VORLAGEN_TEAMS__PUBLIC_BASE_URL=PUBLIC_BASE_URL)
    assert result.exit_code == 1 and "App-ID" in result.output
    assert not target.exists()


def test_manifest_never_replaces_an_existing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "app.zip"
    target.write_bytes(b"vorhanden")
    result = _vorlagen(monkeypatch, "teams", "manifest", "--out", str(target), "--app-id", APP_ID,
                       "--basis-url", PUBLIC_BASE_URL)
    assert result.exit_code == 1 and "gibt es schon" in result.output
    assert target.read_bytes() == b"vorhanden"
