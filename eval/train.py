"""Training the answer scorer (``vorlagen eval train``): candidates of the question bank, labelled by the
expected facts, a logistic regression fitted on train, its regularisation and the no-answer threshold
chosen by cross-validation over train + dev, folds by paper. Seeded and deterministic; writes the scorer (``assistant/data/answer_scorer.json``), the
candidate table it was trained on and the metrics.

Labels: a candidate is right when its shown value matches an alternative of an expected fact group
(the harness's own matcher). Unanswerable questions contribute only wrong candidates: they teach the
scorer, and the threshold, what a near miss looks like. The sealed test split is never read here.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from assistant.candidates import FEATURES, Candidate
from assistant.question import QuestionKind
from assistant.scorer import AnswerScorer
from assistant.service import AssistantService
from assistant.verifier import VERIFIER_FEATURES, AnswerVerifier, answer_key, part_features
from eval.metrics import alternative_matches
from eval.questions import EvalQuestion, load_questions

SEED = 21
_Row = TypeVar("_Row", bound=BaseModel)
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)
WRONG_VALUE_COST = 1.5
"""A wrong value costs more than a refusal (a refused question costs a user a minute, a wrong amount
can cost a council decision): the threshold maximises right − 1,5 × wrong on dev."""


class CandidateRow(BaseModel):
    question_id: str
    part: int
    value: str
    label: int
    features: list[float]


class QuestionRows(BaseModel):
    question_id: str
    answerable: bool
    groups: int
    parts: int
    rows: list[CandidateRow]


@dataclass(frozen=True)
class SplitScore:
    right: int
    wrong: int
    refused_answerable: int
    refused_unanswerable: int
    answered_unanswerable: int
    questions: int

    @property
    def utility(self) -> float:
        return self.right + self.refused_unanswerable - WRONG_VALUE_COST * (self.wrong + self.answered_unanswerable)


def collect(service: AssistantService, questions: Iterable[EvalQuestion],
            on_question: Callable[[str], None] | None = None) -> list[QuestionRows]:
    """The candidates of every question that reaches the fact reader, with features and labels."""
    collected: list[QuestionRows] = []
    for question in questions:
        if on_question:
            on_question(question.id)
        prepared = service.prepare(question.question)
        if question.type == "calc" or prepared.analysis.kind not in (QuestionKind.FACT, QuestionKind.CALCULATION):
            continue  # computed values are no candidates; metadata and lists have their own answerers
        documents = service.retrieve(prepared.searched, prepared.filters, prepared.k, prepared.named)
        ranked = service.facts.found(prepared.analysis, documents, service.settled_terms(prepared.named))
        rows = [
            _row(question, index, candidate)
            for index, options in enumerate(ranked)
            for candidate in options
        ]
        collected.append(QuestionRows(question_id=question.id, answerable=question.answerable,
                                      groups=len(question.expected_facts), parts=len(ranked), rows=rows))
    return collected


def _row(question: EvalQuestion, part: int, candidate: Candidate) -> CandidateRow:
    value = answer_key(candidate)
    right = any(alternative_matches(alt, value) for group in question.expected_facts for alt in group)
    return CandidateRow(question_id=question.id, part=part, value=value, label=int(right),
                        features=candidate.features)


@dataclass(frozen=True)
class Thresholds:
    """The calibrated no-answer thresholds: a part is answered by its best candidate that clears the one of its kind."""

    value: float
    """For a typed value (an amount, a date, a count, a name)."""
    sentence: float
    """For a quoted sentence (the answer to a question without a typed value, or a name not recognised as one)."""


_UNTYPED = FEATURES.index("untyped")
_Best = dict[int, dict[bool, tuple[float, int]]]
"""Per part, per kind (typed or not): the best probability and its label."""


def is_typed(row: CandidateRow) -> bool:
    return row.features[_UNTYPED] < 0.5


def _bests(scorer: AnswerScorer, data: list[QuestionRows]) -> list[_Best]:
    found: list[_Best] = []
    for question in data:
        best: _Best = {}
        for row in question.rows:
            p = scorer.probability(row.features)
            kinds = best.setdefault(row.part, {})
            typed = is_typed(row)
            if typed not in kinds or p > kinds[typed][0]:
                kinds[typed] = (p, row.label)
        found.append(best)
    return found


def _outcome(data: list[QuestionRows], bests: list[_Best], thresholds: Thresholds) -> SplitScore:
    answered: list[list[int]] = []
    for best in bests:
        labels: list[int] = []
        for kinds in best.values():
            passing = [(p, label) for typed, (p, label) in kinds.items()
                       if p >= (thresholds.value if typed else thresholds.sentence)]
            if passing:
                labels.append(max(passing)[1])
        answered.append(labels)
    return _judged(data, answered)


def _judged(data: list[QuestionRows], answers: list[list[int]]) -> SplitScore:
    """Question-level outcome from the labels of the values each question's answered parts show."""
    right = wrong = refused_a = refused_u = answered_u = 0
    for question, answered in zip(data, answers, strict=True):
        if not question.answerable:
            refused_u += not answered
            answered_u += bool(answered)
        elif not answered:
            refused_a += 1
        elif all(answered) and len(answered) >= min(question.groups, question.parts):
            right += 1
        elif not any(answered):
            wrong += 1
    return SplitScore(right, wrong, refused_a, refused_u, answered_u, len(data))


