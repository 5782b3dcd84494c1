"""``vorlagen eval entscheidungen``: decision questions („Wie wurde über … entschieden?“) scored by their chain.

A set (JSONL, ``eval/sets/entscheidungen.jsonl``) names per question the Vorlage asked about (its
Drucksache) and the expected latest recorded result – Gremium, date, result – or ``null`` where nothing is
recorded, and the dates on which the paper's minutes state another vote than the record. Per question:

- **fully right**: the answer's result is the expected one in Gremium, date and result;
- **refusal right**: nothing is recorded and the answer claims no result;
- **invented**: the answer claims a result where none is recorded, or one of another Vorlage's chain;
- **Vorlage found**: the chain holds the Vorlage asked about; **differences found**: each expected
  disagreement of record and minutes is flagged; seconds per answer (p50).

``write_decision_corpus`` writes the set's papers and the papers linked to them from the Karlsruhe dumps
into one papers dump, with the meetings and organizations dumps beside it (symbolic links): the small
index the set is measured on.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import lzma
import time
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from assistant.service import AssistantService
from eval.harness import git_commit
from eval.metrics import percentile
from ingest.pipeline import Ingestor
from vorlagen.decision import DecisionChain
from vorlagen.formatting import format_date
from vorlagen.settings import Settings
from vorlagen.store import VorlagenStore

DecisionKind = Literal["beschlossen", "abgelehnt", "vertagt", "verwiesen", "geaendert", "folgevorlage", "kein_ergebnis",
                       "abweichung", "drucksache"]


class DecisionSetError(ValueError):
    """The set cannot be used (German message with line number)."""


class ExpectedDecision(BaseModel):
    gremium: str
    datum: date
    ergebnis: str


class MinutesExpectation(BaseModel):
    datum: date
    says: str
    """What the minutes state instead (a part of their vote, e.g. „Einstimmige Zustimmung“)."""


class DecisionQuestion(BaseModel):
    id: str
    kind: DecisionKind
    vorlage: str
    """The Drucksache of the Vorlage asked about."""
    question: str
    expected: ExpectedDecision | None
    """The latest recorded result; None: none recorded."""
    minutes_differ: list[MinutesExpectation] = Field(default_factory=list)


class DecisionResult(BaseModel):
    id: str
    kind: str
    vorlage_found: bool = False
    claimed: ExpectedDecision | None = None
    claimed_drucksache: str | None = None
    fully_right: bool = False
    refusal_right: bool | None = None
    """Only for questions without a recorded result."""
    invented: bool = False
    differences_expected: int = 0
    differences_found: int = 0
    short_answer: str = ""
    seconds: float = 0.0
    error: str | None = None


class DecisionSummary(BaseModel):
    questions: int
    fully_right: float | None
    """Share of questions with a recorded result whose answer has Gremium, date and result right."""
    refusals_right: float | None
    """Share of questions without a recorded result whose answer claims none."""
    invented: int
    vorlage_found: float | None
    differences_found: str
    seconds_p50: float | None
    errors: int


class DecisionReport(BaseModel):
    created_at: datetime
    set_name: str
    set_path: str
    set_sha256: str
    index: str
    documents: int
    chunks: int
    git_commit: str | None
    summary: DecisionSummary
    results: list[DecisionResult]


def load_decision_set(path: Path) -> list[DecisionQuestion]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise DecisionSetError(f"Die Datei {path} ist nicht lesbar: {error}") from error
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            questions.append(DecisionQuestion.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as error:
            raise DecisionSetError(f"{path}, Zeile {number}: {error}") from error
    if not questions:
        raise DecisionSetError(f"{path} enthält keine Fragen.")
    return questions


def score(question: DecisionQuestion, chain: DecisionChain | None, seconds: float, short_answer: str) -> DecisionResult:
    """The metrics of one answer (see module doc)."""
    result = DecisionResult(id=question.id, kind=question.kind, seconds=round(seconds, 4), short_answer=short_answer,
                            differences_expected=len(question.minutes_differ))
    if chain is None:
        result.refusal_right = True if question.expected is None else None
        return result
    result.vorlage_found = any(paper.drucksache == question.vorlage for paper in chain.papers)
    step = chain.decision
    if step is not None and step.ergebnis and step.datum is not None:
        result.claimed = ExpectedDecision(gremium=step.gremium, datum=step.datum, ergebnis=step.ergebnis)
        result.claimed_drucksache = step.drucksache
    claims = chain.decision is not None
    if question.expected is None:
        result.refusal_right = not claims
        result.invented = claims
    else:
        result.fully_right = result.claimed == question.expected
        result.invented = claims and not result.vorlage_found
    flagged = {step.datum for step in chain.steps() if step.differs}
    result.differences_found = sum(1 for minutes in question.minutes_differ if minutes.datum in flagged)
    return result


def _ratio(values: list[bool]) -> float | None:
    return sum(values) / len(values) if values else None


def summarize(results: list[DecisionResult], questions: list[DecisionQuestion]) -> DecisionSummary:
    expected = {q.id: q.expected for q in questions}
    with_result = [r for r in results if expected[r.id] is not None]
    without = [r for r in results if expected[r.id] is None]
    ok = [r for r in results if r.error is None]
    return DecisionSummary(
        questions=len(results),
        fully_right=_ratio([r.fully_right for r in with_result]),
        refusals_right=_ratio([bool(r.refusal_right) for r in without]),
        invented=sum(r.invented for r in results),
        vorlage_found=_ratio([r.vorlage_found for r in with_result + without]),
        differences_found=f"{sum(r.differences_found for r in results)}/{sum(r.differences_expected for r in results)}",
        seconds_p50=percentile([r.seconds for r in ok], 50),
        errors=len(results) - len(ok),
    )


def run_decision_eval(settings: Settings, path: Path, corpus: list[Path]) -> DecisionReport:
    """Ask every question of ``path`` (after ingesting ``corpus`` into ``settings.data_dir``) and score it."""
    questions = load_decision_set(path)
    store = VorlagenStore(settings)
    try:
        if corpus:
            Ingestor(settings, store).ingest_paths(corpus)
        service = AssistantService(settings, store)
        results = []
        for question in questions:
            started = time.perf_counter()
            try:
                answer = service.ask(question.question)
                seconds = answer.timings.get("total", time.perf_counter() - started)
                results.append(score(question, answer.decision, seconds, answer.short_answer or answer.text))
            except Exception as error:  # noqa: BLE001 - a failing question is reported, the run goes on
                results.append(DecisionResult(id=question.id, kind=question.kind, error=str(error),
                                              seconds=time.perf_counter() - started))
        documents, chunks = store.count_documents(), store.count_chunks()
    finally:
        store.close()
    return DecisionReport(
        created_at=datetime.now().astimezone(), set_name=path.stem, set_path=str(path),
        set_sha256=hashlib.sha256(path.read_bytes()).hexdigest(), index=str(settings.data_dir),
        documents=documents, chunks=chunks, git_commit=git_commit(),
        summary=summarize(results, questions), results=results,
    )


# ---- report -----------------------------------------------------------------------------------------------
def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %".replace(".", ",")


def summary_rows(summary: DecisionSummary) -> list[tuple[str, str]]:
    return [
        ("Fragen", str(summary.questions)),
        ("Kette ganz richtig (Ergebnis, Gremium, Datum)", _percent(summary.fully_right)),
        ("Richtig „kein Ergebnis erfasst“", _percent(summary.refusals_right)),
        ("Erfundene Ergebnisse", str(summary.invented)),
        ("Vorlage gefunden", _percent(summary.vorlage_found)),
        ("Abweichungen Niederschrift/Ergebnis erkannt", summary.differences_found),
        ("Latenz p50", "–" if summary.seconds_p50 is None else f"{summary.seconds_p50:.2f} s".replace(".", ",")),
        ("Abgebrochene Fragen", str(summary.errors)),
    ]


def _claimed(result: DecisionResult) -> str:
    if result.claimed is None:
        return "kein Ergebnis"
    where = f" ({result.claimed_drucksache})" if result.claimed_drucksache else ""
    return f"{result.claimed.gremium}, {format_date(result.claimed.datum)}: {result.claimed.ergebnis}{where}"


def render_markdown(report: DecisionReport) -> str:
    lines = [
        f"# Entscheidungsfragen „{report.set_name}“", "",
        f"Erstellt {report.created_at:%d.%m.%Y %H:%M}, Commit {report.git_commit or '–'}, Index {report.index} "
        f"({report.documents} Vorlagen, {report.chunks} Abschnitte).", "",
        "| Kennzahl | Wert |", "|---|---|", *(f"| {label} | {value} |" for label, value in summary_rows(report.summary)), "",
        "| Frage | Art | Vorlage gefunden | Antwort | richtig | erfunden | Abweichungen | Zeit |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in report.results:
        right = "ja" if r.fully_right or r.refusal_right else "nein"
        seconds = f"{r.seconds:.2f} s".replace(".", ",")
        lines.append(f"| {r.id} | {r.kind} | {'ja' if r.vorlage_found else 'nein'} | {r.error or _claimed(r)} | {right} "
                     f"| {'ja' if r.invented else '–'} | {r.differences_found}/{r.differences_expected} | {seconds} |")
    return "\n".join(lines) + "\n"


def write_decision_report(report: DecisionReport, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, markdown_path = out_dir / "entscheidungen_report.json", out_dir / "entscheidungen_report.md"
    json_path.write_text(report.model_dump_json(indent=2), encoding="utf-8")
    markdown_path.write_text(render_markdown(report), encoding="utf-8")
    return json_path, markdown_path


# ---- the set's corpus -----------------------------------------------------------------------------------
VORLAGEN_DUMP = "karlsruhe-vorlagen-2023-2026.jsonl.gz"
ALL_PAPERS_DUMP = "karlsruhe-papers-2004-2026.jsonl.xz"
LOOKUP_DUMPS = ("karlsruhe-meetings.jsonl.gz", "karlsruhe-organizations.jsonl.gz")
CORPUS_FILE = "entscheidungen-papers.jsonl.gz"


def _links(paper: dict) -> set[str]:
    return {*(paper.get("superordinatedPaper") or []), *(paper.get("subordinatedPaper") or [])}


def write_decision_corpus(set_path: Path, karlsruhe: Path, out_dir: Path) -> Path:
    """The set's papers and the papers linked to them (either direction) as ``out_dir/entscheidungen-papers.jsonl.gz``,
    the meetings and organizations dumps linked beside it. Returns the papers dump."""
    references = {question.vorlage for question in load_decision_set(set_path)}
    chosen: dict[str, dict] = {}
    with gzip.open(karlsruhe / VORLAGEN_DUMP, "rt", encoding="utf-8") as stream:
        papers = [json.loads(line) for line in stream if line.strip()]
    for paper in papers:
        if paper.get("reference") in references:
            chosen[paper["id"]] = paper
    wanted = set(chosen) | {link for paper in chosen.values() for link in _links(paper)}
    with lzma.open(karlsruhe / ALL_PAPERS_DUMP, "rt", encoding="utf-8") as stream:
        for line in stream:
            if not any(paper_id in line for paper_id in wanted):
                continue
            paper = json.loads(line)
            if paper["id"] in wanted or _links(paper) & set(chosen):
                chosen.setdefault(paper["id"], paper)
    missing = references - {paper.get("reference") for paper in chosen.values()}
    if missing:
        raise DecisionSetError(f"Nicht in {VORLAGEN_DUMP}: {', '.join(sorted(missing))}")
    out_dir.mkdir(parents=True, exist_ok=True)
    dump = out_dir / CORPUS_FILE
    with gzip.open(dump, "wt", encoding="utf-8") as stream:
        for paper in sorted(chosen.values(), key=lambda item: item["id"]):
            stream.write(json.dumps(paper, ensure_ascii=False) + "\n")
    for name in LOOKUP_DUMPS:
        target = out_dir / name
        if not target.exists():
            target.symlink_to((karlsruhe / name).resolve())
    return dump
