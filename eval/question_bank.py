"""The question bank (``eval/bank/``): which papers it is written over, the index it needs, its split.

The bank is written by people who do not see the answerer, over Karlsruhe papers *outside* the
300-paper evaluation corpus and over other councils' documents in ``corpus/real/``. This module keeps
the reproducible parts: the seeded choice of papers (``select_papers``), the dump of just those
papers for the bank's index (``write_bank_dump``), the seeded split by paper (``split_by_paper``) and
the placing of questions written later (``place_new_questions``).
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterable, Iterator
from pathlib import Path

BANK_SEED = 21
"""Seed of the paper choice and of the split: fixed once, never changed (the split is sealed)."""
BANK_PAPER_COUNT = 104
MIN_TEXT_CHARS, MAX_TEXT_CHARS = 3_000, 25_000
"""Papers with this much text: enough for several questions, small enough for a 2-core index build."""
VORLAGEN_DUMP = "corpus/karlsruhe/karlsruhe-vorlagen-2023-2026.jsonl.gz"
EVAL_300_DUMP = "corpus/karlsruhe/karlsruhe-eval-300.jsonl.gz"
REAL_FILES = (
    "corpus/real/text/nordstemmen_DS-1-2025_beschlussvorlage_ganztagsgrundschule-asternschule-machbarkeitsstudie.txt",
    "corpus/real/text/nordstemmen_DS-35-2024_beschlussvorlage_fortschreibung-brandschutzbedarfsplan.txt",
    "corpus/real/pdf/erlangen_csu-stadtratsfraktion_2020-07-21_antrag_odenwaldallee-oeffentliche-flaechen.pdf",
    "corpus/real/pdf/erlangen_stbr-buechenbach_2020-11-25_antrag_neubau-buechenbacher-anlage.pdf",
    "corpus/real/pdf/erlangen_stbr-buechenbach_2020-12-16_antrag_priorisierte-sportentwicklungsplanung.pdf",
    "corpus/real/pdf/erlangen_stbr-buechenbach_2021-05-07_stellungnahme_bebauungsplan-199-odenwaldallee.pdf",
    "corpus/real/pdf/erlangen_stbr-buechenbach_2022-07-07_stellungnahme_beschlussvorlage-6131-67-2022-umweltspur.pdf",
    "corpus/real/pdf/erlangen_stbr-buechenbach_2025-03-11_niederschrift.pdf",
    "corpus/real/pdf/erlangen_stbr-buechenbach_2025-04-15_stellungnahme_haushaltskonsolidierung-einsparlisten.pdf",
    "corpus/real/pdf/stuttgart_beantwortung-anfrage-23-2018_2018-06-22_s21-fertigstellungstermin.pdf",
    "corpus/real/pdf/stuttgart_gr-protokoll_2019-03-28_niederschrift-66_wahl-amtsleitung-branddirektion.pdf",
    "corpus/real/html/stuttgart_antrag-29-2018_afd_bds.html",
    "corpus/real/html/stuttgart_haushaltsantrag-1128-2019_afd_graffiti-beseitigung.html",
)
"""Other councils' documents in the bank (the 97-page Brandschutzbedarfsplan annex is left out: its
index build alone would take longer than all Karlsruhe papers of the bank)."""


def read_dump(path: Path) -> Iterator[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def paper_text_chars(paper: dict) -> int:
    return sum(len(file.get("text") or "") for file in paper.get("auxiliaryFile") or [])


def set_sources(question_sets: Iterable[Path]) -> set[str]:
    """Every source named by the given question sets (JSONL)."""
    return {source for path in question_sets for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() for source in json.loads(line).get("sources", [])}


def select_papers(shared: Path, question_sets: Iterable[Path]) -> list[str]:
    """The bank's Karlsruhe papers (Drucksachennummern): a seeded sample of the 2023-2026 Vorlagen that
    are not in the 300-paper evaluation corpus nor a source of another question set (as they were when
    the bank was written: ``shared/eval/*.jsonl`` and ``eval/sets/karlsruhe_*.jsonl``)."""
    excluded = {paper["reference"] for paper in read_dump(shared / EVAL_300_DUMP)} | set_sources(question_sets)
    pool = sorted(
        paper["reference"]
        for paper in read_dump(shared / VORLAGEN_DUMP)
        if paper["reference"] not in excluded and MIN_TEXT_CHARS <= paper_text_chars(paper) <= MAX_TEXT_CHARS
    )
    return sorted(random.Random(BANK_SEED).sample(pool, BANK_PAPER_COUNT))


def write_bank_dump(shared: Path, references: Iterable[str], target: Path) -> int:
    """Write the named papers as an OParl dump (``.jsonl.gz``) for ingestion; returns how many."""
    wanted = set(references)
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with gzip.open(target, "wt", encoding="utf-8") as out:
        for paper in read_dump(shared / VORLAGEN_DUMP):
            if paper["reference"] in wanted:
                out.write(json.dumps(paper, ensure_ascii=False) + "\n")
                written += 1
    return written


def split_by_paper(papers: Iterable[str]) -> dict[str, str]:
    """Each paper's split (train ≈ 60 %, dev ≈ 20 %, test ≈ 20 %), seeded, so that all questions on one
    paper land in the same split."""
    ordered = sorted(set(papers))
    random.Random(BANK_SEED).shuffle(ordered)
    n = len(ordered)
    train_end, dev_end = round(n * 0.6), round(n * 0.8)
    return {
        paper: ("train" if i < train_end else "dev" if i < dev_end else "test") for i, paper in enumerate(ordered)
    }


SPLITS = ("train", "dev", "test")
OPEN_SPLITS = ("train", "dev")
"""Splits that may take questions written after the first split; the sealed test split never does."""


def anchor_papers(questions: Iterable[dict]) -> dict[str, str]:
    """Each question's paper: its first source, or for a near miss (no source) the paper of the question
    written before it (files in name order; an unanswerable question is written after those of its paper)."""
    anchors: dict[str, str] = {}
    last = ""
    for question in questions:
        last = question["sources"][0] if question["sources"] else last or question["id"]
        anchors[question["id"]] = last
    return anchors


def place_new_questions(written: list[dict], splits: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The questions of ``written`` (all of ``raw/``, in file and written order) that are in no split yet,
    placed in the split of their paper. Papers keep their split; new questions may only join train or dev.
    Raises ``ValueError`` (nothing placed) for a question on a paper of the sealed test split or on a paper
    the split does not know – a new paper would change the seeded split of the others."""
    placed_ids = {question["id"] for questions in splits.values() for question in questions}
    split_of_paper = {source: split for split, questions in splits.items()
                      for question in questions for source in question["sources"]}
    new: dict[str, list[dict]] = {split: [] for split in OPEN_SPLITS}
    problems = []
    anchors = anchor_papers(written)
    for question in written:
        if question["id"] in placed_ids:
            continue
        split = split_of_paper.get(anchors[question["id"]])
        if split in OPEN_SPLITS:
            new[split].append(question)
        else:
            problems.append(f"{question['id']}: Vorlage {anchors[question['id']]} "
                            + ("gehört zum versiegelten Test-Teil" if split == "test" else "ist in keinem Teil"))
    if problems:
        raise ValueError("; ".join(problems))
    return new
