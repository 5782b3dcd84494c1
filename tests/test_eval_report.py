"""Report files are written, the HTML is self-contained, and two runs compare question by question."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli_eval import eval_app
from eval.compare import compare_reports, load_report
from eval.harness import build_report
from eval.questions import load_questions
from eval.report import write_report
from eval.results import RunReport
from eval.runner import EvalRunner
from tests.eval_support import KeywordPipeline, seeds_texts
from vorlagen.settings import Settings


def _run(shared: Path, min_overlap: int) -> RunReport:
    texts = seeds_texts(shared)
    question_set = load_questions(shared / "eval" / "questions.jsonl")
    pipelines = [
        KeywordPipeline("ours", "Stichwortsuche (streng)", texts, min_overlap=min_overlap),
        KeywordPipeline("baseline", "Stichwortsuche (locker)", texts, min_overlap=1),
    ]
    runner = EvalRunner(pipelines, texts.get)
    runs = runner.run(question_set, show_progress=False)
    return build_report(question_set, runs, runner.ks, [str(shared / "corpus" / "seeds")], Settings(), 0.5)


@pytest.fixture(scope="module")
def shared(shared_dir: Path) -> Path:
    return shared_dir


@pytest.fixture(scope="module")
def reports(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("eval-reports")
    before, after = _run(shared, min_overlap=2), _run(shared, min_overlap=4)
    write_report(before, base / "a")
    write_report(after, base / "b", before=before)
    return base / "a", base / "b"


def test_report_files_hold_every_question(reports: tuple[Path, Path], shared: Path) -> None:
    out, _ = reports
    report = load_report(out / "report.json")
    questions = load_questions(shared / "eval" / "questions.jsonl").questions
    assert [run.name for run in report.runs] == ["ours", "baseline"]
    for run in report.runs:
        assert [result.id for result in run.results] == [q.id for q in questions]
        assert all(result.timings.get("total") is not None for result in run.results)
        assert set(run.by_type) == {q.type for q in questions}
    answered = [r for r in report.primary.results if not r.refused]
    assert answered and all(r.citations and r.citation_checks for r in answered)
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "Wir vs. einfaches RAG" in markdown and "Faktengenauigkeit" in markdown
    for question in questions:
        assert f"| {question.id} |" in markdown


def test_html_is_self_contained_with_charts(reports: tuple[Path, Path]) -> None:
    html = (reports[0] / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:)""", html), "no external resources"
    assert "<script" not in html and "<link" not in html
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) == 3  # accuracy by type, recall@k curve, latency histogram
    for image in images:
        assert base64.b64decode(image).startswith(b"\x89PNG\r\n\x1a\n")
    comparison_html = (reports[1] / "report.html").read_text(encoding="utf-8")
    assert len(re.findall(r'src="data:image/png;base64,', comparison_html)) == 4  # plus the comparison chart


def test_compare_finds_fixed_and_broken_questions(reports: tuple[Path, Path]) -> None:
    before, after = load_report(reports[0] / "report.json"), load_report(reports[1] / "report.json")
    comparison = compare_reports(before, after)
    by_id = {change.id: change for change in comparison.changes}
    for change in comparison.changes:
        old, new = before.primary.result(change.id), after.primary.result(change.id)
        assert old is not None and new is not None
        expected = ("fixed" if new.correct else "broken") if old.correct != new.correct else (
            "unchanged_right" if new.correct else "unchanged_wrong")
        assert change.status == expected
    # A stricter refusal rule changes at least one outcome on the seeds set.
    assert comparison.count("fixed") + comparison.count("broken") > 0
    assert len(by_id) == len(before.primary.results) and comparison.same_question_set


def test_cli_compare_prints_changes(reports: tuple[Path, Path], tmp_path: Path) -> None:
    result = CliRunner().invoke(eval_app, ["compare", str(reports[0] / "report.json"), str(reports[1] / "report.json"),
                                           "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Vergleich A → B" in result.output and "unverändert" in result.output
    assert (tmp_path / "compare.md").read_text(encoding="utf-8").startswith("## Vergleich")
    length = next(line for line in result.output.splitlines() if "Antwortlänge" in line)
    assert "%" not in length and "Pp" not in length  # words, not a share


def test_cli_rejects_broken_question_set_with_german_message(tmp_path: Path) -> None:
    broken = tmp_path / "fragen.jsonl"
    broken.write_text('{"id": "x", "type": "fakt", "question": "?"}\n', encoding="utf-8")
    result = CliRunner().invoke(eval_app, ["run", str(broken), "--no-progress"])
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert "Zeile 1: ungültige Frage" in output and "„fakt“ ist nicht erlaubt" in output


def test_the_rule_count_counts_patterns_alternatives_and_hand_set_floats() -> None:
    from eval.rule_count import RuleCount, count_source

    count = RuleCount()
    count_source('import re\nA = re.compile(r"a|b|c")\nB = re.compile("x")\nW = 0.45\nN = 1.0\nM = 3\n', count)
    assert (count.patterns, count.alternatives, count.floats) == (2, 4, 1)
