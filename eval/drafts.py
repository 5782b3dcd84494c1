"""``vorlagen eval drafts``: the drafting check on a set of draft requests.

Each case (JSONL) holds a request (structured ``request`` or one-line ``text``), the facts the draft must
contain (``required_facts``: groups of alternatives, compared like the question reports' facts), the
sections expected and ``expect`` (what the request must be understood as). Metrics per case and overall
(the rubric, ``eval.drafts_rubric``): required facts present, the finance table's sums against an
independent recomputation, the request understood, every figure placed or named as unassigned,
unsupported numbers/dates/references/names (the invention guard run over the whole draft against
request, tool results and cited passages – must be 0), sentences with prompt text, empty sections, the
Betreff keeping its figures, placeholders per section, citations valid (quote verbatim at its offsets),
seconds. With a language model also per section asked of it: the mode that wrote it or why it kept its
skeleton, and the seconds (the draft's ``timings``).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, model_validator

from assistant.drafting import Drafter, UnassignedFigure, render_markdown
from assistant.drafting.drafter import allowed_material
from assistant.drafting.guard import findings
from assistant.service import AssistantService
from eval.drafts_rubric import (
    Expectation,
    betreff_problems,
    empty_sections,
    placeholders,
    prompt_hits,
    totals_problems,
    understood_problems,
)
from eval.harness import git_commit
from eval.metrics import check_citation, fact_groups_matched, percentile
from ingest.pipeline import Ingestor
from vorlagen.domain import DRAFT_SECTIONS, Draft, DraftRequest, DraftSectionName
from vorlagen.settings import Settings
from vorlagen.store import VorlagenStore


GOAL_SECONDS = 90.0
"""A whole draft, with the language model on two cores, should take at most this long (issue 22)."""


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
    expect: Expectation | None = None
    """What the request must be understood as; the finance table's sums are recomputed from it."""
    heute: date | None = None
    """The day the request is read on (a „1. Oktober“ without a year, the draft date); default: today."""
    abschnitte: list[DraftSectionName] | None = None
    """Sections asked for with a one-line ``text`` (a structured ``request`` names its own)."""
    tags: list[str] = Field(default_factory=list)
    """Informational: what the case exercises (``zeile``/``formular``, ``je-jahr``, ``zukunft``, ``befristung`` …)."""

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
    totals_checked: bool = False
    totals_problems: list[str] = Field(default_factory=list)
    understood_problems: list[str] = Field(default_factory=list)
    unassigned: list[str] = Field(default_factory=list)
    unassigned_problems: list[str] = Field(default_factory=list)
    prompt_hits: list[str] = Field(default_factory=list)
    empty_sections: list[str] = Field(default_factory=list)
    betreff_problems: list[str] = Field(default_factory=list)
    placeholders: dict[str, int] = Field(default_factory=dict)
    section_modes: dict[str, str] = Field(default_factory=dict)
    """Per section the language model was asked for: the mode that wrote it (``local``, ``openai``) or
    ``skeleton`` (fallen back; why in ``fallbacks``)."""
    fallbacks: dict[str, str] = Field(default_factory=dict)
    """Per section that fell back to its skeleton: ``zeitbudget``, ``zeitlimit``, ``fehler``, ``leer``,
    ``angaben_fehlen``, ``uebernommen`` (``vorlagen.domain.DraftFallback``)."""
    model_seconds: float | None = None
    """Seconds of the draft's model budget spent (loading the model included); ``None`` without a model."""
    section_seconds: dict[str, float] = Field(default_factory=dict)
    """Seconds per section the model was asked for."""
    read_seconds: dict[str, float] = Field(default_factory=dict)
    """Of these, seconds until the model's first piece of text (reading the prompt)."""

    @property
    def passed(self) -> bool:
        """Every rubric item met."""
        return self.error is None and not (
            self.missing_facts or self.unsupported or self.totals_problems or self.understood_problems
            or self.unassigned_problems or self.prompt_hits or self.empty_sections or self.betreff_problems
        )


