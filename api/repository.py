"""The API's own small SQLite database: chat history, drafts and upload jobs.

One connection per operation (threads of the server and several worker processes may share the
file; WAL mode lets readers and one writer work side by side).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api.schemas import ChatTurn, IngestJob
from ingest.pipeline import IngestReport
from vorlagen.domain import Answer, Draft

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chat_turns (
    session TEXT NOT NULL,
    turn INTEGER NOT NULL,
    question TEXT NOT NULL,
    retrieval_query TEXT NOT NULL,
    answer_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (session, turn)
);
CREATE TABLE IF NOT EXISTS drafts (
    draft_id TEXT PRIMARY KEY,
    draft_json TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ingest_jobs (
    job_id TEXT PRIMARY KEY,
    filename TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT,
    report_json TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat()


class ApiRepository:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.path, timeout=30)
        connection.row_factory = sqlite3.Row
        try:
            with connection:
                yield connection
        finally:
            connection.close()

    # --- chat history -------------------------------------------------------------------------

    def add_turn(self, session: str, question: str, retrieval_query: str, answer: Answer) -> int:
        with self._connect() as connection:
            row = connection.execute(
                "SELECT COALESCE(MAX(turn), 0) + 1 FROM chat_turns WHERE session = ?", (session,)
            ).fetchone()
            turn = int(row[0])
            connection.execute(
                "INSERT INTO chat_turns VALUES (?, ?, ?, ?, ?, ?)",
                (session, turn, question, retrieval_query, answer.model_dump_json(), _now()),
            )
        return turn

    def turns(self, session: str, last: int | None = None) -> list[ChatTurn]:
        """The session's turns in order; ``last``: only the newest ones."""
        query = "SELECT * FROM chat_turns WHERE session = ? ORDER BY turn DESC"
        params: tuple[Any, ...] = (session,)
        if last is not None:
            query += " LIMIT ?"
            params = (session, last)
        with self._connect() as connection:
            rows = connection.execute(query, params).fetchall()
        return [
            ChatTurn(
                turn=row["turn"],
                question=row["question"],
                retrieval_query=row["retrieval_query"],
                answer=Answer.model_validate_json(row["answer_json"]),
                created_at=datetime.fromisoformat(row["created_at"]),
            )
            for row in reversed(rows)
        ]

    def clear_session(self, session: str) -> int:
        with self._connect() as connection:
            return connection.execute("DELETE FROM chat_turns WHERE session = ?", (session,)).rowcount

    # --- drafts -------------------------------------------------------------------------------

    def save_draft(self, draft: Draft) -> str:
        draft_id = uuid.uuid4().hex
        with self._connect() as connection:
            connection.execute("INSERT INTO drafts VALUES (?, ?, ?)", (draft_id, draft.model_dump_json(), _now()))
        return draft_id

    def draft(self, draft_id: str) -> Draft | None:
        with self._connect() as connection:
            row = connection.execute("SELECT draft_json FROM drafts WHERE draft_id = ?", (draft_id,)).fetchone()
        return Draft.model_validate_json(row[0]) if row else None

    # --- upload jobs --------------------------------------------------------------------------

    def create_job(self, filename: str) -> IngestJob:
        job_id = uuid.uuid4().hex
        now = _now()
        with self._connect() as connection:
            connection.execute(
                "INSERT INTO ingest_jobs VALUES (?, ?, ?, ?, ?, ?, ?)",
                (job_id, filename, "wartend", None, None, now, now),
            )
        job = self.job(job_id)
        assert job is not None
        return job

    def update_job(
        self, job_id: str, status: str, message: str | None = None, report: IngestReport | None = None
    ) -> None:
        with self._connect() as connection:
            connection.execute(
                "UPDATE ingest_jobs SET status = ?, message = ?, report_json = ?, updated_at = ? WHERE job_id = ?",
                (status, message, report.model_dump_json() if report else None, _now(), job_id),
            )

    def job(self, job_id: str) -> IngestJob | None:
        with self._connect() as connection:
            row = connection.execute("SELECT * FROM ingest_jobs WHERE job_id = ?", (job_id,)).fetchone()
        return self._job(row) if row else None

    def jobs(self, limit: int = 50) -> list[IngestJob]:
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT * FROM ingest_jobs ORDER BY created_at DESC LIMIT ?", (limit,)
            ).fetchall()
        return [self._job(row) for row in rows]

    @staticmethod
    def _job(row: sqlite3.Row) -> IngestJob:
        return IngestJob(
            job_id=row["job_id"],
            filename=row["filename"],
            status=row["status"],
            message=row["message"],
            report=IngestReport.model_validate_json(row["report_json"]) if row["report_json"] else None,
            created_at=datetime.fromisoformat(row["created_at"]),
            updated_at=datetime.fromisoformat(row["updated_at"]),
        )
