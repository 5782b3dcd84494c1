"""The bad-input corpus, generated here (no binaries in the repository, nothing from ../shared).

PDFs are written byte by byte (objects, cross-reference table, trailer) so each defect is exactly
the one intended; encryption uses pypdf's writer. Every generator returns the file's bytes.
"""

from __future__ import annotations

import io
import json
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter

GERMAN_PAGE = "Beschlussvorlage Nr. {n}: Die Verwaltung prüft die Sanierung der Grundschule für 1.200 Euro."


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _stream(body: bytes, extra: bytes = b"", compress: bool = False) -> bytes:
    if compress:
        body = zlib.compress(body, 9)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(body), extra) + body + b"\nendstream"


def assemble_pdf(objects: list[bytes]) -> bytes:
    """A PDF from numbered objects (object 1 is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _pages_pdf(contents: list[bytes], page_extra: bytes = b"", extra_objects: list[bytes] | None = None) -> bytes:
    """Pages with the given (finished) content stream objects; font F1 = Helvetica on every page."""
    extra_objects = extra_objects or []
    count = len(contents)
    first_page = 4 + len(extra_objects)
    kids = b" ".join(b"%d 0 R" % (first_page + 2 * i) for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        *extra_objects,
    ]
    for i, content in enumerate(contents):
        page_number = first_page + 2 * i
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R >> %s >> >>" % (page_number + 1, page_extra)
        )
        objects.append(content)
    return assemble_pdf(objects)


def text_pdf(pages: list[str]) -> bytes:
    """A valid PDF with one line of German text per page."""
    contents = [_stream(b"BT /F1 12 Tf 72 760 Td (" + _escape(text) + b") Tj ET") for text in pages]
    return _pages_pdf(contents)


def many_pages_pdf(count: int = 500) -> bytes:
    return text_pdf([GERMAN_PAGE.format(n=n) for n in range(1, count + 1)])


def truncated_pdf() -> bytes:
    whole = text_pdf([GERMAN_PAGE.format(n=n) for n in range(1, 4)])
    return whole[: len(whole) // 2]


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf([GERMAN_PAGE.format(n=1)]))))
    writer.encrypt(user_password="geheim", owner_password="geheimer", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_only_pdf() -> bytes:
    """A scan: one page that draws a 64x64 grey image and has no text operators."""
    pixels = bytes(range(256)) * 16
    image = _stream(pixels, b" /Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray "
                    b"/BitsPerComponent 8", compress=True)
    content = _stream(b"q 500 0 0 700 40 60 cm /Im1 Do Q")
    return _pages_pdf([content], page_extra=b"/XObject << /Im1 4 0 R >>", extra_objects=[image])


def nested_pdf(depth: int = 100_000) -> bytes:
    """A content stream with an array nested ``depth`` levels deep (recursion bomb for the parser)."""
    nested = b"[" * depth + b"]" * depth
    return _pages_pdf([_stream(b"BT /F1 12 Tf 72 760 Td (Verschachtelt) Tj " + nested + b" Tj ET")])


def nested_catalog_pdf(depth: int = 100_000) -> bytes:
    """The document catalog holds an array nested ``depth`` levels deep."""
    nested = b"[" * depth + b"]" * depth
    return text_pdf([GERMAN_PAGE.format(n=1)]).replace(b"<< /Type /Catalog", b"<< /Tiefe " + nested + b" /Type /Catalog")


def inflating_pdf(inflated_mb: int = 300) -> bytes:
    """A page whose content stream is ~1 MB compressed and ``inflated_mb`` MB inflated (zip bomb)."""
    body = b"BT /F1 12 Tf 72 760 Td (Bombe) Tj ET\n" + b" " * (inflated_mb * 1024 * 1024)
    return _pages_pdf([_stream(body, compress=True)])


def heavy_page_pdf(inflated_mb: int = 40) -> bytes:
    """A page whose content stream is below pypdf's inflation limit but far above any real page."""
    return inflating_pdf(inflated_mb)


def binary_named_txt() -> bytes:
    """A PNG (signature, IHDR, random data) saved as ``.txt``."""
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(64 * 1024)


MIXED_UTF8_LINE = "Die Stadt prüft die Größe der Grünfläche (UTF-8)."
MIXED_CP1252_LINE = "Der Gemeinderat beschließt die Änderung über 1.500 € (windows-1252)."


def mixed_encoding_txt() -> bytes:
    """Lines in UTF-8 and in windows-1252 in one file (copy and paste between systems)."""
    return (
        "Beschlussvorlage Nr. 17/2024\n".encode()
        + (MIXED_UTF8_LINE + "\n").encode("utf-8")
        + (MIXED_CP1252_LINE + "\n").encode("cp1252")
    )


PAPER_TYPE = "https://schema.oparl.org/1.1/Paper"
VALID_PAPER = {
    "id": "https://ris.example.org/paper/ok", "type": PAPER_TYPE, "reference": "DS 100/2025",
    "name": "Gültige Vorlage", "mainFile": {"name": "Vorlage", "text": "Beschlussvorlage\nDer Rat beschließt die Sanierung."},
}  # fmt: skip
BAD_PAPERS = [
    {"type": PAPER_TYPE, "name": "Ohne Kennung", "mainFile": {"text": "Text ohne id."}},
    {"id": "https://ris.example.org/paper/2", "type": PAPER_TYPE, "name": ["kein", "Text"],
     "mainFile": {"text": "Name ist eine Liste."}},
    {"id": "https://ris.example.org/paper/3", "type": PAPER_TYPE, "mainFile": {"text": 42}},
    {"id": "https://ris.example.org/paper/4", "type": PAPER_TYPE, "consultation": "Rat",
     "mainFile": {"text": "Beratungsfolge ist ein Text."}},
    {"id": "https://ris.example.org/paper/5", "type": PAPER_TYPE, "auxiliaryFile": {"text": "kein Array"}},
    {"id": {"verschachtelt": True}, "type": PAPER_TYPE, "mainFile": {"text": "Kennung ist ein Objekt."}},
]  # fmt: skip


def bad_oparl_dump() -> bytes:
    """One valid Paper and six with missing or wrongly typed fields."""
    lines = [VALID_PAPER, *BAD_PAPERS]
    return "".join(json.dumps(paper, ensure_ascii=False) + "\n" for paper in lines).encode("utf-8")


@dataclass(frozen=True)
class BadInput:
    name: str
    """File name the input is saved under."""
    make: Callable[[], bytes]
    expect: str
    """A German phrase the error message contains (besides the file name)."""


BAD_FILES = [
    BadInput("leer.pdf", lambda: b"", "ist leer"),
    BadInput("leer.txt", lambda: b"", "ist leer"),
    BadInput("abgeschnitten.pdf", truncated_pdf, "beschädigt"),
    BadInput("verschluesselt.pdf", encrypted_pdf, "ist verschlüsselt"),
    BadInput("scan.pdf", image_only_pdf, "OCR nötig"),
    BadInput("verschachtelt.pdf", nested_pdf, "zu tief verschachtelt"),
    BadInput("verschachtelter-katalog.pdf", nested_catalog_pdf, "beschädigt"),
    BadInput("zipbombe.pdf", inflating_pdf, "übermäßig entpackt"),
    BadInput("riesenseite.pdf", heavy_page_pdf, "zu umfangreich"),
    BadInput("bild.txt", binary_named_txt, "keine Textdatei"),
    BadInput("kein-pdf.pdf", lambda: b"Das ist kein PDF.\n" * 20, "beschädigt"),
]
