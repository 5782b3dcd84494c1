"""The city a question is about ("in Hilden", "das Stuttgarter Amt", "der Stadt München").

A question that names a city is answered only from that city's Vorlagen (metadata ``stadt``), or
from Vorlagen without a known city whose text names it. A city no indexed Vorlage belongs to cannot
be answered: the assistant refuses instead of quoting another city's figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.retrieval import HybridRetriever
from vorlagen.cities import german_places, known_cities
from vorlagen.domain import SearchFilters
from vorlagen.settings import RetrievalSettings
from vorlagen.store import VorlagenStore
from vorlagen.text import tokenize


def _forms(city: str) -> list[str]:
    """Name and adjective forms: Hilden/Hildener, Stuttgart/Stuttgarter, München/Münchner."""
    forms = [city, f"{city}er", f"{city}s"]
    if city.endswith("en"):
        forms.append(f"{city[:-2]}ner")
    return forms


@lru_cache(maxsize=8)
def _pattern(cities: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = sorted(
        ((re.escape(form), city) for city in cities for form in _forms(city)), key=lambda a: -len(a[0])
    )
    return re.compile(r"\b(" + "|".join(form for form, _ in alternatives) + r")\b")


def cities_in(question: str, cities: Iterable[str]) -> list[str]:
    """The known cities a question names, in order of appearance."""
    known = tuple(sorted(set(cities)))
    if not known:
        return []
    form_to_city = {form: city for city in known for form in _forms(city)}
    found: list[str] = []
    for match in _pattern(known).finditer(question):
        city = form_to_city[match.group(1)]
        if city not in found:
            found.append(city)
    return found


_PLACE_CUE = re.compile(
    r"\b(?:in|aus|nach|für|bei|von|der\s+Stadt|die\s+Stadt|Stadt|Gemeinde|Landkreis|Kreis)\s+"
    r"([A-ZÄÖÜ][\w-]+(?:\s+(?:an\s+der|am|im|vor\s+der)\s+[A-ZÄÖÜ][\w-]+|\s+[A-ZÄÖÜ][\w-]+)?)"
)
"""A place name after a preposition or "Stadt/Gemeinde" ("in Mannheim", "der Gemeinde Waldbronn")."""
_COUNCIL_NOUN = re.compile(r"\b([A-ZÄÖÜ][\w-]+)er\s+(?:Gemeinderat\w*|Stadtrat\w*|Rat\b|Verwaltung|Stadtverwaltung|"
                           r"Haushalt\w*|Bürgermeister\w*|Oberbürgermeister\w*|Innenstadt|Ortschaftsrat\w*)")
"""The adjective of a place before a council noun ("der Mannheimer Gemeinderat")."""


def unindexed_places(question: str, store: VorlagenStore) -> list[str]:
    """German places (the complete GeoNames list) the question names that no indexed passage mentions:
    the index cannot hold their Vorlagen. A place the Vorlagen do mention (a district of the city,
    a neighbour in a comparison) is left to retrieval."""
    places = german_places()
    found: list[str] = []
    names = [m.group(1) for m in _PLACE_CUE.finditer(question)] + [m.group(1) for m in _COUNCIL_NOUN.finditer(question)]
    for name in names:
        words = name.split()
        for candidate in dict.fromkeys((name, words[0])):
            if candidate in places:
                tokens = tokenize(candidate)
                frequency = store.bm25_index().document_frequency
                if tokens and any(frequency(token) == 0 for token in tokens) and candidate not in found:
                    found.append(candidate)
                break
    return found


def named_cities(question: str, store: VorlagenStore) -> list[str]:
    """The cities a question names: the known German cities, those of the indexed Vorlagen, and any
    other German place that no indexed passage mentions (then nothing can be retrieved for it)."""
    named = cities_in(question, set(known_cities()) | store.cities())
    return named + [place for place in unindexed_places(question, store) if place not in named]


def unindexed_line(named: list[str], indexed: set[str], shown: int = 5) -> str | None:
    """Why nothing was found for a question about a city no indexed Vorlage belongs to, and which cities the index
    holds ("Zu Heidelberg ist keine Vorlage eingelesen; eingelesen sind Vorlagen aus Hilden, Karlsruhe."); None
    when every named city is in the index."""
    missing = [city for city in named if city not in indexed]
    if not missing:
        return None
    names = " und ".join(f"„{city}“" for city in missing)
    line = f"Zu {names} ist keine Vorlage eingelesen"
    if not indexed:
        return line + "."
    cities = sorted(indexed)
    listed = ", ".join(cities[:shown]) + (f" und {len(cities) - shown} weiteren Städten" if len(cities) > shown else "")
    return f"{line}; eingelesen sind Vorlagen aus {listed}."


class CityScopedRetriever(BaseRetriever):
    """Hybrid retrieval restricted to the city a question names (answering, drafting, the Teams bot
    and the evaluation all retrieve through it).

    One named city that Vorlagen in the index belong to: one hybrid search filtered to it. Otherwise
    (several cities, or one known only from texts): one over-fetching search, filtered to Vorlagen of
    those cities or whose text names them. A city no indexed Vorlage belongs to or names: nothing.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: VorlagenStore
    settings: RetrievalSettings
    k: int | None = None
    filters: SearchFilters | None = None
    named: list[str] | None = None
    """The cities the question names, when the caller has looked already (``named_cities``); found
    from the query otherwise."""

    def _hybrid(self, filters: SearchFilters, k: int) -> HybridRetriever:
        return HybridRetriever(store=self.store, settings=self.settings, k=k, filters=filters)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        filters = self.filters or SearchFilters()
        wanted = self.k or self.settings.k
        if filters.stadt:
            named = []
        else:
            named = self.named if self.named is not None else named_cities(query, self.store)
        callbacks = {"callbacks": run_manager.get_child()}
        if not named:
            return self._hybrid(filters, wanted).invoke(query, config=callbacks)
        if len(named) == 1 and named[0] in self.store.cities():
            scoped = filters.model_copy(update={"stadt": named[0]})
            return self._hybrid(scoped, wanted).invoke(query, config=callbacks)
        city_tokens = [set(tokenize(city)) for city in named]

        def in_scope(document: Document) -> bool:
            stadt = document.metadata.get("stadt")
            if stadt:
                return stadt in named
            tokens = self.store.doc_tokens(str(document.metadata.get("doc_id"))) or frozenset()
            return any(city <= tokens for city in city_tokens)

        fetched = self._hybrid(filters, wanted * self.settings.scope_overfetch).invoke(query, config=callbacks)
        documents = [d for d in fetched if in_scope(d)][:wanted]
        for rank, document in enumerate(documents, start=1):
            document.metadata["rank"] = rank
        return documents
