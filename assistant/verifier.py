"""The answer verifier: should a question part be answered with its best candidate at all?

The scorer (``assistant.scorer``) ranks the candidates of a part; its probability of one candidate is a poor
judge of whether the *best* one is right: a part with two near-equal values of different meaning is a guess, a
part whose best value stands several times in the evidence, far ahead of the next, is not. As SQuAD 2.0 systems
do, a second small model reads the whole ranking of a part (``VERIFIER_FEATURES``: the best probability, its lead
over the best *different* value, how often the best value recurs, how much of the part's odds the best candidate
and its value hold, how many candidates there are, and the evidence measurements of the best one) and gives the probability that the best candidate is right. The part is
answered when it reaches the calibrated ``threshold``. Trained by ``vorlagen eval train`` on scores the scorer
gave questions it was not fitted on (cross-fitted), so it learns how the scorer errs on new questions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import Field

from assistant.candidates import FEATURES, Candidate
from assistant.compose import shortened, value_text
from assistant.logistic import LogisticModel

BEST_FEATURES: tuple[str, ...] = (
    "type_exact", "clause_terms", "focus_in_clause", "sentence_terms", "chunk_rank", "year_agrees", "focus_asked",
    "chunk_similarity", "vorlage_similarity", "nearness", "untyped",
)
"""The scorer features of the best candidate the verifier reads too."""

VERIFIER_FEATURES: tuple[str, ...] = (
    "best_probability",  # the scorer's probability of the best candidate
    "best_logit",  # … as log-odds (a lead at 0,95 means more than at 0,5)
    "lead",  # best probability minus that of the best candidate with another value
    "recurrence",  # candidates with the best value within 0,2 of its probability (the value stands more than once)
    "best_share",  # the best candidate's share of the odds p / (1 − p) of all the part's candidates
    "value_share",  # … of all candidates with the best value (a value that stands alone, or several times, holds much)
    "candidates",  # log(1 + number of candidates)
    *(f"best_{name}" for name in BEST_FEATURES),
)
_FEATURE = {name: i for i, name in enumerate(FEATURES)}


def answer_key(candidate: Candidate) -> str:
    """The value a candidate would be shown with (the key for "the same value" in training and answering)."""
    return value_text(shortened(candidate, 22))[:200]


def part_features(ranking: Sequence[tuple[float, str, Sequence[float]]]) -> list[float] | None:
    """The verifier's measurements of one part's ranking: (probability, shown value, scorer features) of every
    candidate, best first. None for a part without candidates."""
    if not ranking:
        return None
    best, key, features = ranking[0]
    other = next((p for p, k, _ in ranking[1:] if k != key), 0.0)
    recurrence = sum(1 for p, k, _ in ranking if k == key and p > best - 0.2)
    odds = [_odds(p) for p, _, _ in ranking]
    total = sum(odds)
    return [
        best,
        math.log(odds[0]),
        best - other,
        float(recurrence),
        odds[0] / total,
        sum(o for o, (_, k, _) in zip(odds, ranking, strict=True) if k == key) / total,
        math.log1p(len(ranking)),
        *(features[_FEATURE[name]] for name in BEST_FEATURES),
    ]


def _odds(probability: float) -> float:
    clipped = min(max(probability, 1e-6), 1 - 1e-6)
    return clipped / (1 - clipped)


class AnswerVerifier(LogisticModel):
    """A logistic regression over ``VERIFIER_FEATURES`` and the calibrated threshold on its probability."""

    threshold: float = Field(ge=0.0, le=1.0)

    def confidence(self, scored: Sequence[Candidate]) -> float | None:
        """The probability that the best of ``scored`` (scored by the scorer, best first, every candidate) is
        right; None for a part without candidates."""
        values = part_features([(c.score, answer_key(c), c.features) for c in scored])
        return None if values is None else self.probability(values)

    def accepts(self, confidence: float | None) -> bool:
        """Does a best candidate of this ``confidence`` (None: a part without candidates) answer its part?"""
        return confidence is not None and confidence >= self.threshold
