"""Loaders on real files of the shared corpus and on real broken files made here."""

from __future__ import annotations

import gzip
import io
import json
import lzma
import os
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from ingest.errors import LoaderError
from ingest.loaders import (
    LoadReport,
    discover_files,
    load_path,
    read_meeting_dates,
    read_organization_names,
)

GERMAN = "Die Verwaltung prüft die Maßnahme „Grünflächen“ für 1.200 € – Änderungen über Öffnungszeiten.\n"


def load_one(path: Path, **kwargs) -> object:
    vorlagen = list(load_path(path, **kwargs))
    assert len(vorlagen) == 1
    return vorlagen[0]


# --- discovery -----------------------------------------------------------------------------------


def test_discover_files_expands_folders_sorted_and_skips_hidden(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ("b/z.txt", "b/a.pdf", "c.html", ".hidden.txt", ".git/config"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    single = tmp_path / "b" / "z.txt"

    found = discover_files([tmp_path, single])

    assert found == [tmp_path / "b" / "a.pdf", tmp_path / "b" / "z.txt", tmp_path / "c.html", single]


# --- text ----------------------------------------------------------------------------------------


def test_seed_texts_load_verbatim(shared_dir: Path) -> None:
    seeds = discover_files([shared_dir / "corpus" / "seeds"])
    assert len(seeds) == 5
    for path in seeds:
        vorlage = load_one(path)
        assert vorlage.text == path.read_text(encoding="utf-8").replace("\r\n", "\n")
        assert vorlage.doc_id == vorlage.source_name == path.name
        assert vorlage.source == str(path)


def test_windows_1252_text_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "vorlage_1252.txt"
    path.write_bytes((GERMAN * 5).encode("cp1252"))

    vorlage = load_one(path)

    assert vorlage.text == GERMAN * 5


# --- HTML ----------------------------------------------------------------------------------------


def test_stuttgart_html_windows_1252(shared_dir: Path) -> None:
    path = shared_dir / "corpus" / "real" / "html" / "stuttgart_anfrage-23-2018_afd_s21-fertigstellungstermin.html"
    vorlage = load_one(path)
    lines = vorlage.text.splitlines()

    assert "Betreff" in lines
    assert "S-21 neuer Fertigstellungstermin - Auswirkungen für die Bürger" in lines
    assert "2. Ab welchem Zeitpunkt rechnet die Verwaltung mit einem stufenweisen Rückbau der Behinderungen?" in lines
    assert "Ã" not in vorlage.text  # no UTF-8/1252 mix-up
    assert "<" not in vorlage.text and "window." not in vorlage.text
    assert vorlage.drucksache == "23/2018"
    assert vorlage.datum == date(2018, 1, 30)


def test_html_drops_script_style_nav(tmp_path: Path) -> None:
    path = tmp_path / "seite.htm"
    path.write_text(
        "<html><head><style>p{}</style></head><body><nav>Menü Startseite</nav>"
        "<script>var x = 1;</script><h1>Betreff</h1><p>Neubau der Kita</p><div>Zeile zwei</div></body></html>",
        encoding="utf-8",
    )

    assert load_one(path).text == "Betreff\n\nNeubau der Kita\n\nZeile zwei"


# --- PDF -----------------------------------------------------------------------------------------


def test_pdf_pages_become_spans(shared_dir: Path) -> None:
    path = shared_dir / "corpus" / "real" / "pdf" / "stuttgart_beantwortung-anfrage-23-2018_2018-06-22_s21-fertigstellungstermin.pdf"
    pages = [page.extract_text() for page in PdfReader(path).pages]

    vorlage = load_one(path)

    assert [span.page for span in vorlage.spans] == [1, 2, 3]
    assert [vorlage.text[span.start : span.end] for span in vorlage.spans] == pages
    assert vorlage.text == "\n\n".join(pages)
    assert vorlage.datum == date(2018, 6, 22)
    assert vorlage.stadt == "Stuttgart"


def test_pdf_with_owner_password_only_still_loads(tmp_path: Path, shared_dir: Path) -> None:
    """Encrypted with an empty user password (only printing/copying restricted): readable."""
    source = shared_dir / "corpus" / "real" / "pdf" / "stuttgart_gr-protokoll_2019-03-28_niederschrift-66_wahl-amtsleitung-branddirektion.pdf"
    writer = PdfWriter(clone_from=source)
    writer.encrypt(user_password="", owner_password="verwaltung", algorithm="RC4-128")
    path = tmp_path / "nur_besitzerkennwort.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    assert PdfReader(path).is_encrypted

    vorlage = load_one(path)

    assert vorlage.text == load_one(source).text


@pytest.mark.slow
def test_real_97_page_plan_with_owner_password(shared_dir: Path) -> None:
    path = shared_dir / "corpus" / "real" / "pdf" / "nordstemmen_DS-35-2024_anlage1_brandschutzbedarfsplan-1-fortschreibung.pdf"
    assert PdfReader(path).is_encrypted

    vorlage = load_one(path)

    assert len(vorlage.spans) == 97
    assert "Brandschutzbedarfsplan" in vorlage.text
    assert vorlage.stadt == "Nordstemmen"


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_encrypted_pdf(tmp_path: Path, shared_dir: Path) -> None:
    source = shared_dir / "corpus" / "real" / "pdf" / "erlangen_stbr-buechenbach_2021-05-07_stellungnahme_bebauungsplan-199-odenwaldallee.pdf"
    writer = PdfWriter(clone_from=source)
    writer.encrypt(user_password="geheim", owner_password="geheimer", algorithm="RC4-128")
    path = tmp_path / "geheim.pdf"
    with path.open("wb") as handle:
        writer.write(handle)

    with pytest.raises(LoaderError) as error:
        list(load_path(path))

    assert "„geheim.pdf“ ist verschlüsselt" in str(error.value)
    assert error.value.source == str(path)


def test_corrupt_pdf(tmp_path: Path, shared_dir: Path) -> None:
    source = shared_dir / "corpus" / "real" / "pdf" / "stuttgart_gr-protokoll_2019-03-28_niederschrift-66_wahl-amtsleitung-branddirektion.pdf"
    path = tmp_path / "kaputt.pdf"
    path.write_bytes(source.read_bytes()[:2000])

    with pytest.raises(LoaderError) as error:
        list(load_path(path))

    assert "„kaputt.pdf“" in str(error.value)
    assert "beschädigt" in str(error.value) or "kein Textlayer" in str(error.value)


def test_garbage_named_pdf(tmp_path: Path) -> None:
    path = tmp_path / "keinpdf.pdf"
    path.write_bytes(b"Das ist kein PDF, sondern Text.\n" * 10)

    with pytest.raises(LoaderError, match="„keinpdf.pdf“ ist beschädigt"):
        list(load_path(path))


def test_empty_file(tmp_path: Path) -> None:
    for name in ("leer.pdf", "leer.txt"):
        path = tmp_path / name
        path.write_bytes(b"")
        with pytest.raises(LoaderError, match=f"„{name}“ ist leer"):
            list(load_path(path))


def test_image_only_pdf_needs_ocr(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(_blank_pdf())

    with pytest.raises(LoaderError) as error:
        list(load_path(path))

    assert "„scan.pdf“" in str(error.value)
    assert "kein Textlayer – OCR nötig" in str(error.value)


def test_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "vorlage.docx"
    path.write_bytes(b"PK\x03\x04")

    with pytest.raises(LoaderError, match=r"Dateityp „\.docx“ der Datei „vorlage\.docx“ wird nicht unterstützt"):
        list(load_path(path))


def test_folder_with_a_file_name(tmp_path: Path) -> None:
    path = tmp_path / "ordner.pdf"
    path.mkdir()

    with pytest.raises(LoaderError, match="„ordner.pdf“ ist ein Ordner"):
        list(load_path(path))


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root liest auch Dateien ohne Leserecht")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "gesperrt.txt"
    path.write_text(GERMAN, encoding="utf-8")
    path.chmod(0)
    try:
        with pytest.raises(LoaderError, match="„gesperrt.txt“ kann nicht gelesen werden: keine Leseberechtigung"):
            list(load_path(path))
    finally:
        path.chmod(0o600)


# --- OParl ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def karlsruhe_lookups(shared_dir: Path) -> tuple[dict[str, str], dict[str, date]]:
    folder = shared_dir / "corpus" / "karlsruhe"
    return (
        read_organization_names(folder / "karlsruhe-organizations.jsonl.gz"),
        read_meeting_dates(folder / "karlsruhe-meetings.jsonl.gz"),
    )


def test_oparl_dump_papers(shared_dir: Path, karlsruhe_lookups) -> None:
    path = shared_dir / "corpus" / "karlsruhe" / "karlsruhe-eval-300.jsonl.gz"
    organizations, meeting_dates = karlsruhe_lookups
    report = LoadReport()

    vorlagen = list(load_path(path, organizations=organizations, meeting_dates=meeting_dates, report=report))

    assert report.papers == len(vorlagen) == 300
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        papers = [json.loads(line) for _, line in zip(range(20), stream)]
    for paper, vorlage in zip(papers, vorlagen):
        assert vorlage.doc_id == vorlage.source == paper["id"]
        assert vorlage.source_name == vorlage.drucksache == paper["reference"]
        assert vorlage.title == paper["name"]
        assert vorlage.vorlagenart == paper["paperType"]
        assert vorlage.datum == date.fromisoformat(paper["date"])
        assert vorlage.stadt == "Karlsruhe"
        files = [f for f in paper["auxiliaryFile"] if f["text"].strip()]
        assert [span.label for span in vorlage.spans] == [f["name"] for f in files]
        # NUL characters of broken PDF extractions are removed; everything else is kept verbatim
        expected = [f["text"].replace("\x00", "").strip() for f in files]
        assert [vorlage.text[s.start : s.end] for s in vorlage.spans] == expected
        recorded = [(organizations[c["organization"][0]], c["role"], meeting_dates.get(c["meeting"]))
                    for c in paper["consultation"]]
        steps = [(b.gremium, b.rolle, b.datum) for b in vorlage.beratungsfolge]
        assert [step for step in steps if step in recorded] == recorded  # every recorded step, as recorded
    first = vorlagen[0]
    assert first.source_name == "2023/0425/1"
    # OParl records two consultations; the table on the first page names the two Planungsausschuss meetings
    # before them ("Hauptausschuss" on the day OParl records as "Haupt- und Finanzausschuss" is that one)
    assert [(b.gremium, b.datum) for b in first.beratungsfolge] == [
        ("Planungsausschuss", date(2023, 9, 14)), ("Planungsausschuss", date(2023, 10, 5)),
        ("Haupt- und Finanzausschuss", date(2024, 2, 6)), ("Gemeinderat", date(2024, 2, 20))]
    assert [b.rolle for b in first.beratungsfolge][2:] == ["Vorberatung", "Entscheidung"]


def test_oparl_without_lookups_leaves_gremien_out(shared_dir: Path) -> None:
    """Consultations whose Gremium cannot be named are left out; the table on the first page stays."""
    path = shared_dir / "corpus" / "karlsruhe" / "karlsruhe-eval-300.jsonl.gz"
    first = next(iter(load_path(path)))
    assert [(b.gremium, b.datum) for b in first.beratungsfolge] == [
        ("Planungsausschuss", date(2023, 9, 14)), ("Planungsausschuss", date(2023, 10, 5)),
        ("Hauptausschuss", date(2024, 2, 6)), ("Gemeinderat", date(2024, 2, 20))]


def test_oparl_papers_without_text_are_skipped_and_counted(tmp_path: Path) -> None:
    body = "https://ris.example.org/oparl/body/1"
    papers = [
        {"id": "https://ris.example.org/paper/1", "type": "https://schema.oparl.org/1.1/Paper", "body": body,
         "reference": "DS 1/2025", "name": "Ohne Text", "auxiliaryFile": [{"name": "Anlage", "text": "  \n"}]},
        {"id": "https://ris.example.org/org/7", "type": "https://schema.oparl.org/1.1/Organization", "name": "Rat"},
        {"id": "https://ris.example.org/paper/2", "type": "https://schema.oparl.org/1.0/Paper", "body": body,
         "reference": "DS 2/2025", "name": "Mit Text",
         "mainFile": {"name": "Vorlage", "text": "Beschlussvorlage\nDer Rat beschließt."},
         "auxiliaryFile": [{"name": "Anlage 1", "text": "Lageplan mit Erläuterungen"}],
         "consultation": [{"organization": ["https://ris.example.org/org/7"], "role": "Entscheidung",
                           "meeting": "https://ris.example.org/meeting/3"}]},
    ]  # fmt: skip
    path = tmp_path / "dump.jsonl.xz"
    with lzma.open(path, "wt", encoding="utf-8") as stream:
        stream.writelines(json.dumps(paper) + "\n" for paper in papers)
    report = LoadReport()

    vorlagen = list(load_path(path, default_city="Musterstadt", organizations={papers[1]["id"]: "Rat"}, report=report))

    assert [v.source_name for v in vorlagen] == ["DS 2/2025"]
    assert report.skipped_without_text == ["https://ris.example.org/paper/1"]
    assert report.skipped_other_objects == 1
    vorlage = vorlagen[0]
    assert vorlage.text == "Beschlussvorlage\nDer Rat beschließt.\n\nLageplan mit Erläuterungen"
    assert [span.label for span in vorlage.spans] == ["Vorlage", "Anlage 1"]
    assert vorlage.stadt == "Musterstadt"
    assert vorlage.beratungsfolge[0].gremium == "Rat" and vorlage.beratungsfolge[0].datum is None


def test_corrupt_gzip_dump(tmp_path: Path) -> None:
    path = tmp_path / "kaputt.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"id": "x", "type": "Paper"}\n' * 100)[:60])

    with pytest.raises(LoaderError, match="„kaputt.jsonl.gz“ ist beschädigt"):
        list(load_path(path))