class DraftSummary(BaseModel):
    cases: int
    required_facts: float | None
    unsupported_total: int
    sections_present: float | None
    citation_validity: float | None
    seconds_p50: float | None
    seconds_max: float | None
    errors: int
    totals_correct: float | None = None
    """Share of the cases with a finance table whose sums equal the independent recomputation."""
    understood_correct: float | None = None
    unassigned_named: float | None = None
    prompt_hits: int = 0
    empty_sections: int = 0
    betreff_correct: float | None = None
    cases_passed: int = 0
    model_sections: int = 0
    """Sections written by the language model (after the guards)."""
    model_sections_asked: int = 0
    """Sections the language model was asked for."""
    fallbacks: dict[str, int] = Field(default_factory=dict)
    """Sections fallen back to the skeleton, by reason."""
    seconds_over_goal: int = 0
    """Drafts that took longer than ``GOAL_SECONDS``."""


class DraftEvalReport(BaseModel):
    created_at: datetime
    set_name: str
    set_path: str
    set_sha256: str
    corpus: list[str]
    llm_mode: str
    use_model: bool
    model_budget_s: float | None = None
    case_ids: list[str] = Field(default_factory=list)
    """The cases run (a subset with ``--ids``/``--limit``)."""
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


def check_draft(
    case: DraftCase, draft: Draft, cities: frozenset[str], document_text: Callable[[str], str | None],
    unassigned: list[UnassignedFigure] | None = None, projection_percent: Decimal | None = None,
) -> DraftCaseResult:
    """The metrics of one draft (see module doc and ``eval.drafts_rubric``)."""
    markdown = render_markdown(draft, with_notices=False)
    matched = fact_groups_matched(case.required_facts, markdown)
    table = draft.cost_table
    allowed = allowed_material(draft.request, table, [], draft.citations, cities)
    unsupported = [f"{f.kind} „{f.text}“" for f in findings(markdown, allowed)]
    present = {section.name for section in draft.sections}
    valid = sum(check_citation(c, document_text(c.doc_id), []).exact_offsets for c in draft.citations)
    expect = (case.expect or Expectation()).completed(case.request)
    named = [figure.text for figure in unassigned or []]
    request_text = case.text or case.request.model_dump_json() if case.request else case.text or ""
    rubric = {
        "totals_checked": bool(expect.jahre) or table is not None,
        "totals_problems": totals_problems(expect, draft, projection_percent),
        "understood_problems": understood_problems(expect, draft.request) if case.expect is not None else [],
        "unassigned": named,
        "unassigned_problems": [f"nicht genannt: „{t}“" for t in expect.nicht_zugeordnet if t not in named]
        + [f"unerwartet nicht zugeordnet: „{t}“" for t in named if t not in expect.nicht_zugeordnet],
        "prompt_hits": prompt_hits(markdown, request_text or ""),
        "empty_sections": empty_sections(draft, case.sections),
        "betreff_problems": betreff_problems(expect, draft),
        "placeholders": placeholders(draft),
    }
    return DraftCaseResult(
        **rubric,
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
        **model_use(draft),
    )


def model_use(draft: Draft) -> dict[str, object]:
    """Which sections the model was asked for, which it wrote, why the others fell back, and the time."""
    asked = {key.removeprefix("model:"): value for key, value in draft.timings.items() if key.startswith("model:")}
    reading = {key.removeprefix("model-read:"): value for key, value in draft.timings.items() if key.startswith("model-read:")}
    sections = {section.name: section for section in draft.sections if section.name in asked}
    return {
        "section_modes": {name: section.mode for name, section in sections.items()},
        "fallbacks": {name: section.fallback for name, section in sections.items() if section.fallback},
        "model_seconds": draft.timings.get("model"),
        "section_seconds": asked,
        "read_seconds": reading,
    }


def _ratio(found: int, total: int) -> float | None:
    return found / total if total else None


