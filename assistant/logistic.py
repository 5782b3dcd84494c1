"""A logistic regression as stored beside the code: named features, standardisation, weights, intercept.

The answer scorer (``assistant.scorer``) and the answer verifier (``assistant.verifier``) are both this model,
trained by ``vorlagen eval train`` (scikit-learn) and read here without scikit-learn.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Self

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

    @classmethod
    def read(cls, path: Path, what: str, features: Sequence[str]) -> Self:
        """The model stored at ``path``; ``ValueError`` (German, naming ``what``) when it cannot be read or was
        trained on other ``features`` than the code computes."""
        try:
            model = cls.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as error:
            raise ValueError(f"{what} {path} kann nicht gelesen werden: {error}") from error
        if tuple(model.features) != tuple(features):
            raise ValueError(f"{what} {path} wurde mit anderen Merkmalen trainiert; bitte neu trainieren "
                             "(`vorlagen eval train`).")
        return model

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.model_dump_json(indent=1) + "\n", encoding="utf-8")
