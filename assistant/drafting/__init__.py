"""Drafting new Vorlagen: from the author's facts, the cost tools and the city's past Vorlagen.

- ``line`` / ``figures`` / ``request``: a one-line German request → ``DraftRequest``; every figure lands in a
  field or is listed as unassigned (``UnassignedFigure``); ``understood``: what was understood, as rows;
- ``costs``: the per-year finance table, every figure from the cost tools (years after the last cost table
  projected as a stated „Annahme“, or left „[bitte ergänzen]“);
- ``style``: style passages of past Vorlagen (same city and Vorlagenart first) and the cited references;
- ``skeleton``: the deterministic draft of every section (complete without a language model);
- ``prose`` + ``guard``: a chat model writes the prose of a section; the invention guard marks what no
  source backs („[bitte prüfen]“) and removes sentences copied from the prompt or an uncited style passage;
- ``markdown`` / ``word``: the draft as Markdown and as a .docx laid out like a Vorlage;
- ``drafter``: ``Drafter`` – the one implementation behind API, CLI, web UI and evaluation.
"""

from assistant.drafting.drafter import (
    Drafter,
    DraftEvent,
    DraftingError,
    ParsedRequest,
    UnderstoodItem,
    understood_items,
)
from assistant.drafting.figures import UnassignedFigure
from assistant.drafting.markdown import render_markdown
from assistant.drafting.word import render_docx

__all__ = [
    "DraftEvent",
    "Drafter",
    "DraftingError",
    "ParsedRequest",
    "UnassignedFigure",
    "UnderstoodItem",
    "render_docx",
    "render_markdown",
    "understood_items",
]