def summarize(results: list[DraftCaseResult]) -> DraftSummary:
    ok = [r for r in results if r.error is None]
    seconds = [r.seconds for r in ok]
    checked = [r for r in ok if r.totals_checked]
    return DraftSummary(
        cases=len(results),
        required_facts=_ratio(sum(r.facts_found for r in ok), sum(r.facts_total for r in results)),
        unsupported_total=sum(len(r.unsupported) for r in ok),
        sections_present=_ratio(sum(r.sections_present for r in ok), sum(r.sections_expected for r in results)),
        citation_validity=_ratio(sum(r.citations_valid for r in ok), sum(r.citations_total for r in ok)),
        seconds_p50=percentile(seconds, 50),
        seconds_max=max(seconds, default=None),
        errors=len(results) - len(ok),
        totals_correct=_ratio(sum(not r.totals_problems for r in checked), len(checked)),
        understood_correct=_ratio(sum(not r.understood_problems for r in ok), len(ok)),
        unassigned_named=_ratio(sum(not r.unassigned_problems for r in ok), len(ok)),
        prompt_hits=sum(len(r.prompt_hits) for r in ok),
        empty_sections=sum(len(r.empty_sections) for r in ok),
        betreff_correct=_ratio(sum(not r.betreff_problems for r in ok), len(ok)),
        cases_passed=sum(r.passed for r in results),
        model_sections=sum(mode != "skeleton" for r in ok for mode in r.section_modes.values()),
        model_sections_asked=sum(len(r.section_modes) for r in ok),
        fallbacks=dict(Counter(reason for r in ok for reason in r.fallbacks.values()).most_common()),
        seconds_over_goal=sum(r.seconds > GOAL_SECONDS for r in ok),
    )


class CaseDraft(BaseModel):
    draft: Draft
    unassigned: list[UnassignedFigure] = Field(default_factory=list)


def draft_case(drafter: Drafter, case: DraftCase, use_model: bool) -> CaseDraft:
    """The draft of a case (a one-line request parsed on the case's day, drafted despite unassigned figures,
    which the rubric checks)."""
    if case.request is not None:
        request = case.request if case.heute is None or case.request.datum else case.request.model_copy(update={"datum": case.heute})
        return CaseDraft(draft=drafter.draft(request, use_model))
    parsed = drafter.parse(case.text or "", case.heute)
    update: dict[str, object] = {"datum": case.heute} if case.heute else {}
    if case.abschnitte:
        update["abschnitte"] = [name for name in DRAFT_SECTIONS if name in case.abschnitte]
    request = parsed.request.model_copy(update=update)
    return CaseDraft(draft=drafter.draft(request, use_model), unassigned=parsed.unassigned)


def select_cases(cases: list[DraftCase], ids: list[str] | None = None, limit: int | None = None) -> list[DraftCase]:
    """The cases named in ``ids`` (in the set's order), else all; then the first ``limit``."""
    if ids:
        known = {case.id for case in cases}
        unknown = [case_id for case_id in ids if case_id not in known]
        if unknown:
            raise DraftSetError(f"Unbekannte Fälle: {', '.join(unknown)} (der Satz hat {', '.join(sorted(known))}).")
        cases = [case for case in cases if case.id in ids]
    return cases[:limit] if limit is not None else cases


def run_draft_eval(
    settings: Settings, path: Path, corpus: list[Path], use_model: bool, progress: Callable[[str], None] | None = None,
    ids: list[str] | None = None, limit: int | None = None, drafts_dir: Path | None = None,
) -> DraftEvalReport:
    """Draft every case of ``path`` (or those in ``ids``, at most ``limit``; ingesting ``corpus`` into
    ``settings.data_dir`` first) and check it; with ``drafts_dir`` each draft is kept there as
    ``<id>.md`` (with its notices: what the model wrote, what fell back and why)."""
    cases = select_cases(load_cases(path), ids, limit)
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
                result = draft_case(drafter, case, use_model)
                if drafts_dir is not None:
                    drafts_dir.mkdir(parents=True, exist_ok=True)
                    (drafts_dir / f"{case.id}.md").write_text(render_markdown(result.draft), encoding="utf-8")
                results.append(check_draft(case, result.draft, cities, document_text, result.unassigned,
                                           settings.costs.projection_percent))
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
        model_budget_s=settings.drafting.model_budget_s if use_model else None,
        case_ids=[case.id for case in cases],
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
        ("Fälle (alle Kriterien erfüllt)", f"{summary.cases} ({summary.cases_passed})"),
        ("Pflichtangaben vorhanden", _percent(summary.required_facts)),
        ("Summen richtig (unabhängig nachgerechnet)", _percent(summary.totals_correct)),
        ("Anfrage richtig verstanden", _percent(summary.understood_correct)),
        ("Jede Zahl zugeordnet oder genannt", _percent(summary.unassigned_named)),
        ("Nicht belegte Zahlen/Daten/Verweise/Namen", str(summary.unsupported_total)),
        ("Sätze mit Prompt-Text", str(summary.prompt_hits)),
        ("Leere Abschnitte", str(summary.empty_sections)),
        ("Betreff behält seine Zahlen", _percent(summary.betreff_correct)),
        ("Abschnitte vorhanden", _percent(summary.sections_present)),
        ("Zitate gültig (Offsets exakt)", _percent(summary.citation_validity)),
        ("Zeit je Vorlage p50 / max", f"{_seconds(summary.seconds_p50)} / {_seconds(summary.seconds_max)}"),
        (f"Vorlagen über {GOAL_SECONDS:g} s", str(summary.seconds_over_goal)),
        ("Abgebrochene Fälle", str(summary.errors)),
    ] + ([
        ("Abschnitte vom Sprachmodell (gefragt)", f"{summary.model_sections} ({summary.model_sections_asked})"),
        ("Beim Gerüst geblieben, nach Grund", ", ".join(f"{reason} {count}" for reason, count in summary.fallbacks.items()) or "–"),
    ] if summary.model_sections_asked else [])


