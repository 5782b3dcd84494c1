"""The learning curve over the question bank (``eval/learning_curve.py``, ``vorlagen eval learning-curve``):
whole papers are held out and shared out, and the models fitted on more papers see more questions."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from eval import train
from eval.learning_curve import learning_curve, paper_share

BANK = Path(__file__).resolve().parents[1] / "eval" / "bank"


def test_a_share_of_papers_is_drawn_whole_and_grows_with_the_fraction() -> None:
    papers = [f"2024/{number:04d}" for number in range(40)] * 3  # a paper per question: repeats count once
    quarter, half, whole = (paper_share(papers, fraction, seed=7) for fraction in (0.25, 0.5, 1.0))
    assert len(quarter) == 10 and len(half) == 20 and whole == set(papers)
    assert quarter < half < whole  # a larger share keeps the smaller one's papers
    assert paper_share(papers, 0.5, seed=8) != half  # another fold draws another share
    assert len(paper_share(["2024/0001"], 0.1, seed=7)) == 1


def _dev_candidates() -> tuple[list[train.QuestionRows], dict[str, str]]:
    dev = train.load_split(BANK, "dev")
    return train.read_rows(BANK / "training" / "dev-candidates.jsonl.gz"), train.papers_of(dev)


def test_every_question_is_measured_once_per_share_by_models_that_never_saw_it() -> None:
    """On the committed dev candidates, one draw of the folds (the whole bank takes ≈ 3 min)."""
    data, papers = _dev_candidates()
    folds: list[None] = []
    half, whole = learning_curve(data, papers, c=0.03, fractions=(0.5, 1.0), repeats=1,
                                 on_fold=lambda: folds.append(None))
    assert len(folds) == train.FOLDS  # the progress bar advances once per fold
    for point in (half, whole):
        assert point.right + point.wrong + point.refused_answerable <= sum(q.answerable for q in data)
        assert point.reachable == whole.reachable  # the same held-out questions at every share
    assert 0 < half.fitted_questions < whole.fitted_questions < len(data)
    assert whole.fitted_questions > 0.7 * len(data)  # four of five folds fit the models at the full share


def test_the_command_prints_the_curve_as_json(tmp_path: Path) -> None:
    """The command on a bank of the dev candidates alone: a point per share, the last one fitted on all papers."""
    from api.cli import app

    bank = tmp_path / "bank"
    (bank / "training").mkdir(parents=True)
    for split in ("train", "dev"):
        (bank / f"{split}.jsonl").write_text((BANK / f"{split}.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    train.write_rows(bank / "training" / "train-candidates.jsonl.gz", [])  # the candidates of dev alone
    train.write_rows(bank / "training" / "dev-candidates.jsonl.gz",
                     train.read_rows(BANK / "training" / "dev-candidates.jsonl.gz"))
    result = CliRunner().invoke(app, ["eval", "learning-curve", "--bank", str(bank), "--draws", "1", "--json"])
    assert result.exit_code == 0, result.output
    points = json.loads(result.stdout)
    assert [point["fraction"] for point in points] == [0.25, 0.5, 0.75, 1.0]
    assert points[0]["fitted_questions"] < points[-1]["fitted_questions"]
