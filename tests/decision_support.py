"""Small real OParl folders for the decision tests: chosen Karlsruhe papers from
``karlsruhe-vorlagen-2023-2026.jsonl.gz`` written to a papers dump, with the real meetings and
organizations dumps beside it (symbolic links; the data stays read-only in the shared folder)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

VORLAGEN_DUMP = "karlsruhe-vorlagen-2023-2026.jsonl.gz"
MEETINGS_DUMP = "karlsruhe-meetings.jsonl.gz"
ORGANIZATIONS_DUMP = "karlsruhe-organizations.jsonl.gz"

DIFFERING = "2025/0023"
"""Haupt- und Finanzausschuss 04.02.2025: „mehrheitlich beschlossen“ recorded, „Einstimmige Zustimmung“ in its minutes."""
DEFERRED = "2025/0228"
"""Stadthalle, Möblierung: Bauausschuss 03.04.2025 „vertagt“; follow-ups /1 and /2 decided by the Gemeinderat."""
FOLLOW_UPS = ("2025/0228/1", "2025/0228/2")
UNRECORDED = "2024/0558"
"""Straßenbeleuchtung zum Festplatz (Ponderosa): two consultations of the Ortschaftsrat Wolfartsweier, no result recorded."""
UNRECORDED_FOLLOW_UP = "2024/0558/1"
SMALL_SET = (DIFFERING, DEFERRED, *FOLLOW_UPS, UNRECORDED, UNRECORDED_FOLLOW_UP)


def read_papers(karlsruhe: Path, references: tuple[str, ...]) -> list[dict]:
    """The papers with these references, as the dump holds them (in the dump's order)."""
    wanted = {f'"reference": "{reference}"' for reference in references}
    papers = []
    with gzip.open(karlsruhe / VORLAGEN_DUMP, "rt", encoding="utf-8") as stream:
        for line in stream:
            if any(marker in line for marker in wanted):
                paper = json.loads(line)
                if paper.get("reference") in references:
                    papers.append(paper)
    return papers


def write_oparl_folder(karlsruhe: Path, folder: Path, references: tuple[str, ...] = SMALL_SET,
                       with_lookups: bool = True) -> Path:
    """``folder/papers.jsonl.gz`` with the papers, and (``with_lookups``) the meetings and organizations
    dumps beside it. Returns the papers dump."""
    folder.mkdir(parents=True, exist_ok=True)
    dump = folder / "karlsruhe-papers.jsonl.gz"
    with gzip.open(dump, "wt", encoding="utf-8") as stream:
        for paper in read_papers(karlsruhe, references):
            stream.write(json.dumps(paper, ensure_ascii=False) + "\n")
    if with_lookups:
        for name in (MEETINGS_DUMP, ORGANIZATIONS_DUMP):
            (folder / name).symlink_to(karlsruhe / name)
    return dump
