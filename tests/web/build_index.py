"""``python -m tests.web.build_index PATH...``: ingest files into ``VORLAGEN_DATA_DIR`` (own process)."""

from __future__ import annotations

import sys
from pathlib import Path

from ingest.pipeline import Ingestor
from vorlagen.settings import Settings
from vorlagen.store import VorlagenStore


def main(paths: list[str]) -> int:
    settings = Settings()
    store = VorlagenStore(settings)
    report = Ingestor(settings, store).ingest_paths([Path(path) for path in paths])
    print(report.model_dump_json())
    if report.failed:
        print(f"Fehlgeschlagen: {report.failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
