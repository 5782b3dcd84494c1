"""Ingestion: files and OParl dumps -> Vorlagen -> chunks -> embeddings -> store.

A file that cannot be read is reported (German message naming the file) and skipped; the other files
go on, and nothing already stored is touched by a failure.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from ingest.chunking import chunk_vorlage
from ingest.layout import normalize_vorlage
from ingest.errors import LoaderError
from ingest.loaders import (
    OPARL_SUFFIXES,
    discover_files,
    load_path,
    read_meeting_dates,
    read_organization_names,
    suffix_of,
)
from vorlagen.domain import Vorlage
from vorlagen.settings import Settings
from vorlagen.store import VorlagenStore


class IngestFailure(BaseModel):
    source: str
    message: str


class IngestReport(BaseModel):
    added: list[str] = Field(default_factory=list)
    replaced: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    duplicates: list[str] = Field(default_factory=list)
    failed: list[IngestFailure] = Field(default_factory=list)
    chunks_added: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


class IngestProgress(BaseModel):
    """One step of ingestion, for progress bars: a file started, or a Vorlage stored."""

    file: str
    file_index: int
    file_count: int
    vorlage: str | None = None
    status: str | None = None


ProgressCallback = Callable[[IngestProgress], None]


class Ingestor:
    def __init__(self, settings: Settings, store: VorlagenStore) -> None:
        self.settings = settings
        self.store = store

    def ingest_paths(
        self, paths: Sequence[Path], progress: ProgressCallback | None = None
    ) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        files = discover_files([Path(p) for p in paths])
        for missing in [p for p in paths if not Path(p).exists()]:
            report.failed.append(
                IngestFailure(source=str(missing), message=f"{missing}: Datei oder Ordner nicht gefunden.")
            )
        for index, path in enumerate(files):
            if progress:
                progress(IngestProgress(file=path.name, file_index=index, file_count=len(files)))
            try:
                vorlagen = load_path(path, default_city=self.settings.default_city, **self._oparl_lookups(path))
                self._store_all(vorlagen, report, path, index, len(files), progress)
            except LoaderError as error:
                report.failed.append(IngestFailure(source=str(path), message=str(error)))
        report.seconds = time.perf_counter() - started
        return report

    @staticmethod
    def _oparl_lookups(path: Path) -> dict:
        """For an OParl paper dump: Gremium names and meeting dates from the Organization and
        Meeting dumps beside it (``*organizations*.jsonl*``, ``*meetings*.jsonl*``), if present."""
        if suffix_of(path) not in OPARL_SUFFIXES:
            return {}
        lookups: dict = {}
        for sibling in sorted(path.parent.iterdir()):
            if sibling == path or suffix_of(sibling) not in OPARL_SUFFIXES:
                continue
            if "organization" in sibling.name and "organizations" not in lookups:
                lookups["organizations"] = read_organization_names(sibling)
            elif "meeting" in sibling.name and "meeting_dates" not in lookups:
                lookups["meeting_dates"] = read_meeting_dates(sibling)
        return lookups

    def _store_all(
        self,
        vorlagen: Iterable[Vorlage],
        report: IngestReport,
        path: Path | None,
        file_index: int,
        file_count: int,
        progress: ProgressCallback | None,
    ) -> None:
        for loaded in vorlagen:
            vorlage = normalize_vorlage(loaded)
            status = self.store.status_of(vorlage)
            if status in ("added", "replaced"):
                chunks = chunk_vorlage(vorlage, self.settings.chunking)
                status = self.store.upsert(vorlage, chunks)
                report.chunks_added += len(chunks)
            {
                "added": report.added,
                "replaced": report.replaced,
                "unchanged": report.unchanged,
                "duplicate": report.duplicates,
            }[status].append(vorlage.source_name)
            if progress and path is not None:
                progress(
                    IngestProgress(
                        file=path.name,
                        file_index=file_index,
                        file_count=file_count,
                        vorlage=vorlage.source_name,
                        status=status,
                    )
                )
