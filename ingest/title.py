"""The title (Betreff) of a Vorlage: four strategies, tried in order, as named steps.

1. ``title_from_betreff``: an explicit "Betreff" label.
2. ``title_between_labels_and_table``: the lines between the labels (Vorlage Nr., Dienststelle …)
   and the Beratungsfolge table.
3. ``title_before_first_heading``: the line right before the first section heading (Nordstemmen).
4. ``title_around_type_line``: around the document type line ("Antrag: Titel", "hier: Titel", the
   block before it, or the blocks after it).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import BaseModel

from ingest.header import (
    BOILERPLATE,
    DATE_PATTERN,
    KNOWN_LABEL,
    LABEL_LINE,
    TABLE_MARKER,
    blocks_of,
    is_bare_type_line,
    join_lines,
    strip_markup,
    type_of_line,
    value_continuation,
)

_BETREFF = re.compile(r"^\s*Betreff\s*:?[ \t]*(?P<rest>[^\n]*)$", re.MULTILINE | re.IGNORECASE)
_PARTY_LINE = re.compile(r"^\s*(?:Antrag|Anfrage|Änderungsantrag|Ergänzungsantrag)\s*:\s*\S")


class TitleContext(BaseModel):
    """What the title steps read: the header, and whether it ended at a section heading."""

    header: str
    ends_at_heading: bool


TitleStep = Callable[[TitleContext], str | None]


def looks_like_title(candidate: str) -> bool:
    if not 8 <= len(candidate) <= 300:
        return False
    if DATE_PATTERN.search(candidate) or LABEL_LINE.match(candidate) or candidate.endswith((":", ".")):
        return False
    if type_of_line(candidate) or re.search(r"\bNr\.|\bGZ\b|Seite \d", candidate):
        return False
    if re.match(r"^(?:Sehr geehrte|Liebe |Herzliche|Mit freundlichen|Öffentliche Tagesordnung)", candidate):
        return False
    words = re.findall(r"[A-Za-zÄÖÜäöüß]{3,}", candidate)
    return len(words) >= 2


def title_from_betreff(context: TitleContext) -> str | None:
    """An explicit "Betreff" (same line, or the next non-blank line; hyphenated continuation)."""
    header = context.header
    betreff = _BETREFF.search(header)
    if not betreff:
        return None
    following = header[betreff.end() :].splitlines()[1:]
    value_lines = [betreff.group("rest")] if betreff.group("rest").strip() else []
    rest_iter = iter(following)
    if not value_lines:
        value_lines = [next((line for line in rest_iter if line.strip()), "")]
    for line in rest_iter:
        if value_lines[-1].rstrip().endswith("-") and line.strip():
            value_lines.append(line)
        else:
            break
    return join_lines(value_lines) or None


def title_between_labels_and_table(context: TitleContext) -> str | None:
    """The lines between the last label (Vorlage Nr., Dienststelle …) and the Beratungsfolge table."""
    header = context.header
    marker = TABLE_MARKER.search(header)
    if not marker:
        return None
    region = header[: marker.start()].splitlines()
    labels = [i for i, line in enumerate(region) if KNOWN_LABEL.match(line)]
    if not labels:
        return None
    last = labels[-1]
    value = KNOWN_LABEL.sub("", region[last])
    start = last + 1 + value_continuation(value, region[last + 1 :])
    block = [
        line for line in region[start:]
        if line.strip() and not _PARTY_LINE.match(line) and not BOILERPLATE.search(line)
        and not is_bare_type_line(line)
    ]  # fmt: skip
    candidate = join_lines(block)
    clean = not any(DATE_PATTERN.search(line) for line in block)
    if block and clean and 8 <= len(candidate) <= 300:
        return candidate
    return None


def title_before_first_heading(context: TitleContext) -> str | None:
    """The line right before the first section heading (Nordstemmen layout)."""
    nonblank = [line for line in context.header.splitlines() if line.strip()]
    if not context.ends_at_heading or len(nonblank) <= 3:
        return None
    last = strip_markup(nonblank[-1])
    if looks_like_title(last) and not re.search(r"\d", last) and not TABLE_MARKER.match(nonblank[-2]):
        return last
    return None


def title_around_type_line(context: TitleContext) -> str | None:
    """Around the first document type line: "Antrag: Titel", "Antrag\\nhier: Titel", the block before
    it (Stuttgart), or the single-line blocks after it (Markdown Mitteilung)."""
    blocks = blocks_of(context.header)
    for index, block in enumerate(blocks):
        for position, line in enumerate(block):
            found = type_of_line(line)
            if not found:
                continue
            rest = found[1].lstrip(":").strip()
            if found[1].startswith(":") and looks_like_title(rest):
                return rest
            after = block[position + 1 :]
            if after and after[0].strip().lower().startswith("hier:"):
                return join_lines([after[0].strip()[5:]])
            if position == 0 and index > 0:
                candidate = join_lines([strip_markup(x) for x in blocks[index - 1]])
                if looks_like_title(candidate) and len(blocks[index - 1]) <= 3:
                    return candidate
            for later in (block for block in blocks[index + 1 : index + 4] if len(block) == 1):
                candidate = join_lines([strip_markup(x) for x in later if not BOILERPLATE.search(x)])
                if looks_like_title(candidate):
                    return candidate
            return None  # only the first type line counts
    return None


TITLE_STEPS: tuple[TitleStep, ...] = (
    title_from_betreff,
    title_between_labels_and_table,
    title_before_first_heading,
    title_around_type_line,
)


def extract_title(header: str, *, ends_at_heading: bool) -> str | None:
    """The title the header states: the first step that finds one."""
    context = TitleContext(header=header, ends_at_heading=ends_at_heading)
    for step in TITLE_STEPS:
        title = step(context)
        if title is not None:
            return title
    return None
