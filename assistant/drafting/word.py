"""A draft as a Word document laid out like a Vorlage (python-docx).

Kopf as a table (Stadt, Federführend, Datum, Drucksache placeholder, Vorlagenart), Betreff, the
Beratungsfolge as a table, the sections (Markdown headings, lists and tables turned into Word headings,
list paragraphs and real Word tables, e.g. the finance table), the sources and the notices.
"""

from __future__ import annotations

import io
import re

from docx import Document as WordDocument
from docx.document import Document as WordDocumentType
from docx.shared import Pt

from assistant.drafting.markdown import beratungsfolge_rows, kopf, source_line
from vorlagen.domain import Draft

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_NUMBERED = re.compile(r"^\d{1,2}\.\s+")
TABLE_STYLE = "Table Grid"


def _runs(paragraph, text: str) -> None:  # type: ignore[no-untyped-def]
    """Text with **bold** parts as runs."""
    position = 0
    for match in _BOLD.finditer(text):
        if match.start() > position:
            paragraph.add_run(text[position : match.start()])
        paragraph.add_run(match.group(1)).bold = True
        position = match.end()
    if position < len(text):
        paragraph.add_run(text[position:])


def _table(word: WordDocumentType, header: list[str], rows: list[list[str]], numeric_from: int = 99) -> None:
    table = word.add_table(rows=1, cols=len(header))
    table.style = TABLE_STYLE
    for cell, text in zip(table.rows[0].cells, header):
        cell.paragraphs[0].add_run(text).bold = True
    for values in rows:
        cells = table.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, values)):
            _runs(cell.paragraphs[0], text)
            if index >= numeric_from:
                cell.paragraphs[0].alignment = 2  # right
    word.add_paragraph()


def _markdown_block(word: WordDocumentType, text: str) -> None:
    """Headings (###), bullets (-), numbered items (1.), tables (|…|) and paragraphs."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index].rstrip()
        if line.startswith("|"):
            block = []
            while index < len(lines) and lines[index].startswith("|"):
                block.append([cell.strip() for cell in lines[index].strip().strip("|").split("|")])
                index += 1
            body = [row for row in block[1:] if not all(set(cell) <= set("-: ") for cell in row)]
            _table(word, [_BOLD.sub(r"\1", cell) for cell in block[0]], body, numeric_from=1)
            continue
        if line.startswith("###"):
            word.add_heading(line.lstrip("#").strip(), level=2)
        elif line.startswith("- "):
            _runs(word.add_paragraph(style="List Bullet"), line[2:])
        elif _NUMBERED.match(line):
            _runs(word.add_paragraph(style="List Number"), _NUMBERED.sub("", line))
        elif line.strip():
            _runs(word.add_paragraph(), line.strip())
        index += 1


def render_docx(draft: Draft) -> bytes:
    request = draft.request
    word = WordDocument()
    word.core_properties.title = f"{request.vorlagenart}: {request.betreff}"
    word.core_properties.language = "de-DE"
    word.add_heading(request.vorlagenart, level=0)
    head = kopf(draft)
    _table(word, ["Angabe", "Wert"], [[label, value] for label, value in head])
    word.add_heading("Betreff", level=1)
    word.add_paragraph().add_run(request.betreff).bold = True
    word.add_heading("Beratungsfolge", level=1)
    rows = beratungsfolge_rows(draft)
    if rows:
        _table(word, ["Gremium", "Rolle", "Datum", "Sitzung"], [list(row) for row in rows])
    else:
        word.add_paragraph("[bitte ergänzen: Gremien, Rolle, Sitzungstermine]")
    for section in draft.sections:
        word.add_heading(section.name, level=1)
        _markdown_block(word, section.text)
    if draft.citations:
        word.add_heading("Herangezogene frühere Vorlagen", level=1)
        for citation in draft.citations:
            word.add_paragraph(source_line(citation), style="List Bullet")
    notices = [*draft.notices, *(f"{s.name}: {n}" for s in draft.sections for n in s.notices)]
    for notice in notices:
        run = word.add_paragraph().add_run(f"Hinweis: {notice}")
        run.font.size = Pt(9)
        run.italic = True
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()
