"""Loaders: files and OParl dumps -> ``Vorlage`` objects.

``load_path`` dispatches on the file extension: plain text, PDF (one ``TextSpan`` per page),
HTML pages of council information systems, and OParl JSONL dumps (one Paper a line, plain or
gzip/xz compressed, read as a stream). Anything unreadable raises ``LoaderError`` with a German
message naming the file.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path

from bs4 import BeautifulSoup
from charset_normalizer import from_bytes
from pypdf import PageObject, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError

from ingest.errors import LoaderError
from ingest.metadata import build_vorlage
from ingest.oparl import (  # noqa: F401 - re-exported: the OParl part of the loaders' interface
    OPARL_SUFFIXES,
    PAGE_SEPARATOR,
    AgendaOutcome,
    LoadReport,
    iter_jsonl,
    known_oparl_bodies,
    load_oparl_dump,
    paper_to_vorlage,
    read_agenda_outcomes,
    read_meeting_dates,
    read_organization_names,
)
from vorlagen.domain import TextSpan, Vorlage
from vorlagen.text import normalize_newlines

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".text", ".md")
PDF_SUFFIXES = (".pdf",)
HTML_SUFFIXES = (".html", ".htm")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + PDF_SUFFIXES + HTML_SUFFIXES + OPARL_SUFFIXES

_HTML_BLOCKS = (
    "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "header", "footer", "blockquote", "pre", "dt", "dd", "td", "th",
)  # fmt: skip


def suffix_of(path: Path) -> str:
    """``.jsonl.gz`` for compressed dumps, else the lower-case suffix."""
    name = path.name.lower()
    for suffix in OPARL_SUFFIXES:
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def discover_files(paths: Sequence[Path]) -> list[Path]:
    """Folders expanded recursively (sorted, hidden files and folders skipped); files as given."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                relative = candidate.relative_to(path)
                if candidate.is_file() and not any(part.startswith(".") for part in relative.parts):
                    found.append(candidate)
        else:
            found.append(path)
    return found


def load_path(
    path: Path,
    *,
    default_city: str | None = None,
    organizations: Mapping[str, str] | None = None,
    meeting_dates: Mapping[str, date] | None = None,
    bodies: Mapping[str, str] | None = None,
    agenda_results: Mapping[str, AgendaOutcome] | None = None,
    report: LoadReport | None = None,
) -> Iterator[Vorlage]:
    """The Vorlagen in ``path`` (one for a document file, one per Paper for an OParl dump).

    ``organizations`` (OParl Organization id -> name), ``meeting_dates`` (Meeting id -> date) and
    ``agenda_results`` (AgendaItem id -> recorded result) resolve the Beratungsfolge of OParl papers (see
    ``read_organization_names``, ``read_meeting_dates``, ``read_agenda_outcomes``); ``bodies`` maps OParl
    Body URLs to cities (default: the data file).
    Raises ``LoaderError`` for unreadable files.
    """
    suffix = suffix_of(path)
    source = str(path)
    if suffix not in SUPPORTED_SUFFIXES:
        known = ", ".join(SUPPORTED_SUFFIXES)
        raise LoaderError(
            source,
            f"Der Dateityp „{suffix or path.name}“ der Datei „{path.name}“ wird nicht unterstützt "
            f"(unterstützt: {known}).",
        )
    if suffix in OPARL_SUFFIXES:
        yield from load_oparl_dump(
            path,
            default_city=default_city,
            organizations=organizations,
            meeting_dates=meeting_dates,
            bodies=bodies,
            agenda_results=agenda_results,
            report=report,
        )
        return
    data = _read_bytes(path)
    if suffix in PDF_SUFFIXES:
        text, spans = pdf_text(data, source=source, name=path.name)
    elif suffix in HTML_SUFFIXES:
        text, spans = html_text(data), []
    else:
        text, spans = decode_text(data, source=source, name=path.name), []
    if not text.strip():
        raise LoaderError(source, f"Die Datei „{path.name}“ enthält keinen Text.")
    yield build_vorlage(text=text, source=source, source_name=path.name, spans=spans, default_city=default_city)


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise LoaderError(str(path), f"Die Datei „{path.name}“ wurde nicht gefunden.") from error
    except IsADirectoryError as error:
        raise LoaderError(str(path), f"„{path.name}“ ist ein Ordner, keine lesbare Datei.") from error
    except PermissionError as error:
        raise LoaderError(
            str(path), f"Die Datei „{path.name}“ kann nicht gelesen werden: keine Leseberechtigung."
        ) from error
    except OSError as error:
        raise LoaderError(str(path), f"Die Datei „{path.name}“ kann nicht gelesen werden ({error.strerror}).") from error
    if not data.strip():
        raise LoaderError(str(path), f"Die Datei „{path.name}“ ist leer.")
    return data


