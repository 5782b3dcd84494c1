"""OParl dumps -> ``Vorlage`` objects: one Paper a line (plain, gzip or xz), read as a stream.

Each Paper is checked against ``OParlPaper`` (the fields that are read, with their types); papers with
missing or wrongly typed fields are skipped and reported in one ``LoaderError`` after the valid ones
were yielded. Organization and Meeting dumps resolve the Beratungsfolge: the Gremium, the date of the
meeting and the agenda item's recorded result (``result``, ``resolutionText``). Super- and subordinated
papers are kept as links.
"""

from __future__ import annotations

import gzip
import json
import logging
import lzma
from collections.abc import Iterator, Mapping
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ingest.beratungsfolge import merged_beratungsfolge
from ingest.errors import LoaderError
from ingest.metadata import extract_metadata
from vorlagen.domain import Beratung, PaperLink, PaperRelation, TextSpan, Vorlage
from vorlagen.text import normalize_newlines

logger = logging.getLogger(__name__)

OPARL_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.xz")
OPARL_PAPER_TYPE_SUFFIX = "/Paper"
"""OParl 1.0 and 1.1 type URLs (``https://schema.oparl.org/1.1/Paper``) end with it."""
PAGE_SEPARATOR = "\n\n"
"""Between PDF pages and between the files of an OParl paper."""


class LoadReport(BaseModel):
    """What a load skipped; pass one to ``load_path`` to collect it."""

    source: str = ""
    """The file read (set by the caller)."""
    papers: int = 0
    """OParl papers read (with or without text)."""
    skipped_without_text: list[str] = Field(default_factory=list)
    """OParl paper ids without any text (no file, or files without extracted text)."""
    skipped_other_objects: int = 0
    """Lines of an OParl dump that are no Paper (Meetings, Organizations …)."""
    invalid: list[str] = Field(default_factory=list)
    """OParl papers with missing or wrongly typed fields (line, id and field, German)."""


@lru_cache(maxsize=1)
def known_oparl_bodies() -> dict[str, str]:
    """OParl Body URL -> city (``ingest/data/oparl_bodies.json``)."""
    raw = resources.files("ingest").joinpath("data/oparl_bodies.json").read_text(encoding="utf-8")
    return dict(json.loads(raw))


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
    for _, value in iter_jsonl_lines(path):
        yield value


def iter_jsonl_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The JSON objects of a JSONL dump with their line numbers, one at a time."""
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
                    yield number, value
    except (EOFError, lzma.LZMAError, gzip.BadGzipFile, UnicodeDecodeError) as error:
        raise LoaderError(str(path), f"Die Datei „{path.name}“ ist beschädigt ({error}).") from error


class OParlFile(BaseModel):
    """The fields of an OParl File that are read (others are kept, not checked)."""

    model_config = ConfigDict(extra="allow")
    name: str | None = None
    fileName: str | None = None  # noqa: N815 - OParl's field name
    text: str | None = None


class OParlConsultation(BaseModel):
    model_config = ConfigDict(extra="allow")
    organization: list[str] | None = None
    meeting: str | None = None
    role: str | None = None


class OParlPaper(BaseModel):
    """An OParl Paper as read from a dump: wrong types are reported instead of failing later."""

    model_config = ConfigDict(extra="allow")
    id: str
    type: str
    name: str | None = None
    reference: str | None = None
    date: str | None = None
    paperType: str | None = None  # noqa: N815
    body: str | None = None
    mainFile: OParlFile | None = None  # noqa: N815
    auxiliaryFile: list[OParlFile] | None = None  # noqa: N815
    consultation: list[OParlConsultation] | None = None
    underDirectionOf: list[str] | None = None  # noqa: N815
    superordinatedPaper: list[str] | None = None  # noqa: N815
    subordinatedPaper: list[str] | None = None  # noqa: N815


def _invalid_fields(error: ValidationError) -> str:
    """``Feld „name“ ungültig, Feld „id“ fehlt`` for a pydantic error (German, short)."""
    parts = []
    for item in error.errors()[:3]:
        field = ".".join(str(part) for part in item["loc"]) or "?"
        parts.append(f"Feld „{field}“ fehlt" if item["type"] == "missing" else f"Feld „{field}“ ungültig")
    return ", ".join(parts)


MAX_REPORTED_INVALID_PAPERS = 5


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


class AgendaOutcome(BaseModel):
    """What an OParl AgendaItem records about its decision."""

    result: str | None = None
    """``AgendaItem.result``: „mehrheitlich beschlossen“, „vertagt“, „verwiesen in Fachausschuss“ …"""
    resolution_text: str | None = None
    """``AgendaItem.resolutionText``: the resolution's wording, where the system publishes it."""

    @classmethod
    def of(cls, item: Mapping[str, Any]) -> AgendaOutcome | None:
        """The outcome of an AgendaItem object; None when it records neither."""
        result, text = item.get("result"), item.get("resolutionText")
        outcome = cls(
            result=result.strip() if isinstance(result, str) and result.strip() else None,
            resolution_text=text.strip() if isinstance(text, str) and text.strip() else None,
        )
        return outcome if outcome.result or outcome.resolution_text else None


