"""Deterministic cost tools: money computed exactly in code, with its formula and its sources.

- ``models``: pydantic inputs and results (``CostResult``: total, rows, formula, tables, inputs);
- ``tables``: versioned TOML cost tables (TVöD-VKA, Besoldung, KGSt Arbeitsplatzkosten), by year;
- ``tools``: ``personalkosten``, ``beratungskosten``, ``anteilig``, ``finanzplanung``, ``rechne`` and
  ``cost_tools(settings)`` (LangChain ``StructuredTool``s);
- ``parser``: German quantities in a question and ``plan_calculation`` (which tool, which inputs,
  figures from the evidence with their citations);
- ``cues``: ``is_calculation_question(question)`` (the router's cheap test) and ``calculation_kind``;
- ``answer``: ``answer_calculation(question, evidence) -> Answer | None``.
"""

from assistant.costs.cues import is_calculation_question

__all__ = ["is_calculation_question"]
