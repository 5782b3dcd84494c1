"""Layout-aware text: PDF form blocks and table rows become "Label: Wert" lines at ingestion.

Raw PDF text of Vorlagen is full of layout: label and value separated by a run of spaces
("Bauzeit  25.07.2023 – 12.12.2024"), a tab-separated table row, a Beratungsfolge table whose header
and rows run together ("Gremium Termin TOP ö nö Ergebnis / Bauausschuss  09.03.2023 4 X"), checkbox
glyphs of forms ("Ja ☒ Nein ☐"). Such lines are rewritten so that a sentence of the stored text states
one fact: "Bauzeit: 25.07.2023 – 12.12.2024", "Bauausschuss: 09.03.2023", "Ja". Unchecked options
and form headers are dropped. The normalised text is what is stored, chunked and cited, so citation
offsets stay exact; the page/file spans of the Vorlage are mapped onto the new text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from vorlagen.domain import TextSpan, Vorlage

_CHECKED = "☒☑■✔✓⊠"
_UNCHECKED = "☐□○"
_GLYPHS = re.compile(f"[{_CHECKED}{_UNCHECKED}]")
_BERATUNG_HEADER = re.compile(r"^\s*Gremium\s+(Termin|Datum|Sitzung)\b.*$", re.I)
_BERATUNG_ROW = re.compile(r"^\s*(?P<gremium>[A-ZÄÖÜ][^\d\n]{2,80}?)\s+(?P<datum>\d{1,2}\.\d{1,2}\.\d{2,4})\b.*$")
_LABEL_GAP = re.compile(r"^(?P<label>[A-ZÄÖÜ][\wÄÖÜäöüß.()/\-]*(?: [\wÄÖÜäöüß.()/\-]+){0,6})[ \t]{2,}(?P<value>\S.*)$")
_LABEL_AMOUNT = re.compile(
    r"^(?P<label>[A-ZÄÖÜ][^\d:;.!?\n]{2,60}?)\s+(?P<value>-?\d[\d.,]*\s*(?:€|EUR|Euro|%|Prozent|T€|Mio\.\s*€)?)\s*$"
)
_SPACES = re.compile(r"[ \t\u00a0]{2,}")
_TAB_ROW = re.compile(r"\t")


def _checkbox_line(line: str) -> str | None:
    """``Ja ☒ Nein ☐`` -> ``Ja``; ``☒ Investition`` -> ``Investition``; only unchecked -> None."""
    pieces = _GLYPHS.split(line)
    glyphs = _GLYPHS.findall(line)
    glyph_first = not pieces[0].strip()
    kept: list[str] = []
    for index, glyph in enumerate(glyphs):
        label = pieces[index + 1] if glyph_first else pieces[index]
        if glyph in _CHECKED and label.strip():
            kept.append(label.strip())
    if not glyph_first and pieces[-1].strip():
        kept.append(pieces[-1].strip())  # text after the last glyph ("Bei Ja: …")
    return " ".join(kept) if kept else None


@dataclass
class _Block:
    """What the lines before said about the current one: inside a Beratungsfolge table, or a
    tab-separated table with this header."""

    beratung: bool = False
    header: list[str] | None = None


def _is_number(cell: str) -> bool:
    return bool(re.fullmatch(r"[\d.,%€ *?-]+", cell))


def _table_row(cells: list[str], block: _Block) -> str:
    """A tab-separated row as one sentence: ``Zeile – Spalte 1: Wert, Spalte 2: Wert.`` (with the
    block's header), ``Zeile: Wert, Wert.`` without one; a row without a label is the total
    (``Insgesamt``). The first row of words is the header."""
    label, values = cells[0].strip(), cells[1:]
    numeric = [v for v in values if v.strip()]
    if block.header is None and numeric and not all(_is_number(v) for v in numeric) and not _is_number(label):
        block.header = cells
        return " | ".join(cell.strip() for cell in cells if cell.strip()) + "."
    if block.header is not None and len(block.header) >= len(cells):
        names = [name.strip(" *") for name in block.header[1:]]
        pairs = [f"{name}: {value.strip()}" if name else value.strip()
                 for name, value in zip(names, values, strict=False) if value.strip()]
        return f"{label or 'Insgesamt'} – {', '.join(pairs)}."
    joined = ", ".join(v.strip() for v in values if v.strip())
    return f"{label or 'Insgesamt'}: {joined}." if joined else label


def normalize_line(line: str, block: _Block) -> str | None:
    """One line rewritten (None: dropped); ``block`` carries table state from line to line."""
    stripped = line.rstrip()
    if not stripped.strip():
        block.beratung, block.header = False, None
        return ""
    if _BERATUNG_HEADER.match(stripped):
        block.beratung = True
        return None
    if block.beratung:
        row = _BERATUNG_ROW.match(stripped)
        if row:
            return f"{_SPACES.sub(' ', row.group('gremium').strip())}: {row.group('datum')}"
        block.beratung = False
    if _GLYPHS.search(stripped):
        stripped = _checkbox_line(stripped) or ""
        if not stripped:
            return None
    if _TAB_ROW.search(line):  # the raw line: a group label row ("Projekte\t\t\t") ends in tabs only
        cells = stripped.split("\t")
        if sum(1 for cell in cells if cell.strip()) >= 2:
            return _table_row(cells, block)
        return " ".join(cell.strip() for cell in cells if cell.strip())  # the table and its header go on
    block.header = None
    gap = _LABEL_GAP.match(stripped)
    if gap and not gap.group("label").endswith(":") and len(gap.group("value")) < 120:
        return f"{gap.group('label')}: {_SPACES.sub(' ', gap.group('value'))}"
    amount = _LABEL_AMOUNT.match(stripped)
    if amount and not amount.group("label").rstrip().endswith(":"):
        return f"{amount.group('label').strip()}: {amount.group('value').strip()}"
    return _SPACES.sub(" ", stripped)


def normalize_text(text: str) -> tuple[str, list[int], list[int]]:
    """The normalised text and the offsets of each old line start in the old and the new text."""
    out: list[str] = []
    old_starts: list[int] = []
    new_starts: list[int] = []
    position = 0
    length = 0
    block = _Block()
    blank = False
    for line in text.split("\n"):
        old_starts.append(position)
        new_starts.append(length)
        position += len(line) + 1
        rewritten = normalize_line(line, block)
        if rewritten is None or (rewritten == "" and blank):
            continue  # dropped line, or a second blank line in a row
        blank = rewritten == ""
        out.append(rewritten)
        length += len(rewritten) + 1
    return "\n".join(out), old_starts, new_starts


def _mapper(old_starts: list[int], new_starts: list[int], new_length: int):  # type: ignore[no-untyped-def]
    def map_offset(offset: int) -> int:
        line = max(bisect.bisect_right(old_starts, offset) - 1, 0)
        return min(new_starts[line], new_length)

    return map_offset


def normalize_vorlage(vorlage: Vorlage) -> Vorlage:
    """The Vorlage with layout-normalised text and its spans mapped onto it."""
    text, old_starts, new_starts = normalize_text(vorlage.text)
    if text == vorlage.text:
        return vorlage
    map_offset = _mapper(old_starts, new_starts, len(text))
    spans = [
        TextSpan(start=map_offset(span.start), end=map_offset(span.end) if span.end < len(vorlage.text) else len(text),
                 page=span.page, label=span.label)
        for span in vorlage.spans
    ]
    return vorlage.model_copy(update={"text": text, "spans": [s for s in spans if s.end > s.start]})
