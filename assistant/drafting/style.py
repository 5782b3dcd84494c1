"""Style models from the corpus: the most similar past Vorlagen (same city and Vorlagenart first).

The passages are retrieved through ``AssistantService.retrieve`` (hybrid retrieval); the sentences a
draft quotes are chosen and cited exactly as the answerer cites evidence (``ExtractiveAnswerer.evidence``
→ ``Citation`` with offsets in the document). Nothing of a past Vorlage enters a draft except as such a
numbered, cited quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from langchain_core.documents import Document

from assistant.grounding import addresses_the_model
from vorlagen.domain import Citation, DraftRequest, SearchFilters

if TYPE_CHECKING:
    from assistant.service import AssistantService

_FIGURE = re.compile(r"\d[\d.,]*\s*(?:EUR|Euro|€|Mio|Stellen|VZÄ|%|Prozent)")

_SECTION_QUERIES = {
    "Beschlussantrag": "Beschlussantrag zugestimmt ermächtigt Stellen geschaffen Mittel bereitgestellt",
    "Begründung": "Begründung Ausgangslage Ziel Notwendigkeit",
    "Finanzielle Auswirkungen": "Finanzielle Auswirkungen Personalaufwendungen Haushalt Mittel",
    "Personelle Auswirkungen": "Personelle Auswirkungen Stellen Stellenplan",
}


@dataclass
class StyleMaterial:
    """What the corpus contributes: style passages (documents) and the cited sentences."""

    documents: list[Document] = field(default_factory=list)
    references: list[Citation] = field(default_factory=list)
    """Sentences quoted in the Ausgangslage of the Begründung, numbered [1]..[n]."""
    notices: list[str] = field(default_factory=list)


def reference_label(citation: Citation) -> str:
    """How a draft names a past Vorlage: its Drucksachennummer, else its title or file name."""
    return citation.drucksache or citation.title or citation.source_name


def is_prose(sentence: str) -> bool:
    """A full sentence: at least six words, mostly letters, beginning with a word and ending like a sentence."""
    words = sentence.split()
    if len(words) < 6 or len(sentence) > 400 or addresses_the_model(sentence) or not sentence[:1].isalpha():
        return False
    letters = sum(character.isalpha() for character in sentence)
    return letters / max(len(sentence), 1) > 0.6 and sentence.rstrip()[-1:] in ".!?"


def _same_city(document: Document, request: DraftRequest) -> bool:
    return bool(request.stadt) and str(document.metadata.get("stadt", "")).lower() == (request.stadt or "").lower()


def _closeness(document: Document, request: DraftRequest) -> int:
    """2: same city and Vorlagenart, 1: same city, 0: other."""
    if not _same_city(document, request):
        return 0
    art = str(document.metadata.get("vorlagenart", "")).lower().replace("ß", "ss")
    return 2 if art and art == request.vorlagenart.lower().replace("ß", "ss") else 1


def style_material(service: AssistantService, request: DraftRequest, k: int, references: int) -> StyleMaterial:
    """Retrieve the style passages for ``request`` and pick the sentences its Begründung cites."""
    material = StyleMaterial()
    if service.store.is_empty():
        material.notices.append("Es sind noch keine früheren Vorlagen eingelesen; der Entwurf verwendet keine Stilvorlagen.")
        return material
    query = " ".join([request.betreff, *request.fakten])
    # one retrieval (the query is embedded once), then same city and Vorlagenart first; a second, filtered
    # retrieval only when no passage of the city came back. The retriever, not ``retrieve``: a city named
    # in the Betreff must not restrict the style models.
    candidates = service.retriever(SearchFilters(), max(k * 4, 12)).invoke(query)
    indexed_city = bool(request.stadt) and request.stadt in service.store.cities()
    if indexed_city and not any(_same_city(d, request) for d in candidates):
        candidates = service.retriever(SearchFilters(stadt=request.stadt), k).invoke(query) + candidates
    ranked = sorted(enumerate(candidates), key=lambda item: (-_closeness(item[1], request), item[0]))
    documents: dict[str, Document] = {}
    for _, document in ranked:
        documents.setdefault(str(document.metadata.get("chunk_id")), document)
    material.documents = list(documents.values())[:k]
    if not material.documents:
        material.notices.append("Zu diesem Vorhaben wurden keine ähnlichen früheren Vorlagen gefunden.")
        return material
    prose = [
        c for c in service.extractive.evidence(query, material.documents, limit=12)
        if is_prose(" ".join(c.quote.split())) and "„" not in c.quote and "“" not in c.quote
    ]
    # context for the Ausgangslage: sentences that give a comparable figure (amount, positions, share);
    # without any, the best sentence alone
    with_figures = [c for c in prose if _FIGURE.search(c.quote)]
    chosen = with_figures[:references] if with_figures else prose[: min(1, references)]
    material.references = [c.model_copy(update={"index": i}) for i, c in enumerate(chosen, start=1)]
    return material


def section_examples(material: StyleMaterial, section: str, limit: int = 2) -> list[Document]:
    """Style passages of ``section`` (by the section metadata of the chunk), best first."""
    words = set(_SECTION_QUERIES.get(section, section).lower().split())
    ranked = sorted(
        material.documents,
        key=lambda d: -len(words & set(str(d.metadata.get("section", "")).lower().replace(":", " ").split())),
    )
    return ranked[:limit]
