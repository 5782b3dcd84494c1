"""The quality gate: thresholds from a versioned TOML file (``eval/gates.toml``), checked on a run."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from eval.results import GateCheck, GateResult, MetricSummary, RunReport

GateKind = Literal["min", "max", "margin"]


class GateError(ValueError):
    """An unusable gates file (German message)."""


class GateSection(BaseModel):
    min: dict[str, float] = Field(default_factory=dict)
    max: dict[str, float] = Field(default_factory=dict)
    margin: dict[str, float] = Field(default_factory=dict)


class GatesFile(BaseModel):
    version: int
    default: GateSection = Field(default_factory=GateSection)
    sets: dict[str, GateSection] = Field(default_factory=dict)


def default_gates_path() -> Path:
    return Path(str(resources.files("eval").joinpath("gates.toml")))


def load_gates(path: Path) -> GatesFile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise GateError(f"Gate-Datei {path} kann nicht gelesen werden: {error.strerror or error}") from error
    except tomllib.TOMLDecodeError as error:
        raise GateError(f"Gate-Datei {path} ist kein gültiges TOML: {error}") from error
    try:
        gates = GatesFile.model_validate(data)
    except ValidationError as error:
        raise GateError(f"Gate-Datei {path} hat ein ungültiges Format: {error}") from error
    for section in [gates.default, *gates.sets.values()]:
        for metric in [*section.min, *section.max, *section.margin]:
            if not MetricSummary.is_metric(metric):
                raise GateError(f"Gate-Datei {path}: unbekannte Metrik „{metric}“.")
    return gates


def _value(summary: MetricSummary, metric: str) -> float | None:
    try:
        return summary.metric(metric)
    except KeyError:
        return None


def check_gates(report: RunReport, gates: GatesFile, gates_file: Path) -> GateResult:
    """Check the thresholds for the report's question set on our pipeline (and the baseline margins)."""
    set_name = report.question_set.name
    section_name = f"sets.{set_name}" if set_name in gates.sets else "default"
    section = gates.sets.get(set_name, gates.default)
    ours = report.primary.overall
    baseline_run = report.run("baseline")
    checks: list[GateCheck] = []
    for kind, thresholds in (("min", section.min), ("max", section.max), ("margin", section.margin)):
        for metric, threshold in thresholds.items():
            value = _value(ours, metric)
            note = ""
            if kind == "margin":
                base = _value(baseline_run.overall, metric) if baseline_run else None
                if baseline_run is None:
                    note = "ohne Vergleichslauf nicht prüfbar"
                value = value - base if value is not None and base is not None else None
            if value is None:
                checks.append(GateCheck(metric=metric, kind=kind, threshold=threshold, value=None, passed=True,
                                        note=note or "nicht messbar in diesem Fragensatz"))
                continue
            passed = value <= threshold if kind == "max" else value >= threshold
            checks.append(GateCheck(metric=metric, kind=kind, threshold=threshold, value=value, passed=passed, note=note))
    return GateResult(gates_file=gates_file, section=section_name, passed=all(c.passed for c in checks), checks=checks)
