"""Splitting long answers into messages Teams accepts: at paragraphs, then lines, then sentence ends,
then words (a word longer than the limit is cut); no part is longer than ``limit`` and only whitespace
at the cuts is lost."""

from __future__ import annotations

import re

_LEVELS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\n\s*\n"),  # paragraphs
    re.compile(r"\n"),  # lines (list items)
    re.compile(r"(?<=[.!?;:])\s+"),  # sentence ends
    re.compile(r"\s+"),  # words
)
_JOINERS = ("\n\n", "\n", " ", " ")


def _pieces(text: str, limit: int, level: int = 0) -> list[str]:
    if len(text) <= limit:
        return [text]
    if level == len(_LEVELS):
        return [text[i:i + limit] for i in range(0, len(text), limit)]
    pieces = [piece for piece in _LEVELS[level].split(text) if piece.strip()]
    if len(pieces) <= 1:
        return _pieces(text, limit, level + 1)
    parts: list[str] = []
    for piece in pieces:
        for part in _pieces(piece, limit, level + 1):
            if parts and len(parts[-1]) + len(_JOINERS[level]) + len(part) <= limit:
                parts[-1] = f"{parts[-1]}{_JOINERS[level]}{part}"
            else:
                parts.append(part)
    return parts


def split_message(text: str, limit: int) -> list[str]:
    """The parts of ``text`` (stripped, none empty unless ``text`` is), each at most ``limit`` characters."""
    if limit < 1:
        raise ValueError("Die Nachrichtenlänge muss mindestens 1 Zeichen betragen.")
    parts = [part.strip() for part in _pieces(text.strip(), limit)]
    return [part for part in parts if part] or [""]
