"""A logistic regression as stored beside the code: named features, standardisation, weights, intercept.

The answer scorer (``assistant.scorer``) and the answer verifier (``assistant.verifier``) are both this model,
trained by ``vorlagen eval train`` (scikit-learn) and read here without scikit-learn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import BaseModel, model_validator


class LogisticModel(BaseModel):
    features: list[str]
    weights: list[float]
    means: list[float]
    scales: list[float]
    """Standardisation of each feature as in training (value - mean) / scale."""
    intercept: float

    @model_validator(mode="after")
    def _consistent(self) -> LogisticModel:
        if not (len(self.features) == len(self.weights) == len(self.means) == len(self.scales)):
            raise ValueError("features, weights, means und scales müssen gleich lang sein")
        return self

    def probability(self, values: Sequence[float]) -> float:
        z = self.intercept + sum(
            w * (x - m) / s for w, x, m, s in zip(self.weights, values, self.means, self.scales, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
