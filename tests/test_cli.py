"""The ``vorlagen`` command line, run through typer's runner with a real index in a tmp folder."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()


def _commands(group, prefix=()):
    import typer.main

    click_group = typer.main.get_command(group) if not prefix else group
    yield prefix
    for name, command in getattr(click_group, "commands", {}).items():
        yield from _commands(command, prefix + (name,))


_GERMAN_WORDS = re.compile(r"\b(und|oder|der|die|das|den|eine?n?|mit|für|aus|nach|wird|werden|nicht|Vorlagen?|Index|"
                           r"einlesen|Frage|Antwort|Dokumente?|Modell|Ordner|je|im|ab|Jahr|Kosten|berechnen|Stellen)\b")


@pytest.mark.parametrize("command", list(_commands(app)), ids=lambda c: " ".join(c) or "vorlagen")
def test_every_command_has_german_help(command) -> None:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.output.splitlines()]
    usage = next(i for i, line in enumerate(lines) if line.startswith("Usage:"))
    # the command's own description: the text between the usage line and the first box of options
    description = []
    for line in lines[usage + 1 :]:
        if line.startswith("╭"):
            break
        description.append(line)
    text = " ".join(description).strip()
    assert text and (_GERMAN_WORDS.search(text) or re.search(r"[äöüßÄÖÜ]|z\. B\.", text)), (
        f"keine deutsche Beschreibung: {text!r}"
    )


def test_ingest_reports_bad_files_and_keeps_the_good_ones(tmp_path: Path, shared_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("VORLAGEN_DATA_DIR", str(tmp_path / "index"))
    corpus = tmp_path / "eingang"
    corpus.mkdir()
    shutil.copy(shared_dir / "corpus/seeds/mitteilung_buendelung_digitalisierung_2024.txt", corpus)
    (corpus / "leer.pdf").write_bytes(b"")
    result = runner.invoke(app, ["ingest", str(corpus)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "leer.pdf" in result.output and "Neu: 1" in result.output

    listed = runner.invoke(app, ["docs", "list"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and "mitteilung_buendelung" in listed.output

    answer = runner.invoke(app, ["ask", "Zu welchem Datum soll das Digitalisierungsamt die Arbeit aufnehmen?"])
    assert answer.exit_code == 0, answer.output
    assert "01.01.2025" in answer.output and "Belege" in answer.output

    removed = runner.invoke(app, ["docs", "remove", "mitteilung_buendelung_digitalisierung_2024.txt"])
    assert removed.exit_code == 0
    empty = runner.invoke(app, ["ask", "Was kostet das?"])
    assert empty.exit_code == 3 and "Index ist leer" in empty.output


def test_bad_year_option_is_explained(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("VORLAGEN_DATA_DIR", str(tmp_path / "index"))
    result = runner.invoke(app, ["ask", "Frage", "--jahr", "letztes"])
    assert result.exit_code == 2 and "kein Jahr" in result.output
