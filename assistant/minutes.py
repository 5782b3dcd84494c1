"""The vote as a paper's own minutes state it, and whether it says what the recorded result says.

Council information systems attach the minutes of each consultation to the paper (OParl ``auxiliaryFile``
named „Protokoll GR TOP 6“, „Niederschrift …“, „Auszug …“). A minutes file names its meeting's date in its
head („Niederschrift 47. Plenarsitzung des Gemeinderates / 28. Februar 2023“) and the vote after
„Abstimmungsergebnis:“. ``minutes_votes`` reads these; ``difference`` compares a vote with the recorded
result by what both say, not by wording: approved / rejected / deferred / referred (and to which body),
unanimous / by majority. Only a clear contradiction counts; a vote on several parts („TOP 5.1: …
TOP 5.2: …“) is shown, never called a contradiction.
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel

from vorlagen.domain import Vorlage
from vorlagen.text import MONTH_PATTERN, month_number

MINUTES_LABEL = re.compile(r"protokoll|niederschrift|auszug|sitzungsbericht", re.I)
"""File names of minutes among a paper's files."""
_HEAD_CHARS = 700
_LONG_DATE = re.compile(rf"\b(\d{{1,2}})\.\s*({MONTH_PATTERN})\s*(\d{{4}})\b", re.I)
_SHORT_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_VOTE_LABEL = re.compile(r"Abstimmungsergebnis(?:se)?\s*:[ \t]*", re.I)
_CONTINUATION = re.compile(r"^\s*(?:TOP\b|Punkt\b|Ziffer\b|\d+(?:\.\d+)*\s*[:.)]|[-–•]|Änderungsantrag|Antrag\b|"
                           r"Beschlussvorlage|[a-zäöüß(])")
_END_OF_VOTE = re.compile(r"^\s*(?:Der|Die)\s+(?:Vorsitzende|Oberbürgermeister\w*|Bürgermeister\w*)\b|^\s*Zur Beurkundung")
_MAX_VOTE_LINES = 6


class MinutesVote(BaseModel):
    """A vote stated in one minutes file of a Vorlage."""

    label: str
    datum: date | None
    """The meeting's date, from the head of the minutes."""
    head: str
    """The first lines (meeting and body), for telling consultations of the same day apart."""
    quote: str
    """„Abstimmungsergebnis: …“ verbatim."""
    vote: str
    """The vote alone, white space collapsed."""
    start: int
    end: int


def _head_date(head: str) -> date | None:
    for pattern, month_of in ((_LONG_DATE, month_number), (_SHORT_DATE, lambda text: int(text))):
        for match in pattern.finditer(head):
            month = month_of(match.group(2))
            try:
                return date(int(match.group(3)), month, int(match.group(1))) if month else None
            except ValueError:
                continue
    return None


def _vote_end(text: str, start: int) -> int:
    """End of the vote after its label: the first line, and lines continuing it (parts, lower case)."""
    lines = text[start:].split("\n")
    position, taken = start, 0
    end = start
    for line in lines:
        if taken == 0 and not line.strip():  # the value on the next line ("Abstimmungsergebnis:\nEinstimmig …")
            position += len(line) + 1
            continue
        if taken and (not line.strip() or _END_OF_VOTE.match(line) or not _CONTINUATION.match(line)):
            break
        if taken >= _MAX_VOTE_LINES:
            break
        end = position + len(line.rstrip())
        position += len(line) + 1
        taken += 1
    return end


def minutes_votes(vorlage: Vorlage) -> list[MinutesVote]:
    """Each vote stated in the minutes among the Vorlage's files (offsets into ``vorlage.text``)."""
    votes: list[MinutesVote] = []
    for span in vorlage.spans:
        if not span.label or not MINUTES_LABEL.search(span.label):
            continue
        text = vorlage.text[span.start : span.end]
        head = text[:_HEAD_CHARS]
        label = _VOTE_LABEL.search(text)
        if label is None:
            continue
        end = _vote_end(text, label.end())
        vote = " ".join(text[label.end() : end].split())
        if not vote:
            continue
        votes.append(MinutesVote(
            label=span.label, datum=_head_date(head), head=" ".join(head.split())[:200],
            quote=text[label.start() : end], vote=vote, start=span.start + label.start(), end=span.start + end,
        ))
    return votes


