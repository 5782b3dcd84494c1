"""``vorlagen eval drafts``: the drafting check on a set of draft requests.

Each case (JSONL) holds a request (structured ``request`` or one-line ``text``), the facts the draft must
contain (``required_facts``: groups of alternatives, compared like the question reports' facts) and the
sections expected. Metrics per case and overall: required facts present, unsupported numbers/dates/
references/names (the invention guard run over the whole draft against request, tool results and cited
passages – must be 0), sections present, citations valid (quote verbatim at its offsets), seconds.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, model_validator

from assistant.drafting import Drafter, render_markdown
from assistant.drafting.drafter import allowed_material
from assistant.drafting.guard import findings
from assistant.service import AssistantService
from eval.harness import git_commit
from eval.metrics import check_citation, fact_groups_matched, percentile
from ingest.pipeline import Ingestor
from vorlagen.domain import Draft, DraftRequest
from vorlagen.settings import Settings
from vorlagen.store import VorlagenStore


class DraftSetError(ValueError):
    """The case file cannot be used (German message with line number)."""


class DraftCase(BaseModel):
    id: str
    text: str | None = None
    request: DraftRequest | None = None
    required_facts: list[list[str]] = Field(default_factory=list)
    sections: list[str] = Field(default_factory=list)
    corpus: str | None = None
    """Informational: which corpus the case is about (``seeds``, ``karlsruhe``)."""

    @model_validator(mode="after")
    def _one_of(self) -> DraftCase:
        if (self.request is None) == (self.text is None):
            raise ValueError("Jeder Fall braucht genau eines von „request“ oder „text“.")
        return self


class DraftCaseResult(BaseModel):
    id: str
    facts_found: int = 0
    facts_total: int = 0
    missing_facts: list[list[str]] = Field(default_factory=list)
    unsupported: list[str] = Field(default_factory=list)
    sections_expected: int = 0
    sections_present: int = 0
    citations_total: int = 0
    citations_valid: int = 0
    seconds: float = 0.0
    mode: str = "skeleton"
    notices: list[str] = Field(default_factory=list)
    error: str | None = None


class DraftSummary(BaseModel):
    cases: int
    required_facts: float | None
    unsupported_total: int
    sections_present: float | None
    citation_validity: float | None
    seconds_p50: float | None
    seconds_max: float | None
    errors: int


class DraftEvalReport(BaseModel):
    created_at: datetime
    set_name: str
    set_path: str
    set_sha256: str
    corpus: list[str]
    llm_mode: str
    use_model: bool
    git_commit: str | None
    summary: DraftSummary
    results: list[DraftCaseResult]


def load_cases(path: Path) -> list[DraftCase]:
    cases = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise DraftSetError(f"Die Datei {path} ist nicht lesbar: {error}") from error
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            cases.append(DraftCase.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as error:
            raise DraftSetError(f"{path}, Zeile {number}: {error}") from error
    if not cases:
        raise DraftSetError(f"{path} enthält keine Fälle.")
    return cases


def check_draft(case: DraftCase, draft: Draft, cities: frozenset[str], document_text: Callable[[str], str | None]) -> DraftCaseResult:
    """The metrics of one draft (see module doc)."""
    markdown = render_markdown(draft, with_notices=False)
    matched = fact_groups_matched(case.required_facts, markdown)
    table = draft.cost_table
    allowed = allowed_material(draft.request, table, [], draft.citations, cities)
    unsupported = [f"{f.kind} „{f.text}“" for f in findings(markdown, allowed)]
    present = {section.name for section in draft.sections}
    valid = sum(check_citation(c, document_text(c.doc_id), []).exact_offsets for c in draft.citations)
    return DraftCaseResult(
        id=case.id,
        facts_found=sum(matched),
        facts_total=len(matched),
        missing_facts=[group for group, ok in zip(case.required_facts, matched) if not ok],
        unsupported=unsupported,
        sections_expected=len(case.sections),
        sections_present=sum(1 for name in case.sections if name in present),
        citations_total=len(draft.citations),
        citations_valid=valid,
        seconds=draft.timings.get("total", 0.0),
        mode=draft.mode,
        notices=[*draft.notices, *(f"{s.name}: {n}" for s in draft.sections for n in s.notices)],
    )


def _ratio(found: int, total: int) -> float | None:
    return found / total if total else None


def summarize(results: list[DraftCaseResult]) -> DraftSummary:
    ok = [r for r in results if r.error is None]
    seconds = [r.seconds for r in ok]
    return DraftSummary(
        cases=len(results),
        required_facts=_ratio(sum(r.facts_found for r in ok), sum(r.facts_total for r in results)),
        unsupported_total=sum(len(r.unsupported) for r in ok),
        sections_present=_ratio(sum(r.sections_present for r in ok), sum(r.sections_expected for r in results)),
        citation_validity=_ratio(sum(r.citations_valid for r in ok), sum(r.citations_total for r in ok)),
        seconds_p50=percentile(seconds, 50),
        seconds_max=max(seconds, default=None),
        errors=len(results) - len(ok),
    )


def run_draft_eval(
    settings: Settings, path: Path, corpus: list[Path], use_model: bool, progress: Callable[[str], None] | None = None
) -> DraftEvalReport:
    """Draft every case of ``path`` (ingesting ``corpus`` into ``settings.data_dir`` first) and check it."""
    cases = load_cases(path)
    store = VorlagenStore(settings)
    try:
        if corpus:
            Ingestor(settings, store).ingest_paths(corpus)
        drafter = Drafter(settings, AssistantService(settings, store))
        cities = drafter.cities()

        def document_text(doc_id: str) -> str | None:
            vorlage = store.get_vorlage(doc_id)
            return vorlage.text if vorlage else None

        results = []
        for case in cases:
            if progress:
                progress(case.id)
            started = time.perf_counter()
            try:
                request = case.request or drafter.parse(case.text or "").request
                draft = drafter.draft(request, use_model)
                results.append(check_draft(case, draft, cities, document_text))
            except Exception as error:  # noqa: BLE001 - a failing case is reported, the run goes on
                results.append(DraftCaseResult(id=case.id, facts_total=len(case.required_facts),
                                               sections_expected=len(case.sections), error=str(error),
                                               seconds=time.perf_counter() - started))
    finally:
        store.close()
    return DraftEvalReport(
        created_at=datetime.now().astimezone(),
        set_name=path.stem,
        set_path=str(path),
        set_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        corpus=[str(p) for p in corpus] or [str(settings.data_dir)],
        llm_mode=settings.llm.mode,
        use_model=use_model,
        git_commit=git_commit(),
        summary=summarize(results),
        results=results,
    )


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %".replace(".", ",")


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s".replace(".", ",")


def summary_rows(summary: DraftSummary) -> list[tuple[str, str]]:
    return [
        ("Fälle", str(summary.cases)),
        ("Pflichtangaben vorhanden", _percent(summary.required_facts)),
        ("Nicht belegte Zahlen/Daten/Verweise/Namen", str(summary.unsupported_total)),
        ("Abschnitte vorhanden", _percent(summary.sections_present)),
        ("Zitate gültig (Offsets exakt)", _percent(summary.citation_validity)),
        ("Zeit je Vorlage p50 / max", f"{_seconds(summary.seconds_p50)} / {_seconds(summary.seconds_max)}"),
        ("Abgebrochene Fälle", str(summary.errors)),
    ]


def render_report_markdown(report: DraftEvalReport) -> str:
    lines = [
        f"# Entwurfsprüfung „{report.set_name}“",
        "",
        f"Erstellt {report.created_at:%d.%m.%Y %H:%M}, Commit {report.git_commit or '–'}, Modus {report.llm_mode}"
        f"{'' if report.use_model else ' (ohne Sprachmodell)'}, Korpus: {', '.join(report.corpus)}.",
        "",
        "| Kennzahl | Wert |",
        "|---|---|",
        *(f"| {label} | {value} |" for label, value in summary_rows(report.summary)),
        "",
        "| Fall | Pflichtangaben | nicht belegt | Abschnitte | Zitate gültig | Zeit | Modus | Fehler / fehlend |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in report.results:
        problems = r.error or "; ".join([*("/".join(g) for g in r.missing_facts), *r.unsupported]) or "–"
        lines.append(
            f"| {r.id} | {r.facts_found}/{r.facts_total} | {len(r.unsupported)} | {r.sections_present}/{r.sections_expected} "
            f"| {r.citations_valid}/{r.citations_total} | {_seconds(r.seconds)} | {r.mode} | {problems} |"
        )
    return "\n".join(lines) + "\n"


def write_draft_report(report: DraftEvalReport, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, markdown_path = out_dir / "drafts_report.json", out_dir / "drafts_report.md"
    json_path.write_text(report.model_dump_json(indent=2), encoding="utf-8")
    markdown_path.write_text(render_report_markdown(report), encoding="utf-8")
    return json_path, markdown_path
