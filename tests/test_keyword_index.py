"""The German keyword index on SQLite FTS5: same BM25 statistics as rank_bm25, metadata filters,
incremental changes (O(document), no rebuild), and registries from before the index."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

import pytest
from rank_bm25 import BM25Okapi

from ingest.chunking import chunk_vorlage
from ingest.loaders import discover_files, load_path
from tests.bench.corpus import questions
from vorlagen.domain import SearchFilters, Vorlage
from vorlagen.settings import ChunkingSettings, RetrievalSettings
from vorlagen.store.registry import ChunkRow, Registry
from vorlagen.text import tokenize


def chunk_rows(vorlage: Vorlage) -> list[ChunkRow]:
    return [
        ChunkRow(chunk_id=c.chunk_id, text=c.text, metadata=c.metadata(vorlage), tokens=" ".join(tokenize(c.text)))
        for c in chunk_vorlage(vorlage, ChunkingSettings())
    ]


@pytest.fixture(scope="module")
def seeds(shared_dir: Path) -> list[tuple[Vorlage, list[ChunkRow]]]:
    vorlagen = [v for path in discover_files([shared_dir / "corpus/seeds"]) for v in load_path(path)]
    karlsruhe = list(load_path(shared_dir / "corpus/karlsruhe/karlsruhe-eval-300.jsonl.gz"))[:40]
    return [(v, chunk_rows(v)) for v in vorlagen + karlsruhe]


@pytest.fixture()
def registry(tmp_path: Path, seeds, request: pytest.FixtureRequest) -> Registry:
    """Engine: the setting's default (tantivy), or the one a test names (``indirect`` parametrization)."""
    settings = RetrievalSettings()
    engine = getattr(request, "param", settings.keyword_engine)
    registry = Registry(tmp_path / "registry.sqlite3", settings.keyword_max_df_share, engine)
    for vorlage, rows in seeds:
        registry.put(vorlage, rows)
    return registry


def test_idf_and_ranking_agree_with_rank_bm25(registry: Registry, seeds, shared_dir: Path) -> None:
    rows = [row for _, rows_of_one in seeds for row in rows_of_one]
    reference = BM25Okapi([row.tokens.split() for row in rows])
    index = registry.keywords
    assert len(index) == len(rows)
    for token in ["personalaufwend", "digitalisier", "karlsruh", "756150", "stell"]:
        expected = reference.idf.get(token, max(reference.idf.values()))
        assert index.idf(token) == pytest.approx(expected, rel=1e-9), token
    assert index.idf("gibtsnichtwort") == pytest.approx(math.log(len(rows) - 0.5) - math.log(1.5))

    ids = [row.chunk_id for row in rows]
    agreeing = 0
    asked = questions(shared_dir)
    for question in asked:
        ours = [chunk_id for chunk_id, _ in index.search(question, 5)]
        scores = reference.get_scores(tokenize(question))
        theirs = [ids[i] for i in sorted(range(len(ids)), key=lambda i: -scores[i])[:5]]
        assert ours, question
        agreeing += ours[0] in theirs
    # BM25 with k1 = 1.2 (FTS5) vs 1.5 (rank_bm25): the best chunk is among the other's top 5
    assert agreeing >= 0.9 * len(asked)


@pytest.mark.parametrize("registry", ["tantivy", "fts5"], indirect=True)
def test_metadata_filters(registry: Registry) -> None:
    index = registry.keywords
    question = "Personalaufwendungen Stellen Digitalisierung"
    everything = index.search(question, 50)
    assert len({registry.chunks([cid])[0].metadata.get("stadt") for cid, _ in everything}) > 1
    for filters, check in [
        (SearchFilters(stadt="Karlsruhe"), lambda m: m.get("stadt") == "Karlsruhe"),
        (SearchFilters(jahr_von=2024), lambda m: m.get("year", 0) >= 2024),
        (SearchFilters(jahr_von=2021, jahr_bis=2021), lambda m: m.get("year") == 2021),
        (SearchFilters(drucksache="GRDrs 862/2021"), lambda m: m.get("drucksache") == "GRDrs 862/2021"),
    ]:
        hits = index.search(question, 50, filters)
        assert hits, filters
        assert all(check(registry.chunks([cid])[0].metadata) for cid, _ in hits), filters
    assert index.search(question, 5, SearchFilters(stadt="Atlantis")) == []


def test_query_syntax_from_users_is_plain_text(registry: Registry) -> None:
    index = registry.keywords
    for query in ['"Stellen', "Stellen AND OR NOT", "NEAR(Stellen Kosten)", "Kosten*", "^Stellen", "-", ""]:
        index.search(query, 5)  # no FTS5 syntax error


def test_adding_one_document_touches_only_that_document(tmp_path: Path, seeds) -> None:
    """Writing a document runs the same statements with the same row counts whether the index holds
    5 documents or 45: O(that document), never a rebuild."""
    last_vorlage, last_rows = seeds[-1]

    def statements_for_one_add(documents: int) -> list[str]:
        registry = Registry(tmp_path / f"r{documents}.sqlite3")
        for vorlage, rows in seeds[:documents]:
            registry.put(vorlage, rows)
        executed: list[str] = []
        registry._db.set_trace_callback(executed.append)
        registry.put(last_vorlage.model_copy(update={"doc_id": "neu"}), last_rows)
        registry._db.set_trace_callback(None)
        return executed

    small, large = statements_for_one_add(5), statements_for_one_add(len(seeds) - 1)
    assert small == large
    assert not any("chunks" in s and "SELECT" in s.upper() and "doc_id" not in s for s in large)


