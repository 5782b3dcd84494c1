"""Ingestion: files and OParl dumps -> Vorlagen -> chunks -> embeddings -> store.

A file that cannot be read is reported (German message naming the file) and skipped; the other files
go on, and nothing already stored is touched by a failure. Which id a document gets, and what
happens when an id is already stored, is decided in ``ingest.identity``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from ingest.chunking import DroppedChunk, chunk_vorlage_with_report
from ingest.layout import normalize_vorlage
from ingest.prepare import PreparedVorlage, identify
from ingest.errors import LoaderError
from ingest.identity import SourceFile, extractor_signature, settle, source_files, upload_source
from ingest.loaders import LoadReport, load_path
from ingest.oparl_lookups import OParlLookupFiles, OParlLookupReader
from vorlagen.domain import Vorlage
from vorlagen.settings import Settings
from vorlagen.store import UpsertStatus, VorlagenStore


class IngestFailure(BaseModel):
    source: str
    message: str


class IdConflict(BaseModel):
    """A document whose id was taken by a different document from another source: both are kept."""

    doc_id: str
    kept_as: str
    source: str


class IngestReport(BaseModel):
    """Document ids by outcome, and what was read but not stored (the ingest summary of the CLI, of
    ``vorlagen ingest --json`` and of an upload job)."""

    added: list[str] = Field(default_factory=list)
    replaced: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    duplicates: list[str] = Field(default_factory=list)
    conflicts: list[IdConflict] = Field(default_factory=list)
    migrated: list[str] = Field(default_factory=list)
    """Old ids (bare file names) replaced by their path ids."""
    failed: list[IngestFailure] = Field(default_factory=list)
    chunks_added: int = 0
    dropped_chunks: list[DroppedChunk] = Field(default_factory=list)
    """Pieces of the stored documents dropped as noise (plan labels, glyph tables …), with the reason."""
    oparl_dumps: list[LoadReport] = Field(default_factory=list)
    """Per OParl dump: papers read, and which were skipped (without text, invalid) or were no Paper."""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def stored_nothing(self) -> bool:
        return not (self.added or self.replaced)


class IngestProgress(BaseModel):
    """One step of ingestion, for progress bars: a file started, or a Vorlage stored."""

    file: str
    file_index: int
    file_count: int
    vorlage: str | None = None
    status: str | None = None


ProgressCallback = Callable[[IngestProgress], None]


class Ingestor:
    def __init__(self, settings: Settings, store: VorlagenStore, oparl_files: OParlLookupFiles | None = None) -> None:
        """``oparl_files``: Organization and Meeting dumps for OParl paper dumps (else the ones beside each dump)."""
        self.settings = settings
        self.store = store
        self.extractor = extractor_signature(settings.chunking)
        self.oparl_lookups = OParlLookupReader(oparl_files)

    def ingest_paths(
        self, paths: Sequence[Path], progress: ProgressCallback | None = None
    ) -> IngestReport:
        """Files and folders (recursively); each file's id is its path relative to the ingest root."""
        report = IngestReport()
        for missing in [p for p in paths if not Path(p).exists()]:
            report.failed.append(
                IngestFailure(source=str(missing), message=f"{missing}: Datei oder Ordner nicht gefunden.")
            )
        return self.ingest_sources(source_files([Path(p) for p in paths]), progress, report)

    def ingest_upload(self, path: Path, *, upload_id: str, original_name: str) -> IngestReport:
        """An uploaded file, stored under ``upload/<upload_id>`` and shown with its original name."""
        return self.ingest_sources([upload_source(path, upload_id, original_name)])

    def ingest_sources(
        self,
        sources: Sequence[SourceFile],
        progress: ProgressCallback | None = None,
        report: IngestReport | None = None,
    ) -> IngestReport:
        started = time.perf_counter()
        report = report if report is not None else IngestReport()
        for index, source in enumerate(sources):
            if progress:
                progress(IngestProgress(file=source.path.name, file_index=index, file_count=len(sources)))
            loaded = LoadReport(source=str(source.path))
            try:
                vorlagen = load_path(
                    source.path,
                    default_city=self.settings.default_city,
                    report=loaded,
                    **self._oparl_lookups(source.path),
                )
                identified = (self._identify(vorlage, source) for vorlage in vorlagen)
                self._store_all(identified, report, source.path, index, len(sources), progress)
            except LoaderError as error:
                report.failed.append(IngestFailure(source=str(source.path), message=str(error)))
            if loaded.papers or loaded.skipped_other_objects:
                report.oparl_dumps.append(loaded)
        report.seconds = time.perf_counter() - started
        return report

    def _identify(self, vorlage: Vorlage, source: SourceFile) -> Vorlage:
        return identify(vorlage, source, self.extractor)

    def _oparl_lookups(self, path: Path) -> dict:
        """For an OParl paper dump: Gremium names, meeting dates and the agenda items' results from the
        Organization and Meeting dumps named or beside it (``ingest.oparl_lookups``)."""
        return self.oparl_lookups.for_dump(path).loader_arguments()

    def _store_all(
        self,
        vorlagen: Iterable[Vorlage],
        report: IngestReport,
        path: Path | None,
        file_index: int,
        file_count: int,
        progress: ProgressCallback | None,
    ) -> None:
        for candidate in vorlagen:
            status, vorlage = self._store_one(normalize_vorlage(candidate), report)
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

    def _store_one(
        self, normalized: Vorlage, report: IngestReport, prepared: PreparedVorlage | None = None
    ) -> tuple[UpsertStatus, Vorlage]:
        """Settle the id, store if new or changed (chunks and tokens from ``prepared`` when its id
        stayed), migrate legacy ids; the outcome goes into ``report``."""
        settled = settle(self.store, normalized)
        vorlage = settled.vorlage
        status = self.store.status_of(vorlage)
        if status in ("added", "replaced"):
            if prepared is not None and prepared.vorlage.doc_id == vorlage.doc_id:
                chunks, tokens, dropped = prepared.chunks, prepared.tokens, prepared.dropped
            else:  # no preparation, or the id changed (kept beside another document): chunk ids change
                chunking = chunk_vorlage_with_report(vorlage, self.settings.chunking)
                chunks, tokens, dropped = chunking.chunks, None, chunking.dropped
            status = self.store.upsert(vorlage, chunks, tokens=tokens)
            report.chunks_added += len(chunks)
            report.dropped_chunks.extend(dropped)
            if settled.conflict_with is not None:
                report.conflicts.append(
                    IdConflict(doc_id=settled.conflict_with, kept_as=vorlage.doc_id, source=vorlage.source)
                )
        for legacy_id in settled.legacy_ids:  # only after the new id is stored (or its content is)
            self.store.remove(legacy_id)
            report.migrated.append(legacy_id)
            status = "replaced" if status == "added" else status
        {
            "added": report.added,
            "replaced": report.replaced,
            "unchanged": report.unchanged,
            "duplicate": report.duplicates,
        }[status].append(vorlage.doc_id)
        return status, vorlage