_SHORT = {"Begründung": "Begr.", "Finanzielle Auswirkungen": "Fin.", "Personelle Auswirkungen": "Pers.", "Beschlussantrag": "Beschl."}


def section_use(result: DraftCaseResult) -> str:
    """„Begr. local 41,20 s (lesen 12,10 s) · Fin. Gerüst (zeitbudget) 0,00 s“: per section asked of the model."""
    parts = []
    for name, mode in result.section_modes.items():
        used = mode if mode != "skeleton" else f"Gerüst ({result.fallbacks.get(name, '?')})"
        read = f" (lesen {_seconds(result.read_seconds[name])})" if name in result.read_seconds else ""
        parts.append(f"{_SHORT.get(name, name)} {used} {_seconds(result.section_seconds.get(name))}{read}")
    return " · ".join(parts) or "–"


def render_report_markdown(report: DraftEvalReport) -> str:
    lines = [
        f"# Entwurfsprüfung „{report.set_name}“",
        "",
        f"Erstellt {report.created_at:%d.%m.%Y %H:%M}, Commit {report.git_commit or '–'}, Modus {report.llm_mode}"
        f"{'' if report.use_model else ' (ohne Sprachmodell)'}"
        f"{f', Zeitbudget des Sprachmodells {report.model_budget_s:g} s je Entwurf' if report.model_budget_s else ''}, "
        f"Korpus: {', '.join(report.corpus)}, Fälle: {', '.join(report.case_ids)}.",
        "",
        "| Kennzahl | Wert |",
        "|---|---|",
        *(f"| {label} | {value} |" for label, value in summary_rows(report.summary)),
        "",
        "| Fall | Pflichtangaben | Summen | verstanden | nicht zugeordnet | nicht belegt | Prompt-Text | Betreff "
        "| Platzhalter je Abschnitt | Abschnitte | Zitate gültig | Zeit | davon Sprachmodell | Sprachmodell je Abschnitt "
        "| Fehler / fehlend |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report.results:
        problems = r.error or "; ".join([
            *("/".join(g) for g in r.missing_facts), *r.unsupported, *r.totals_problems, *r.understood_problems,
            *r.unassigned_problems, *r.prompt_hits, *r.betreff_problems, *(f"leer: {s}" for s in r.empty_sections),
        ]) or "–"
        totals = ("ok" if not r.totals_problems else "falsch") if r.totals_checked else "–"
        places = ", ".join(f"{name[:4]}. {count}" for name, count in r.placeholders.items() if count) or "0"
        lines.append(
            f"| {r.id} | {r.facts_found}/{r.facts_total} | {totals} | {'ok' if not r.understood_problems else 'nein'} "
            f"| {len(r.unassigned)} | {len(r.unsupported)} | {len(r.prompt_hits)} | {'ok' if not r.betreff_problems else 'nein'} "
            f"| {places} | {r.sections_present}/{r.sections_expected} | {r.citations_valid}/{r.citations_total} "
            f"| {_seconds(r.seconds)} | {_seconds(r.model_seconds)} | {section_use(r)} | {problems} |"
        )
    return "\n".join(lines) + "\n"


def write_draft_report(report: DraftEvalReport, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, markdown_path = out_dir / "drafts_report.json", out_dir / "drafts_report.md"
    json_path.write_text(report.model_dump_json(indent=2), encoding="utf-8")
    markdown_path.write_text(render_report_markdown(report), encoding="utf-8")
    return json_path, markdown_path
