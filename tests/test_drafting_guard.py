"""The invention guard, proven with fake chat models (langchain_core) that invent figures and names."""

from __future__ import annotations

from datetime import date

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.costs.tables import CostTables
from assistant.drafting import Drafter, render_markdown
from assistant.drafting.drafter import allowed_material
from assistant.drafting.guard import CHECK_MARK, AllowedMaterial, findings, guard_text
from assistant.drafting.prose import ProseWriter
from assistant.drafting.skeleton import SectionSkeleton
from assistant.llm import ChatModelChoice, ChatModelProvider
from vorlagen.domain import Citation, DraftPosition, DraftRequest
from vorlagen.settings import Settings

REQUEST = DraftRequest(
    betreff="Einrichtung einer Koordinierungsstelle Klimaanpassung",
    stadt="Stuttgart",
    datum=date(2026, 3, 2),
    stellen=[DraftPosition(anzahl=2, gruppe="E 12", ab=date(2026, 7, 1))],
    haushaltsjahre=[2026, 2027],
    abschnitte=["Personelle Auswirkungen", "Finanzielle Auswirkungen"],
)
SKELETON = SectionSkeleton(
    "Personelle Auswirkungen",
    "Für das Vorhaben werden 2 Stellen im Umfang von 2 VZÄ benötigt.",
    "- 2 Stellen E 12 (je 1 VZÄ) ab 01.07.2026",
)
INVENTED = (
    "Für das Vorhaben werden 2 Stellen im Umfang von 2 VZÄ benötigt. Die Leitung übernimmt Herr Dr. Müller, "
    "beraten von der Contoso Consulting GmbH. Wie in Karlsruhe entstehen Kosten von 2,7 Mio. EUR ab dem 15.03.2025 "
    "(vgl. GRDrs 999/2020)."
)


def fake(*texts: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(content=text) for text in texts]))


def allowed() -> AllowedMaterial:
    return allowed_material(REQUEST, None, [SKELETON], [], frozenset({"Stuttgart", "Karlsruhe", "Hilden"}))


def test_guard_marks_every_invented_figure_date_reference_and_name() -> None:
    text, found = guard_text(INVENTED, allowed())
    kinds = {(f.kind, f.text) for f in found}
    assert {("Name", "Dr. Müller"), ("Name", "Karlsruhe"), ("Drucksache", "GRDrs 999/2020"), ("Datum", "15.03.2025")} <= kinds
    assert any(kind == "Zahl" and "2,7" in value for kind, value in kinds)
    assert any(kind == "Name" and "Contoso" in value for kind, value in kinds)
    for invented in ("Müller", "Contoso", "Karlsruhe", "2,7", "15.03.2025", "999/2020"):
        assert invented not in text
    assert text.count(CHECK_MARK) >= 5
    assert text.startswith("Für das Vorhaben werden 2 Stellen im Umfang von 2 VZÄ benötigt.")
    assert findings(text, allowed()) == []


def test_figures_of_a_past_vorlage_only_where_it_is_cited() -> None:
    passage = Citation(index=1, doc_id="d", chunk_id="c", source_name="s.txt", drucksache="GRDrs 862/2021",
                       quote="Für die o. g. Stellen entstehen Personalaufwendungen i. H. v. 756.150 EUR / Jahr.", start=0, end=80)
    material = allowed_material(REQUEST, None, [], [passage])
    cited = "In Stuttgart entstanden Personalaufwendungen von 756.150 EUR je Jahr (vgl. GRDrs 862/2021) [1]."
    assert [f.text for f in findings(cited, material)] == []
    uncited = "Es entstehen Personalaufwendungen von 756.150 EUR je Jahr (vgl. GRDrs 862/2021)."
    assert {f.kind for f in findings(uncited, material)} == {"Zahl", "Drucksache"}


def test_prose_writer_guards_the_model_text() -> None:
    writer = ProseWriter(fake(INVENTED), "openai", Settings())
    section = writer.write(SKELETON, REQUEST, [], allowed())
    assert section.mode == "openai"
    assert "Müller" not in section.text and "2,7" not in section.text and CHECK_MARK in section.text
    assert section.text.endswith(SKELETON.fixed)
    assert section.notices and "[bitte prüfen]" in section.notices[0] and "Name: " in section.notices[0]
    assert "Müller" not in section.notices[0]  # the notice does not bring the invention back


