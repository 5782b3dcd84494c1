"""Ingestion that keeps the embedder busy: reading, layout normalisation, chunking and tokenising in
worker processes; settling ids, embedding and writing in this process, the one writer to the store.

- Worker processes (``concurrent.futures.ProcessPoolExecutor``, started with ``spawn``: no copy of the
  open Chroma/SQLite handles) get tasks of ``IngestSettings.batch`` Vorlagen of an OParl dump, or one
  document file (PDF, text, HTML), and return ``PreparedVorlage``s.
- At most ``workers × queue`` tasks are in flight; OParl dumps (``.jsonl``, ``.gz``, ``.xz``) are
  streamed line by line in this process, so memory stays bounded whatever the dump's size.
- Results are written in input order through ``Ingestor._store_one``: the same ids, conflicts, legacy
  migrations, journal (``pending_vectors``) and report as the serial ``Ingestor``.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from pydantic import BaseModel

from ingest.errors import LoaderError
from ingest.identity import SourceFile
from ingest.loaders import OPARL_SUFFIXES, LoadReport, load_path, suffix_of
from ingest.oparl_lookups import OParlLookupFiles
from ingest.pipeline import IngestFailure, Ingestor, IngestProgress, IngestReport, ProgressCallback
from ingest.prepare import PreparedBatch, exit_with_parent, identify, prepare_batch, prepare_file
from vorlagen.domain import Vorlage
from vorlagen.settings import Settings
from vorlagen.store import VorlagenStore


MIN_FILES_FOR_WORKERS = 8


class _Task(BaseModel):
    """One unit of work, in input order: its source and either a worker's future or a failure."""

    model_config = {"arbitrary_types_allowed": True}

    index: int
    source: SourceFile
    future: Future | None = None
    failure: str | None = None


class ParallelIngestor(Ingestor):
    """``Ingestor`` with parsing and chunking in worker processes (``Settings.ingest``); with 0 workers
    it is the serial ``Ingestor``."""

    def __init__(self, settings: Settings, store: VorlagenStore, oparl_files: OParlLookupFiles | None = None) -> None:
        super().__init__(settings, store, oparl_files)
        self.workers = settings.ingest.worker_count()

    def ingest_sources(
        self,
        sources: Sequence[SourceFile],
        progress: ProgressCallback | None = None,
        report: IngestReport | None = None,
    ) -> IngestReport:
        if not self._worth_workers(sources):
            return super().ingest_sources(sources, progress, report)
        started = time.perf_counter()
        report = report if report is not None else IngestReport()
        dumps: list[LoadReport] = []
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=context, initializer=exit_with_parent, initargs=(os.getpid(),)
        )
        try:
            in_flight: deque[_Task] = deque()
            limit = self.workers * self.settings.ingest.queue
            announced = -1
            for task in self._tasks(pool, sources, dumps):
                in_flight.append(task)
                while len(in_flight) >= limit or (in_flight and in_flight[0].future is None):
                    announced = self._write(in_flight.popleft(), len(sources), report, progress, announced)
            while in_flight:
                announced = self._write(in_flight.popleft(), len(sources), report, progress, announced)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        report.oparl_dumps.extend(dumps)
        report.seconds = time.perf_counter() - started
        return report

    def _worth_workers(self, sources: Sequence[SourceFile]) -> bool:
        """Workers pay off for an OParl dump or many files; a few files (an upload, the seeds) are
        quicker in this process than starting worker processes."""
        if self.workers == 0:
            return False
        return len(sources) >= MIN_FILES_FOR_WORKERS or any(suffix_of(s.path) in OPARL_SUFFIXES for s in sources)

    def _tasks(
        self, pool: ProcessPoolExecutor, sources: Sequence[SourceFile], dumps: list[LoadReport]
    ) -> Iterator[_Task]:
        """Tasks in input order; a dump's papers are read here as a stream and sent on in batches (what
        was read and skipped of each dump goes into ``dumps``)."""
        chunking, city = self.settings.chunking, self.settings.default_city
        for index, source in enumerate(sources):
            if suffix_of(source.path) not in OPARL_SUFFIXES:
                future = pool.submit(prepare_file, source, self.extractor, chunking, city)
                yield _Task(index=index, source=source, future=future)
                continue
            loaded = LoadReport(source=str(source.path))
            batch: list[Vorlage] = []
            failure: str | None = None
            try:
                papers = load_path(source.path, default_city=city, report=loaded, **self._oparl_lookups(source.path))
                for paper in papers:
                    batch.append(identify(paper, source, self.extractor))
                    if len(batch) >= self.settings.ingest.batch:
                        yield _Task(index=index, source=source, future=pool.submit(prepare_batch, batch, chunking))
                        batch = []
            except LoaderError as error:  # raised after the valid papers: they are stored, the rest reported
                failure = str(error)
            if batch:
                yield _Task(index=index, source=source, future=pool.submit(prepare_batch, batch, chunking))
            if failure is not None:
                yield _Task(index=index, source=source, failure=failure)
            if loaded.papers or loaded.skipped_other_objects:
                dumps.append(loaded)

    def _write(
        self, task: _Task, file_count: int, report: IngestReport, progress: ProgressCallback | None, announced: int
    ) -> int:
        """The one writer: store a task's Vorlagen in order. Returns the index of the last file announced."""
        path: Path = task.source.path
        if progress and task.index != announced:
            progress(IngestProgress(file=path.name, file_index=task.index, file_count=file_count))
        prepared = task.future.result() if task.future is not None else PreparedBatch(failure=task.failure)
        if prepared.failure is not None:
            report.failed.append(IngestFailure(source=str(path), message=prepared.failure))
        for item in prepared.vorlagen:
            status, vorlage = self._store_one(item.vorlage, report, item)
            if progress:
                progress(IngestProgress(file=path.name, file_index=task.index, file_count=file_count,
                                        vorlage=vorlage.source_name, status=status))
        return task.index
