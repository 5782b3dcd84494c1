"""Section-aware chunking of a Vorlage with exact character offsets.

The text is cut at section headings ("Beschlussantrag", "C Beschlussvorschlag", "1. Ausgangslage",
"## Sachverhalt" …) and at the boundaries of attached files (OParl); each section is split on
paragraph and sentence boundaries to about ``chunk_size`` characters with ``chunk_overlap``
(LangChain's ``RecursiveCharacterTextSplitter``). For every chunk
``vorlage.text[chunk.start:chunk.end] == chunk.text``. Noise (plan labels, glyph tables, bare
numbers) is dropped and counted.
"""

from __future__ import annotations

import re

from langchain_text_splitters import RecursiveCharacterTextSplitter
from pydantic import BaseModel, Field

from ingest.sections import iter_headings
from vorlagen.domain import Chunk, Vorlage
from vorlagen.settings import ChunkingSettings

SEPARATORS: tuple[str, ...] = ("\n\n", "\n", ". ", "; ", ", ", " ", "")
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]{3,}")
_NUMBER = re.compile(r"\d[\d.,]{2,}")
_MIN_LINES_FOR_REPEATS = 12
_MIN_DISTINCT_LINE_SHARE = 0.3
"""Plan legends repeat a few labels ("Rasengitter", "Kies" …) over and over."""


class Segment(BaseModel):
    """A stretch of the text that belongs to one section of one part."""

    start: int
    end: int
    section: str | None = None
    part: str | None = None


class DroppedChunk(BaseModel):
    """A piece of a document's text dropped as noise: where it lies and why (German)."""

    doc_id: str
    start: int
    end: int
    reason: str


class ChunkingResult(BaseModel):
    chunks: list[Chunk] = Field(default_factory=list)
    dropped: list[DroppedChunk] = Field(default_factory=list)


def make_splitter(settings: ChunkingSettings) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        separators=list(SEPARATORS),
        keep_separator="end",
        strip_whitespace=True,
    )


def segments_of(vorlage: Vorlage) -> list[Segment]:
    """Sections within parts: a new attached file (span with a label) restarts the sections."""
    text = vorlage.text
    parts = [span for span in vorlage.spans if span.label is not None] or None
    bounds = [(span.start, span.end, span.label) for span in parts] if parts else [(0, len(text), None)]
    segments: list[Segment] = []
    for part_start, part_end, label in bounds:
        cursor, section = part_start, None
        for heading in iter_headings(text, part_start, part_end):
            if heading.start > cursor:
                segments.append(Segment(start=cursor, end=heading.start, section=section, part=label))
            cursor, section = heading.start, heading.title
        if part_end > cursor:
            segments.append(Segment(start=cursor, end=part_end, section=section, part=label))
    return segments


def noise_reason(text: str, settings: ChunkingSettings) -> str | None:
    """Why a chunk is noise, or None: too few letters, or mostly lines without words
    (plan labels like "IV\\nW\\nG", checkbox glyphs)."""
    if len(_LETTER.findall(text)) < settings.min_chunk_chars:
        return f"weniger als {settings.min_chunk_chars} Buchstaben"
    lines = [line for line in text.splitlines() if line.strip()]
    noise = sum(1 for line in lines if not _WORD.search(line) and not _NUMBER.search(line))
    if lines and noise / len(lines) > settings.max_noise_ratio:
        return f"{noise} von {len(lines)} Zeilen ohne Wörter"
    distinct = len({line.strip() for line in lines})
    if len(lines) >= _MIN_LINES_FOR_REPEATS and distinct / len(lines) < _MIN_DISTINCT_LINE_SHARE:
        return f"nur {distinct} verschiedene von {len(lines)} Zeilen (Planbeschriftung)"
    return None


def split_segment(text: str, segment: Segment, splitter: RecursiveCharacterTextSplitter) -> list[tuple[int, int]]:
    """(start, end) offsets into ``text`` of the pieces of one segment."""
    body = text[segment.start : segment.end]
    pieces: list[tuple[int, int]] = []
    cursor = 0
    for piece in splitter.split_text(body):
        found = body.find(piece, cursor)
        if found < 0:  # the splitter returns substrings in order; this guards the invariant
            found = body.find(piece)
        if found < 0:
            raise ValueError(f"Abschnitt ab Zeichen {segment.start}: Textstück nicht im Text gefunden.")
        pieces.append((segment.start + found, segment.start + found + len(piece)))
        cursor = found + 1
    return pieces


def _attach_short_pieces(
    pieces: list[tuple[int, int]], text: str, settings: ChunkingSettings
) -> list[tuple[int, int]]:
    """A piece too short to stand alone (a subheading before a long paragraph) is joined to the
    piece after it in the same segment, so its words are not lost as noise; never beyond
    ``chunk_size + chunk_overlap`` characters."""
    limit = settings.chunk_size + settings.chunk_overlap
    result: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None
    for index, (start, end) in enumerate(pieces):
        if pending is not None:
            if end - pending[0] <= limit:
                start = min(start, pending[0])
            else:
                result.append(pending)
            pending = None
        is_last = index == len(pieces) - 1
        if not is_last and len(_LETTER.findall(text[start:end])) < settings.min_chunk_chars:
            pending = (start, end)
            continue
        result.append((start, end))
    return result


def chunk_vorlage_with_report(vorlage: Vorlage, settings: ChunkingSettings) -> ChunkingResult:
    """Chunks of ``vorlage`` plus the noise chunks that were dropped."""
    splitter = make_splitter(settings)
    result = ChunkingResult()
    text = vorlage.text
    for segment in segments_of(vorlage):
        pieces = _attach_short_pieces(split_segment(text, segment, splitter), text, settings)
        for start, end in pieces:
            piece = text[start:end]
            reason = noise_reason(piece, settings)
            if reason:
                result.dropped.append(DroppedChunk(doc_id=vorlage.doc_id, start=start, end=end, reason=reason))
                continue
            span = vorlage.span_at(start)
            result.chunks.append(
                Chunk(
                    chunk_id=f"{vorlage.doc_id}::{len(result.chunks):04d}",
                    doc_id=vorlage.doc_id,
                    text=piece,
                    start=start,
                    end=end,
                    section=segment.section,
                    page=span.page if span else None,
                    part=segment.part,
                )
            )
    return result


def chunk_vorlage(vorlage: Vorlage, settings: ChunkingSettings) -> list[Chunk]:
    """Section-aware chunks of ``vorlage``; ``text[start:end] == chunk.text`` for each."""
    return chunk_vorlage_with_report(vorlage, settings).chunks
