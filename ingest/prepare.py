"""A Vorlage made ready for the store: identified by its source, layout-normalised, chunked and tokenised.

Light on purpose (no store, no Chroma): the worker processes of ``ingest.parallel`` import only this
module; the serial ``ingest.pipeline.Ingestor`` uses ``identify`` in its own process.
"""

from __future__ import annotations

import os
import threading
import time

from pydantic import BaseModel

from ingest.chunking import DroppedChunk, chunk_vorlage_with_report
from ingest.errors import LoaderError
from ingest.identity import SourceFile
from ingest.layout import normalize_vorlage
from ingest.loaders import load_path
from vorlagen.domain import Chunk, Vorlage
from vorlagen.settings import ChunkingSettings
from vorlagen.text import tokenize


def identify(vorlage: Vorlage, source: SourceFile, extractor: str) -> Vorlage:
    """The Vorlage with the id and name its source gives it, and the extractor signature."""
    update: dict[str, object] = {"extractor": extractor}
    if source.doc_id is not None:  # a document file (OParl papers keep their OParl id)
        update.update(doc_id=source.doc_id, source=str(source.path))
    if source.source_name is not None:
        update["source_name"] = source.source_name
    return vorlage.model_copy(update=update)


class PreparedVorlage(BaseModel):
    """A Vorlage made ready for the store away from the writer (``ingest.parallel``): layout-normalised,
    chunked, each chunk's German tokens joined by spaces."""

    vorlage: Vorlage
    chunks: list[Chunk]
    tokens: list[str]
    dropped: list[DroppedChunk] = []
    """Noise the chunker left out (reported in the ingest summary)."""


def prepare_vorlage(vorlage: Vorlage, chunking: ChunkingSettings) -> PreparedVorlage:
    normalized = normalize_vorlage(vorlage)
    result = chunk_vorlage_with_report(normalized, chunking)
    tokens = [" ".join(tokenize(c.text)) for c in result.chunks]
    return PreparedVorlage(vorlage=normalized, chunks=result.chunks, tokens=tokens, dropped=result.dropped)


# ---- worker processes of ingest.parallel -------------------------------------------------------
def exit_with_parent(parent_pid: int) -> None:
    """Worker initializer: end this worker when the main process is gone (even after a SIGKILL), so
    no orphan keeps running or holds the caller's output pipes open."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


class PreparedBatch(BaseModel):
    """What a worker returns for one task: the prepared Vorlagen, or why the file could not be read."""

    vorlagen: list[PreparedVorlage] = []
    failure: str | None = None


def prepare_file(source: SourceFile, extractor: str, chunking: ChunkingSettings, default_city: str | None) -> PreparedBatch:
    """Worker: read one document file and prepare its Vorlage(n)."""
    try:
        loaded = list(load_path(source.path, default_city=default_city))
    except LoaderError as error:
        return PreparedBatch(failure=str(error))
    return PreparedBatch(vorlagen=[prepare_vorlage(identify(v, source, extractor), chunking) for v in loaded])


def prepare_batch(vorlagen: list[Vorlage], chunking: ChunkingSettings) -> PreparedBatch:
    """Worker: prepare identified Vorlagen (papers of an OParl dump)."""
    return PreparedBatch(vorlagen=[prepare_vorlage(v, chunking) for v in vorlagen])
