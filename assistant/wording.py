"""Everyday words of a question in the Vorlagen's own terms ("Bettensteuer" → "Übernachtungsteuer").

Staff ask with everyday words, Vorlagen use the administration's: neither the keyword side nor the
sentence scoring can match "Hebebühne" to "Hubrettungsbühne", and the dense side alone rarely ranks the
right sentence first. A word of the question is replaced by the first of its Vorlagen terms
(``assistant/data/alltagswoerter.toml``, or the file ``answer.everyday_words`` names) that more passages of
the index contain than the word itself ("Bettensteuer" stands in 4 passages of Karlsruhe's 300 papers,
"Übernachtungsteuer" in dozens); a word the Vorlagen use more stays. The answer says what was searched for
instead.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from pydantic import BaseModel

from vorlagen.text import tokenize

_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|-)*[^\W\d_]")


class Replacement(BaseModel):
    asked: str
    """The word as the question wrote it."""
    searched: str
    """The Vorlagen term searched for instead."""


class Reworded(BaseModel):
    """A question in the Vorlagen's terms (``question`` is the original when nothing was replaced)."""

    question: str
    replacements: list[Replacement] = []

    def notice(self) -> str | None:
        """What the answer tells the user about the rewording (German), None when nothing was replaced."""
        if not self.replacements:
            return None
        pairs = ", ".join(f"„{r.searched}“ für „{r.asked}“" for r in self.replacements)
        return f"Gesucht mit den Begriffen der Vorlagen: {pairs}."


class EverydayWords:
    """Everyday word (by its stem) → Vorlagen terms, best first."""

    def __init__(self, terms: dict[str, list[str]]) -> None:
        self._terms: dict[str, list[str]] = {}
        for word, official in terms.items():
            stems = tokenize(word)
            if len(stems) == 1 and official:
                self._terms[stems[0]] = list(official)

    @classmethod
    def load(cls, path: Path | None = None) -> EverydayWords:
        """The list of ``path``, else the one shipped with the package."""
        raw = (path.read_bytes() if path is not None
               else resources.files("assistant").joinpath("data/alltagswoerter.toml").read_bytes())
        return cls(tomllib.loads(raw.decode("utf-8")).get("woerter", {}))

    def reword(self, question: str, frequency: Callable[[str], int]) -> Reworded:
        """Replace each listed word of ``question`` by the first of its Vorlagen terms whose every stem more
        passages contain (``frequency``: passages per stem) than the word."""
        replacements: list[Replacement] = []

        def replace(match: re.Match[str]) -> str:
            word = match.group()
            stems = tokenize(word)
            official = (self._terms.get(stems[0]) or self._terms.get(stems[0].removesuffix("s"), [])) if len(stems) == 1 else []
            if not official:
                return word
            used = frequency(stems[0])
            for term in official:
                if min(frequency(stem) for stem in tokenize(term)) > used:
                    replacements.append(Replacement(asked=word, searched=term))
                    return term
            return word

        reworded = _WORD.sub(replace, question)
        return Reworded(question=reworded, replacements=replacements)
