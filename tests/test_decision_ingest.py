"""Decisions in the ingestion: each consultation's recorded result from the meetings dump, the links between
papers, both in the content hash and in the registry. Real Karlsruhe dumps, no index needed."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from ingest.loaders import LoadReport, load_path, read_agenda_outcomes
from ingest.oparl import AgendaOutcome, paper_to_vorlage
from ingest.oparl_lookups import OParlLookupFiles, OParlLookupReader
from tests.decision_support import (
    DEFERRED, DIFFERING, FOLLOW_UPS, MEETINGS_DUMP, ORGANIZATIONS_DUMP, UNRECORDED, read_papers, write_oparl_folder,
)
from vorlagen.domain import Beratung, PaperLink, Vorlage
from vorlagen.store.registry import Registry


@pytest.fixture(scope="module")
def karlsruhe(shared_dir: Path) -> Path:
    return shared_dir / "corpus" / "karlsruhe"


@pytest.fixture(scope="module")
def outcomes(karlsruhe: Path) -> dict[str, AgendaOutcome]:
    return read_agenda_outcomes(karlsruhe / MEETINGS_DUMP)


@pytest.fixture(scope="module")
def small_folder(karlsruhe: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_oparl_folder(karlsruhe, tmp_path_factory.mktemp("oparl"))


def _by_reference(vorlagen: list[Vorlage]) -> dict[str, Vorlage]:
    return {v.drucksache: v for v in vorlagen if v.drucksache}


def test_agenda_outcomes_come_from_the_meetings_dump(outcomes: dict[str, AgendaOutcome], karlsruhe: Path) -> None:
    """Every agenda item with a result (the dump embeds them in their meetings), and nothing else."""
    with gzip.open(karlsruhe / MEETINGS_DUMP, "rt", encoding="utf-8") as stream:
        stated = {item["id"]: item["result"] for line in stream for item in json.loads(line).get("agendaItem") or []
                  if item.get("result")}
    assert {key: value.result for key, value in outcomes.items()} == stated
    assert len(stated) > 9000


def test_agenda_items_as_own_objects_and_resolution_text(tmp_path: Path) -> None:
    dump = tmp_path / "tagesordnung.jsonl"
    lines = [
        {"id": "ai/1", "type": "https://schema.oparl.org/1.1/AgendaItem", "result": " vertagt ", "resolutionText": "Die Beratung wird vertagt."},
        {"id": "ai/2", "type": "https://schema.oparl.org/1.1/AgendaItem", "result": ""},
        {"id": "m/1", "type": "https://schema.oparl.org/1.0/Meeting", "agendaItem": [{"id": "ai/3", "resolutionText": "Beschlossen."}]},
    ]
    dump.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    assert read_agenda_outcomes(dump) == {
        "ai/1": AgendaOutcome(result="vertagt", resolution_text="Die Beratung wird vertagt."),
        "ai/3": AgendaOutcome(resolution_text="Beschlossen."),
    }


def test_papers_dump_resolves_results_and_links_with_the_dumps_beside_it(small_folder: Path) -> None:
    report = LoadReport()
    lookups = OParlLookupReader().for_dump(small_folder)
    vorlagen = _by_reference(list(load_path(small_folder, report=report, **lookups.loader_arguments())))
    assert report.papers == 6
    differing = vorlagen[DIFFERING].beratungsfolge
    assert [(b.gremium, b.datum.isoformat(), b.ergebnis) for b in differing] == [
        ("Haupt- und Finanzausschuss", "2025-02-04", "mehrheitlich beschlossen")]
    # OParl records the Bauausschuss meeting; the table on the first page adds the Gemeinderat it was referred to
    assert [(b.gremium, b.ergebnis) for b in vorlagen[DEFERRED].beratungsfolge] == [
        ("Bauausschuss", "vertagt"), ("Gemeinderat", None)]
    assert all(b.ergebnis is None for b in vorlagen[UNRECORDED].beratungsfolge)
    linked = {link.doc_id for link in vorlagen[DEFERRED].links}
    assert linked == {vorlagen[reference].doc_id for reference in FOLLOW_UPS}
    assert all(link.relation == "superordinated" for link in vorlagen[DEFERRED].links)
    assert [(link.doc_id, link.relation) for link in vorlagen[FOLLOW_UPS[0]].links] == [
        (vorlagen[DEFERRED].doc_id, "subordinated")]


def test_without_the_meetings_dump_no_result_is_invented(karlsruhe: Path, tmp_path: Path) -> None:
    dump = write_oparl_folder(karlsruhe, tmp_path, (DIFFERING,), with_lookups=False)
    [vorlage] = load_path(dump, **OParlLookupReader().for_dump(dump).loader_arguments())
    # Gremium unknown: the recorded consultation is left out, not guessed; the table on the first page names the
    # step, and no result is invented for it
    assert [(b.gremium, b.ergebnis) for b in vorlage.beratungsfolge] == [("Haupt- und Finanzausschuss", None)]
    named = OParlLookupReader(OParlLookupFiles(meetings=karlsruhe / MEETINGS_DUMP, organizations=karlsruhe / ORGANIZATIONS_DUMP))
    [resolved] = load_path(dump, **named.for_dump(dump).loader_arguments())
    assert resolved.beratungsfolge[0].ergebnis == "mehrheitlich beschlossen"


def test_named_lookup_files_win_over_the_ones_beside_the_dump(small_folder: Path, tmp_path: Path) -> None:
    other = tmp_path / "sitzungen.jsonl"
    other.write_text("", encoding="utf-8")
    files = OParlLookupFiles(meetings=other).beside(small_folder)
    assert files.meetings == other and files.organizations == small_folder.parent / ORGANIZATIONS_DUMP
    assert OParlLookupReader(OParlLookupFiles(meetings=other)).for_dump(small_folder).agenda_results == {}


def test_result_resolution_text_and_links_change_the_content_hash(karlsruhe: Path) -> None:
    [paper] = read_papers(karlsruhe, (DIFFERING,))
    organizations = {oid: "Haupt- und Finanzausschuss" for c in paper["consultation"] for oid in c["organization"]}
    agenda_item = paper["consultation"][0]["agendaItem"]

    def hashed(outcome: AgendaOutcome | None, **changes: object) -> str:
        vorlage = paper_to_vorlage({**paper, **changes}, organizations=organizations,
                                   agenda_results={agenda_item: outcome} if outcome else {})
        return vorlage.content_hash

    recorded = hashed(AgendaOutcome(result="mehrheitlich beschlossen"))
    assert recorded != hashed(None)
    assert recorded != hashed(AgendaOutcome(result="einstimmig beschlossen"))
    assert recorded != hashed(AgendaOutcome(result="mehrheitlich beschlossen", resolution_text="Der Ausschuss beschließt."))
    assert recorded != hashed(AgendaOutcome(result="mehrheitlich beschlossen"), subordinatedPaper=["https://example.org/vo/1"])


def test_documents_without_the_new_fields_keep_their_hash() -> None:
    """An index stored before links and resolution texts existed is not re-ingested because of them."""
    vorlage = Vorlage(doc_id="a", source="a", source_name="a", text="Text", beratungsfolge=[Beratung(gremium="Gemeinderat")])
    stored = vorlage.model_dump(mode="json", exclude={"doc_id", "source", "source_name", "content_hash", "links"})
    for beratung in stored["beratungsfolge"]:
        del beratung["beschlusstext"]
    import hashlib

    before = hashlib.sha256(json.dumps(stored, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
    assert vorlage.content_hash == before


def test_registry_finds_links_in_both_directions_and_forgets_them_with_the_document(tmp_path: Path) -> None:
    registry = Registry(tmp_path / "registry.sqlite3")
    main = Vorlage(doc_id="vo/1", source="d", source_name="1", text="Vorlage",
                   links=[PaperLink(doc_id="vo/2", relation="superordinated")])
    amendment = Vorlage(doc_id="vo/3", source="d", source_name="3", text="Antrag",
                        links=[PaperLink(doc_id="vo/1", relation="subordinated")])
    registry.put(main, [])
    registry.put(amendment, [])
    assert {(p.doc_id, p.relation, p.stated_by) for p in registry.linked_papers("vo/1")} == {
        ("vo/2", "superordinated", "vo/1"), ("vo/3", "subordinated", "vo/3")}
    assert [p.doc_id for p in registry.linked_papers("vo/2")] == ["vo/1"]
    registry.put(main.model_copy(update={"links": []}), [])  # a changed paper replaces its links
    assert [p.doc_id for p in registry.linked_papers("vo/1")] == ["vo/3"]
    registry.delete("vo/3")
    assert registry.linked_papers("vo/1") == []
    registry.close()


def test_registry_written_before_the_links_table_gets_it_filled(tmp_path: Path) -> None:
    path = tmp_path / "registry.sqlite3"
    registry = Registry(path)
    registry.put(Vorlage(doc_id="vo/1", source="d", source_name="1", text="V",
                         links=[PaperLink(doc_id="vo/2", relation="subordinated")]), [])
    with registry.transaction() as db:  # as an older version left it: no rows, no state
        db.execute("DELETE FROM paper_links")
        db.execute("DELETE FROM state WHERE key = 'paper_links'")
    registry.close()
    reopened = Registry(path)
    assert [p.doc_id for p in reopened.linked_papers("vo/1")] == ["vo/2"]
    reopened.close()
