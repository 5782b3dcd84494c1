"""Metadata parsing: the five seeds (expected values written down after reading each file) and
the real files of corpus/real against manifest.json."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from ingest.loaders import load_path
from ingest.metadata import extract_metadata
from vorlagen.domain import Beratung

SEEDS: dict[str, dict[str, object]] = {
    "stuttgart_grdrs_862_2021_amtsgruendung_digitalisierung.txt": {
        "drucksache": "GRDrs 862/2021",
        "title": "Amtsgründung Amt für Digitalisierung und IT",
        "datum": date(2021, 10, 25),  # "Stuttgart,\n10/25/2021"
        "vorlagenart": "Beschlussvorlage",  # "Beschlußvorlage"
        "referat": "Referat Allgemeine Verwaltung/Kultur und Recht",
        "amt": None,
        "stadt": "Stuttgart",
        "beratungsfolge": [
            Beratung(gremium="Verwaltungsausschuss", rolle="Einbringung", datum=date(2021, 10, 27), oeffentlich=True),
            Beratung(gremium="Verwaltungsausschuss", rolle="Vorberatung", datum=date(2021, 12, 1), oeffentlich=True),
            Beratung(gremium="Gemeinderat", rolle="Beschlussfassung", datum=date(2021, 12, 2), oeffentlich=True),
        ],
    },
    "hilden_sv_12_037_mehrwerte_stellen.txt": {
        "drucksache": "WP 20-25 SV 12/037",
        "title": "Mehrwerte der zusätzlichen Stellen in den Sachgebieten Verwaltungsorganisation und Digitalisierung",
        "datum": None,  # the header states no date; body dates (17.05.2023 …) are not the Vorlage's
        "vorlagenart": "Mitteilungsvorlage",
        "referat": None,
        "amt": None,
        "stadt": "Hilden",  # "Mängelmelder der Stadt Hilden"
        "beratungsfolge": [],
    },
    "wiesbaden_sachstandsbericht_amt15.txt": {
        "drucksache": None,
        "title": "Sachstandsbericht und Ausrichtung Amt 15",
        "datum": date(2023, 5, 9),  # footer "09.05.2023 | Amt für Innovation, … | 2"
        "vorlagenart": "Sachstandsbericht",
        "referat": "Dezernat IV",  # "Dezernat/e IV"
        "amt": "Amt für Innovation, Organisation und Digitalisierung",
        "stadt": "Wiesbaden",  # "Landeshauptstadt Wiesbaden"
        "beratungsfolge": [],  # checkbox form without marks or dates: nothing stated
    },
    "mitteilung_buendelung_digitalisierung_2024.txt": {
        "drucksache": None,
        "title": "Projekt Bündelung der Digitalisierung",
        "datum": date(2024, 10, 2),  # "für die Sitzung am 02.10.2024"
        "vorlagenart": "Mitteilung",
        "referat": None,
        "amt": None,
        "stadt": "Musterstadt",  # names no city: the default
        "beratungsfolge": [],
    },
    "kommune21_stuttgart_mobiles_arbeiten_2022.txt": {
        "drucksache": None,
        "title": None,
        "datum": date(2022, 3, 14),  # "[14.3.2022]"
        "vorlagenart": None,
        "referat": None,
        "amt": None,
        "stadt": "Stuttgart",
        "beratungsfolge": [],
    },
}


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_metadata(shared_dir: Path, name: str) -> None:
    text = (shared_dir / "corpus" / "seeds" / name).read_text(encoding="utf-8")

    metadata = extract_metadata(text, source_name=name, default_city="Musterstadt")

    assert metadata.model_dump() == {
        key: [b.model_dump() for b in value] if key == "beratungsfolge" else value  # type: ignore[union-attr]
        for key, value in SEEDS[name].items()
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Landeshauptstadt Stuttgart\nGRDrs 862/2021\n", "GRDrs 862/2021"),
        ("Vorlage\nSV 12/037\n", "SV 12/037"),
        ("Vorlage\nWP 20-25 SV 12/037\n", "WP 20-25 SV 12/037"),
        ("Vorlage Nr.:      2023/0425/1 \nVerantwortlich: Dez. 6\n", "2023/0425/1"),
        ("Punkt 15 der Tagesordnung\nVorlage: 2022/2218\n", "2022/2218"),
        ("Telefon: 800-48\nDS 35/2024\nBeschlussvorlage\n", "DS 35/2024"),
        ("Drucksache Nr. 0815/2024\nBetreff: Radweg\n", "0815/2024"),
        ("Sachstand\nohne Nummer\n", None),
    ],
)
def test_drucksache_formats(text: str, expected: str | None) -> None:
    assert extract_metadata(text, source_name="t.txt").drucksache == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Stadt Hilden\nHilden, 02.12.2021\n", date(2021, 12, 2)),
        ("Stadt Hilden\nHilden, den 2. Dezember 2021\n", date(2021, 12, 2)),
        ("Landeshauptstadt Stuttgart\nStuttgart,\n10/25/2021\n", date(2021, 10, 25)),
        ("Mitteilung\nfür die Sitzung am 7.3.2024\n", date(2024, 3, 7)),
        ("Mitteilung\nAnlage 1: Beschluss vom 21.06.2018\n", None),
        ("Mitteilung\nohne Datum\n", None),
    ],
)
def test_date_formats(text: str, expected: date | None) -> None:
    assert extract_metadata(text, source_name="t.txt").datum == expected


def test_karlsruhe_header_fields() -> None:
    text = (
        "Beschlussvorlage \n \nVorlage Nr.: 2023/1334 \nVerantwortlich: Dez. 6 \nDienststelle:  Amt für \n"
        "Hochbau und \nGebäudewirtschaft \n \nKindertagesstätte Sybelstraße, Neubau  \n \n"
        "Gremien Termin TOP Ö / N Zuständigkeit \nBauausschuss 11.01.2024 2 Ö Entscheidung \nBeschlussantrag \n"
    )
    metadata = extract_metadata(text, source_name="k.txt")

    assert metadata.referat == "Dezernat 6"
    assert metadata.amt == "Amt für Hochbau und Gebäudewirtschaft"
    assert metadata.title == "Kindertagesstätte Sybelstraße, Neubau"
    assert metadata.datum is None  # only a meeting date: not the Vorlage's
    assert metadata.beratungsfolge == [
        Beratung(gremium="Bauausschuss", rolle="Entscheidung", datum=date(2024, 1, 11), oeffentlich=True)
    ]
    assert extract_metadata("Informationsvorlage\nDienststelle: StplA\n", source_name="x").amt == "StplA"


def _manifest(shared_dir: Path) -> list[dict[str, str]]:
    return json.loads((shared_dir / "corpus" / "real" / "manifest.json").read_text(encoding="utf-8"))


def _same_type(found: str, expected: str) -> bool:
    # The manifest writes "Änderungs-/Ergänzungsantrag" and "Protokoll GR …" where the documents
    # say "Änderungsantrag" and "Niederschrift".
    expected = expected.lower().replace("änderungs-/ergänzungsantrag", "änderungsantrag")
    found = found.lower()
    return found in expected or found.replace("niederschrift", "protokoll") in expected


def test_real_files_against_manifest(shared_dir: Path) -> None:
    """Every stated value matches the manifest; numbers, types and dates are found where stated."""
    records = [r for r in _manifest(shared_dir) if "Brandschutzbedarfsplan" not in r["title"]]  # 97-page PDF: loader test
    found = {"drucksache": 0, "vorlagenart": 0, "datum": 0, "stadt": 0}
    for record in records:
        vorlage = next(iter(load_path(shared_dir / "corpus" / "real" / record["file"])))
        name = record["file"]
        is_karlsruhe = record["city"] == "Karlsruhe"
        main_part = record.get("part") in (None, record["paper_type"])
        # Drucksachennummer: where the manifest has one with a slash, it must be found and match
        if re.search(r"\d+/\d{4}", record["paper_ref"] or ""):
            assert vorlage.drucksache, name
            assert vorlage.drucksache in record["paper_ref"], name
            found["drucksache"] += 1
        # type: of the file itself ("Stellungnahme", "Niederschrift") for attached parts
        if vorlage.vorlagenart:
            expected_type = record["paper_type"] if main_part or not is_karlsruhe else record["part"]
            assert _same_type(vorlage.vorlagenart, expected_type), (name, vorlage.vorlagenart)
            found["vorlagenart"] += 1
        # date: Karlsruhe PDFs state no paper date (only meeting dates); attached protocols have theirs
        if vorlage.datum and (main_part or not is_karlsruhe):
            expected_date = re.search(r"\d{4}-\d{2}-\d{2}", record["paper_date"]).group()  # type: ignore[union-attr]
            assert vorlage.datum.isoformat() == expected_date, name
            found["datum"] += 1
        if vorlage.stadt:
            assert vorlage.stadt in record["city"], name
            found["stadt"] += 1
    assert found["drucksache"] >= 30
    assert found["vorlagenart"] >= 0.9 * len(records)
    assert found["datum"] >= 15
    assert found["stadt"] >= 0.65 * len(records)  # measured: 29 of 42; the others name no city


def test_karlsruhe_titles_match_paper_names(shared_dir: Path) -> None:
    """For the main documents the title read from the PDF text shares most words with the
    OParl paper name (which the city sometimes shortens)."""
    for record in _manifest(shared_dir):
        if record["city"] != "Karlsruhe" or record["part"] != record["paper_type"]:
            continue
        title = next(iter(load_path(shared_dir / "corpus" / "real" / record["file"]))).title
        assert title, record["file"]
        expected = set(re.findall(r"\w{4,}", record["title"].lower()))
        got = set(re.findall(r"\w{4,}", title.lower()))
        assert len(expected & got) >= 0.5 * len(expected), (record["file"], title)


# ---- a council API's Beratungsfolge completed by the table on the cover page --------------------------
def _step(gremium: str, day: date | None, rolle: str | None = None, ergebnis: str | None = None) -> Beratung:
    return Beratung(gremium=gremium, datum=day, rolle=rolle, ergebnis=ergebnis)


def test_merged_beratungsfolge_adds_the_tables_steps_in_date_order() -> None:
    from ingest.beratungsfolge import merged_beratungsfolge

    recorded = [_step("Stadtrat", date(2025, 3, 27), "Beschlussfassung", "einstimmig beschlossen")]
    stated = [_step("Umweltausschuss", date(2025, 3, 4), "Vorberatung"),
              _step("Stadtrat", date(2025, 3, 27), "Entscheidung"),
              _step("Ortsbeirat Nord", date(2025, 2, 20))]
    merged = merged_beratungsfolge(recorded, stated)
    assert [(b.gremium, b.datum) for b in merged] == [
        ("Ortsbeirat Nord", date(2025, 2, 20)), ("Umweltausschuss", date(2025, 3, 4)), ("Stadtrat", date(2025, 3, 27))]
    assert merged[2] == recorded[0]  # the recorded step is kept as recorded: its role and its result


def test_merged_beratungsfolge_completes_a_record_without_role_or_date() -> None:
    from ingest.beratungsfolge import merged_beratungsfolge

    merged = merged_beratungsfolge([_step("Bezirksbeirat Süd", None)],
                                   [_step("Bezirksbeirat Süd", date(2024, 11, 5), "Anhörung")])
    assert [(b.gremium, b.rolle, b.datum) for b in merged] == [("Bezirksbeirat Süd", "Anhörung", date(2024, 11, 5))]


def test_merged_beratungsfolge_knows_an_elided_name_and_keeps_other_bodies_apart() -> None:
    from ingest.beratungsfolge import merged_beratungsfolge

    day = date(2024, 6, 12)
    recorded = [_step("Kultur- und Sportausschuss", day, "Vorberatung")]
    # "Sportausschuss" on that day is the elided body; the Ortsbeirat meeting the same day is another step
    stated = [_step("Sportausschuss", day), _step("Ortsbeirat West", day), _step("Ortsbeirat Ost", day)]
    merged = merged_beratungsfolge(recorded, stated)
    assert [b.gremium for b in merged] == ["Kultur- und Sportausschuss", "Ortsbeirat West", "Ortsbeirat Ost"]
    assert merged_beratungsfolge([_step("Ortsbeirat West", day)], [_step("Ortsbeirat Ost", day)])[1].gremium == "Ortsbeirat Ost"
