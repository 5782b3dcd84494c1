"""The city a question names is looked up once per question; the store's city list follows its writes."""

from __future__ import annotations

from pathlib import Path

import pytest

import assistant.scope
import assistant.service
from assistant.service import AssistantService
from ingest.pipeline import Ingestor
from vorlagen.settings import Settings
from vorlagen.store import VorlagenStore

HILDEN = "hilden_sv_12_037_mehrwerte_stellen.txt"


def test_city_list_follows_writes(tmp_path: Path, embeddings) -> None:
    folder = tmp_path / "eingang"
    folder.mkdir()
    (folder / "hilden.txt").write_text(
        "Stadt Hilden\nBeschlussvorlage\n\nDer Rat beschließt zwei Stellen für die Digitalisierung.\n", encoding="utf-8"
    )
    (folder / "wiesbaden.txt").write_text(
        "Landeshauptstadt Wiesbaden\nSachstandsbericht\n\nDas Amt berichtet über die elektronische Akte.\n",
        encoding="utf-8",
    )
    settings = Settings(data_dir=tmp_path / "data")
    store = VorlagenStore(settings, embeddings=embeddings)
    ingestor = Ingestor(settings, store)
    assert store.cities() == set()
    (hilden,) = ingestor.ingest_paths([folder / "hilden.txt"]).added
    assert store.cities() == {"Hilden"}
    ingestor.ingest_paths([folder / "wiesbaden.txt"])
    assert store.cities() == {"Hilden", "Wiesbaden"}
    store.cities().clear()  # callers get a copy, not the cache
    assert store.remove(hilden)
    assert store.cities() == {"Wiesbaden"}


@pytest.mark.parametrize(
    ("question", "cities"),
    [
        ("Aus wie vielen VZÄ bestand die Verwaltungsorganisation in Hilden vor der Aufstockung?", ["Hilden"]),
        ("Wie hoch ist das KI-Budget der Stadt München für das Jahr 2025?", ["München"]),
        ("Welche Software nutzt die Verwaltung?", []),
    ],
)
def test_ask_looks_up_the_named_cities_once(
    seeds_service: AssistantService, monkeypatch, question: str, cities: list[str]
) -> None:
    calls: list[list[str]] = []
    real = assistant.scope.named_cities

    def counted(text: str, store: VorlagenStore) -> list[str]:
        calls.append(real(text, store))
        return calls[-1]

    monkeypatch.setattr(assistant.scope, "named_cities", counted)
    monkeypatch.setattr(assistant.service, "named_cities", counted)
    answer = seeds_service.ask(question)
    assert calls == [cities]
    if cities == ["Hilden"]:
        assert {c.source_name for c in answer.citations} <= {HILDEN}  # only that city's Vorlage is quoted
    if cities == ["München"]:  # no indexed Vorlage of that city: refused, nothing quoted
        assert answer.refused and not answer.citations

    calls.clear()
    ranking, _ = seeds_service.ask_ranked(question, depth=10)
    assert calls == [cities]
    if cities == ["Hilden"]:
        assert {d.metadata["stadt"] for d in ranking} == {"Hilden"}