def test_model_text_that_drops_a_figure_or_fails_keeps_the_skeleton() -> None:
    dropped = ProseWriter(fake("Für das Vorhaben werden neue Stellen benötigt."), "openai", Settings())
    section = dropped.write(SKELETON, REQUEST, [], allowed())
    assert section.mode == "skeleton" and section.text == SKELETON.text
    assert "ließ Angaben aus" in section.notices[0]

    class Broken(GenericFakeChatModel):
        def _stream(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise ConnectionError("Server weg")

    failed = ProseWriter(Broken(messages=iter([])), "openai", Settings()).write(SKELETON, REQUEST, [], allowed())
    assert failed.text == SKELETON.text and "ohne Sprachmodell" in failed.notices[0]


class _FakeProvider(ChatModelProvider):
    """The process's provider, handing out a fake chat model (as a configured server would)."""

    def __init__(self, settings: Settings, model: GenericFakeChatModel) -> None:
        super().__init__(settings)
        self._model = model

    def resolve(self) -> ChatModelChoice:
        return ChatModelChoice(self._model, "openai")


def test_whole_draft_with_an_inventing_model_has_no_unsupported_figures() -> None:
    settings = Settings()
    tables = CostTables.from_settings(settings)
    # the model answers every section with invented figures and names
    model = fake(*[INVENTED + " Gesamtkosten: 1.234.567 EUR."] * 3)
    drafter = Drafter(settings, chat_models=_FakeProvider(settings, model), tables=tables, cities=frozenset({"Karlsruhe"}))
    draft = drafter.draft(REQUEST.model_copy(update={"abschnitte": ["Begründung", "Finanzielle Auswirkungen", "Personelle Auswirkungen"]}))
    markdown = render_markdown(draft)
    assert "1.234.567" not in markdown and "Müller" not in markdown
    assert findings(render_markdown(draft, with_notices=False), allowed_material(draft.request, draft.cost_table, [], draft.citations,
                                               frozenset({"Karlsruhe"}))) == []
    # the finance table stays as computed
    assert draft.cost_table is not None
    assert "| **Summe** |" in (draft.section("Finanzielle Auswirkungen") or pytest.fail("Abschnitt fehlt")).text


# --- copied prompt text and uncited style passages -----------------------------------------------------


def test_sentences_copied_from_the_prompt_or_an_uncited_style_passage_are_removed() -> None:
    """The local model's failure from issue 22: the few-shot Ausgangslage and the block of style examples pasted
    into a draft about mobile work."""
    from langchain_core.documents import Document

    from assistant.drafting.prose import prompt_text

    request = DraftRequest(betreff="Ausbau des mobilen Arbeitens auf 60 Prozent der Beschäftigten", stadt="Stuttgart",
                           fakten=["Mobiles Arbeiten ist in vielen Ämtern eingeführt."], abschnitte=["Begründung"])
    skeleton = SectionSkeleton(
        "Begründung",
        "### Ausgangslage\n\n- Mobiles Arbeiten ist in vielen Ämtern eingeführt.\n\n### Ziel und Notwendigkeit\n\n"
        "Ziel der Vorlage: Ausbau des mobilen Arbeitens auf 60 Prozent der Beschäftigten.",
    )
    style = Document(
        page_content="Die Verwaltung wird beauftragt, die Umsetzung der Maßnahmen im Rahmen der verfügbaren Mittel fortzuführen.",
        metadata={"chunk_id": "stil-1"},
    )
    example = prompt_text("Begründung")
    assert "Im Quartier fragen mehr Menschen nach Beratung." in example  # the worked example is known to the guard
    pasted = (
        "### Ausgangslage\n\nMobiles Arbeiten ist in vielen Ämtern eingeführt. Im Quartier fragen mehr Menschen nach "
        "Beratung. Das vorhandene Personal reicht dafür nicht mehr aus.\n\n"
        "Stilbeispiele (nur Ton, keine Angaben übernehmen):\nDie Verwaltung wird beauftragt, die Umsetzung der Maßnahmen "
        "im Rahmen der verfügbaren Mittel fortzuführen.\n\n### Ziel und Notwendigkeit\n\n"
        "Ziel der Vorlage: Ausbau des mobilen Arbeitens auf 60 Prozent der Beschäftigten."
    )
    material = allowed_material(request, None, [skeleton], [])
    section = ProseWriter(fake(pasted), "local", Settings()).write(skeleton, request, [style], material)
    assert section.mode == "local"
    for copied in ("Quartier", "vorhandene Personal", "Stilbeispiele", "verfügbaren Mittel"):
        assert copied not in section.text
    assert "Mobiles Arbeiten ist in vielen Ämtern eingeführt." in section.text and "60 Prozent" in section.text
    assert any("aus dem Prompt" in notice and "aus nicht zitierten Stilvorlagen" in notice for notice in section.notices)


def test_a_style_passage_may_be_used_in_the_sentence_that_cites_it() -> None:
    from assistant.drafting.guard import CopySources, copied_findings

    passage = "Die Verwaltung wird beauftragt, die Umsetzung der Maßnahmen im Rahmen der verfügbaren Mittel fortzuführen."
    sources = CopySources(prompt="Schreibe sachlich und in ganzen Sätzen im Stil einer Verwaltungsvorlage.",
                          passages={"stil-1": passage}, citations={1: "stil-1"})
    cited = f"Bisher gilt: „{passage}“ (vgl. GRDrs 1/2020) [1]"
    assert copied_findings(cited, sources) == []
    assert [f.kind for f in copied_findings(passage, sources)] == ["Stilvorlage"]
    assert [f.kind for f in copied_findings("Wir schreiben sachlich und in ganzen Sätzen im Stil einer Verwaltungsvorlage.",
                                            sources)] == ["Prompt"]
    # runs that the request or skeleton also has are the model's material, not copied text
    own = CopySources(prompt=sources.prompt, own=["sachlich und in ganzen Sätzen im Stil einer Verwaltungsvorlage"])
    assert copied_findings("Wir schreiben sachlich und in ganzen Sätzen im Stil einer Verwaltungsvorlage.", own) == []


def test_prompt_examples_share_no_six_words_with_the_skeleton() -> None:
    """The worked examples are worded unlike the skeleton, so that a copied example can be told from a kept
    skeleton sentence (see the preamble of prompts/draft_*.txt)."""
    from assistant.drafting.guard import word_runs
    from assistant.drafting.prose import prompt_text
    from assistant.drafting.skeleton import build_skeleton
    from assistant.drafting.style import StyleMaterial

    tables = CostTables.from_settings(Settings())
    request = REQUEST.model_copy(update={"abschnitte": ["Beschlussantrag", "Begründung", "Finanzielle Auswirkungen",
                                                        "Personelle Auswirkungen"], "fakten": ["Die Lage ist neu."]})
    from assistant.drafting.costs import cost_table

    skeleton = "\n".join(part.text for part in build_skeleton(request, cost_table(request, tables), StyleMaterial()))
    assert word_runs(prompt_text()) & word_runs(skeleton) == set()
