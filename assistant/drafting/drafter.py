"""One drafting implementation behind the API, the CLI, the web UI and the evaluation.

``Drafter.events(request)`` yields typed events: ``understood`` (what the drafting will use), one
``section`` per finished section (skeleton, or prose from the language model after the invention guard),
``draft`` (the complete, authoritative draft) and ``done``. ``Drafter.draft(request)`` returns the draft.
The model's calls of one draft share ``drafting.model_budget_s`` (``budget.ModelBudget``); the draft's
``timings`` give ``model`` (the budget spent), ``model:<Abschnitt>`` per section the model was asked for
and ``model-read:<Abschnitt>`` until its first piece of text (reading the prompt).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from assistant.costs.models import CostError
from assistant.costs.tables import CostTables, Projection
from assistant.drafting.costs import cost_table
from assistant.drafting.budget import ModelBudget
from assistant.drafting.guard import AllowedMaterial, passages_by_index
from assistant.drafting.markdown import render_markdown
from assistant.drafting.prose import ProseWriter
from assistant.drafting.figures import UnassignedFigure
from assistant.drafting.request import parse_request_line
from assistant.drafting.understood import understood
from assistant.drafting.skeleton import SectionSkeleton, build_skeleton, draft_date
from assistant.drafting.style import StyleMaterial, is_prose, section_examples, style_material
from assistant.llm import ChatModelProvider
from vorlagen.cities import known_cities
from vorlagen.domain import ChunkMeta, Citation, Draft, DraftCostTable, DraftRequest, DraftSection
from vorlagen.formatting import format_date
from vorlagen.settings import Settings
from vorlagen.text import split_sentences

if TYPE_CHECKING:
    from assistant.service import AssistantService


class UnderstoodItem(BaseModel):
    label: str
    value: str


class ParsedRequest(BaseModel):
    """A one-line request as understood: the structured request, notes on assumptions made while reading
    it, and every figure no field took („nicht zugeordnet“)."""

    request: DraftRequest
    understood: list[UnderstoodItem]
    notes: list[str]
    unassigned: list[UnassignedFigure] = Field(default_factory=list)


class DraftEvent(BaseModel):
    type: Literal["understood", "section", "notice", "draft", "done"]
    understood: list[UnderstoodItem] | None = None
    section: DraftSection | None = None
    text: str | None = None
    draft: Draft | None = None


class DraftingError(ValueError):
    """The request cannot be drafted as given (German message, e.g. no cost table for a year)."""


def understood_items(request: DraftRequest, unassigned: Sequence[UnassignedFigure] = ()) -> list[UnderstoodItem]:
    return [UnderstoodItem(label=label, value=value) for label, value in understood(request, unassigned)]


def _style_citations(material: StyleMaterial, first_index: int) -> list[Citation]:
    """One citation per style document drawn on (the first full sentence of its passage, verbatim)."""
    cited_docs = {c.doc_id for c in material.references}
    citations: list[Citation] = []
    for document in material.documents:
        doc_id = ChunkMeta.from_document(document).doc_id
        if doc_id in cited_docs:
            continue
        text = document.page_content
        spans = [(s, e) for s, e in split_sentences(text) if is_prose(" ".join(text[s:e].split()))]
        if not spans:
            continue
        start, end = spans[0]
        cited_docs.add(doc_id)
        citations.append(Citation.from_chunk(document, start, end, index=first_index + len(citations)))
    return citations


def allowed_material(
    request: DraftRequest, table: DraftCostTable | None, skeleton: list[SectionSkeleton], citations: list[Citation],
    cities: frozenset[str] = frozenset(),
) -> AllowedMaterial:
    """What a draft may state: the request, the tool results, the skeleton built from them, the draft
    date, and (where cited) the past Vorlagen's passages."""
    texts = [request.model_dump_json(), *(f"{label}: {value}" for label, value in understood(request))]
    texts += [s.text for s in skeleton]
    texts.append(format_date(draft_date(request)))
    if table is not None:
        texts += [table.model_dump_json(), *table.formulas]
    return AllowedMaterial(texts=texts, passages=passages_by_index(citations), cities=cities)


