"""Loaders: files and OParl dumps -> ``Vorlage`` objects.

``load_path`` dispatches on the file extension: plain text, PDF (one ``TextSpan`` per page),
HTML pages of council information systems, and OParl JSONL dumps (one Paper a line, plain or
gzip/xz compressed, read as a stream). Anything unreadable raises ``LoaderError`` with a German
message naming the file.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import lzma
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import IO, Any

from bs4 import BeautifulSoup
from charset_normalizer import from_bytes
from pydantic import BaseModel, Field
from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

from ingest.errors import LoaderError
from ingest.metadata import build_vorlage, extract_metadata
from vorlagen.domain import Beratung, TextSpan, Vorlage

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".text", ".md")
PDF_SUFFIXES = (".pdf",)
HTML_SUFFIXES = (".html", ".htm")
OPARL_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.xz")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + PDF_SUFFIXES + HTML_SUFFIXES + OPARL_SUFFIXES

PAGE_SEPARATOR = "\n\n"
"""Between PDF pages and between the files of an OParl paper."""

OPARL_PAPER_TYPE_SUFFIX = "/Paper"
"""OParl 1.0 and 1.1 type URLs (``https://schema.oparl.org/1.1/Paper``) end with it."""

_HTML_BLOCKS = (
    "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "header", "footer", "blockquote", "pre", "dt", "dd", "td", "th",
)  # fmt: skip


class LoadReport(BaseModel):
    """What a load skipped; pass one to ``load_path`` to collect it."""

    papers: int = 0
    """OParl papers read (with or without text)."""
    skipped_without_text: list[str] = Field(default_factory=list)
    """OParl paper ids without any text (no file, or files without extracted text)."""
    skipped_other_objects: int = 0
    """Lines of an OParl dump that are no Paper (Meetings, Organizations …)."""


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


@lru_cache(maxsize=1)
def known_oparl_bodies() -> dict[str, str]:
    """OParl Body URL -> city (``ingest/data/oparl_bodies.json``)."""
    raw = resources.files("ingest").joinpath("data/oparl_bodies.json").read_text(encoding="utf-8")
    return dict(json.loads(raw))


def load_path(
    path: Path,
    *,
    default_city: str | None = None,
    organizations: Mapping[str, str] | None = None,
    meeting_dates: Mapping[str, date] | None = None,
    bodies: Mapping[str, str] | None = None,
    report: LoadReport | None = None,
) -> Iterator[Vorlage]:
    """The Vorlagen in ``path`` (one for a document file, one per Paper for an OParl dump).

    ``organizations`` (OParl Organization id -> name) and ``meeting_dates`` (Meeting id -> date)
    resolve the Beratungsfolge of OParl papers (see ``read_organization_names`` and
    ``read_meeting_dates``); ``bodies`` maps OParl Body URLs to cities (default: the data file).
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


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def decode_text(data: bytes, *, source: str, name: str) -> str:
    """UTF-8 first; otherwise the encoding charset-normalizer detects (windows-1252 happens)."""
    try:
        return _normalize_newlines(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise LoaderError(source, f"Die Zeichenkodierung der Datei „{name}“ wurde nicht erkannt.")
    # windows-1252 and its Central European sibling cp1250 agree on German letters; prefer 1252,
    # the encoding of German Windows systems, where it decodes the bytes.
    if best.encoding in {"cp1250", "iso8859_2", "latin_1", "iso8859_15", "cp1252"}:
        try:
            return _normalize_newlines(data.decode("cp1252"))
        except UnicodeDecodeError:
            pass
    logger.info("Datei %s: Zeichenkodierung %s erkannt", name, best.encoding)
    return _normalize_newlines(str(best))


def pdf_text(data: bytes, *, source: str, name: str) -> tuple[str, list[TextSpan]]:
    """Text of all pages joined by a blank line; one span per page (``page`` 1-based)."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoaderError(
                source, f"Die PDF-Datei „{name}“ ist verschlüsselt; bitte eine Fassung ohne Kennwort hochladen."
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except LoaderError:
        raise
    except (FileNotDecryptedError, DependencyError) as error:
        raise LoaderError(
            source, f"Die PDF-Datei „{name}“ ist verschlüsselt; bitte eine Fassung ohne Kennwort hochladen."
        ) from error
    except (PdfReadError, ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
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
        page_text = _normalize_newlines(page)
        if parts:
            offset += len(PAGE_SEPARATOR)
        spans.append(TextSpan(start=offset, end=offset + len(page_text), page=number))
        parts.append(page_text)
        offset += len(page_text)
    return PAGE_SEPARATOR.join(parts), spans


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


# --- OParl ---------------------------------------------------------------------------------------


def open_text_stream(path: Path) -> IO[str]:
    """A text stream of a plain, gzip or xz compressed file (read line by line, never whole)."""
    name = path.name.lower()
    try:
        if name.endswith(".gz"):
            return gzip.open(path, "rt", encoding="utf-8")
        if name.endswith(".xz"):
            return lzma.open(path, "rt", encoding="utf-8")
        return path.open("r", encoding="utf-8")
    except PermissionError as error:
        raise LoaderError(str(path), f"Die Datei „{path.name}“ kann nicht gelesen werden: keine Leseberechtigung.") from error
    except OSError as error:
        raise LoaderError(str(path), f"Die Datei „{path.name}“ kann nicht gelesen werden ({error}).") from error


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSONL dump, one at a time."""
    try:
        with open_text_stream(path) as stream:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as error:
                    raise LoaderError(
                        str(path), f"Zeile {number} der Datei „{path.name}“ ist kein gültiges JSON ({error.msg})."
                    ) from error
                if isinstance(value, dict):
                    yield value
    except (EOFError, lzma.LZMAError, gzip.BadGzipFile, UnicodeDecodeError) as error:
        raise LoaderError(str(path), f"Die Datei „{path.name}“ ist beschädigt ({error}).") from error


def read_organization_names(path: Path) -> dict[str, str]:
    """OParl Organization id -> name, from an organizations dump."""
    return {item["id"]: item["name"] for item in iter_jsonl(path) if item.get("id") and item.get("name")}


def read_meeting_dates(path: Path) -> dict[str, date]:
    """OParl Meeting id -> date of its start, from a meetings dump."""
    dates: dict[str, date] = {}
    for item in iter_jsonl(path):
        start = item.get("start")
        if item.get("id") and isinstance(start, str) and len(start) >= 10:
            try:
                dates[item["id"]] = date.fromisoformat(start[:10])
            except ValueError:
                continue
    return dates


def iso_date(value: Any) -> date | None:
    """The date of an OParl date or date-time string (``2024-01-22``, ``2024-01-22T13:09:54+01:00``)."""
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _beratungsfolge(
    paper: Mapping[str, Any],
    organizations: Mapping[str, str],
    meeting_dates: Mapping[str, date],
    agenda_results: Mapping[str, str],
) -> list[Beratung]:
    """Consultations whose Gremium has a known name (unresolvable ones are left out)."""
    result: list[Beratung] = []
    for consultation in paper.get("consultation") or []:
        organization_ids = consultation.get("organization") or []
        names = [organizations[oid] for oid in organization_ids if oid in organizations]
        if not names:
            continue
        meeting = consultation.get("meeting")
        agenda_item = consultation.get("agendaItem")
        result.append(
            Beratung(
                gremium=", ".join(names),
                rolle=consultation.get("role") or None,
                datum=meeting_dates.get(meeting) if isinstance(meeting, str) else None,
                ergebnis=agenda_results.get(agenda_item) if isinstance(agenda_item, str) else None,
            )
        )
    return result


def paper_to_vorlage(
    paper: Mapping[str, Any],
    *,
    default_city: str | None = None,
    organizations: Mapping[str, str] | None = None,
    meeting_dates: Mapping[str, date] | None = None,
    bodies: Mapping[str, str] | None = None,
    agenda_results: Mapping[str, str] | None = None,
) -> Vorlage | None:
    """One OParl Paper as a Vorlage: the texts of its files (main file first), one span per file.

    ``agenda_results`` (AgendaItem id -> ``result``) adds the decision to the Beratungsfolge.
    None if no file carries text. Used for dumps and by the live OParl sync (``ingest.oparl_sync``).
    """
    organizations = organizations or {}
    files = ([paper["mainFile"]] if isinstance(paper.get("mainFile"), dict) else []) + [
        item for item in paper.get("auxiliaryFile") or [] if isinstance(item, dict)
    ]
    parts: list[str] = []
    spans: list[TextSpan] = []
    offset = 0
    for file in files:
        file_text = _normalize_newlines(file.get("text") or "").strip()
        if not file_text:
            continue
        if parts:
            offset += len(PAGE_SEPARATOR)
        label = file.get("name") or file.get("fileName") or None
        spans.append(TextSpan(start=offset, end=offset + len(file_text), label=label))
        parts.append(file_text)
        offset += len(file_text)
    if not parts:
        return None
    text = PAGE_SEPARATOR.join(parts)
    reference = paper.get("reference") or None
    paper_id = str(paper["id"])
    city = (bodies if bodies is not None else known_oparl_bodies()).get(paper.get("body") or "") or default_city
    stated = extract_metadata(parts[0], source_name=reference or paper_id, default_city=None)
    directors = [organizations[oid] for oid in paper.get("underDirectionOf") or [] if oid in organizations]
    return Vorlage(
        doc_id=paper_id,
        source=paper_id,
        source_name=reference or paper_id,
        text=text,
        spans=spans,
        drucksache=reference,
        title=paper.get("name") or stated.title,
        datum=iso_date(paper.get("date")),
        vorlagenart=paper.get("paperType") or stated.vorlagenart,
        referat=stated.referat,
        amt=", ".join(directors) if directors else stated.amt,
        stadt=city,
        beratungsfolge=_beratungsfolge(paper, organizations, meeting_dates or {}, agenda_results or {}),
    )


def load_oparl_dump(
    path: Path,
    *,
    default_city: str | None = None,
    organizations: Mapping[str, str] | None = None,
    meeting_dates: Mapping[str, date] | None = None,
    bodies: Mapping[str, str] | None = None,
    report: LoadReport | None = None,
) -> Iterator[Vorlage]:
    """The Papers of an OParl JSONL dump, streamed; papers without text are skipped and counted."""
    report = report if report is not None else LoadReport()
    for item in iter_jsonl(path):
        if not str(item.get("type", "")).endswith(OPARL_PAPER_TYPE_SUFFIX) or not item.get("id"):
            report.skipped_other_objects += 1
            continue
        report.papers += 1
        vorlage = paper_to_vorlage(
            item,
            default_city=default_city,
            organizations=organizations,
            meeting_dates=meeting_dates,
            bodies=bodies,
        )
        if vorlage is None:
            report.skipped_without_text.append(str(item["id"]))
            continue
        yield vorlage
    if report.skipped_without_text:
        logger.info("%s: %d Vorlagen ohne Text übersprungen", path.name, len(report.skipped_without_text))