def decode_text(data: bytes, *, source: str, name: str) -> str:
    """UTF-8 first; a file mixing UTF-8 and windows-1252 lines line by line; otherwise the encoding
    charset-normalizer detects (windows-1252 happens). Binary content is refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return normalize_newlines(data.decode("utf-16"))
        except UnicodeDecodeError:
            pass
    if _looks_binary(data):
        raise LoaderError(
            source,
            f"Die Datei „{name}“ ist keine Textdatei (binärer Inhalt, z. B. ein Bild, Archiv oder "
            "Office-Dokument mit falscher Endung).",
        )
    try:
        return normalize_newlines(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    mixed = _decode_mixed_lines(data)
    if mixed is not None:
        logger.warning("Datei %s: Zeilen in UTF-8 und windows-1252 gemischt; zeilenweise gelesen", name)
        return normalize_newlines(mixed)
    best = from_bytes(data).best()
    if best is None:
        raise LoaderError(source, f"Die Zeichenkodierung der Datei „{name}“ wurde nicht erkannt.")
    # windows-1252 and its Central European sibling cp1250 agree on German letters; prefer 1252,
    # the encoding of German Windows systems, where it decodes the bytes.
    if best.encoding in {"cp1250", "iso8859_2", "latin_1", "iso8859_15", "cp1252"}:
        try:
            return normalize_newlines(data.decode("cp1252"))
        except UnicodeDecodeError:
            pass
    logger.info("Datei %s: Zeichenkodierung %s erkannt", name, best.encoding)
    return normalize_newlines(str(best))


_CONTROL_BYTES = bytes(set(range(32)) - {9, 10, 12, 13})
BINARY_CONTROL_SHARE = 0.02
"""Share of control bytes (other than tab, line breaks, form feed) above which a file is binary."""


def _looks_binary(data: bytes) -> bool:
    """NUL bytes or many control bytes in the first 64 KB: no text file (UTF-16 is handled before)."""
    head = data[:65536]
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls > BINARY_CONTROL_SHARE * len(head)


def _decode_mixed_lines(data: bytes) -> str | None:
    """Text whose lines are partly UTF-8 (with umlauts) and partly windows-1252, decoded line by line;
    None unless both kinds occur."""
    lines = data.split(b"\n")
    utf8_lines = legacy_lines = 0
    decoded: list[str] = []
    for line in lines:
        try:
            text = line.decode("utf-8")
            utf8_lines += not line.isascii()
        except UnicodeDecodeError:
            try:
                text = line.decode("cp1252")
            except UnicodeDecodeError:
                return None
            legacy_lines += 1
        decoded.append(text)
    return "\n".join(decoded) if utf8_lines and legacy_lines else None


def pdf_text(data: bytes, *, source: str, name: str) -> tuple[str, list[TextSpan]]:
    """Text of all pages joined by a blank line; one span per page (``page`` 1-based).

    Hostile or broken files end in a ``LoaderError``, never in another exception: pypdf limits how far
    a stream may inflate, a page whose content stream exceeds ``MAX_PAGE_CONTENT_BYTES`` is refused
    before it is parsed, and nesting deeper than Python's recursion limit is reported as such.
    """
    encrypted = f"Die PDF-Datei „{name}“ ist verschlüsselt; bitte eine Fassung ohne Kennwort hochladen."
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoaderError(source, encrypted)
        pages = [_page_text(page, number, source=source, name=name) for number, page in enumerate(reader.pages, 1)]
    except LoaderError:
        raise
    except (FileNotDecryptedError, DependencyError) as error:
        raise LoaderError(source, encrypted) from error
    except RecursionError as error:
        raise LoaderError(
            source, f"Die PDF-Datei „{name}“ ist zu tief verschachtelt und wird nicht gelesen (beschädigt oder schädlich)."
        ) from error
    except LimitReachedError as error:
        raise LoaderError(
            source, f"Die PDF-Datei „{name}“ enthält einen Datenstrom, der sich übermäßig entpackt; sie wird nicht gelesen."
        ) from error
    except Exception as error:  # noqa: BLE001 - pypdf parses untrusted bytes; any failure means a broken file
        raise LoaderError(
            source, f"Die PDF-Datei „{name}“ ist beschädigt oder keine gültige PDF-Datei ({error})."
        ) from error
    if not pages:
        raise LoaderError(source, f"Die PDF-Datei „{name}“ enthält keine Seiten.")
    if not any(page.strip() for page in pages):
        raise LoaderError(
            source,
            f"Die PDF-Datei „{name}“ enthält kein Textlayer – OCR nötig "
            "(z. B. mit ocrmypdf), danach erneut hochladen.",
        )
    parts: list[str] = []
    spans: list[TextSpan] = []
    offset = 0
    for number, page in enumerate(pages, start=1):
        page_text = normalize_newlines(page)
        if parts:
            offset += len(PAGE_SEPARATOR)
        spans.append(TextSpan(start=offset, end=offset + len(page_text), page=number))
        parts.append(page_text)
        offset += len(page_text)
    return PAGE_SEPARATOR.join(parts), spans


MAX_PAGE_CONTENT_BYTES = 16 * 1024 * 1024
"""Largest (inflated) content stream of one PDF page that is parsed for text."""


def _page_text(page: PageObject, number: int, *, source: str, name: str) -> str:
    contents = page.get_contents()
    size = len(contents.get_data()) if contents is not None else 0
    if size > MAX_PAGE_CONTENT_BYTES:
        raise LoaderError(
            source,
            f"Seite {number} der PDF-Datei „{name}“ ist zu umfangreich ({size / 1048576:.0f} MB Inhalt, "
            f"erlaubt {MAX_PAGE_CONTENT_BYTES // 1048576} MB); die Datei wird nicht gelesen.",
        )
    return page.extract_text() or ""


def html_text(data: bytes) -> str:
    """Visible text of an HTML page; block elements become line breaks, blank runs one blank line."""
    soup = BeautifulSoup(data, "lxml")
    for tag in soup.find_all(["script", "style", "nav", "noscript", "head", "iframe"]):
        tag.decompose()
    for tag in soup.find_all(_HTML_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    raw = soup.get_text()
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in raw.splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
