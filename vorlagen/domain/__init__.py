"""The domain model: one definition of each thing the product handles.

``Vorlage`` (a council document with its metadata and text), ``Chunk`` (a cited unit of it),
``Citation``, ``Answer``, ``DraftRequest`` and ``Draft``. Offsets are character offsets into ``Vorlage.text``.
Three modules by subject (``documents``, ``answers``, ``drafts``); import the names from here.
"""

from vorlagen.domain.answers import (
    Answer,
    AnswerEvent,
    CalculationStep,
    Citation,
    CitationsEvent,
    DoneEvent,
    NoticeEvent,
    PassageSource,
    QuotedPassage,
    StreamEvent,
    TokenEvent,
    VorlageHit,
    answer_events,
)
from vorlagen.domain.documents import (
    Beratung,
    Chunk,
    ChunkMeta,
    PaperLink,
    PaperRelation,
    SearchFilters,
    TextSpan,
    Vorlage,
    VorlageMetadata,
)
from vorlagen.domain.drafts import (
    DRAFT_SECTIONS,
    Draft,
    DraftCostRow,
    DraftCostTable,
    DraftFallback,
    DraftFigure,
    DraftOtherCost,
    DraftPosition,
    DraftRequest,
    DraftSection,
    DraftSectionName,
    DraftYearValue,
)

__all__ = [
    "DRAFT_SECTIONS", "Answer", "AnswerEvent", "Beratung", "CalculationStep", "Chunk", "ChunkMeta", "Citation",
    "CitationsEvent", "DoneEvent", "Draft", "DraftCostRow", "DraftCostTable", "DraftFallback", "DraftFigure",
    "DraftOtherCost", "DraftPosition", "DraftRequest", "DraftSection", "DraftSectionName", "DraftYearValue",
    "NoticeEvent", "PaperLink", "PaperRelation", "PassageSource", "QuotedPassage", "SearchFilters", "StreamEvent",
    "TextSpan", "TokenEvent", "Vorlage", "VorlageHit", "VorlageMetadata", "answer_events",
]
