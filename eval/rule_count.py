"""Count the hand rules of the answer layer: regular-expression literals (``re.compile`` calls), their
alternatives (``|`` + 1 per pattern, nested groups included) and float literals other than 0 and 1 (hand-set
weights and thresholds) in ``assistant/*.py`` and the German text module ``vorlagen/text.py``.

    python -m eval.rule_count                 # this checkout
    python -m eval.rule_count PATH …          # other files or folders (e.g. an exported older checkout)

A rough measure, the same for every version: what issue 21 asks to shrink, not a quality figure.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PATHS = (ROOT / "assistant", ROOT / "vorlagen" / "text.py")


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


def count_paths(paths: list[Path]) -> RuleCount:
    """The modules directly in each folder (not its subpackages: drafting and costs are no answer rules)."""
    total = RuleCount()
    for path in paths:
        for file in sorted(path.glob("*.py")) if path.is_dir() else [path]:
            count_source(file.read_text(encoding="utf-8"), total)
    return total


def main(argv: list[str]) -> None:
    count = count_paths([Path(arg) for arg in argv] or list(DEFAULT_PATHS))
    print(f"Muster {count.patterns}, Alternativen {count.alternatives}, Gleitkomma-Literale {count.floats}")


if __name__ == "__main__":
    main(sys.argv[1:])
