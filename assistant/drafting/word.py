"""A draft as a Word document laid out like a Vorlage (python-docx).

Kopf as a table (Stadt, Federführend, Datum, Drucksache placeholder, Vorlagenart), Betreff, the
Beratungsfolge as a table, the sections (Markdown headings, lists and tables turned into Word headings,
list paragraphs and real Word tables, e.g. the finance table – amounts in EUR, column widths set so that it
stays intact in Word and LibreOffice), the sources and the notices. A4 portrait.
"""

from __future__ import annotations

import io
import re

from docx import Document as WordDocument
from docx.document import Document as WordDocumentType
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.shared import Cm, Pt

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


_EUR = re.compile(r"^(\*\*)?(.+?) EUR(\*\*)?$")


def _amount_table(word: WordDocumentType, header: list[str], rows: list[list[str]]) -> None:
    """A table of amounts (the finance table): „EUR“ once in the head, widths and type size so that no amount
    and no label breaks inside a word in Word or LibreOffice; more than six amount columns on a landscape page."""
    amounts = len(header) - 1
    in_eur = all(_EUR.match(cell) or "[bitte" in cell for row in rows for cell in row[1:])
    if in_eur:
        header = [f"{header[0]} (EUR)", *header[1:]]
        rows = [[row[0], *(_EUR.sub(lambda m: f"{m[1] or ''}{m[2]}{m[3] or ''}", cell) for cell in row[1:])] for row in rows]
    landscape = amounts > 6
    if landscape:
        _set_orientation(word.add_section(WD_SECTION.NEW_PAGE), landscape=True)
    section = word.sections[-1]
    usable = section.page_width - section.left_margin - section.right_margin
    first = Cm(4.2 if amounts <= 4 else 3.4)
    other = int((usable - first) / amounts)
    size = Pt(9 if amounts <= 4 else 8 if amounts <= 6 else 7)
    table = word.add_table(rows=1, cols=len(header))
    table.style = TABLE_STYLE
    table.autofit = False
    for index, text in enumerate(header):
        cell = table.rows[0].cells[index]
        run = cell.paragraphs[0].add_run(text)
        run.bold, run.font.size = True, size
        if index:
            cell.paragraphs[0].alignment = 2
    for values in rows:
        cells = table.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, values)):
            _runs(cell.paragraphs[0], text)
            for run in cell.paragraphs[0].runs:
                run.font.size = size
            if index:
                cell.paragraphs[0].alignment = 2  # right
    for row in table.rows:
        for index, cell in enumerate(row.cells):
            cell.width = first if index == 0 else other
    word.add_paragraph()
    if landscape:
        _set_orientation(word.add_section(WD_SECTION.NEW_PAGE), landscape=False)


def _set_orientation(section, landscape: bool) -> None:  # type: ignore[no-untyped-def]
    width, height = (Cm(29.7), Cm(21)) if landscape else (Cm(21), Cm(29.7))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = width, height
    section.left_margin, section.right_margin = Cm(2.5), Cm(2)


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
            _amount_table(word, [_BOLD.sub(r"\1", cell) for cell in block[0]], body)
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
    _set_orientation(word.sections[0], landscape=False)  # A4, as Vorlagen are printed
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
