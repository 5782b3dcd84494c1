"""End to end: the product and the plain-RAG baseline on the seeds set, the gate of eval/gates.toml.

The session's seeds index (``tests/conftest.py``: ``seeds_store``); the question set is
``eval/questions.jsonl``. This is the gate CI runs (``make test`` → pytest).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli_eval import eval_app
from eval.gates import check_gates, default_gates_path, load_gates
from eval.harness import build_report
from eval.pipelines import AssistantPipeline, PlainRagPipeline, bind_answer_function
from eval.questions import QuestionSet, load_questions
from eval.report import write_report
from eval.results import RunReport
from eval.runner import EvalRunner
from tests.eval_support import DigitShiftingPipeline, RecordedPipeline
from vorlagen.settings import Settings


@pytest.fixture(scope="module")
def seeds_set(shared_dir: Path) -> QuestionSet:
    return load_questions(shared_dir / "eval" / "questions.jsonl")


@pytest.fixture(scope="module")
def recorded(seeds_settings: Settings, seeds_store, seeds_set: QuestionSet):
    """Both pipelines over the session's seeds index, answers recorded for re-scoring."""
    from assistant.service import AssistantService

    # Extractive: the fast, deterministic mode CI gates on (a local model, if installed, is not used here).
    settings = seeds_settings.model_copy(update={"llm": seeds_settings.llm.model_copy(update={"mode": "extractive"})})
    service = AssistantService(settings, seeds_store)
    pipelines = [
        RecordedPipeline(AssistantPipeline(service)),
        RecordedPipeline(PlainRagPipeline(seeds_store.vectorstore, bind_answer_function(service), k=4)),
    ]

    def document_text(doc_id: str) -> str | None:
        vorlage = seeds_store.get_vorlage(doc_id)
        return vorlage.text if vorlage else None

    runner = EvalRunner(pipelines, document_text)
    runs = runner.run(seeds_set, show_progress=False)
    return pipelines, document_text, build_report(seeds_set, runs, runner.ks, ["corpus/seeds"], settings, 0.0)


def test_gate_passes_on_seeds_and_states_ours_vs_plain_rag(recorded, tmp_path: Path) -> None:
    _, _, report = recorded
    gate = check_gates(report, load_gates(default_gates_path()), default_gates_path())
    failed = [f"{c.metric}={c.value} (Schwelle {c.kind} {c.threshold})" for c in gate.checks if not c.passed]
    assert gate.section == "sets.questions" and gate.passed, failed
    assert [run.name for run in report.runs] == ["ours", "baseline"]
    for run in report.runs:
        assert run.overall.questions == 23 and run.overall.errors == 0
        assert all(0 <= (r.timings.get("total") or -1) for r in run.results)
    report.gate = gate
    files = write_report(report, tmp_path)
    assert "Wir vs. einfaches RAG" in files.markdown.read_text(encoding="utf-8")
    saved = RunReport.model_validate_json(files.json.read_text(encoding="utf-8"))
    assert saved.primary.results[0].answer == report.primary.results[0].answer


def test_gate_fails_when_fact_accuracy_drops(recorded, seeds_set: QuestionSet) -> None:
    pipelines, document_text, report = recorded
    runner = EvalRunner([DigitShiftingPipeline(pipelines[0]), pipelines[1]], document_text)
    degraded = build_report(seeds_set, runner.run(seeds_set, show_progress=False), runner.ks, [], Settings(), 0.0)
    before, after = report.primary.overall.fact_accuracy, degraded.primary.overall.fact_accuracy
    assert before is not None and after is not None and after < before
    gate = check_gates(degraded, load_gates(default_gates_path()), default_gates_path())
    assert not gate.passed
    assert "fact_accuracy" in {check.metric for check in gate.checks if not check.passed}
    # Nothing but the answers changed: retrieval scores are identical.
    assert degraded.primary.overall.recall == report.primary.overall.recall


def test_cli_gate_exit_codes(seeds_settings: Settings, seeds_store, seeds_set: QuestionSet, tmp_path: Path) -> None:
    subset = tmp_path / "seeds_kurz.jsonl"
    picked = [q for q in seeds_set.questions if q.id in {"v03", "v22"}]
    subset.write_text("\n".join(json.dumps(q.model_dump(exclude_none=True), ensure_ascii=False) for q in picked) + "\n",
                      encoding="utf-8")
    lenient, strict = tmp_path / "locker.toml", tmp_path / "streng.toml"
    lenient.write_text("version = 1\n[default.min]\nfact_accuracy = 0.0\n", encoding="utf-8")
    strict.write_text("version = 1\n[default.min]\nfact_accuracy = 1.01\n", encoding="utf-8")
    base = ["run", str(subset), "--index", str(seeds_settings.data_dir), "--mode", "extractive", "--no-baseline",
            "--no-progress"]
    passed = CliRunner().invoke(eval_app, [*base, "--gates", str(lenient), "--out", str(tmp_path / "ok")])
    assert passed.exit_code == 0, passed.output
    assert (tmp_path / "ok" / "report.html").is_file()
    failed = CliRunner().invoke(eval_app, [*base, "--gates", str(strict), "--out", str(tmp_path / "streng")])
    assert failed.exit_code == 1, failed.output
    assert "NICHT bestanden" in failed.output
