"""What resolves the Beratungsfolge of an OParl paper dump: the Organization dump (Gremium names) and the
Meeting dump (meeting dates, and each agenda item's recorded result) – found beside the papers dump
(``*organizations*.jsonl[.gz|.xz]``, ``*meetings*.jsonl[.gz|.xz]``) or named by the caller
(``vorlagen ingest --gremien … --sitzungen …``). The one place that reads them for ingestion; each file
is read once per ingestion, however many paper dumps share it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ingest.oparl import (
    OPARL_SUFFIXES,
    AgendaOutcome,
    read_agenda_outcomes,
    read_meeting_dates,
    read_organization_names,
)


def _oparl_suffix(path: Path) -> bool:
    return path.name.lower().endswith(OPARL_SUFFIXES)


class OParlLookupFiles(BaseModel):
    """The Organization and Meeting dumps to use; None: look beside each papers dump."""

    organizations: Path | None = None
    meetings: Path | None = None

    def beside(self, dump: Path) -> OParlLookupFiles:
        """These files, completed by the ones in the papers dump's folder (named ones win)."""
        found = {"organizations": self.organizations, "meetings": self.meetings}
        for sibling in sorted(dump.parent.iterdir()) if dump.parent.is_dir() else []:
            if sibling == dump or not sibling.is_file() or not _oparl_suffix(sibling):
                continue
            name = sibling.name.lower()
            if "organization" in name and found["organizations"] is None:
                found["organizations"] = sibling
            elif "meeting" in name and found["meetings"] is None:
                found["meetings"] = sibling
        return OParlLookupFiles(**found)


class OParlLookups(BaseModel):
    """Organization id -> name, Meeting id -> date, AgendaItem id -> recorded outcome."""

    model_config = ConfigDict(frozen=True)

    organizations: dict[str, str] = Field(default_factory=dict)
    meeting_dates: dict[str, date] = Field(default_factory=dict)
    agenda_results: dict[str, AgendaOutcome] = Field(default_factory=dict)

    def loader_arguments(self) -> dict[str, Any]:
        """Keyword arguments of ``ingest.loaders.load_path`` (only what is known)."""
        return {name: value for name, value in (
            ("organizations", self.organizations), ("meeting_dates", self.meeting_dates),
            ("agenda_results", self.agenda_results),
        ) if value}


class OParlLookupReader:
    """Reads lookup files once (by path and modification time) for the dumps of one ingestion."""

    def __init__(self, named: OParlLookupFiles | None = None) -> None:
        self.named = named or OParlLookupFiles()
        self._read: dict[tuple[str, Path, float], Any] = {}

    def _cached(self, kind: str, path: Path, read: Any) -> Any:
        key = (kind, path.resolve(), path.stat().st_mtime)
        if key not in self._read:
            self._read[key] = read(path)
        return self._read[key]

    def for_dump(self, dump: Path) -> OParlLookups:
        """The lookups of a papers dump (empty for other files). Raises ``LoaderError`` for an unreadable
        lookup file."""
        if not _oparl_suffix(dump):
            return OParlLookups()
        files = self.named.beside(dump)
        values: dict[str, Any] = {}
        if files.organizations is not None:
            values["organizations"] = self._cached("organizations", files.organizations, read_organization_names)
        if files.meetings is not None:
            values["meeting_dates"] = self._cached("meeting_dates", files.meetings, read_meeting_dates)
            values["agenda_results"] = self._cached("agenda_results", files.meetings, read_agenda_outcomes)
        return OParlLookups(**values)
