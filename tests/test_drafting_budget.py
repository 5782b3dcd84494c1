"""One time budget for the language model per draft (``drafting.model_budget_s``), proven with a fake clock and
a fake slow chat model: a call ends at the budget's deadline, a section whose call would not fit keeps its
skeleton with a German notice, and the model part of a draft never takes longer than the budget."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict

from assistant.costs.tables import CostTables
from assistant.drafting import Drafter
from assistant.drafting.budget import READ_CHARS_PER_S, CallTiming, ModelBudget
from assistant.drafting.drafter import allowed_material
from assistant.drafting.prose import PROMPTS_DIR, ProseWriter, quote_markers, restore_quotes, section_max_tokens
from assistant.drafting.skeleton import SectionSkeleton
from assistant.llm import ChatModelChoice, ChatModelProvider
from vorlagen.domain import DraftPosition, DraftRequest
from vorlagen.settings import Settings

REQUEST = DraftRequest(
    betreff="Einrichtung einer Koordinierungsstelle Klimaanpassung",
    stadt="Stuttgart",
    datum=date(2026, 3, 2),
    fakten=["Hitzetage nehmen in der Innenstadt zu."],
    stellen=[DraftPosition(anzahl=2, gruppe="E 12", ab=date(2026, 7, 1))],
    haushaltsjahre=[2026, 2027],
    abschnitte=["Beschlussantrag", "Begründung", "Finanzielle Auswirkungen", "Personelle Auswirkungen"],
)


class Clock:
    """Time that passes only when the fake model reads or writes."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class SlowModel(BaseChatModel):
    """Answers with the skeleton it was given (so that every guard passes), spending ``reading_s`` on the
    prompt and ``piece_s`` on each word on the fake clock."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    clock: Any
    reading_s: float = 10.0
    piece_s: float = 0.5
    calls: list[dict[str, Any]] = []
    pieces: int = 0

    @property
    def _llm_type(self) -> str:
        return "slow-fake"

    def _answer(self, messages: list[BaseMessage]) -> str:
        last = str(messages[-1].content)
        return re.search(r"Gerüst:\n(.*?)(?:\n+Stilbeispiele|\Z)", last, re.S).group(1)

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._answer(messages)))])

    def _stream(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        self.calls.append(kwargs)
        self.clock.now += self.reading_s
        for piece in re.findall(r"\S+\s*", self._answer(messages)):
            self.clock.now += self.piece_s
            self.pieces += 1
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))


class Provider(ChatModelProvider):
    def __init__(self, settings: Settings, model: BaseChatModel) -> None:
        super().__init__(settings)
        self._model = model

    def resolve(self) -> ChatModelChoice:
        return ChatModelChoice(self._model, "local")


def settings(budget: float, timeout: float = 600.0) -> Settings:
    base = Settings()
    return base.model_copy(update={
        "llm": base.llm.model_copy(update={"mode": "local", "timeout_s": timeout}),
        "drafting": base.drafting.model_copy(update={"model_budget_s": budget}),
    })


def drafter(config: Settings, model: SlowModel, clock: Clock) -> Drafter:
    return Drafter(config, chat_models=Provider(config, model), tables=CostTables.from_settings(config), clock=clock)


def test_the_budget_estimates_from_characters_and_learns_the_speeds() -> None:
    clock = Clock()
    budget = ModelBudget(80, clock)
    assert budget.remaining() == 80 and budget.estimate(1500, 0) == pytest.approx(1500 / READ_CHARS_PER_S)
    assert budget.affords(1500, 600) and not budget.affords(6000, 2000)
    clock.now += 30
    assert budget.remaining() == 50 and budget.spent() == 30
    budget.learn(CallTiming(prompt_chars=1000, output_chars=300, first_piece_s=20.0, total_s=30.0))
    assert budget.read_chars_per_s == 50 and budget.write_chars_per_s == 30
    budget.learn(CallTiming(prompt_chars=1000, output_chars=0, first_piece_s=None, total_s=40.0))  # stopped while reading
    assert budget.read_chars_per_s == 25
    clock.now += 100
    assert budget.remaining() == 0 and not budget.affords(1, 0)


def test_a_model_fast_enough_writes_every_section() -> None:
    clock = Clock()
    model = SlowModel(clock=clock, reading_s=2.0, piece_s=0.1)
    draft = drafter(settings(80), model, clock).draft(REQUEST)
    asked = ["Begründung", "Finanzielle Auswirkungen", "Personelle Auswirkungen"]
    assert [s.mode for s in draft.sections if s.name in asked] == ["local"] * 3
    assert all(s.fallback is None for s in draft.sections) and len(model.calls) == 3
    assert {f"model:{name}" for name in asked} <= draft.timings.keys() and draft.timings["model"] <= 80


def test_sections_whose_turn_comes_after_the_budget_keep_their_skeleton() -> None:
    """The Begründung takes most of the 80 s; the two sections after it are not started."""
    clock = Clock()
    model = SlowModel(clock=clock, reading_s=40.0, piece_s=0.2)
    draft = drafter(settings(80), model, clock).draft(REQUEST)
    begruendung = draft.section("Begründung")
    assert begruendung is not None and begruendung.mode == "local" and clock.now - 1000 < 80
    for name in ("Finanzielle Auswirkungen", "Personelle Auswirkungen"):
        section = draft.section(name)
        assert section is not None and section.mode == "skeleton" and section.fallback == "zeitbudget"
        assert "Zeit für das Sprachmodell (80 s je Entwurf)" in section.notices[0]
        assert "ohne Sprachmodell" in section.notices[0]
    assert len(model.calls) == 1
    assert clock.now - 1000 <= 80


def test_a_call_ends_at_the_budget_deadline() -> None:
    """A model slower than estimated is stopped at the deadline (after the piece that passed it); the
    section keeps its skeleton and later sections are not started."""
    clock = Clock()
    model = SlowModel(clock=clock, reading_s=30.0, piece_s=2.0)
    draft = drafter(settings(60), model, clock).draft(REQUEST)
    begruendung = draft.section("Begründung")
    assert begruendung is not None and begruendung.fallback == "zeitbudget"
    assert "während dieses Abschnitts aufgebraucht" in begruendung.notices[0]
    assert clock.now - 1000 <= 60 + model.piece_s
    assert [s.fallback for s in draft.sections[2:]] == ["zeitbudget", "zeitbudget"] and len(model.calls) == 1


def test_the_call_timeout_still_applies_within_the_budget() -> None:
    clock = Clock()
    model = SlowModel(clock=clock, reading_s=5.0, piece_s=2.0)
    draft = drafter(settings(300, timeout=20.0), model, clock).draft(REQUEST.model_copy(update={"abschnitte": ["Begründung"]}))
    section = draft.section("Begründung")
    assert section is not None and section.fallback == "zeitlimit" and "20 Sekunden" in section.notices[0]


def test_a_call_not_expected_to_fit_is_not_started() -> None:
    clock = Clock()
    budget = ModelBudget(5, clock)
    model = SlowModel(clock=clock)
    skeleton = SectionSkeleton("Personelle Auswirkungen", "Für das Vorhaben werden 2 Stellen im Umfang von 2 VZÄ benötigt.",
                               "- 2 Stellen E 12 (je 1 VZÄ) ab 01.07.2026")
    writer = ProseWriter(model, "local", Settings(), budget)
    section = writer.write(skeleton, REQUEST, [], allowed_material(REQUEST, None, [skeleton], []))
    assert section.text == skeleton.text and section.fallback == "zeitbudget" and not model.calls
    assert "reicht für diesen Abschnitt voraussichtlich nicht" in section.notices[0]


def test_a_short_section_gets_fewer_tokens() -> None:
    assert section_max_tokens("Für das Vorhaben werden 2 Stellen benötigt.", 320) < 100
    assert section_max_tokens("x" * 3000, 320) == 320
    clock = Clock()
    model = SlowModel(clock=clock, reading_s=1.0, piece_s=0.1)
    drafter(settings(80), model, clock).draft(REQUEST)
    assert model.calls[-1]["max_tokens"] < 100  # the Personelle Auswirkungen: one sentence


def test_cited_quotes_reach_the_model_as_markers_and_come_back_verbatim() -> None:
    line = "Eine vergleichbare frühere Vorlage hält fest: „Es entstehen Kosten von 756.150 EUR.“ (vgl. GRDrs 862/2021) [1]"
    source = f"### Ausgangslage\n\n- Hitzetage nehmen zu.\n- {line}\n\n### Ziel und Notwendigkeit\n\nZiel."
    shown, quotes = quote_markers(source)
    assert "756.150" not in shown and "- [Zitat 1]" in shown and quotes == {"[Zitat 1]": line}
    written, missing = restore_quotes("### Ausgangslage\n\nHitzetage nehmen zu.\n\n[Zitat 1]\n\nZiel.", quotes)
    assert f"- {line}" in written and missing == []
    # a quote moved into a sentence or dropped is missing: the section keeps its skeleton
    assert restore_quotes("Wie [Zitat 1] zeigt, nehmen Hitzetage zu.", quotes)[1] == ["[Zitat 1]"]
    assert restore_quotes("Hitzetage nehmen zu.", quotes)[1] == ["[Zitat 1]"]
    # a repeated or invented marker does not stay in the text
    again, missing = restore_quotes("[Zitat 1]\nHitzetage nehmen zu.\n- [Zitat 1]\n- [Zitat 7]\nEnde [Zitat 3].", quotes)
    assert missing == [] and again == f"- {line}\nHitzetage nehmen zu.\nEnde ."


def test_the_system_text_is_the_same_in_every_drafting_prompt() -> None:
    """So that llama.cpp reads it once per draft (it keeps the common beginning of the last prompt)."""
    systems = set()
    for path in sorted(Path(PROMPTS_DIR).glob("draft_*.txt")):
        text = path.read_text(encoding="utf-8")
        systems.add(re.search(r"^### system\n(.*?)^### human", text, re.S | re.M).group(1))
    assert len(systems) == 1


def test_without_style_passages_the_prompt_has_no_style_block() -> None:
    from assistant.drafting.prose import prompt_for, section_messages

    prompt = prompt_for("Personelle Auswirkungen")
    bare = section_messages(prompt, REQUEST, "Für das Vorhaben werden 2 Stellen benötigt.", "")
    turns = [str(m.content) for m in bare if m.type == "human"]
    assert len(turns) == 2 and not any("Stilbeispiele" in turn or "(keine)" in turn for turn in turns)
    assert str(bare[-1].content).rstrip().endswith("Für das Vorhaben werden 2 Stellen benötigt.")
    styled = section_messages(prompt, REQUEST, "Für das Vorhaben werden 2 Stellen benötigt.", "Der Rat stimmt zu.")
    assert "Stilbeispiele" in str(styled[-1].content) and "Der Rat stimmt zu." in str(styled[-1].content)


def test_repeated_prompt_labels_are_dropped_from_the_model_text() -> None:
    """The local model sometimes starts with „Betreff: …“ and „Gerüst:“ before the text."""
    clock = Clock()

    class Echo(SlowModel):
        def _answer(self, messages: list[BaseMessage]) -> str:
            return f"Betreff: {REQUEST.betreff}\nGerüst:\n" + super()._answer(messages)

    model = Echo(clock=clock, reading_s=1.0, piece_s=0.1)
    draft = drafter(settings(80), model, clock).draft(REQUEST.model_copy(update={"abschnitte": ["Personelle Auswirkungen"]}))
    section = draft.section("Personelle Auswirkungen")
    assert section is not None and section.mode == "local"
    assert section.text.startswith("Für das Vorhaben werden 2 Stellen") and "Gerüst" not in section.text


def test_the_drafts_report_shows_per_section_what_the_model_did() -> None:
    """``vorlagen eval drafts --mode local``: per case the mode used per section asked of the model (or the
    reason it kept its skeleton), the seconds, and the summary counts; ``--ids``/``--limit`` pick a subset."""
    from datetime import datetime

    from eval.drafts import (
        DraftCase, DraftEvalReport, DraftSetError, check_draft, render_report_markdown, select_cases, summarize,
    )

    clock = Clock()
    model = SlowModel(clock=clock, reading_s=40.0, piece_s=0.2)
    draft = drafter(settings(80), model, clock).draft(REQUEST)
    case = DraftCase(id="b1", request=REQUEST, sections=list(REQUEST.abschnitte))
    result = check_draft(case, draft, frozenset(), lambda doc_id: None)
    assert result.section_modes == {"Begründung": "local", "Finanzielle Auswirkungen": "skeleton",
                                    "Personelle Auswirkungen": "skeleton"}
    assert result.fallbacks == {"Finanzielle Auswirkungen": "zeitbudget", "Personelle Auswirkungen": "zeitbudget"}
    assert result.model_seconds is not None and set(result.section_seconds) == set(result.section_modes)
    summary = summarize([result])
    assert (summary.model_sections, summary.model_sections_asked, summary.fallbacks) == (1, 3, {"zeitbudget": 2})
    report = DraftEvalReport(created_at=datetime.now(), set_name="s", set_path="s.jsonl", set_sha256="0", corpus=[],
                             llm_mode="local", use_model=True, model_budget_s=80, case_ids=["b1"], git_commit=None,
                             summary=summary, results=[result])
    markdown = render_report_markdown(report)
    assert "Begr. local" in markdown and "Fin. Gerüst (zeitbudget)" in markdown and "80 s je Entwurf" in markdown

    cases = [DraftCase(id=f"d{n}", text="Beratung") for n in range(1, 5)]
    assert [c.id for c in select_cases(cases, ["d3", "d1"])] == ["d1", "d3"]
    assert [c.id for c in select_cases(cases, None, 2)] == ["d1", "d2"]
    with pytest.raises(DraftSetError, match="d9"):
        select_cases(cases, ["d9"])
