"""The learned answer scorer: a logistic regression over the candidate features, trained on the
question bank's train split (``vorlagen eval train``) and stored as plain JSON beside the code.

The file names its features, so a scorer trained on other features is refused rather than misread;
whether a part is answered at all decides its ``verifier`` (``assistant.verifier``), which reads the part's
whole ranking; a scorer without one falls back to ``threshold`` and ``sentence_threshold``, the calibrated
no-answer thresholds for a typed value and for a quoted sentence: a part none of whose candidates clears the
threshold of its kind is not answered.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from assistant.candidates import FEATURES, Candidate
from assistant.logistic import LogisticModel
from assistant.verifier import VERIFIER_FEATURES, AnswerVerifier

DEFAULT_SCORER = Path(__file__).parent / "data" / "answer_scorer.json"


class ScorerError(RuntimeError):
    """The scorer file cannot be used (message in German)."""


class AnswerScorer(LogisticModel):
    """Weights per feature, an intercept and the no-answer threshold; ``metrics`` and ``trained_on``
    document where it comes from."""

    version: str
    threshold: float = Field(ge=0.0, le=1.0)
    """The no-answer threshold for a typed value (an amount, a date, a count, a name)."""
    sentence_threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    """The no-answer threshold for a quoted sentence (the answer to a question without a typed value), chosen
    by the same cross-validation; None: ``threshold``."""
    verifier: AnswerVerifier | None = None
    """Decides whether a part is answered at all from the whole ranking of its candidates (``assistant.verifier``);
    None: the best candidate must clear the threshold of its kind."""
    trained_on: dict[str, str | int | float] = Field(default_factory=dict)
    metrics: dict[str, float | int | str] = Field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> AnswerScorer:
        path = path or DEFAULT_SCORER
        try:
            scorer = cls.read(path, "Das Antwortmodell", FEATURES)
            if scorer.verifier is not None and tuple(scorer.verifier.features) != VERIFIER_FEATURES:
                raise ValueError(f"Das Prüfmodell in {path} wurde mit anderen Merkmalen trainiert; bitte neu "
                                 "trainieren (`vorlagen eval train`).")
        except ValueError as error:
            raise ScorerError(str(error)) from error
        return scorer

    @classmethod
    def untrained(cls) -> AnswerScorer:
        """Zero weights over the current ``FEATURES``: every candidate scores 0,5 (for collecting the
        candidates a scorer is then trained on)."""
        zeros = [0.0] * len(FEATURES)
        return cls(version="untrained", features=list(FEATURES), weights=zeros, means=zeros,
                   scales=[1.0] * len(FEATURES), intercept=0.0, threshold=0.5)

    def answers(self, scored: list[Candidate], confidence: float | None) -> list[Candidate]:
        """Those of a part's candidates (scored, best first) that may answer it: with the verifier, all of them
        when it accepts the best one (``confidence``, computed once per part by ``confidence``) and none otherwise;
        without it, those that clear the threshold of their kind."""
        if self.verifier is not None:
            return list(scored) if self.verifier.accepts(confidence) else []
        return [c for c in scored if c.score >= self.threshold_for(c)]

    def confidence(self, scored: list[Candidate]) -> float | None:
        """The verifier's probability that the best of a part's candidates (scored, best first) is right; None
        without a verifier or candidates."""
        return self.verifier.confidence(scored) if self.verifier is not None else None

    def threshold_for(self, candidate: Candidate) -> float:
        """The no-answer threshold of the candidate's kind: a typed value or a quoted sentence."""
        if candidate.typed or self.sentence_threshold is None:
            return self.threshold
        return self.sentence_threshold

    def score(self, candidates: list[Candidate]) -> list[Candidate]:
        """The candidates with their scores, best first."""
        for candidate in candidates:
            candidate.score = self.probability(candidate.features)
        return sorted(candidates, key=lambda c: c.score, reverse=True)
