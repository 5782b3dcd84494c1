"""One bounded run (≤ 20 s of generation, then the skeleton with a notice) of the real local model (Qwen2.5-Coder-1.5B GGUF via llama.cpp) on one section.

Asserts the contract only: the model ran (or its absence is reported), and the section's text either
passed the invention guard and kept every figure, or was replaced by the skeleton with a notice.
"""

from __future__ import annotations

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
