"""Who a document is: ids unique per source, and what a re-ingestion does with an id already stored.

- A file's id is its path relative to the ingest root: the parent of the folder named on the command
  line, so ``vorlagen ingest a/ b/`` stores ``a/vorlage.txt`` and ``b/vorlage.txt`` (a file named
  directly counts from its folder: ``a/vorlage.txt`` as well). OParl papers keep their OParl id;
  uploads get ``upload/<upload id>``.
- The same id from the same source with other content replaces the stored document (reported).
  The same id from a *different* source with other content never replaces it: the newcomer is kept
  beside it under ``<id>~<8 hex digits of its path>`` (reported).
- Indexes built before ids were paths (id = bare file name, a text-only hash) are migrated when their
  documents are ingested again: a stored document under the bare file name with the same text or the
  same file is replaced by the new id (reported as replaced and migrated).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from ingest.loaders import OPARL_SUFFIXES, discover_files, suffix_of
from vorlagen.domain import Vorlage
from vorlagen.settings import ChunkingSettings

if TYPE_CHECKING:  # the store is handed in; importing it here would load Chroma for every caller
    from vorlagen.store import VorlagenStore

INGEST_VERSION = "2026.12.1"
"""Raise when loaders, metadata extraction or chunking change what is stored for the same file:
every document's content hash changes, so the next ingestion replaces them all."""

UPLOAD_ID_PREFIX = "upload/"


def extractor_signature(chunking: ChunkingSettings) -> str:
    """``Vorlage.extractor``: the ingest version and the chunking settings the chunks were cut with."""
    return (
        f"{INGEST_VERSION};chunks={chunking.chunk_size}/{chunking.chunk_overlap}"
        f"/{chunking.min_chunk_chars}/{chunking.max_noise_ratio}"
    )


class SourceFile(BaseModel):
    """One file to ingest, with the identity of what it holds."""

    path: Path
    """Absolute."""
    doc_id: str | None = None
    """The id of its document; None for OParl dumps (each paper brings its OParl id)."""
    source_name: str | None = None
    """Name shown to users if not the file name (uploads: the uploaded file's original name)."""


def file_doc_id(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def source_files(paths: Sequence[Path]) -> list[SourceFile]:
    """The files under ``paths`` with their ids (each file once, first naming wins)."""
    found: list[SourceFile] = []
    seen: set[Path] = set()
    for given in paths:
        named = Path(os.path.abspath(given))
        root = named.parent if named.is_dir() else named.parent.parent
        for path in discover_files([named]):
            if path in seen:
                continue
            seen.add(path)
            oparl = suffix_of(path) in OPARL_SUFFIXES
            found.append(SourceFile(path=path, doc_id=None if oparl else file_doc_id(path, root)))
    return found


def upload_source(path: Path, upload_id: str, original_name: str) -> SourceFile:
    return SourceFile(path=Path(os.path.abspath(path)), doc_id=f"{UPLOAD_ID_PREFIX}{upload_id}", source_name=original_name)


class Settled(BaseModel):
    """A Vorlage with its final id, and what happens beside storing it."""

    vorlage: Vorlage
    conflict_with: str | None = None
    """The id of a different document from another source that this one was kept beside."""
    legacy_ids: list[str] = Field(default_factory=list)
    """Documents stored under the old id (bare file name) that this one replaces."""


def _path_digest(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:8]


def settle(store: VorlagenStore, vorlage: Vorlage) -> Settled:
    """The id under which ``vorlage`` is stored without replacing a different document."""
    existing = store.get_vorlage(vorlage.doc_id)
    if existing is None:
        return Settled(vorlage=vorlage, legacy_ids=_legacy_ids(store, vorlage))
    if existing.source == vorlage.source or store.status_of(vorlage) == "unchanged":
        return Settled(vorlage=vorlage)
    # another source under this id: kept beside it, under an id derived from its own path
    beside = vorlage.model_copy(update={"doc_id": f"{vorlage.doc_id}~{_path_digest(vorlage.source)}"})
    return Settled(vorlage=beside, conflict_with=vorlage.doc_id)


def _legacy_ids(store: VorlagenStore, vorlage: Vorlage) -> list[str]:
    """Ids of the same document in an index from before path ids: the bare file name as id, with the
    same text or read from the same file."""
    if "/" not in vorlage.doc_id or vorlage.source == vorlage.doc_id:  # OParl ids are their own source
        return []
    found = []
    for doc_id in store.find_doc_ids(vorlage.source_name):
        if "/" in doc_id or doc_id == vorlage.doc_id:
            continue
        old = store.get_vorlage(doc_id)
        if old is None or old.source_name != doc_id:
            continue
        same_file = Path(os.path.abspath(old.source)) == Path(vorlage.source)
        if same_file or old.text == vorlage.text:
            found.append(doc_id)
    return found


def legacy_document_count(doc_ids: Sequence[str]) -> int:
    """How many of ``doc_ids`` are ids of the old kind (a bare file name, no folder)."""
    return sum(1 for doc_id in doc_ids if "/" not in doc_id)
