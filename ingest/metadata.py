"""Metadata of a Vorlage read from its text (files; OParl papers bring theirs along).

Every field is taken from an explicit statement in the document: a field the document does not
state stays ``None`` – nothing is guessed from file names or body text. The header of a
Vorlage (the part before its first section heading) is where most fields live.

One module per job: the header and its text primitives (``ingest.header``), the title's four steps
(``ingest.title``), the other fields with one function per strategy (``ingest.fields``) and the
Beratungsfolge (``ingest.beratungsfolge``). This module puts them together.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ingest.beratungsfolge import extract_beratungsfolge
from ingest.fields import (
    extract_amt,
    extract_datum,
    extract_drucksache,
    extract_referat,
    extract_stadt,
    extract_vorlagenart,
)
from ingest.header import LABEL_REGION, header_of
from ingest.title import extract_title
from vorlagen.cities import known_cities
from vorlagen.domain import TextSpan, Vorlage, VorlageMetadata

logger = logging.getLogger(__name__)


def extract_metadata(
    text: str,
    *,
    source_name: str,
    default_city: str | None = None,
    cities: Sequence[str] | None = None,
) -> VorlageMetadata:
    """Metadata stated in ``text``; ``default_city`` where the text names no known city.

    ``cities``: the city names to recognise (default: ``vorlagen/data/cities.json``).
    """
    city_names = tuple(cities) if cities is not None else known_cities()
    header = header_of(text)
    title = extract_title(header, ends_at_heading=len(header) < min(len(text), 5000))
    metadata = VorlageMetadata(
        drucksache=extract_drucksache(header, text),
        title=title,
        datum=extract_datum(header, text, city_names),
        vorlagenart=extract_vorlagenart(header.splitlines(), title),
        referat=extract_referat(header[:LABEL_REGION]),
        amt=extract_amt(header[:LABEL_REGION], text),
        stadt=extract_stadt(text, city_names) or default_city,
        beratungsfolge=extract_beratungsfolge(header),
    )
    logger.debug("Metadaten von %s: %s", source_name, metadata.model_dump(exclude_none=True))
    return metadata


def build_vorlage(
    *,
    text: str,
    source: str,
    source_name: str,
    doc_id: str | None = None,
    spans: list[TextSpan] | None = None,
    default_city: str | None = None,
    cities: Sequence[str] | None = None,
) -> Vorlage:
    """A ``Vorlage`` of a file: its text plus the metadata the text states."""
    metadata = extract_metadata(text, source_name=source_name, default_city=default_city, cities=cities)
    return Vorlage(
        doc_id=doc_id or source_name,
        source=source,
        source_name=source_name,
        text=text,
        spans=spans or [],
        **metadata.model_dump(),
    )