def score_split(scorer: AnswerScorer, data: list[QuestionRows], thresholds: Thresholds) -> SplitScore:
    """Question-level outcome of answering each part with its best candidate: when the scorer's verifier accepts
    it, or (without a verifier) the best that clears its kind's threshold."""
    if scorer.verifier is not None:
        probabilities = [[scorer.probability(row.features) for row in question.rows] for question in data]
        return verified_score(data, verifier_items(data, probabilities), scorer.verifier)
    return _outcome(data, _bests(scorer, data), thresholds)


def ranking_accuracy(scorer: AnswerScorer, data: list[QuestionRows]) -> tuple[int, int]:
    """(questions whose every part's best candidate is right, answerable questions with a right candidate
    at all): how well the scorer ranks, apart from the threshold."""
    reachable = ranked_right = 0
    for question in data:
        if not question.answerable or not any(row.label for row in question.rows):
            continue
        reachable += 1
        best: dict[int, tuple[float, int]] = {}
        for row in question.rows:
            p = scorer.probability(row.features)
            if row.part not in best or p > best[row.part][0]:
                best[row.part] = (p, row.label)
        ranked_right += all(label for _, label in best.values())
    return ranked_right, reachable


def fit_logistic(x_rows: list[list[float]], labels: list[int], c: float) -> dict[str, list[float] | float]:
    """A logistic regression (scikit-learn, seeded) on standardised features, unweighted: the fields of an
    ``assistant.logistic.LogisticModel`` but its feature names."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.array(x_rows, dtype=float)
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=5000, random_state=SEED).fit((x - means) / scales,
                                                                          np.array(labels, dtype=int))
    return {"weights": [round(float(w), 6) for w in model.coef_[0]], "means": [round(float(m), 6) for m in means],
            "scales": [round(float(s), 6) for s in scales], "intercept": round(float(model.intercept_[0]), 6)}


def fit(train: list[QuestionRows], c: float) -> AnswerScorer:
    """The scorer on every candidate of ``train``: its probability is the chance that a candidate is right."""
    fitted = fit_logistic([row.features for q in train for row in q.rows], [row.label for q in train for row in q.rows], c)
    return AnswerScorer(version="", features=list(FEATURES), threshold=0.5, **fitted)


THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 20))
FOLDS = 5
REPEATS = 3
"""How often the folds are drawn anew where a choice or a comparison is made. One draw of five folds decides by
chance: on the same candidates, five shuffled draws gave the verifier a nested utility of 101–109 (the unshuffled
one 91,5), and C jumped between 0,3 and 3,0 from one feature to the next. Three draws average much of that out."""


def folds(data: list[QuestionRows], paper_of: dict[str, str], repeats: int = 1) -> Iterator[tuple[list[int], list[int]]]:
    """``FOLDS`` folds by paper (a Vorlage's questions stay in one fold), drawn ``repeats`` times, shuffled and
    seeded: the (fitted, held out) indices of every fold of every draw."""
    from sklearn.model_selection import GroupKFold

    groups = [paper_of.get(question.question_id, question.question_id) for question in data]
    for repeat in range(repeats):
        for fitted, held in GroupKFold(FOLDS, shuffle=True, random_state=SEED + repeat).split(data, groups=groups):
            yield list(fitted), list(held)


def choose_by_cross_validation(data: list[QuestionRows], paper_of: dict[str, str],
                               repeats: int = REPEATS) -> tuple[float, Thresholds, SplitScore]:
    """C and the two no-answer thresholds with the best summed utility over ``repeats`` draws of ``FOLDS`` folds
    of train + dev by paper: on dev alone (83 questions with candidates) the utility is flat and its maximum jumps
    between thresholds 0,35 and 0,6 from one feature to the next. Ties go to the higher thresholds (fewer
    answers), then to the smaller C. The returned outcome is summed over the draws."""
    totals: dict[tuple[float, Thresholds], list[SplitScore]] = {}
    for fitted, held in folds(data, paper_of, repeats):
        held_out = [data[i] for i in held]
        for c in C_GRID:
            bests = _bests(fit([data[i] for i in fitted], c), held_out)
            for value in THRESHOLDS:
                for sentence in THRESHOLDS:
                    thresholds = Thresholds(value, sentence)
                    totals.setdefault((c, thresholds), []).append(_outcome(held_out, bests, thresholds))
    summed = {key: summed_scores(scores) for key, scores in totals.items()}
    (c, thresholds), best = max(summed.items(), key=lambda item: (
        item[1].utility, item[0][1].value, item[0][1].sentence, -item[0][0]))
    return c, thresholds, best


def summed_scores(scores: list[SplitScore]) -> SplitScore:
    return SplitScore(*(sum(getattr(s, name) for s in scores) for name in
                        ("right", "wrong", "refused_answerable", "refused_unanswerable", "answered_unanswerable", "questions")))


# ---- the verifier ---------------------------------------------------------------------------------------
VERIFIER_C = 1.0
VERIFIER_THRESHOLD = round(WRONG_VALUE_COST / (1 + WRONG_VALUE_COST), 3)
"""Answer when the verifier's probability p that the best candidate is right makes answering worth more than
refusing: p > 1,5 × (1 − p), i.e. p ≥ 0,6. Derived from the cost of a wrong value, not searched for: over the
cross-validation folds the utility is flat between 0,6 and 0,8 (105–109), a searched maximum would be noise."""
_Item = tuple[list[float], int]
"""A part's verifier features and whether its best candidate is right."""


def out_of_fold(data: list[QuestionRows], paper_of: dict[str, str], c: float) -> list[list[float]]:
    """Every candidate's probability from a scorer fitted on the other folds (by paper): the scores the
    scorer gives questions it has not seen, which the verifier must learn to judge."""
    found: list[list[float]] = [[] for _ in data]
    for fitted, held in folds(data, paper_of):
        scorer = fit([data[i] for i in fitted], c)
        for i in held:
            found[i] = [scorer.probability(row.features) for row in data[i].rows]
    return found


def verifier_items(data: list[QuestionRows], probabilities: list[list[float]]) -> list[list[_Item]]:
    """Per question, per part with candidates: the verifier's features of the part's ranking and the label of
    its best candidate."""
    items: list[list[_Item]] = []
    for question, scores in zip(data, probabilities, strict=True):
        ranked = sorted(zip(scores, question.rows, strict=True), key=lambda pair: -pair[0])
        parts: list[_Item] = []
        for part in range(question.parts):
            ranking = [(p, row.value, row.features) for p, row in ranked if row.part == part]
            if (values := part_features(ranking)) is not None:
                parts.append((values, next(row.label for _, row in ranked if row.part == part)))
        items.append(parts)
    return items


def fit_verifier(items: list[list[_Item]], threshold: float) -> AnswerVerifier:
    """The verifier on the parts of ``items``."""
    fitted = fit_logistic([values for parts in items for values, _ in parts],
                          [label for parts in items for _, label in parts], VERIFIER_C)
    return AnswerVerifier(features=list(VERIFIER_FEATURES), threshold=threshold, **fitted)


def verified_score(data: list[QuestionRows], items: list[list[_Item]], verifier: AnswerVerifier) -> SplitScore:
    return _judged(data, [[label for values, label in parts if verifier.probability(values) >= verifier.threshold]
                          for parts in items])


def verifier_outcome(scorer: AnswerScorer, inner: list[QuestionRows], held: list[QuestionRows],
                     paper_of: dict[str, str], c: float) -> SplitScore:
    """``held`` answered by ``scorer`` (fitted on ``inner``) and a verifier fitted on ``inner``'s cross-fitted
    scores: how the two models do on questions neither saw."""
    verifier = fit_verifier(verifier_items(inner, out_of_fold(inner, paper_of, c)), VERIFIER_THRESHOLD)
    probabilities = [[scorer.probability(row.features) for row in question.rows] for question in held]
    return verified_score(held, verifier_items(held, probabilities), verifier)


def choose_verifier(data: list[QuestionRows], paper_of: dict[str, str], c: float,
                    fitted_on: set[str]) -> tuple[AnswerVerifier, SplitScore]:
    """The verifier fitted on the questions in ``fitted_on`` (train) with ``VERIFIER_THRESHOLD``, and its
    cross-validated outcome over the folds of train + dev (each fold's verifier fitted on the others'
    cross-fitted scores)."""
    items = verifier_items(data, out_of_fold(data, paper_of, c))
    held_out: list[SplitScore] = []
    for fitted, held in folds(data, paper_of):
        verifier = fit_verifier([items[i] for i in fitted], VERIFIER_THRESHOLD)
        held_out.append(verified_score([data[i] for i in held], [items[i] for i in held], verifier))
    own = [parts for question, parts in zip(data, items, strict=True) if question.question_id in fitted_on]
    return fit_verifier(own, VERIFIER_THRESHOLD), summed_scores(held_out)


def nested_comparison(data: list[QuestionRows], paper_of: dict[str, str],
                      repeats: int = REPEATS) -> tuple[SplitScore, SplitScore]:
    """The two ways to decide whether to answer, each judged on folds it never saw (``vorlagen eval train
    --compare``): per fold of train + dev, on the other folds C and the two thresholds are chosen by their own
    cross-validation and the scorer is fitted, the verifier is fitted on their cross-fitted scores; both then answer
    the held fold. Returns (thresholds, verifier). The summed figures of ``choose_by_cross_validation`` cannot
    compare them: its thresholds are searched on the very folds they are scored on. The folds are drawn
    ``repeats`` times; the outcomes are summed over the draws (``per_draw`` gives the mean of one draw)."""
    by_thresholds: list[SplitScore] = []
    by_verifier: list[SplitScore] = []
    for fitted, held in folds(data, paper_of, repeats):
        inner, held_data = [data[i] for i in fitted], [data[i] for i in held]
        c, thresholds, _ = choose_by_cross_validation(inner, paper_of, repeats=1)
        scorer = fit(inner, c)
        by_thresholds.append(score_split(scorer, held_data, thresholds))
        by_verifier.append(verifier_outcome(scorer, inner, held_data, paper_of, c))
    return summed_scores(by_thresholds), summed_scores(by_verifier)


def per_draw(score: SplitScore, repeats: int = REPEATS) -> dict[str, float]:
    """An outcome summed over ``repeats`` draws of the folds as the mean of one draw (every question once)."""
    return {name: round(value / repeats, 1) for name, value in vars(score).items()} | {
        "utility": round(score.utility / repeats, 1)}


def papers_of(questions: Iterable[EvalQuestion]) -> dict[str, str]:
    """Question id -> its first source (the paper it was written from): the unit of the folds."""
    return {question.id: question.sources[0] if question.sources else question.id for question in questions}


def write_jsonl_gz(path: Path, rows: Sequence[BaseModel]) -> None:
    """Training rows as gzipped JSON lines (committed beside the bank: the scorers are retrained from them)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for row in rows:
            out.write(row.model_dump_json() + "\n")


def read_jsonl_gz(path: Path, kind: type[_Row]) -> list[_Row]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [kind.model_validate_json(line) for line in lines if line.strip()]


def write_rows(path: Path, data: list[QuestionRows]) -> None:
    write_jsonl_gz(path, data)


def read_rows(path: Path) -> list[QuestionRows]:
    return read_jsonl_gz(path, QuestionRows)


def load_split(bank: Path, split: str) -> list[EvalQuestion]:
    return load_questions(bank / f"{split}.jsonl").questions


def as_metrics(prefix: str, score: SplitScore, ranking: tuple[int, int]) -> dict[str, float | int]:
    return {f"{prefix}_{name}": value for name, value in vars(score).items()} | {
        f"{prefix}_best_candidate_right": ranking[0], f"{prefix}_with_a_right_candidate": ranking[1]}


def describe(scorer: AnswerScorer) -> str:
    """The weights, largest first (for the training report)."""
    pairs = sorted(zip(scorer.features, scorer.weights, strict=True), key=lambda p: -abs(p[1]))
    return "\n".join(f"{name:24s} {weight:+.3f}" for name, weight in pairs)


def dump_json(path: Path, payload: dict) -> None:
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
