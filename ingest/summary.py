"""What an ingest read but did not store, in German lines: noise pieces dropped by the chunker and OParl
records skipped by the loader. Shown by ``vorlagen ingest`` and in the message of an upload job; the
full lists are in the ``IngestReport`` (``vorlagen ingest --json``, ``GET /v1/jobs/…``)."""

from __future__ import annotations

from ingest.pipeline import IngestReport

MAX_SHOWN = 5
"""At most this many examples per line; the JSON report has all of them."""


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def _examples(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_SHOWN])
    return shown + (" …" if len(items) > MAX_SHOWN else "")


def dropped_chunks_line(report: IngestReport) -> str | None:
    """``Als Rauschen verworfen: 3 Textstücke in 2 Dokumenten (…)``, or None if nothing was dropped."""
    dropped = report.dropped_chunks
    if not dropped:
        return None
    documents = len({item.doc_id for item in dropped})
    examples = [f"{item.doc_id} Zeichen {item.start}–{item.end}: {item.reason}" for item in dropped]
    return (
        f"Als Rauschen verworfen: {_count(len(dropped), 'Textstück', 'Textstücke')} in "
        f"{_count(documents, 'Dokument', 'Dokumenten')} ({_examples(examples)})."
    )


def skipped_records_lines(report: IngestReport) -> list[str]:
    """One line per OParl dump that skipped something: papers without text, invalid papers, other objects."""
    lines = []
    for load in report.oparl_dumps:
        parts = []
        if load.skipped_without_text:
            parts.append(f"{len(load.skipped_without_text)} ohne Text ({_examples(load.skipped_without_text)})")
        if load.invalid:
            parts.append(f"{len(load.invalid)} mit fehlenden oder falschen Feldern")
        if load.skipped_other_objects:
            parts.append(f"{_count(load.skipped_other_objects, 'Zeile', 'Zeilen')} ohne Vorlage (andere OParl-Objekte)")
        if parts:
            read = _count(load.papers, "Vorlage", "Vorlagen")
            lines.append(f"OParl „{load.source}“: {read} gelesen, übersprungen: {'; '.join(parts)}.")
    return lines


def not_stored_lines(report: IngestReport) -> list[str]:
    """Everything read but not stored, as German lines (empty when nothing was left out)."""
    dropped = dropped_chunks_line(report)
    return ([dropped] if dropped else []) + skipped_records_lines(report)
