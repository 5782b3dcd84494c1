"""Live sync with an OParl endpoint: System → Body → Papers → Vorlagen in the store.

Per body: the paper list page by page (``links.next``), from the second run on only what changed
(``modified_since``). A paper whose ``modified`` is the one already synced is skipped without any
download; ``deleted: true`` removes the paper's chunks. File texts come from the OParl ``text`` field or
the downloaded file (PDF, HTML, text), and unchanged files (``sha512Checksum``/``sha1Checksum``, else the
SHA-256 of the download) are not parsed again. From the second run on, meetings changed since the last run
are read too: a stored paper consulted there is synced again even if its own ``modified`` did not change (a
result is recorded on the agenda item, not the paper). The Beratungsfolge comes from the consultations
(Organization → Gremium, Meeting → Datum, AgendaItem → Ergebnis and Beschlusstext); super- and subordinated
papers become links. The Paper → Vorlage mapping is the one
of the dump loader (``ingest.loaders.paper_to_vorlage``). Progress is committed after every paper and
page (``ingest.oparl_state``): an interrupted sync resumes where it stopped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlparse

from pydantic import BaseModel, Field

from ingest.chunking import chunk_vorlage
from ingest.errors import LoaderError
from ingest.loaders import decode_text, html_text, pdf_text
from ingest.oparl import AgendaOutcome, iso_date, known_oparl_bodies, paper_to_vorlage
from ingest.oparl_client import NotOParlError, OParlClient, OParlError, object_type
from ingest.oparl_state import StoredFile, SyncState
from vorlagen.settings import Settings
from vorlagen.store import VorlagenStore

_BODY_NAME_PREFIXES = ("Stadt ", "Gemeinde ", "Landkreis ", "Kreisverwaltung ", "Kreis ", "Markt ", "Kolpingstadt ")


class SyncFailure(BaseModel):
    object_id: str
    message: str


class BodyReport(BaseModel):
    body_id: str
    name: str
    city: str | None = None
    resumed: bool = False
    """This run continued an interrupted one."""
    pages: int = 0
    papers: int = 0
    added: list[str] = Field(default_factory=list)
    replaced: list[str] = Field(default_factory=list)
    unchanged: int = 0
    """Papers whose ``modified`` or content was already stored (nothing downloaded or embedded)."""
    duplicates: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    without_text: list[str] = Field(default_factory=list)
    files_downloaded: int = 0
    files_reused: int = 0
    retried: list[str] = Field(default_factory=list)
    """Papers fetched again because a file of theirs could not be downloaded last time."""
    rechecked: list[str] = Field(default_factory=list)
    """Papers fetched again because an agenda item consulting them changed (a result recorded later does
    not change the paper's own ``modified``)."""
    failed: list[SyncFailure] = Field(default_factory=list)


class SyncReport(BaseModel):
    endpoint: str
    bodies: list[BodyReport] = Field(default_factory=list)
    error: str | None = None
    """Why the endpoint could not be synced at all (unreachable, not OParl); German."""
    requests: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None and not any(body.failed for body in self.bodies)


class SyncProgress(BaseModel):
    """One paper handled (for progress bars)."""

    body: str
    papers_done: int
    papers_total: int | None = None
    paper: str | None = None
    status: str | None = None


ProgressCallback = Callable[[SyncProgress], None]


def city_of(body: dict[str, Any]) -> str | None:
    """The city of a Body: the known OParl bodies, else its short name or name without „Stadt“ etc."""
    known = known_oparl_bodies().get(str(body.get("id")))
    if known:
        return known
    name = str(body.get("shortName") or body.get("name") or "").strip()
    for prefix in _BODY_NAME_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :].strip() or None
    return name or None


