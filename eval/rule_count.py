"""Count the hand rules of the answer layer: regular-expression literals (``re.compile`` calls), their
alternatives (``|`` + 1 per pattern, nested groups included) and float literals other than 0 and 1 (hand-set
weights and thresholds) in ``assistant/*.py`` and the German text package ``vorlagen/text/`` (its lexicon included).

    python -m eval.rule_count                 # this checkout
    python -m eval.rule_count PATH …          # other files or folders (e.g. an exported older checkout)
    python -m eval.rule_count --per-file      # one line per module; --json for scripts

A rough measure, the same for every version: what issue 21 asks to shrink, not a quality figure.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PATHS = (ROOT / "assistant", ROOT / "vorlagen" / "text")


class RuleCount(BaseModel):
    patterns: int = 0
    alternatives: int = 0
    floats: int = 0


def count_source(source: str, into: RuleCount) -> None:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _is_re_compile(node.func):
            into.patterns += 1
            literal = "".join(part.value for arg in node.args[:1] for part in ast.walk(arg)
                              if isinstance(part, ast.Constant) and isinstance(part.value, str))
            into.alternatives += literal.count("|") + 1
        elif isinstance(node, ast.Constant) and type(node.value) is float and node.value not in (0.0, 1.0):
            into.floats += 1


def _is_re_compile(func: ast.expr) -> bool:
    return isinstance(func, ast.Attribute) and func.attr == "compile" and isinstance(func.value, ast.Name) and func.value.id == "re"


def count_files(paths: list[Path]) -> dict[str, RuleCount]:
    """Per module: the modules directly in each folder (not its subpackages: drafting and costs are no
    answer rules)."""
    counts: dict[str, RuleCount] = {}
    for path in paths:
        for file in sorted(path.glob("*.py")) if path.is_dir() else [path]:
            count_source(file.read_text(encoding="utf-8"), counts.setdefault(_shown(file), RuleCount()))
    return counts


def count_paths(paths: list[Path]) -> RuleCount:
    total = RuleCount()
    for count in count_files(paths).values():
        total.patterns += count.patterns
        total.alternatives += count.alternatives
        total.floats += count.floats
    return total


def _shown(file: Path) -> str:
    try:
        return str(file.resolve().relative_to(ROOT))
    except ValueError:
        return str(file)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m eval.rule_count",
        description="Zählt die Handregeln der Antwortschicht: Regex-Literale, ihre Alternativen und "
        "Gleitkomma-Literale (ohne 0 und 1).",
    )
    parser.add_argument("paths", nargs="*", type=Path, help="Dateien oder Ordner (Standard: assistant/ und vorlagen/text/)")
    parser.add_argument("--per-file", action="store_true", help="eine Zeile je Modul")
    parser.add_argument("--json", action="store_true", help="Ergebnis als JSON")
    args = parser.parse_args(argv)
    files = count_files(args.paths or list(DEFAULT_PATHS))
    total = count_paths(args.paths or list(DEFAULT_PATHS))
    if args.json:
        print(json.dumps({"total": total.model_dump(), "files": {name: c.model_dump() for name, c in files.items()}},
                         ensure_ascii=False, indent=1))
        return
    if args.per_file:
        for name, count in sorted(files.items(), key=lambda item: -item[1].alternatives):
            if count.patterns or count.floats:
                print(f"{name:40} Muster {count.patterns:3}, Alternativen {count.alternatives:4}, Gleitkomma {count.floats:2}")
    print(f"Muster {total.patterns}, Alternativen {total.alternatives}, Gleitkomma-Literale {total.floats}")


if __name__ == "__main__":
    main(sys.argv[1:])
