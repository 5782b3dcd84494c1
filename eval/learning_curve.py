"""Would more questions help? The answer model's learning curve over the question bank.

Per fold of train + dev (by paper, ``FOLDS`` folds, drawn ``REPEATS`` times), the scorer and the verifier are
fitted on a growing share of the other folds' papers (whole papers, seeded) and answer the held fold. If the
held-out outcome still climbs from three quarters to all of the papers, writing more questions pays; if it is
flat, the features limit the reader, not the amount of data (``vorlagen eval learning-curve``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from pydantic import BaseModel

from eval.train import (
    REPEATS,
    SEED,
    QuestionRows,
    SplitScore,
    fit,
    folds,
    per_draw,
    ranking_accuracy,
    summed_scores,
    verifier_outcome,
)

FRACTIONS: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0)


class CurvePoint(BaseModel):
    """The held-out outcome when the models saw ``fraction`` of the other folds' papers (mean of one draw)."""

    fraction: float
    fitted_questions: float
    """Questions the models were fitted on, per fold (mean)."""
    right: float
    wrong: float
    refused_answerable: float
    answered_unanswerable: float
    utility: float
    ranked_right: float
    """Answerable questions whose best candidate is right (of ``reachable``): the scorer alone, before the verifier."""
    reachable: float


def paper_share(papers: Sequence[str], fraction: float, seed: int) -> set[str]:
    """``fraction`` of ``papers`` (at least one), drawn with ``seed``; a larger fraction keeps the smaller's papers."""
    ordered = sorted(set(papers))
    random.Random(seed).shuffle(ordered)
    return set(ordered[: max(1, round(len(ordered) * fraction))])


def learning_curve(data: list[QuestionRows], paper_of: dict[str, str], c: float,
                   fractions: Sequence[float] = FRACTIONS, repeats: int = REPEATS,
                   on_fold: Callable[[], None] | None = None) -> list[CurvePoint]:
    """The outcome on held-out folds per share of fitting papers, with the scorer's ``c`` fixed (the chosen one:
    choosing it again on a quarter of the data would mix two effects). ``on_fold`` is called after each of the
    ``FOLDS`` × ``repeats`` folds (a progress bar)."""
    def paper(question: QuestionRows) -> str:
        return paper_of.get(question.question_id, question.question_id)

    scores: dict[float, list[SplitScore]] = {fraction: [] for fraction in fractions}
    ranked: dict[float, list[tuple[int, int, int]]] = {fraction: [] for fraction in fractions}
    for number, (fitted, held) in enumerate(folds(data, paper_of, repeats)):
        held_data = [data[i] for i in held]
        for fraction in fractions:
            kept = paper_share([paper(data[i]) for i in fitted], fraction, SEED + number)
            inner = [data[i] for i in fitted if paper(data[i]) in kept]
            scorer = fit(inner, c)
            scores[fraction].append(verifier_outcome(scorer, inner, held_data, paper_of, c))
            ranked[fraction].append((*ranking_accuracy(scorer, held_data), len(inner)))
        if on_fold is not None:
            on_fold()
    points = []
    for fraction in fractions:
        mean = per_draw(summed_scores(scores[fraction]), repeats)
        right, reachable, fitted_questions = (sum(run[i] for run in ranked[fraction]) for i in range(3))
        points.append(CurvePoint(
            fraction=fraction, fitted_questions=round(fitted_questions / len(ranked[fraction]), 1),
            right=mean["right"], wrong=mean["wrong"], refused_answerable=mean["refused_answerable"],
            answered_unanswerable=mean["answered_unanswerable"], utility=mean["utility"],
            ranked_right=round(right / repeats, 1), reachable=round(reachable / repeats, 1)))
    return points