def test_a_city_filter_every_vorlage_meets_is_not_sent_to_chroma(tmp_path: Path, embeddings, monkeypatch) -> None:
    """In a city's own archive the city filter selects every chunk: Chroma is asked without ``where``
    (a ``where`` on every chunk costs more than the search) and finds the same chunks; as soon as the
    store holds another city or a Vorlage without one, the filter is applied again."""
    from chromadb.api.models.Collection import Collection

    from assistant.scope import CityScopedRetriever
    from vorlagen.domain import SearchFilters

    folder = tmp_path / "eingang"
    folder.mkdir()
    for number, topic in enumerate(("Digitalisierung der Schulen", "Radwege am Rhein", "Sanierung des Rathauses")):
        (folder / f"hilden-{number}.txt").write_text(
            f"Stadt Hilden\nBeschlussvorlage\n\nDer Rat beschließt die {topic} für 120.000 EUR.\n", encoding="utf-8"
        )
    (folder / "ohne-stadt.txt").write_text(
        "Beschlussvorlage\n\nDer Rat beschließt die Radwege am Rhein für 80.000 EUR.\n", encoding="utf-8"
    )
    settings = Settings(data_dir=tmp_path / "data")
    store = VorlagenStore(settings, embeddings=embeddings)
    ingestor = Ingestor(settings, store)
    ingestor.ingest_paths([folder / f"hilden-{n}.txt" for n in range(3)])

    wheres: list[object] = []
    query = Collection.query

    def recorded(self, *args, **kwargs):  # noqa: ANN001, ANN202 – the real query, its ``where`` noted
        wheres.append(kwargs.get("where"))
        return query(self, *args, **kwargs)

    monkeypatch.setattr(Collection, "query", recorded)
    hilden = SearchFilters(stadt="Hilden")
    assert store.selective_filters(hilden) == SearchFilters()
    assert store.selective_filters(SearchFilters(stadt="Wiesbaden")) == SearchFilters(stadt="Wiesbaden")
    question = "Was kosten die Radwege am Rhein in Hilden?"
    scoped = CityScopedRetriever(store=store, settings=settings.retrieval).invoke(question)
    assert wheres == [None]
    filtered = store.vectorstore.similarity_search(question, k=settings.retrieval.fetch_k, filter={"stadt": "Hilden"})
    assert {d.metadata["chunk_id"] for d in scoped} == {d.metadata["chunk_id"] for d in filtered}
    assert {d.metadata["stadt"] for d in scoped} == {"Hilden"}

    ingestor.ingest_paths([folder / "ohne-stadt.txt"])
    assert store.selective_filters(hilden) == hilden
    wheres.clear()
    rescoped = CityScopedRetriever(store=store, settings=settings.retrieval).invoke(question)
    assert wheres == [{"stadt": "Hilden"}]
    assert [d.metadata["chunk_id"] for d in rescoped] == [d.metadata["chunk_id"] for d in scoped]


def test_a_place_of_the_complete_list_that_no_vorlage_mentions_is_refused(seeds_service: AssistantService) -> None:
    """Any German place (GeoNames list, not a hand list) named after "in", "Gemeinde" … that no indexed
    passage mentions is named, so nothing is retrieved for it; words the Vorlagen use ("in Kraft") and the
    indexed cities are not taken for such places."""
    from assistant.scope import unindexed_places
    from vorlagen.cities import german_places

    assert len(german_places()) > 10_000 and {"Nordstemmen", "Rheinstetten", "Bruchsal"} <= german_places()
    store = seeds_service.store
    assert unindexed_places("Wie viele Stellen schafft die Gemeinde Rheinstetten für die Digitalisierung?", store) == ["Rheinstetten"]
    assert unindexed_places("Was plant der Bruchsaler Gemeinderat für die IT?", store) == ["Bruchsal"]
    assert unindexed_places("Wann tritt die Regelung in Kraft, und was kostet das Amt in Stuttgart?", store) == []
    answer = seeds_service.ask("Wie viele Stellen schafft die Gemeinde Rheinstetten für ihr Amt für Digitalisierung?")
    assert answer.refused and not answer.citations and not answer.vorlagen
    assert answer.text.splitlines()[1] == ("Zu „Rheinstetten“ ist keine Vorlage eingelesen; eingelesen sind Vorlagen "
                                           "aus Hilden, Stuttgart, Wiesbaden.")


def test_the_refusal_for_a_city_not_in_the_index_says_which_cities_are() -> None:
    from assistant.scope import unindexed_line

    assert unindexed_line(["Stuttgart"], {"Stuttgart", "Hilden"}) is None
    assert unindexed_line(["Bonn", "Stuttgart", "Köln"], {"Stuttgart"}) == (
        "Zu „Bonn“ und „Köln“ ist keine Vorlage eingelesen; eingelesen sind Vorlagen aus Stuttgart.")
    many = {f"Stadt {letter}" for letter in "ABCDEFG"}
    assert unindexed_line(["Bonn"], many, shown=3).endswith("aus Stadt A, Stadt B, Stadt C und 4 weiteren Städten.")
    assert unindexed_line(["Bonn"], set()) == "Zu „Bonn“ ist keine Vorlage eingelesen."
