"""The parts of a question that asks for several things, in German as staff write it.

„Was kostet die Halle, und wann wird sie fertig?“ asks twice; „Wie lang und wie hoch wird die Halle?“ too, with the
subject written once; „Wie viele Ja- und wie viele Nein-Stimmen …“ with a compound cut short. ``question_parts``
gives each part with the words it needs to find its sentence; ``assistant.question`` types each part.
"""

from __future__ import annotations

import re

_PART_BOUNDARY = re.compile(
    r",?\s+(?:und|sowie)\s+(?=(?:(?:an|auf|aus|bei|bis|ab|seit|für|mit|nach|um|unter|über|von|vor|zu|in)\s+)?"
    r"(?:wie|welche[rsmn]?|wann|wer|wem|wen|wessen|was|wo|woher|wohin|wofür|womit|wozu|weshalb|warum)\b)",
    re.I,
)
"""", und" (or "und") before a question word, alone or after a preposition ("…, und bei welchem Betrag …",
"Ab wann und für wie lange …")."""


_SHORTENED_COMPOUND = re.compile(r"\b([\wäöüß]+)-(?=\s+(?:und|oder|bzw\.|sowie)\s+(?:[a-zäöüß]+\s+){0,3}?[\wäöüß]+-([\wäöüß]+)\b)")
"""A compound cut short by a hyphen before „und“ whose head the next hyphenated compound names („Ja- und
Nein-Stimmen“ = „Ja-Stimmen und Nein-Stimmen“)."""
_QUESTION_PHRASE = re.compile(
    r"(?:(?i:an|auf|aus|bei|bis|ab|seit|für|mit|nach|um|unter|über|von|vor|zu|in)\s+)?"
    r"(?:(?i:wie\s+viele?n?)\s+(?:[a-zäöüß]+\s+)?[A-ZÄÖÜ][^\s,?]*|(?i:wie)\s+[a-zäöüß]+|"
    r"(?i:welche[rsmn]?)\s+(?:[a-zäöüß]+\s+)?[A-ZÄÖÜ][^\s,?]*|(?i:wann|wer|wem|wen|was|wo))(?:\s+|$)"
)
"""A question word with what it asks for („wie hoch“, „für wie lange“, „wie viele Ja-Stimmen“) and nothing else."""


def question_parts(question: str) -> list[str]:
    """The parts of a question that asks for several things, split at "…, und wie/welche/wann …". A part that is
    only a question phrase shares the rest of the next one („Wie lang und wie hoch wird die Halle?“ asks „Wie lang
    wird die Halle?“ and „wie hoch wird die Halle?“), and a compound cut short takes the head of the next one."""
    whole = _SHORTENED_COMPOUND.sub(lambda match: f"{match.group(1)}-{match.group(2)}", question)
    parts = [part.strip() for part in _PART_BOUNDARY.split(whole) if part.strip()]
    for i in range(len(parts) - 1):
        if _QUESTION_PHRASE.fullmatch(parts[i]) and (asked := _QUESTION_PHRASE.match(parts[i + 1])):
            parts[i] = f"{parts[i]} {parts[i + 1][asked.end():]}"
    return parts
