"""Council documents as the product stores them: a ``Vorlage`` with its metadata (``VorlageMetadata``,
``Beratung``, ``PaperLink``), its text spans, the ``Chunk`` cited from it with its metadata (``ChunkMeta``) and the search filters."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

if TYPE_CHECKING:
    from langchain_core.documents import Document


class Beratung(BaseModel):
    """One step of the Beratungsfolge: which body handles the Vorlage, in which role, when."""

    gremium: str
    rolle: str | None = None
    datum: date | None = None
    oeffentlich: bool | None = None
    ergebnis: str | None = None
    """Result of the agenda item (OParl ``AgendaItem.result``, e.g. „einstimmig beschlossen“)."""
    beschlusstext: str | None = None
    """The resolution as recorded for the agenda item (OParl ``AgendaItem.resolutionText``), if any."""


PaperRelation = Literal["superordinated", "subordinated"]


class PaperLink(BaseModel):
    """A paper an OParl Paper names as ``superordinatedPaper`` or ``subordinatedPaper`` (Ergänzungen
    „…/1“, Änderungsanträge, Berichte). Councils fill the two lists in either direction, so the relation
    is kept as stated and the order of a chain comes from the papers' dates."""

    doc_id: str
    """The linked paper's OParl id (its ``doc_id`` once it is ingested)."""
    relation: PaperRelation


class TextSpan(BaseModel):
    """A span of ``Vorlage.text``: a PDF page or one attached file of an OParl paper."""

    start: int
    end: int
    page: int | None = None
    label: str | None = None


class VorlageMetadata(BaseModel):
    """The fields a Vorlage states about itself (None: not stated). Read from the text of a file by
    ``ingest.metadata.extract_metadata``; an OParl paper brings them along. ``Vorlage`` adds what was read."""

    drucksache: str | None = None
    title: str | None = None
    datum: date | None = None
    vorlagenart: str | None = None
    referat: str | None = None
    """Referat / Dezernat responsible."""
    amt: str | None = None
    """Amt / Dienststelle responsible."""
    stadt: str | None = None
    beratungsfolge: list[Beratung] = Field(default_factory=list)


class Vorlage(VorlageMetadata):
    """A council document as stored: its metadata, where it came from and its text."""

    doc_id: str
    """Stable id, unique per source: the OParl id for OParl papers, ``upload/<upload id>`` for uploads,
    the path relative to the ingest root for files (``seeds/vorlage.txt``; see ``ingest.identity``)."""
    source: str
    """Where it came from: a file path or an OParl URL."""
    source_name: str
    """Short name as users and question sets refer to it (file name, or the Drucksachennummer)."""
    text: str
    spans: list[TextSpan] = Field(default_factory=list)
    links: list[PaperLink] = Field(default_factory=list)
    """Papers this one names as super- or subordinated (OParl)."""
    extractor: str | None = None
    """Which extraction produced text and fields (ingest version and chunking settings)."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def content_hash(self) -> str:
        """What is stored, not where it came from: text, spans, every extracted field and the
        extractor – a better extraction or a changed OParl consultation changes it."""
        stored = self.model_dump(mode="json", exclude={"doc_id", "source", "source_name", "content_hash"})
        _without_unset_additions(stored)
        return hashlib.sha256(json.dumps(stored, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()

    @property
    def year(self) -> int | None:
        return self.datum.year if self.datum else None

    def span_at(self, offset: int) -> TextSpan | None:
        for span in self.spans:
            if span.start <= offset < span.end:
                return span
        return None


def _without_unset_additions(stored: dict[str, Any]) -> None:
    """Fields added after the first stored indexes (paper links, the resolution text of a consultation) count
    for the hash only when set: a document without them keeps the hash it was stored with."""
    if not stored.get("links"):
        stored.pop("links", None)
    for beratung in stored.get("beratungsfolge") or []:
        if beratung.get("beschlusstext") is None:
            beratung.pop("beschlusstext", None)


class Chunk(BaseModel):
    chunk_id: str
    doc_id: str
    text: str
    start: int
    end: int
    section: str | None = None
    page: int | None = None
    part: str | None = None
    """Attached file the chunk comes from (OParl ``auxiliaryFile.name``)."""

    def metadata(self, vorlage: Vorlage, content_hash: str | None = None) -> dict[str, Any]:
        """Flat metadata for the vector store (only str/int/float/bool, no None).
        ``content_hash``: ``vorlage.content_hash`` if the caller has it already – it hashes the whole
        Vorlage, so a writer computes it once per Vorlage, not once per chunk."""
        return ChunkMeta(
            chunk_id=self.chunk_id,
            doc_id=self.doc_id,
            source_name=vorlage.source_name,
            start=self.start,
            end=self.end,
            section=self.section,
            page=self.page,
            part=self.part,
            drucksache=vorlage.drucksache,
            title=vorlage.title,
            vorlagenart=vorlage.vorlagenart,
            stadt=vorlage.stadt,
            year=vorlage.year,
            datum=vorlage.datum.isoformat() if vorlage.datum else None,
            content_hash=content_hash or vorlage.content_hash,
        ).store_metadata()


class ChunkMeta(BaseModel):
    """The metadata of a stored chunk, as the vector store and the keyword index hand it back
    (``Document.metadata``): the one typed reading of it."""

    model_config = ConfigDict(extra="ignore")

    chunk_id: str
    doc_id: str
    source_name: str
    start: int = 0
    """Offset of the chunk in ``Vorlage.text``."""
    end: int = 0
    section: str | None = None
    page: int | None = None
    part: str | None = None
    drucksache: str | None = None
    title: str | None = None
    vorlagenart: str | None = None
    stadt: str | None = None
    year: int | None = None
    datum: str | None = None
    """ISO date of the Vorlage."""
    content_hash: str | None = None
    rank: int | None = None
    """Retrieval rank (1 = best), set by the retriever."""

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, Any]) -> ChunkMeta:
        values = dict(metadata)
        if not values.get("source_name"):
            values["source_name"] = values.get("drucksache") or values.get("doc_id") or ""
        return cls.model_validate(values)

    @classmethod
    def from_document(cls, document: Document) -> ChunkMeta:
        return cls.from_metadata(document.metadata)

    def store_metadata(self) -> dict[str, Any]:
        """Flat metadata for the vector store (only str/int/float/bool, no None, no rank)."""
        return self.model_dump(exclude_none=True, exclude={"rank"})


class SearchFilters(BaseModel):
    """Metadata filters of a question (all optional)."""

    stadt: str | None = None
    jahr_von: int | None = Field(default=None, ge=1, le=9999)
    jahr_bis: int | None = Field(default=None, ge=1, le=9999)
    """Years as calendar dates have them (1–9999): a year beyond a 64-bit integer made Chroma refuse the
    where clause (a 500 found by fuzzing); now it is a 422 naming the field."""
    vorlagenart: str | None = None
    drucksache: str | None = None

    def is_empty(self) -> bool:
        return not any(self.model_dump().values())
