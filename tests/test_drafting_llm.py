"""Bounded runs of the real local model (Qwen2.5-Coder-1.5B GGUF via llama.cpp): one section (≤ 20 s of
generation, then the skeleton with a notice), the deadline that stops llama.cpp while it reads a prompt, and
a whole draft within a small model budget.

Asserts the contract only: the model ran (or its absence is reported), and the section's text either
passed the invention guard and kept every figure, or was replaced by the skeleton with a notice; the
model part of a draft ends within its budget.
"""

from __future__ import annotations

import time
from datetime import date

import pytest

from assistant.drafting import Drafter, render_markdown
from assistant.drafting.drafter import allowed_material
from assistant.drafting.guard import findings
from assistant.llm import llama_cpp_available
from tests.evidence_helpers import model_file
from assistant.model_install import model_path
from vorlagen.domain import DraftPosition, DraftRequest
from vorlagen.settings import Settings


def test_local_model_writes_a_section_that_passes_the_guard_or_is_replaced() -> None:
    settings = Settings()
    settings = settings.model_copy(update={
        "llm": settings.llm.model_copy(update={"mode": "local", "timeout_s": 20.0}),
        "drafting": settings.drafting.model_copy(update={"llm_sections": ["Personelle Auswirkungen"], "max_tokens": 80}),
    })
    if not model_path(settings).is_file() or not llama_cpp_available():
        pytest.skip("Lokales Sprachmodell nicht installiert (vorlagen models install)")
    model_file()  # skips where llama.cpp cannot run the model on this CPU
    request = DraftRequest(
        betreff="Einrichtung einer Koordinierungsstelle Klimaanpassung", datum=date(2026, 3, 2),
        stellen=[DraftPosition(anzahl=2, gruppe="E 12", ab=date(2026, 7, 1))],
        haushaltsjahre=[2026, 2027], abschnitte=["Personelle Auswirkungen"],
    )
    draft = Drafter(settings).draft(request)
    section = draft.section("Personelle Auswirkungen")
    assert section is not None and section.text.strip()
    if section.mode == "local":
        assert "2 Stellen E 12" in section.text and "01.07.2026" in section.text
    else:
        assert section.mode == "skeleton" and section.notices, "ersetzt nur mit Hinweis"
    markdown = render_markdown(draft, with_notices=False)
    assert findings(markdown, allowed_material(request, draft.cost_table, [], draft.citations)) == []


def _local_settings(**drafting: object) -> Settings:
    settings = Settings()
    settings = settings.model_copy(update={
        "llm": settings.llm.model_copy(update={"mode": "local"}),
        "drafting": settings.drafting.model_copy(update=drafting),
    })
    if not model_path(settings).is_file() or not llama_cpp_available():
        pytest.skip("Lokales Sprachmodell nicht installiert (vorlagen models install)")
    model_file()  # skips where llama.cpp cannot run the model on this CPU
    return settings


def test_the_local_model_stops_reading_a_long_prompt_at_its_deadline() -> None:
    """llama.cpp gives no piece of text while it reads the prompt; the deadline stops it there too, and the
    model answers normally afterwards."""
    from langchain_core.messages import HumanMessage

    from assistant.llm import ChatModelProvider, DeadlineExceeded, generation_deadline

    model, failure = ChatModelProvider(_local_settings()).local_model()
    assert model is not None, failure
    long_prompt = [HumanMessage(content="Die Stadt plant den Neubau einer Sporthalle mit drei Feldern. " * 150)]
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded), generation_deadline(started + 1.0):
        for _ in model.stream(long_prompt, max_tokens=8):
            pass
    assert time.monotonic() - started < 1.0 + 1.5
    with generation_deadline(time.monotonic() + 300):
        answer = "".join(chunk.text for chunk in model.stream([HumanMessage(content="Nenne eine Farbe.")], max_tokens=4))
    assert answer.strip()


def test_a_whole_draft_keeps_the_model_within_its_budget() -> None:
    """Contract only: the model part of the draft ends within the budget (a little slack for the step that
    passes it), and each section asked of the model was written by it or kept its skeleton with a notice."""
    settings = _local_settings(model_budget_s=12.0)
    request = DraftRequest(
        betreff="Einrichtung einer Koordinierungsstelle Klimaanpassung", datum=date(2026, 3, 2),
        fakten=["Hitzetage nehmen in der Innenstadt zu."],
        stellen=[DraftPosition(anzahl=2, gruppe="E 12", ab=date(2026, 7, 1))],
        haushaltsjahre=[2026, 2027], abschnitte=["Begründung", "Finanzielle Auswirkungen", "Personelle Auswirkungen"],
    )
    started = time.monotonic()
    draft = Drafter(settings).draft(request)
    assert draft.timings["model"] <= 12.0 + 1.5 and time.monotonic() - started <= 12.0 + 5
    for section in draft.sections:
        assert section.text.strip()
        assert section.mode == "local" or (section.mode == "skeleton" and section.fallback and section.notices)
    markdown = render_markdown(draft, with_notices=False)
    assert findings(markdown, allowed_material(request, draft.cost_table, [], draft.citations)) == []
