"""Question → calculation plan: the public names of the cost parser in one place.

The work is split by job: ``quantities`` (German quantity lexer), ``cues`` (is it a calculation, and
which), ``evidence`` (figures in passages, their year, their quotes), ``planners`` (one planner per kind
of calculation, ``PLANNERS``), ``stated`` (sums/differences over stated figures), ``plan`` (the plan
model; its tool dispatch is ``tools.run_tool``).
"""

from __future__ import annotations

from assistant.costs.cues import calculation_kind, is_calculation_question
from assistant.costs.evidence import evidence_ref
from assistant.costs.plan import CalculationPlan, PlannedInput
from assistant.costs.planners import plan_calculation
from assistant.costs.quantities import Quantity, QuantityKind, parse_quantities

__all__ = [
    "CalculationPlan",
    "PlannedInput",
    "Quantity",
    "QuantityKind",
    "calculation_kind",
    "evidence_ref",
    "is_calculation_question",
    "parse_quantities",
    "plan_calculation",
]