class Drafter:
    """Drafts Vorlagen for one process (settings, retrieval service, chat models, cost tables)."""

    def __init__(
        self,
        settings: Settings,
        service: AssistantService | None = None,
        chat_models: ChatModelProvider | None = None,
        tables: CostTables | None = None,
        cities: frozenset[str] = frozenset(),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``cities``: city names the invention guard checks besides those of the indexed Vorlagen (the
        names a model could copy from style passages); ``clock``: the time of the model budget."""
        self.settings = settings
        self._clock = clock
        self._cities = cities
        self.service = service
        self.chat_models = chat_models or (service.chat_models if service is not None else ChatModelProvider(settings))
        self._tables = tables

    def cities(self) -> frozenset[str]:
        indexed = frozenset(self.service.store.cities()) if self.service is not None else frozenset()
        return indexed | self._cities

    def tables(self) -> CostTables:
        """The cost tables; a year after the last table is projected (``Settings.costs.projection_percent``)."""
        if self._tables is None:
            base = (self.service.cost_tables() if self.service is not None else None) or CostTables.from_settings(self.settings)
            self._tables = base if base.projection is not None else base.projecting(Projection.from_settings(self.settings))
        return self._tables

    def parse(self, text: str, today: date | None = None) -> ParsedRequest:
        request, notes, unassigned = parse_request_line(text, self.cities() | frozenset(known_cities()), today)
        return ParsedRequest(
            request=request, understood=understood_items(request, unassigned), notes=notes, unassigned=unassigned
        )

    def _writer(self, use_model: bool) -> tuple[ProseWriter | None, str | None]:
        """The writer of this draft's prose, with the draft's time budget for the model (started before the
        model is resolved: loading the local model counts)."""
        if not use_model or (self.settings.llm.mode == "auto" and not self.settings.drafting.auto_uses_model):
            return None, None
        budget = ModelBudget(self.settings.drafting.model_budget_s, self._clock)
        choice = self.chat_models.resolve()
        if choice.model is None:
            notice = choice.notice if choice.notice and self.settings.llm.mode != "auto" else None
            return None, notice and notice.replace("es folgt die extraktive Antwort", "der Entwurf entsteht ohne Sprachmodell")
        return ProseWriter(choice.model, choice.mode, self.settings, budget), None

    def events(self, request: DraftRequest, use_model: bool = True) -> Iterator[DraftEvent]:
        started = time.perf_counter()
        yield DraftEvent(type="understood", understood=understood_items(request))
        try:
            table = cost_table(request, self.tables())
        except CostError as error:  # a table file that cannot be read; a missing year never raises
            raise DraftingError(str(error)) from error
        computed = time.perf_counter()
        material = StyleMaterial()
        if self.service is not None:
            drafting = self.settings.drafting
            material = style_material(self.service, request, drafting.style_passages, drafting.cited_references)
        citations = [*material.references, *_style_citations(material, len(material.references) + 1)]
        retrieved = time.perf_counter()
        skeleton = build_skeleton(request, table, material)
        allowed = allowed_material(request, table, skeleton, material.references, self.cities())
        writer, notice = self._writer(use_model)
        notices = [*material.notices, *([notice] if notice else [])]
        for text in notices:
            yield DraftEvent(type="notice", text=text)
        sections: list[DraftSection] = []
        model_seconds: dict[str, float] = {}
        for part in skeleton:
            if writer is not None and part.name in self.settings.drafting.llm_sections:
                began = time.perf_counter()
                section = writer.write(part, request, section_examples(material, part.name), allowed, citations)
                model_seconds[f"model:{part.name}"] = round(time.perf_counter() - began, 4)
                if writer.last_call is not None and writer.last_call.first_piece_s is not None:
                    model_seconds[f"model-read:{part.name}"] = round(writer.last_call.first_piece_s, 4)
            else:
                section = DraftSection(name=part.name, text=part.text)
            sections.append(section)
            yield DraftEvent(type="section", section=section)
        finished = time.perf_counter()
        if writer is not None and writer.budget is not None:
            model_seconds["model"] = round(writer.budget.spent(), 4)
        modes = {section.mode for section in sections if section.mode != "skeleton"}
        draft = Draft(
            request=request,
            sections=sections,
            cost_table=table,
            citations=citations,
            mode=modes.pop() if modes else "skeleton",
            notices=notices + (table.notices + table.assumptions if table else []),
            timings={
                "costs": round(computed - started, 4),
                "retrieve": round(retrieved - computed, 4),
                "sections": round(finished - retrieved, 4),
                "total": round(finished - started, 4),
                **model_seconds,
            },
        )
        yield DraftEvent(type="draft", draft=draft)
        yield DraftEvent(type="done")

    def draft(self, request: DraftRequest, use_model: bool = True) -> Draft:
        for event in self.events(request, use_model):
            if event.draft is not None:
                return event.draft
        raise AssertionError("events() always ends with a draft")  # pragma: no cover

    def markdown(self, draft: Draft) -> str:
        return render_markdown(draft)