def file_text(data: bytes, file: dict[str, Any]) -> str:
    """Text of a downloaded OParl File by its ``mimeType`` (else the name's suffix)."""
    name = str(file.get("fileName") or PurePosixPath(urlparse(str(file.get("accessUrl") or "")).path).name or file["id"])
    mime = str(file.get("mimeType") or "").lower()
    suffix = PurePosixPath(name).suffix.lower()
    if "pdf" in mime or suffix == ".pdf":
        return pdf_text(data, source=str(file["id"]), name=name)[0]
    if "html" in mime or suffix in (".html", ".htm"):
        return html_text(data)
    if mime.startswith("text/") or suffix in (".txt", ".text"):
        return decode_text(data, source=str(file["id"]), name=name)
    raise LoaderError(str(file["id"]), f"Die Datei „{name}“ ({mime or 'unbekannter Typ'}) wird nicht unterstützt.")


class OParlSync:
    """Syncs the bodies of one OParl endpoint into a store."""

    def __init__(
        self,
        settings: Settings,
        store: VorlagenStore,
        client: OParlClient | None = None,
        state: SyncState | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.client = client or OParlClient(settings.oparl)
        self.state = state or SyncState(settings.oparl.state_file or settings.data_dir / "oparl-sync.sqlite3")
        self._objects: dict[str, dict[str, Any] | None] = {}

    def close(self) -> None:
        self.client.close()
        self.state.close()

    # ---- endpoint and bodies ----------------------------------------------------------------------
    def bodies(self, url: str) -> list[dict[str, Any]]:
        """The Bodies behind a System or Body address."""
        root = self.client.get_object(url)
        kind = object_type(root)
        if kind == "Body":
            return [root]
        if kind != "System" or not isinstance(root.get("body"), str):
            raise NotOParlError(
                f"Die Adresse {url} ist ein OParl-Objekt vom Typ „{kind}“; erwartet wird die Adresse "
                "eines OParl-Systems (System) oder einer Körperschaft (Body)."
            )
        return [body for page in self.client.iter_list(root["body"]) for body in page.items]

    def sync(
        self, url: str, body_filter: str | None = None, progress: ProgressCallback | None = None, full: bool = False
    ) -> SyncReport:
        """Sync the bodies of ``url`` (those matching ``body_filter``). ``full``: every paper anew, not only those
        changed since the last run (after an update that reads papers differently); a paper whose stored version
        comes out the same stays, files with an unchanged checksum are not downloaded again."""
        started = datetime.now(timezone.utc)
        self._objects.clear()  # referenced objects (agenda items with their results) are read anew each run
        report = SyncReport(endpoint=url)
        bodies = self.bodies(url)
        if body_filter:
            wanted = body_filter.casefold()
            bodies = [
                b for b in bodies
                if wanted in (str(b.get("id", "")).casefold(), str(b.get("shortName", "")).casefold())
                or wanted in str(b.get("name", "")).casefold()
            ]
            if not bodies:
                raise OParlError(f"Die OParl-Schnittstelle {url} hat keine Körperschaft „{body_filter}“.")
        self.state.remember_endpoint(url, body_filter)
        for body in bodies:
            report.bodies.append(self.sync_body(url, body, progress, full))
        report.requests = self.client.requests
        report.seconds = (datetime.now(timezone.utc) - started).total_seconds()
        return report

    def sync_body(self, endpoint: str, body: dict[str, Any], progress: ProgressCallback | None = None,
                  full: bool = False) -> BodyReport:
        body_id = str(body["id"])
        report = BodyReport(body_id=body_id, name=str(body.get("name") or body_id), city=city_of(body))
        if not isinstance(body.get("paper"), str):
            return report
        stored = self.state.progress(body_id)
        since = None
        if stored.last_sync is not None and not full:
            since = stored.last_sync - timedelta(seconds=self.settings.oparl.modified_since_margin_s)
        if stored.cursor and not full:
            report.resumed, url = True, stored.cursor
        else:
            url = self.client.list_url(body["paper"], since)
            self.state.start_run(endpoint, body_id, datetime.now(timezone.utc), url)
        seen_pages: set[str] = set()
        handled: set[str] = set()
        total: int | None = None

        def one(item: dict[str, Any], force: bool = False) -> None:
            status = self._sync_paper(item, body_id, report, force)
            handled.add(str(item["id"]))
            report.papers += 1
            if progress:
                progress(SyncProgress(body=report.name, papers_done=report.papers, papers_total=total,
                                      paper=str(item.get("reference") or item["id"]), status=status))

        while url and url not in seen_pages:
            seen_pages.add(url)
            page = self.client.page(url)
            report.pages += 1
            total = page.total if page.total is not None else total
            for item in page.items:
                if object_type(item) in ("Paper", "") and item.get("id"):
                    one(item, force=full)
            self.state.advance(body_id, page.next_url)
            url = page.next_url
        for paper_id in self.state.papers_to_retry(body_id):
            if paper_id in handled:
                continue
            try:
                item = self.client.get_object(paper_id)
            except OParlError as error:
                report.failed.append(SyncFailure(object_id=paper_id, message=f"Vorlage erneut nicht geladen: {error}"))
                continue
            report.retried.append(paper_id)
            one(item)
        if since is not None and isinstance(body.get("meeting"), str):
            for paper_id in self._papers_of_changed_meetings(body["meeting"], since, handled, report):
                try:
                    item = self.client.get_object(paper_id)
                except OParlError as error:
                    report.failed.append(SyncFailure(object_id=paper_id, message=f"Vorlage nicht geladen: {error}"))
                    continue
                report.rechecked.append(paper_id)
                one(item, force=True)
        self.state.finish_run(body_id)
        return report

    def _papers_of_changed_meetings(
        self, meetings_url: str, since: datetime, handled: set[str], report: BodyReport
    ) -> list[str]:
        """Stored papers consulted in a meeting changed since the last run (its agenda items carry the results),
        that this run has not synced yet."""
        found: list[str] = []
        try:
            pages = list(self.client.iter_list(meetings_url, since))
        except OParlError as error:
            report.failed.append(SyncFailure(object_id=meetings_url, message=f"Sitzungen nicht geladen: {error}"))
            return found
        for meeting in (meeting for page in pages for meeting in page.items):
            for entry in meeting.get("agendaItem") or []:
                item = entry if isinstance(entry, dict) else self._object(entry)
                consultation = self._object(item.get("consultation")) if item else None
                paper_id = consultation.get("paper") if consultation else None
                if isinstance(paper_id, str) and paper_id not in handled and paper_id not in found \
                        and self.state.known_paper(paper_id):
                    found.append(paper_id)
        return found

    # ---- one paper ---------------------------------------------------------------------------------
    def _sync_paper(self, paper: dict[str, Any], body_id: str, report: BodyReport, force: bool = False) -> str:
        """``force``: read the paper's consultations again even if its ``modified`` is the one synced."""
        paper_id = str(paper["id"])
        if paper.get("deleted"):
            if self.store.remove(paper_id) or self.state.known_paper(paper_id):
                report.removed.append(paper_id)
            self.state.paper_deleted(paper_id)
            return "removed"
        modified = paper.get("modified")
        if modified and not force and self.state.paper_modified(paper_id) == modified:
            report.unchanged += 1
            return "unchanged"
        not_downloaded: list[str] = []
        with_texts = self._with_file_texts(paper, report, not_downloaded)
        if not_downloaded:  # nothing half-stored: the stored version stays, the next sync tries again
            message = (
                f"Vorlage nicht übernommen: {len(not_downloaded)} Datei(en) konnten nicht geladen werden; "
                "der bisher gespeicherte Stand bleibt, der nächste Abgleich versucht es erneut."
            )
            report.failed.append(SyncFailure(object_id=paper_id, message=message))
            self.state.paper_failed(paper_id, body_id, message)
            return "failed"
        try:
            vorlage = paper_to_vorlage(
                with_texts,
                default_city=self.settings.default_city,
                bodies={str(paper.get("body") or body_id): report.city or ""},
                **self._consultation_lookups(paper),
            )
        except OParlError as error:
            report.failed.append(SyncFailure(object_id=paper_id, message=str(error)))
            return "failed"
        if vorlage is None:
            self.store.remove(paper_id)  # a paper that lost its text keeps no old chunks
            report.without_text.append(paper_id)
            self.state.paper_done(paper_id, body_id, modified)
            return "without_text"
        status = self.store.status_of(vorlage)
        if status in ("added", "replaced"):
            status = self.store.upsert(vorlage, chunk_vorlage(vorlage, self.settings.chunking))
        if status == "added":
            report.added.append(vorlage.source_name)
        elif status == "replaced":
            report.replaced.append(vorlage.source_name)
        elif status == "duplicate":
            report.duplicates.append(vorlage.source_name)
        else:
            report.unchanged += 1
        self.state.paper_done(paper_id, body_id, modified)
        return status

    def _with_file_texts(
        self, paper: dict[str, Any], report: BodyReport, not_downloaded: list[str]
    ) -> dict[str, Any]:
        """A copy of the paper whose files carry their ``text`` (downloaded and parsed if needed); the
        ids of files that could not be downloaded go into ``not_downloaded``."""
        copy = dict(paper)
        if isinstance(paper.get("mainFile"), dict):
            copy["mainFile"] = self._file_with_text(paper["mainFile"], report, not_downloaded)
        copy["auxiliaryFile"] = [
            self._file_with_text(item, report, not_downloaded)
            for item in paper.get("auxiliaryFile") or [] if isinstance(item, dict)
        ]
        return copy

    def _file_with_text(self, file: dict[str, Any], report: BodyReport, not_downloaded: list[str]) -> dict[str, Any]:
        if (file.get("text") or "").strip() or not file.get("id"):
            return file
        file_id = str(file["id"])
        checksum = file.get("sha512Checksum") or file.get("sha1Checksum")
        stored = self.state.stored_file(file_id)
        if stored is not None and checksum and stored.checksum == checksum:
            report.files_reused += 1
            return {**file, "text": stored.text}
        url = file.get("downloadUrl") or file.get("accessUrl")
        if not url:
            return file
        try:
            data = self.client.download(str(url))
        except OParlError as error:
            report.failed.append(SyncFailure(object_id=file_id, message=f"Datei nicht geladen: {error}"))
            not_downloaded.append(file_id)
            return file
        digest = hashlib.sha256(data).hexdigest()
        if stored is not None and stored.sha256 == digest:
            report.files_reused += 1
            text = stored.text
        else:
            try:
                text = file_text(data, file)
            except LoaderError as error:
                report.failed.append(SyncFailure(object_id=file_id, message=str(error)))
                text = ""
            report.files_downloaded += 1
        self.state.store_file(file_id, StoredFile(checksum=checksum, sha256=digest, text=text))
        return {**file, "text": text}

    def _object(self, url: Any) -> dict[str, Any] | None:
        """A referenced object (Organization, Meeting, AgendaItem), fetched once per run; None if unreadable."""
        if not isinstance(url, str):
            return None
        if url not in self._objects:
            try:
                self._objects[url] = self.client.get_object(url)
            except OParlError:
                self._objects[url] = None
        return self._objects[url]

    def _consultation_lookups(self, paper: dict[str, Any]) -> dict[str, dict]:
        organizations: dict[str, str] = {}
        meeting_dates: dict[str, date] = {}
        agenda_results: dict[str, AgendaOutcome] = {}
        consultations = [c for c in paper.get("consultation") or [] if isinstance(c, dict)]
        org_ids = [*(paper.get("underDirectionOf") or []), *(o for c in consultations for o in c.get("organization") or [])]
        for org_id in org_ids:
            organization = self._object(org_id)
            if organization and organization.get("name"):
                organizations[org_id] = str(organization["name"])
        for consultation in consultations:
            meeting = self._object(consultation.get("meeting"))
            if meeting and iso_date(meeting.get("start")):
                meeting_dates[consultation["meeting"]] = iso_date(meeting.get("start"))
            agenda_item = self._object(consultation.get("agendaItem"))
            if agenda_item and (outcome := AgendaOutcome.of(agenda_item)):
                agenda_results[consultation["agendaItem"]] = outcome
        return {"organizations": organizations, "meeting_dates": meeting_dates, "agenda_results": agenda_results}
