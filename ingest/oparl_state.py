"""What the OParl sync remembers (SQLite, ``OParlSettings.state_file``): the endpoints, the progress of
each body's sync, the papers seen (with their ``modified``), the papers to try again (a file could not be
downloaded) and the extracted text of each file.

Progress is committed after every paper and every page, so an interrupted sync resumes where it stopped
(a crash loses nothing and repeats nothing); a completed sync stores its start time, which the next one
sends as ``modified_since``.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel

_SCHEMA = """
CREATE TABLE IF NOT EXISTS endpoints (
    url TEXT PRIMARY KEY,
    body_filter TEXT,
    added TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS body_sync (
    body_id TEXT PRIMARY KEY,
    endpoint TEXT NOT NULL,
    last_sync TEXT,
    run_started TEXT,
    cursor TEXT
);
CREATE TABLE IF NOT EXISTS papers (
    paper_id TEXT PRIMARY KEY,
    body_id TEXT NOT NULL,
    modified TEXT
);
CREATE TABLE IF NOT EXISTS retry_papers (
    paper_id TEXT PRIMARY KEY,
    body_id TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    file_id TEXT PRIMARY KEY,
    checksum TEXT,
    sha256 TEXT NOT NULL,
    text TEXT NOT NULL
);
"""


class Endpoint(BaseModel):
    url: str
    body_filter: str | None = None


class BodyProgress(BaseModel):
    body_id: str
    last_sync: datetime | None = None
    """Start of the last completed sync (sent, minus a margin, as ``modified_since``)."""
    run_started: datetime | None = None
    """Start of an unfinished sync (set while one runs or after it was interrupted)."""
    cursor: str | None = None
    """The list page an unfinished sync was working on."""


class StoredFile(BaseModel):
    checksum: str | None = None
    sha256: str
    text: str


class SyncState:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def _write(self, sql: str, values: tuple) -> None:
        with self._lock, self._db:
            self._db.execute(sql, values)

    # ---- endpoints ----------------------------------------------------------------------------------
    def remember_endpoint(self, url: str, body_filter: str | None) -> None:
        self._write(
            "INSERT INTO endpoints(url, body_filter, added) VALUES (?,?,?) "
            "ON CONFLICT(url) DO UPDATE SET body_filter = excluded.body_filter",
            (url, body_filter, datetime.now().astimezone().isoformat()),
        )

    def endpoints(self) -> list[Endpoint]:
        rows = self._db.execute("SELECT url, body_filter FROM endpoints ORDER BY added").fetchall()
        return [Endpoint(url=r[0], body_filter=r[1]) for r in rows]

    # ---- body progress --------------------------------------------------------------------------------
    def progress(self, body_id: str) -> BodyProgress:
        row = self._db.execute(
            "SELECT last_sync, run_started, cursor FROM body_sync WHERE body_id = ?", (body_id,)
        ).fetchone()
        if row is None:
            return BodyProgress(body_id=body_id)
        return BodyProgress(body_id=body_id, last_sync=row[0], run_started=row[1], cursor=row[2])

    def start_run(self, endpoint: str, body_id: str, started: datetime, first_page: str) -> None:
        self._write(
            "INSERT INTO body_sync(body_id, endpoint, run_started, cursor) VALUES (?,?,?,?) "
            "ON CONFLICT(body_id) DO UPDATE SET endpoint = excluded.endpoint, "
            "run_started = excluded.run_started, cursor = excluded.cursor",
            (body_id, endpoint, started.isoformat(), first_page),
        )

    def advance(self, body_id: str, next_page: str | None) -> None:
        self._write("UPDATE body_sync SET cursor = ? WHERE body_id = ?", (next_page, body_id))

    def finish_run(self, body_id: str) -> None:
        self._write(
            "UPDATE body_sync SET last_sync = run_started, run_started = NULL, cursor = NULL WHERE body_id = ?",
            (body_id,),
        )

    # ---- papers and files ----------------------------------------------------------------------------
    def paper_modified(self, paper_id: str) -> str | None:
        row = self._db.execute("SELECT modified FROM papers WHERE paper_id = ?", (paper_id,)).fetchone()
        return row[0] if row else None

    def known_paper(self, paper_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM papers WHERE paper_id = ?", (paper_id,)).fetchone() is not None

    def paper_done(self, paper_id: str, body_id: str, modified: str | None) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO papers(paper_id, body_id, modified) VALUES (?,?,?) "
                "ON CONFLICT(paper_id) DO UPDATE SET modified = excluded.modified",
                (paper_id, body_id, modified),
            )
            self._db.execute("DELETE FROM retry_papers WHERE paper_id = ?", (paper_id,))

    def paper_deleted(self, paper_id: str) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM papers WHERE paper_id = ?", (paper_id,))
            self._db.execute("DELETE FROM retry_papers WHERE paper_id = ?", (paper_id,))

    def paper_failed(self, paper_id: str, body_id: str, reason: str) -> None:
        """A paper not taken over this time (a file could not be downloaded): the next sync fetches it
        again, even if the server's ``modified_since`` list no longer contains it."""
        self._write(
            "INSERT INTO retry_papers(paper_id, body_id, reason) VALUES (?,?,?) "
            "ON CONFLICT(paper_id) DO UPDATE SET reason = excluded.reason",
            (paper_id, body_id, reason),
        )

    def papers_to_retry(self, body_id: str) -> list[str]:
        rows = self._db.execute("SELECT paper_id FROM retry_papers WHERE body_id = ? ORDER BY paper_id", (body_id,))
        return [row[0] for row in rows]

    def stored_file(self, file_id: str) -> StoredFile | None:
        row = self._db.execute("SELECT checksum, sha256, text FROM files WHERE file_id = ?", (file_id,)).fetchone()
        return StoredFile(checksum=row[0], sha256=row[1], text=row[2]) if row else None

    def store_file(self, file_id: str, stored: StoredFile) -> None:
        self._write(
            "INSERT INTO files(file_id, checksum, sha256, text) VALUES (?,?,?,?) ON CONFLICT(file_id) "
            "DO UPDATE SET checksum = excluded.checksum, sha256 = excluded.sha256, text = excluded.text",
            (file_id, stored.checksum, stored.sha256, stored.text),
        )
