"""Section headings of German Vorlagen ("Beschlussantrag", "C Beschlussvorschlag", "1. Ausgangslage" …).

Shared by the metadata parser (the header ends at the first heading) and the chunker (each chunk
carries the section it lies in).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pydantic import BaseModel

HEADING_WORDS: tuple[str, ...] = (
    "Beschlussantrag",
    "Beschlußantrag",
    "Beschlussvorschlag",
    "Beschlußvorschlag",
    "Beschlussempfehlung",
    "Beschluss",
    "Antrag",
    "Begründung",
    "Begründungen",
    "Problembeschreibung",
    "Ausgangslage",
    "Sachverhalt",
    "Sachstand",
    "Erläuterung",
    "Erläuterungen",
    "Finanzielle Auswirkungen",
    "Kosten",
    "Finanzierung",
    "Haushaltsrechtliche Auswirkungen",
    "Haushaltsmäßige Auswirkungen",
    "Personelle Auswirkungen",
    "Auswirkungen",
    "Beteiligte Stellen",
    "Mitzeichnung",
    "Anlage",
    "Anlagen",
    "Kurzbeschreibung",
    "Kurzfassung",
    "Zusammenfassung",
    "Information",
    "Klimarelevanz",
    "Klimaschutz",
    "Ausblick",
    "Fazit",
    "Ergänzende Erläuterungen",
    "Geprüfte Alternativen",
    "Alternativen",
    "Abstimmungsergebnis",
    "Stellungnahme",
    "Stellungnahme der Verwaltung",
    "Vorgang",
    "Ziel",
    "Ziele",
)
"""Words that open a section heading (a heading is one of them, optionally followed by a short
qualifier such as "und Begründungen" or "der Notwendigkeit …")."""

_WORDS = "|".join(sorted((re.escape(word) for word in HEADING_WORDS), key=len, reverse=True))
_PREFIX = r"(?:#{1,6}\s*)?(?:\*\*|__)?\s*(?:(?:[A-H]|[IVX]{1,5}\.?|\d{1,2}(?:\.\d{1,2})*\.?)\s+)?"
_EXACT = re.compile(rf"^{_PREFIX}(?P<word>{_WORDS})\s*:?\s*(?:\*\*|__)?\s*:?$", re.IGNORECASE)
_EXTENDED = re.compile(
    rf"^{_PREFIX}(?P<word>{_WORDS})(?P<rest>(?:\s+|/)[^\n]{{1,70}}?)\s*:?\s*(?:\*\*|__)?\s*:?$",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"^(#{1,6}\s*)|(\*\*|__)")
_NUMBERING = re.compile(r"^(?:[A-H]|[IVX]{1,5}\.?|\d{1,2}(?:\.\d{1,2})*\.?)\s+")
_MAX_HEADING_CHARS = 90
_MAX_EXTENDED_CHARS = 80
_DATE = re.compile(r"\d{1,2}\.\d{1,2}\.\d{2,4}")
_OPEN_ENDINGS = frozenset(
    {"der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "zu", "und", "oder", "in", "im",
     "für", "von", "vom", "mit", "auf", "an", "am", "bei", "nach", "über", "sowie", "als", "ist", "sind"}
)  # fmt: skip


class Heading(BaseModel):
    """A heading line: ``start``/``end`` are offsets of the line (without its newline)."""

    start: int
    end: int
    title: str
    """The heading as shown to users: markup, numbering and the colon removed."""


def clean_heading(line: str) -> str:
    text = _MARKUP.sub("", line.strip()).replace("**", "").replace("__", "").strip()
    text = _NUMBERING.sub("", text).strip()
    return text.rstrip(":").strip()


def heading_title(line: str, *, after_blank: bool) -> str | None:
    """The section title if ``line`` is a heading, else None.

    A bare heading word ("Begründung:", "C Beschlussvorschlag", "## **Sachverhalt**") always
    counts. A heading word followed by more words ("Begründung der Notwendigkeit …") counts
    only after a blank line or with Markdown/bold markup, and not if it reads like a sentence
    (ends with ".", "," or ";"): PDF text wraps paragraphs, and a wrapped line may start
    with "Kosten …".
    """
    stripped = line.strip()
    if not stripped or len(stripped) > _MAX_HEADING_CHARS:
        return None
    if _EXACT.match(stripped):
        return clean_heading(stripped)
    match = _EXTENDED.match(stripped)
    if not match:
        return None
    marked = stripped.startswith("#") or "**" in stripped
    rest = match.group("rest").strip()
    if stripped.endswith((".", ",", ";")) or not (after_blank or marked):
        return None
    if len(stripped) > _MAX_EXTENDED_CHARS or "," in rest or len(rest.split()) > 10 or _DATE.search(rest):
        return None
    if rest.split()[-1].lower().rstrip(":") in _OPEN_ENDINGS:
        return None
    if rest[:1].islower() and rest.split()[0] not in {"und", "der", "des", "zur", "zum", "für", "öffentlich"}:
        return None
    return clean_heading(stripped)


def iter_headings(text: str, start: int = 0, end: int | None = None) -> Iterator[Heading]:
    """Headings in ``text[start:end]`` with offsets into ``text``."""
    end = len(text) if end is None else end
    offset = start
    after_blank = True
    while offset < end:
        newline = text.find("\n", offset, end)
        line_end = end if newline == -1 else newline
        line = text[offset:line_end]
        title = heading_title(line, after_blank=after_blank)
        if title:
            lead = len(line) - len(line.lstrip())
            yield Heading(start=offset + lead, end=offset + len(line.rstrip()), title=title)
        after_blank = not line.strip() or title is not None
        offset = line_end + 1