def read_agenda_outcomes(path: Path) -> dict[str, AgendaOutcome]:
    """AgendaItem id -> its recorded outcome, from a meetings dump (agenda items embedded in their
    Meeting, as OParl lists them) or a dump of AgendaItem objects."""
    outcomes: dict[str, AgendaOutcome] = {}
    for item in iter_jsonl(path):
        kind = str(item.get("type", ""))
        agenda = item.get("agendaItem") if kind.endswith("/Meeting") else [item] if kind.endswith("/AgendaItem") else []
        for entry in agenda if isinstance(agenda, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str) and (outcome := AgendaOutcome.of(entry)):
                outcomes[entry["id"]] = outcome
    return outcomes


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
    agenda_results: Mapping[str, AgendaOutcome],
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
        outcome = agenda_results.get(agenda_item) if isinstance(agenda_item, str) else None
        result.append(
            Beratung(
                gremium=", ".join(names),
                rolle=consultation.get("role") or None,
                datum=meeting_dates.get(meeting) if isinstance(meeting, str) else None,
                ergebnis=outcome.result if outcome else None,
                beschlusstext=outcome.resolution_text if outcome else None,
            )
        )
    return result


_LINK_FIELDS: tuple[tuple[str, PaperRelation], ...] = (
    ("superordinatedPaper", "superordinated"), ("subordinatedPaper", "subordinated"),
)


def _links(paper: Mapping[str, Any]) -> list[PaperLink]:
    """The papers this one names as super- or subordinated, once each, in the order stated."""
    links: list[PaperLink] = []
    for field, relation in _LINK_FIELDS:
        for linked in paper.get(field) or []:
            if isinstance(linked, str) and linked != paper.get("id") and all(link.doc_id != linked for link in links):
                links.append(PaperLink(doc_id=linked, relation=relation))
    return links


def paper_to_vorlage(
    paper: Mapping[str, Any],
    *,
    default_city: str | None = None,
    organizations: Mapping[str, str] | None = None,
    meeting_dates: Mapping[str, date] | None = None,
    bodies: Mapping[str, str] | None = None,
    agenda_results: Mapping[str, AgendaOutcome] | None = None,
) -> Vorlage | None:
    """One OParl Paper as a Vorlage: the texts of its files (main file first), one span per file.

    ``agenda_results`` (AgendaItem id -> its outcome) adds the recorded decision to the Beratungsfolge.
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
        file_text = normalize_newlines(file.get("text") or "").strip()
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
        beratungsfolge=merged_beratungsfolge(
            _beratungsfolge(paper, organizations, meeting_dates or {}, agenda_results or {}), stated.beratungsfolge),
        links=_links(paper),
    )


def load_oparl_dump(
    path: Path,
    *,
    default_city: str | None = None,
    organizations: Mapping[str, str] | None = None,
    meeting_dates: Mapping[str, date] | None = None,
    bodies: Mapping[str, str] | None = None,
    agenda_results: Mapping[str, AgendaOutcome] | None = None,
    report: LoadReport | None = None,
) -> Iterator[Vorlage]:
    """The Papers of an OParl JSONL dump, streamed; papers without text are skipped and counted."""
    report = report if report is not None else LoadReport()
    for number, item in iter_jsonl_lines(path):
        if not str(item.get("type", "")).endswith(OPARL_PAPER_TYPE_SUFFIX):
            report.skipped_other_objects += 1
            continue
        report.papers += 1
        label = f"Zeile {number}" + (f" (Paper „{item['id']}“)" if isinstance(item.get("id"), str) else "")
        try:
            paper = OParlPaper.model_validate(item).model_dump(exclude_none=True)
            vorlage = paper_to_vorlage(
                paper,
                default_city=default_city,
                organizations=organizations,
                meeting_dates=meeting_dates,
                bodies=bodies,
                agenda_results=agenda_results,
            )
        except ValidationError as error:
            report.invalid.append(f"{label}: {_invalid_fields(error)}")
            continue
        if vorlage is None:
            report.skipped_without_text.append(str(item["id"]))
            continue
        yield vorlage
    if report.skipped_without_text:
        logger.info("%s: %d Vorlagen ohne Text übersprungen", path.name, len(report.skipped_without_text))
    if report.invalid:
        shown = "; ".join(report.invalid[:MAX_REPORTED_INVALID_PAPERS])
        more = " …" if len(report.invalid) > MAX_REPORTED_INVALID_PAPERS else ""
        raise LoaderError(
            str(path),
            f"{len(report.invalid)} von {report.papers} Vorlagen in „{path.name}“ haben fehlende oder falsche "
            f"Felder und wurden übersprungen (die übrigen sind eingelesen): {shown}{more}",
        )
