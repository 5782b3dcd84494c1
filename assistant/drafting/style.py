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

from vorlagen.domain import Citation, DraftRequest, SearchFilters

if TYPE_CHECKING:
    from assistant.service import AssistantService

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
    """Sentences quoted in the Begründung, numbered [1]..[n]."""
    notices: list[str] = field(default_factory=list)


def reference_label(citation: Citation) -> str:
    """How a draft names a past Vorlage: its Drucksachennummer, else its title or file name."""
    return citation.drucksache or citation.title or citation.source_name


def _is_prose(sentence: str) -> bool:
    """A full sentence: at least six words, mostly letters, ending like a sentence."""
    words = sentence.split()
    if len(words) < 6 or len(sentence) > 400:
        return False
    letters = sum(character.isalpha() for character in sentence)
    return letters / max(len(sentence), 1) > 0.6 and sentence.rstrip()[-1:] in ".!?"


def _filters(request: DraftRequest) -> list[SearchFilters]:
    """Same city and Vorlagenart, then same city, then every city."""
    chain = []
    if request.stadt:
        chain.append(SearchFilters(stadt=request.stadt, vorlagenart=request.vorlagenart))
        chain.append(SearchFilters(stadt=request.stadt))
    chain.append(SearchFilters())
    return chain


def style_material(service: AssistantService, request: DraftRequest, k: int, references: int) -> StyleMaterial:
    """Retrieve the style passages for ``request`` and pick the sentences its Begründung cites."""
    material = StyleMaterial()
    if service.store.count_chunks() == 0:
        material.notices.append("Es sind noch keine früheren Vorlagen eingelesen; der Entwurf verwendet keine Stilvorlagen.")
        return material
    query = " ".join([request.betreff, *request.fakten])
    documents: dict[str, Document] = {}
    # the retriever, not ``retrieve``: a city named in the Betreff must not restrict the style models
    for filters in _filters(request):
        if len(documents) >= k:
            break
        for document in service.retriever(filters, k).invoke(query):
            documents.setdefault(str(document.metadata.get("chunk_id")), document)
    material.documents = list(documents.values())[:k]
    if not material.documents:
        material.notices.append("Zu diesem Vorhaben wurden keine ähnlichen früheren Vorlagen gefunden.")
        return material
    chosen: list[Citation] = []
    seen_docs: set[str] = set()
    for citation in service.extractive.evidence(query, material.documents, limit=12):
        flat = " ".join(citation.quote.split())
        if citation.doc_id in seen_docs or not _is_prose(flat) or "„" in flat or "“" in flat:
            continue
        seen_docs.add(citation.doc_id)
        chosen.append(citation)
        if len(chosen) >= references:
            break
    # sentences with figures first: a reference is most useful where it gives a comparable figure
    chosen.sort(key=lambda c: not re.search(r"\d", c.quote))
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