# ---- what a result says ----------------------------------------------------------------------------
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("verwiesen", re.compile(r"\bverwiesen\b|\bverweis\w*|\bweiterbehandlung\b|weitere beratung", re.I)),
    ("vertagt", re.compile(r"\bvertagt\b|\bzurückgestellt\b|\babgesetzt\b|\bvertagung\b", re.I)),
    ("abgelehnt", re.compile(r"\babgelehnt\b|\bablehnung\b", re.I)),
    ("zurückgezogen", re.compile(r"\bzurückgezogen\b", re.I)),
    ("zugestimmt", re.compile(r"zustimm|zugestimmt|\bbeschlossen\b|\bannahme\b|\bangenommen\b|\bgenehmigt\b|"
                              r"\beinverstanden\b|\bgewählt\b|\bbeschließt\b", re.I)),
)
_DEFINITE = frozenset({"verwiesen", "vertagt", "abgelehnt", "zugestimmt", "zurückgezogen"})
_UNANIMOUS = re.compile(r"\beinstimmig\w*", re.I)
_MAJORITY = re.compile(r"\bmehrheitlich\w*|\bstimmengleichheit\b", re.I)
_TARGET = re.compile(r"\b(?:verwiesen|weiterbehandlung|weitere beratung)\s+(?:in|an|im)\s+(?:de[nmr]|die|das)?\s*"
                     r"([A-ZÄÖÜ][\w\-äöüß]*(?:\s+(?:und|für|-)\s+[\wäöüß\-]+)*(?:\s+[\wäöüß\-]+){0,3})", re.I)
_GENERIC_BODY = re.compile(r"^(?:fach)?(?:ausschuss|ausschüsse|gremium|gremien)\b|^fachgremium", re.I)
_PARTS = re.compile(r"\b(?:TOP|Punkt|Ziffer)\s*\d|\b\d+\.\d+\s*:|Änderungsantrag|Geschäftsordnungsantrag|"
                    r"\bteil\w*\b|Satz \d|erster Teil|zweiter Teil", re.I)
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


class Outcome(BaseModel):
    """What a result or a vote says: its kind, whether unanimous, to which body it was referred."""

    kind: str | None = None
    unanimity: str | None = None
    target: str | None = None
    several: bool = False
    """The text states votes on several parts (then it is not compared)."""


def outcome_of(text: str) -> Outcome:
    kind = next((name for name, pattern in _KINDS if pattern.search(text)), None)
    unanimity = "einstimmig" if _UNANIMOUS.search(text) else "mehrheitlich" if _MAJORITY.search(text) else None
    target = _TARGET.search(text) if kind == "verwiesen" else None
    several = bool(_PARTS.search(text)) or sum(1 for _, pattern in _KINDS if pattern.search(text)) > 1
    return Outcome(kind=kind, unanimity=unanimity, target=target.group(1).strip() if target else None, several=several)


def _body_word(name: str) -> str:
    """The distinctive part of a body's name, folded: „den Haupt- und Finanzausschuss“ -> „haupt“."""
    words = [w for w in re.findall(r"[\wäöüß]+", name.lower()) if w not in {"den", "die", "das", "dem", "der", "und", "für", "am"}]
    return (words[0] if words else name.lower()).translate(_FOLD)[:8]


def _targets_differ(recorded: str | None, stated: str | None) -> bool:
    if not recorded or not stated:
        return False
    if _GENERIC_BODY.match(recorded.strip()):
        return not _GENERIC_BODY.match(stated.strip())  # "Fachausschuss" recorded, the minutes name the committee
    return _body_word(recorded) not in stated.lower().translate(_FOLD) and _body_word(stated) not in recorded.lower().translate(_FOLD)


def difference(recorded: str, vote: str) -> str | None:
    """How the minutes' vote contradicts the recorded result (German), or None when it does not clearly."""
    said, stated = outcome_of(recorded), outcome_of(vote)
    if stated.several or said.several:
        return None
    if said.kind in _DEFINITE and stated.kind in _DEFINITE and said.kind != stated.kind:
        return "Das erfasste Ergebnis und die Niederschrift nennen verschiedene Ergebnisse."
    if said.kind == stated.kind == "verwiesen" and _targets_differ(said.target, stated.target):
        return f"Erfasst ist „{recorded}“, die Niederschrift nennt „{stated.target}“."
    if said.unanimity and stated.unanimity and said.unanimity != stated.unanimity:
        return f"Erfasst ist „{said.unanimity}“, die Niederschrift nennt „{stated.unanimity}“."
    return None
