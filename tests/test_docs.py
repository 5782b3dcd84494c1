"""The documentation names only what exists: every ``vorlagen …`` command (its ``--help`` runs, its
options exist), every ``make …`` target (``make -n`` succeeds), every relative link (an existing file, no
``#anchor``: headings change, files are checked) and every repository path written in code (``assistant/…``).

Reads README.md, docs/*.md and the READMEs beside the code. The first tests show that each check
reports a broken line.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from api.cli import app

REPO_ROOT = Path(__file__).resolve().parent.parent
DOC_FILES = [
    REPO_ROOT / "README.md",
    *sorted((REPO_ROOT / "docs").glob("*.md")),
    REPO_ROOT / "docs" / "examples" / "README.md",
    REPO_ROOT / "api" / "README.md",
    REPO_ROOT / "eval" / "README.md",
    REPO_ROOT / "eval" / "sets" / "README.md",
]
CODE_DIRS = ("vorlagen", "ingest", "assistant", "api", "eval", "tests", "docs", "prompts")

FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
INLINE_CODE = re.compile(r"(`+)(.+?)\1", re.S)
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
VORLAGEN = re.compile(r"(?:^|[\s(;&|])(?:\S*/)?vorlagen(?=\s|$)((?:[ \t]+[^\s#;&|]+)*)")
MAKE = re.compile(r"(?:^|[\s(;&|])make(?=\s|$)((?:[ \t]+[^\s#;&|]+)*)")
WORD = re.compile(r"^[a-z][a-z0-9-]*$")
REPO_PATH = re.compile(rf"^(?:{'|'.join(CODE_DIRS)})/[\w./*\-]*$")


@dataclass(frozen=True)
class Mention:
    """A piece of code in a Markdown file: a fenced block's line or an inline code span."""

    file: Path
    line: int
    text: str


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def code_snippets(path: Path, text: str | None = None) -> list[Mention]:
    """Every fenced block line (``\\`` continuation lines joined) and every inline code span."""
    text = path.read_text(encoding="utf-8") if text is None else text
    found: list[Mention] = []
    for block in FENCE.finditer(text):
        first = _line(text, block.start(1))
        pending: tuple[int, str] | None = None
        for number, line in enumerate(block.group(1).split("\n"), start=first):
            start, joined = pending or (number, "")
            joined += " " + line.rstrip("\\")
            pending = (start, joined) if line.endswith("\\") else None
            if pending is None:
                found.append(Mention(path, start, joined.strip()))
    for match in INLINE_CODE.finditer(_without_fences(text)):
        found.append(Mention(path, _line(text, match.start()), match.group(2)))
    return sorted(found, key=lambda mention: mention.line)


def _without_fences(text: str) -> str:
    return FENCE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def _prose(text: str) -> str:
    """The text without fenced blocks and inline code, line breaks kept (links are looked for there)."""
    return INLINE_CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), _without_fences(text))


def _tokens(arguments: str) -> list[str]:
    """Shell-like words without quoted strings, brackets and ellipses."""
    arguments = re.sub(r"\"[^\"]*\"|'[^']*'|„[^“]*“", " QUOTED ", arguments)
    return [token.strip("[]()") for token in arguments.split() if token.strip("[]()…")]


@cache
def _cli() -> Any:
    """The click command tree of ``vorlagen`` (typer ships its own click: checked by shape, not type)."""
    return typer.main.get_command(app)


def _subcommands(command: Any) -> dict[str, Any] | None:
    return getattr(command, "commands", None)


def _options(command: Any) -> set[str]:
    """The options of a command; of a group, also those of its subcommands (``vorlagen eval DATEI`` runs ``run``)."""
    names = {"--help"}
    for param in command.params:
        names.update(param.opts + param.secondary_opts)
    for sub in (_subcommands(command) or {}).values():
        names |= _options(sub)
    return names


def vorlagen_problem(arguments: str) -> str | None:
    """Why ``vorlagen <arguments>`` is not a command of the CLI, or None."""
    tokens = _tokens(arguments)
    command = _cli()
    path: list[str] = []
    rest = tokens
    for index, token in enumerate(tokens):
        commands = _subcommands(command)
        if commands is None or token.startswith("-"):
            rest = tokens[index:]
            break
        alternatives = token.split("\\|")
        if not all(WORD.match(word) for word in alternatives):
            rest = tokens[index:]
            break
        unknown = [word for word in alternatives if word not in commands]
        if unknown:
            return f"unbekannter Befehl „{' '.join(['vorlagen', *path, unknown[0]])}“"
        if len(alternatives) > 1:  # personalkosten\|beratungskosten …: each must exist; stop there
            path.append(alternatives[0])
            command = commands[alternatives[0]]
            rest = tokens[index + 1:]
            break
        path.append(token)
        command = commands[token]
    else:
        rest = []
    result = CliRunner().invoke(app, [*path, "--help"])
    if result.exit_code != 0:
        return f"„vorlagen {' '.join(path)} --help“ endet mit {result.exit_code}: {result.output[-300:]}"
    known = _options(command)
    unknown_options = [t.split("=")[0] for t in rest if t.startswith("--") and t.split("=")[0] not in known]
    if unknown_options:
        return f"„vorlagen {' '.join(path)}“ kennt {', '.join(unknown_options)} nicht"
    return None