@pytest.mark.parametrize("registry", ["tantivy", "fts5"], indirect=True)
def test_changes_and_removals_are_immediately_searchable(registry: Registry, seeds) -> None:
    vorlage, rows = seeds[0]
    text = vorlage.text + "\n\nNachtrag: Der Zauberwürfelausschuss tagt quartalsweise."
    changed = vorlage.model_copy(update={"text": text})
    registry.put(changed, chunk_rows(changed))
    hits = registry.keywords.search("Zauberwürfelausschuss", 3)
    assert hits and registry.chunks([hits[0][0]])[0].metadata["doc_id"] == vorlage.doc_id
    registry.delete(vorlage.doc_id)
    assert registry.keywords.search("Zauberwürfelausschuss", 3) == []
    assert all(registry.chunks([c])[0].metadata["doc_id"] != vorlage.doc_id
               for c, _ in registry.keywords.search(vorlage.title or "Stellen", 100))


def test_registry_from_before_the_keyword_index_gets_it_once(tmp_path: Path, seeds) -> None:
    path = tmp_path / "old.sqlite3"
    registry = Registry(path)
    for vorlage, rows in seeds[:5]:
        registry.put(vorlage, rows)
    expected = registry.keywords.search("Personalaufwendungen Digitalisierung", 5)
    registry.close()
    db = sqlite3.connect(path)  # what a registry written by the former BM25 pickle version looks like
    db.execute("DROP TABLE chunk_fts_vocab")
    db.execute("DROP TABLE chunk_fts")
    db.execute("DELETE FROM state WHERE key = 'keyword_index'")
    db.commit()
    db.close()
    reopened = Registry(path)
    assert reopened.keywords.search("Personalaufwendungen Digitalisierung", 5) == expected
    assert json.loads(reopened.vorlage_json(seeds[0][0].doc_id))["doc_id"] == seeds[0][0].doc_id


def test_city_list_comes_from_an_index_also_for_older_registries(tmp_path: Path, seeds) -> None:
    """The cities of the stored Vorlagen are read from the indexed column ``documents.stadt``, not by
    parsing every Vorlage's JSON; a registry written before the column gets it on opening."""
    path = tmp_path / "registry.sqlite3"
    registry = Registry(path)
    for vorlage, rows in seeds:
        registry.put(vorlage, rows)
    expected = {v.stadt or None for v, _ in seeds}
    assert registry.city_values() == expected and len(expected - {None}) >= 2
    plan = " ".join(str(row) for row in registry._db.execute("EXPLAIN QUERY PLAN SELECT DISTINCT stadt FROM documents"))
    assert "documents_stadt" in plan
    registry.close()

    old = sqlite3.connect(path)  # as registries were before: no column, no index
    old.execute("DROP INDEX documents_stadt")
    old.execute("ALTER TABLE documents DROP COLUMN stadt")
    old.commit()
    old.close()
    reopened = Registry(path)
    assert reopened.city_values() == expected
    assert [v.stadt for v, _ in seeds].count("Hilden") == 1
    reopened.delete(next(v.doc_id for v, _ in seeds if v.stadt == "Hilden"))
    assert reopened.city_values() == expected - {"Hilden"}


def test_removing_a_document_reaches_its_keyword_rows_through_an_index(tmp_path: Path, seeds) -> None:
    """Each keyword row has its chunk's rowid: a document's rows are found through ``chunks_doc``
    (O(document)), not by scanning every keyword row; registries with the former numbering are rebuilt."""
    path = tmp_path / "registry.sqlite3"
    registry = Registry(path)
    for vorlage, rows in seeds:
        registry.put(vorlage, rows)
    plan = " ".join(str(row) for row in registry._db.execute(
        "EXPLAIN QUERY PLAN DELETE FROM chunk_fts WHERE rowid IN (SELECT rowid FROM chunks WHERE doc_id = ?)", ("x",)))
    assert "chunks_doc" in plan
    registry.close()

    old = sqlite3.connect(path)  # the former numbering: keyword rows in their own order
    old.execute("DELETE FROM chunk_fts")
    old.execute("INSERT INTO chunk_fts(rowid, tokens, chunk_id, doc_id, stadt, vorlagenart, drucksache, year) "
                "SELECT 100000 - rowid, tokens, chunk_id, doc_id, NULL, NULL, NULL, NULL FROM chunks")
    old.execute("UPDATE state SET value = 'fts5-1' WHERE key = 'keyword_index'")
    old.commit()
    old.close()
    registry = Registry(path)
    removed, kept = seeds[0][0], seeds[1][0]
    registry.delete(removed.doc_id)
    aligned = registry._db.execute(
        "SELECT COUNT(*) FROM chunk_fts f JOIN chunks c ON c.rowid = f.rowid AND c.chunk_id = f.chunk_id").fetchone()[0]
    assert aligned == len(registry.keywords) == registry._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
    assert not registry._db.execute("SELECT 1 FROM chunk_fts WHERE doc_id = ?", (removed.doc_id,)).fetchall()
    assert registry._db.execute("SELECT COUNT(*) FROM chunk_fts WHERE doc_id = ?", (kept.doc_id,)).fetchone()[0] > 0
