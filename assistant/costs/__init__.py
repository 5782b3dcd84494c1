"""Deterministic cost tools: money computed exactly in code, with its formula and its sources.

- ``models``: pydantic inputs and results (``CostResult``: total, rows, formula, tables, inputs);
- ``tables``: versioned TOML cost tables (TVöD-VKA, Besoldung, KGSt Arbeitsplatzkosten), by year;
- ``tools``: ``personalkosten``, ``beratungskosten``, ``anteilig``, ``finanzplanung``, ``rechne`` and
  ``cost_tools(settings)`` (LangChain ``StructuredTool``s);
- ``quantities``: German quantities (amounts, days, positions, dates, years, pay groups) with offsets;
- ``cues``: ``is_calculation_question(question)`` (the router's cheap test) and ``calculation_kind``;
- ``evidence``: figures in evidence passages, the year each belongs to, and their verbatim quotes;
- ``planners``: ``plan_calculation`` and ``PLANNERS`` (kind of calculation -> planner); ``stated``: sums and
  differences over figures the documents state; ``plan``: ``CalculationPlan``;
- ``parser``: the public names above in one place (re-exports);
- ``answer``: ``answer_calculation(question, evidence, tables=…) -> Answer | None``.
"""

from assistant.costs.cues import is_calculation_question

__all__ = ["is_calculation_question"]