def make_problem(arguments: str) -> str | None:
    """Why ``make <arguments>`` names no target of the Makefile, or None."""
    targets = [t for t in _tokens(arguments) if not t.startswith("-") and "=" not in t]
    if not targets:
        return None
    target = targets[0]
    result = subprocess.run(["make", "-n", "-C", str(REPO_ROOT), target], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        return f"„make -n {target}“ scheitert: {result.stderr.strip()[-300:]}"
    return None


def command_problems(mentions: list[Mention]) -> list[str]:
    problems = []
    for mention in mentions:
        for pattern, check in ((VORLAGEN, vorlagen_problem), (MAKE, make_problem)):
            for match in pattern.finditer(mention.text):
                problem = check(match.group(1))
                if problem:
                    problems.append(f"{mention.file.name}:{mention.line}: {problem}")
    return problems


def link_problems(path: Path, text: str | None = None) -> list[str]:
    """Relative links that point nowhere or carry an anchor."""
    text = path.read_text(encoding="utf-8") if text is None else text
    problems = []
    for match in LINK.finditer(_prose(text)):
        target = match.group(1)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: …
            continue
        where = f"{path.name}:{_line(text, match.start())}"
        if "#" in target:
            problems.append(f"{where}: Link mit Anker „{target}“ (bitte auf die Datei verlinken)")
            continue
        if target.startswith("/") or not (path.parent / target).exists():
            problems.append(f"{where}: Link „{target}“ führt ins Leere")
    return problems


def path_problems(mentions: list[Mention]) -> list[str]:
    """Repository paths written as code (``assistant/costs/``, ``tests/test_x.py::name``) that do not exist."""
    problems = []
    for mention in mentions:
        candidate = mention.text.strip().split("::")[0].split(":")[0]
        if not REPO_PATH.match(candidate):
            continue
        if not list(REPO_ROOT.glob(candidate.rstrip("/"))):
            problems.append(f"{mention.file.name}:{mention.line}: „{candidate}“ gibt es nicht")
    return problems


# --- the checks can fail ------------------------------------------------------------------------


def test_a_broken_or_anchored_link_is_reported(tmp_path: Path) -> None:
    (tmp_path / "da.md").write_text("x")
    page = tmp_path / "seite.md"
    text = ("[gut](da.md) [kaputt](fehlt.md) ![Bild](img/fehlt.png) [Anker](da.md#abschnitt) "
            "[extern](https://example.org/x) `[im Code](fehlt2.md)`\n")
    assert link_problems(page, text) == [
        "seite.md:1: Link „fehlt.md“ führt ins Leere",
        "seite.md:1: Link „img/fehlt.png“ führt ins Leere",
        "seite.md:1: Link mit Anker „da.md#abschnitt“ (bitte auf die Datei verlinken)",
    ]


def test_an_unknown_command_option_or_target_is_reported(tmp_path: Path) -> None:
    page = tmp_path / "seite.md"
    text = ("`vorlagen ask \"Frage\" --json` und `vorlagen docs lst`\n"
            "```bash\nVORLAGEN_DATA_DIR=x .venv/bin/vorlagen ingest ordner/ --gibt-es-nicht\n"
            "vorlagen eval run a.jsonl \\\n  --baseline\nmake demo QUESTION=\"…\"\nmake gibt-es-nicht\n```\n")
    problems = command_problems(code_snippets(page, text))
    assert [p.split(": ", 1)[0] for p in problems] == ["seite.md:1", "seite.md:3", "seite.md:7"], problems
    assert "vorlagen docs lst" in problems[0] and "--gibt-es-nicht" in problems[1] and "gibt-es-nicht" in problems[2]


def test_a_missing_repository_path_is_reported(tmp_path: Path) -> None:
    page = tmp_path / "seite.md"
    text = "`vorlagen/store/` `vorlagen/store.py` `tests/test_docs.py::test_x` `assistant/costs/tables/*.toml`\n"
    assert path_problems(code_snippets(page, text)) == ["seite.md:1: „vorlagen/store.py“ gibt es nicht"]


# --- the documentation ------------------------------------------------------------------------


def test_the_doc_files_exist() -> None:
    assert [path for path in DOC_FILES if not path.is_file()] == []


def test_every_link_resolves() -> None:
    problems = [problem for path in DOC_FILES for problem in link_problems(path)]
    assert problems == [], "\n".join(problems)


def test_every_named_command_exists() -> None:
    if shutil.which("make") is None:
        pytest.skip("make fehlt")
    mentions = [mention for path in DOC_FILES for mention in code_snippets(path)]
    assert sum(bool(VORLAGEN.search(m.text)) for m in mentions) > 30  # the docs do name commands
    problems = command_problems(mentions)
    assert problems == [], "\n".join(problems)


def test_every_named_repository_path_exists() -> None:
    problems = path_problems([mention for path in DOC_FILES for mention in code_snippets(path)])
    assert problems == [], "\n".join(problems)
