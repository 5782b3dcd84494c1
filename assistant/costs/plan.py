"""A calculation plan: which tool answers a question, with which inputs and where each came from.

Planners (``assistant.costs.planners``) build plans; ``answer_calculation`` runs and renders them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assistant.costs.models import CostError, CostResult, EvidenceRef
from assistant.costs.quantities import Quantity
from assistant.costs.tables import CostTables
from assistant.costs.tools import ToolInput, run_tool

ToolName = Literal["personalkosten", "beratungskosten", "anteilig", "finanzplanung", "rechne", "zeitraum"]


class PlannedInput(BaseModel):
    """An input of the plan as the answer shows it: name, German value, and where it came from."""

    name: str
    value: str
    origin: Literal["Frage", "Dokument"]
    evidence: EvidenceRef | None = None

    @classmethod
    def from_question(cls, name: str, value: str) -> PlannedInput:
        return cls(name=name, value=value, origin="Frage")

    @classmethod
    def from_evidence(cls, name: str, value: str, ref: EvidenceRef) -> PlannedInput:
        return cls(name=name, value=value, origin="Dokument", evidence=ref)


class CalculationPlan(BaseModel):
    """Which tool answers the question, with which inputs; or a German message why it cannot."""

    tool: ToolName
    description: str
    """What is computed, in German (e.g. „Durchschnittlicher Betrag je Fahrzeug“)."""
    tool_input: ToolInput | None = None
    inputs: list[PlannedInput] = Field(default_factory=list)
    error: str | None = None

    @classmethod
    def refusal(cls, tool: ToolName, description: str, error: str) -> CalculationPlan:
        return cls(tool=tool, description=description, error=error)

    def run(self, tables: CostTables | None = None) -> CostResult:
        """Execute the plan; ``CostError`` (German) when the plan carries an error or the tool refuses."""
        if self.error or self.tool_input is None:
            raise CostError(self.error or "Die Rechnung ist nicht vollständig bestimmt.")
        return run_tool(self.tool_input, tables)


def bare_amount_error(quantity: Quantity) -> str:
    """A figure without unit is refused rather than guessed."""
    return (
        f"Der Betrag „{quantity.text}“ hat keine Einheit. Bitte die Einheit angeben (z. B. „{quantity.text} EUR“); "
        "ohne Einheit wird nicht gerechnet."
    )
