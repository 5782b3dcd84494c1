"""Drafting without a language model: request parsing, the cost table from the tools, the skeleton,
Markdown and .docx, style passages over the real seeds index, and the ``vorlagen draft`` command."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document as WordDocument
from typer.testing import CliRunner

from assistant.costs.tables import CostTables
from assistant.drafting import Drafter, render_docx, render_markdown
from assistant.drafting.costs import cost_table
from assistant.drafting.drafter import allowed_material
from assistant.drafting.guard import findings
from assistant.drafting.request import parse_request_line
from vorlagen.domain import DRAFT_SECTIONS, Beratung, DraftPosition, DraftRequest
from vorlagen.formatting import format_eur, format_number, round_cents
from vorlagen.settings import Settings

CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def tables() -> CostTables:
    return CostTables.from_settings(Settings())


def unit_request(**changes) -> DraftRequest:
    """A new unit: 3 positions E 11 from 1 July 2026 (pro rata first year), Stuttgart."""
    data = {
        "betreff": "Einrichtung einer Koordinierungsstelle Klimaanpassung",
        "stadt": "Stuttgart",
        "amt": "Referat Klima und Umwelt",
        "datum": date(2026, 3, 2),
        "stellen": [DraftPosition(anzahl=3, gruppe="E 11", ab=date(2026, 7, 1))],
        "haushaltsjahre": [2026, 2027],
        "fakten": ["Hitzeperioden und Starkregen nehmen zu.", "Es gibt bisher keine zentrale Koordination."],
        "beratungsfolge": [
            Beratung(gremium="Verwaltungsausschuss", rolle="Vorberatung", datum=date(2026, 4, 15), oeffentlich=True),
            Beratung(gremium="Gemeinderat", rolle="Beschlussfassung", datum=date(2026, 4, 30), oeffentlich=True),
        ],
    }
    return DraftRequest(**{**data, **changes})


# --- the one-line request ------------------------------------------------------------------------


def test_one_line_request_is_parsed_into_fields() -> None:
    request, notes, unassigned = parse_request_line(
        "Einrichtung einer Koordinierungsstelle Klimaanpassung in Stuttgart zum 01.07.2026 mit 3 Stellen E 11, "
        "Haushaltsjahre 2026 bis 2027",
        cities={"Stuttgart", "Hilden"},
    )
    assert notes == [] and unassigned == []
    assert request.betreff == "Einrichtung einer Koordinierungsstelle Klimaanpassung"
    assert request.stadt == "Stuttgart"
    assert [(p.anzahl, p.gruppe, p.vza, p.ab) for p in request.stellen] == [(3, "E 11", Decimal(1), date(2026, 7, 1))]
    assert request.haushaltsjahre == [2026, 2027]
    assert request.abschnitte == list(DRAFT_SECTIONS)


def test_one_line_consulting_request_and_what_is_missing() -> None:
    request, notes, unassigned = parse_request_line(
        "Externe Beratung zur Digitalstrategie: 80 Beratertage je Jahr zum Tagessatz von 1.150 EUR in 2026 und 2027"
    )
    assert (request.beratertage_je_jahr, request.tagessatz) == (Decimal(80), Decimal(1150))
    assert request.haushaltsjahre == [2026, 2027] and not notes and not unassigned
    request, _, unassigned = parse_request_line("Neue Stelle Quartiersmanagement mit 2 Stellen ab 01.09.2026")
    assert not request.stellen and [u.text for u in unassigned] == ["2 Stellen"] and "Entgeltgruppe" in unassigned[0].grund


# --- the finance table -----------------------------------------------------------------------------


def test_cost_table_has_the_pro_rata_first_year_from_the_tables(tables: CostTables) -> None:
    table = cost_table(unit_request(), tables)
    assert table is not None and table.years == [2026, 2027]
    rows = {row.label: row for row in table.rows}
    assert list(rows) == ["Personalkosten", "Sachkosten der Arbeitsplätze", "Gemeinkosten", "Summe"]
    rate_2026, rate_2027 = tables.personnel("E 11", 2026).annual, tables.personnel("E 11", 2027).annual
    workplace = tables.workplace(2026)
    assert rows["Personalkosten"].amounts == [round_cents(rate_2026 * 3 * 6 / 12), round_cents(rate_2027 * 3)]
    assert rows["Sachkosten der Arbeitsplätze"].amounts[0] == round_cents(workplace.sachkosten * 3 * 6 / 12)
    gemeinkosten = round_cents(rate_2026 * 3 * workplace.gemeinkosten_prozent / 100 * 6 / 12)
    assert abs(rows["Gemeinkosten"].amounts[0] - gemeinkosten) <= CENT  # each row rounded by its tool
    summe = rows["Summe"]
    for index in range(2):
        assert summe.amounts[index] == sum(row.amounts[index] for label, row in rows.items() if label != "Summe")
    assert summe.total == sum(summe.amounts)
    assert any("TVöD" in name and "Version" in name for name in table.tables)


def test_consulting_over_two_years_and_a_fixed_term_position(tables: CostTables) -> None:
    consulting = DraftRequest(betreff="Beratung Digitalstrategie", beratertage_je_jahr=Decimal(80),
                              tagessatz=Decimal(1150), haushaltsjahre=[2026, 2027])
    table = cost_table(consulting, tables)
    assert table is not None
    assert [(r.label, r.amounts, r.total) for r in table.rows] == [
        ("Beratung", [Decimal("92000.00"), Decimal("92000.00")], Decimal("184000.00")),
        ("Summe", [Decimal("92000.00"), Decimal("92000.00")], Decimal("184000.00")),
    ]
    fixed_term = DraftRequest(betreff="Projektstelle", haushaltsjahre=[2026, 2027], stellen=[
        DraftPosition(gruppe="E 13", ab=date(2026, 1, 1), befristet_bis=date(2027, 6, 30))])
    table = cost_table(fixed_term, tables)
    assert table is not None
    personal = table.rows[0]
    assert personal.amounts[1] == round_cents(tables.personnel("E 13", 2027).annual * 6 / 12)
    assert any("Befristung bis 30.06.2027" in notice for notice in table.notices)


# --- skeleton, Markdown, .docx -------------------------------------------------------------------------


def test_skeleton_is_complete_and_backed_without_model_or_corpus(tables: CostTables) -> None:
    request = unit_request()
    draft = Drafter(Settings(), tables=tables).draft(request, use_model=False)
    assert [s.name for s in draft.sections] == list(DRAFT_SECTIONS)
    assert draft.mode == "skeleton" and all(s.mode == "skeleton" for s in draft.sections)
    beschluss = draft.section("Beschlussantrag")
    assert beschluss is not None
    summe = draft.cost_table.rows[-1] if draft.cost_table else None
    assert summe is not None
    for expected in ("1. Dem Vorhaben", "3 Stellen E 11", "01.07.2026", "Die Verwaltung wird ermächtigt", format_eur(summe.total)):
        assert expected in beschluss.text
    markdown = render_markdown(draft)
    assert "| Kostenart | 2026 | 2027 | Summe |" in markdown
    assert "**Drucksache:** [wird vergeben]" in markdown and "| Gemeinderat | Beschlussfassung | 30.04.2026 | öffentlich |" in markdown
    assert "ab dem 01.07.2026 (6 Monate im Jahr 2026)" in markdown
    # every figure, date and name of the draft is backed by the request or a tool result
    assert findings(markdown, allowed_material(request, draft.cost_table, [], [])) == []


def test_docx_is_laid_out_like_a_vorlage_with_a_real_finance_table(tables: CostTables) -> None:
    draft = Drafter(Settings(), tables=tables).draft(unit_request(), use_model=False)
    word = WordDocument(io.BytesIO(render_docx(draft)))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:2] == ["Betreff", "Beratungsfolge"]
    assert [h for h in headings if h in DRAFT_SECTIONS] == list(DRAFT_SECTIONS)
    kopf = {row.cells[0].text: row.cells[1].text for row in word.tables[0].rows}
    assert kopf["Stadt"] == "Stuttgart" and kopf["Drucksache"] == "[wird vergeben]" and kopf["Datum"] == "02.03.2026"
    beratung = [[cell.text for cell in row.cells] for row in word.tables[1].rows]
    assert beratung[0] == ["Gremium", "Rolle", "Datum", "Sitzung"]
    assert beratung[2] == ["Gemeinderat", "Beschlussfassung", "30.04.2026", "öffentlich"]
    finance = [[cell.text for cell in row.cells] for row in word.tables[2].rows]
    assert finance[0] == ["Kostenart (EUR)", "2026", "2027", "Summe"]
    assert draft.cost_table is not None
    expected = [format_number(a, 2) for a in draft.cost_table.rows[-1].amounts] + [format_number(draft.cost_table.rows[-1].total, 2)]
    assert finance[-1] == ["Summe", *expected]
    assert word.tables[2].rows[-1].cells[3].paragraphs[0].runs[0].bold


# --- style passages of the corpus ----------------------------------------------------------------------


def test_style_passages_from_the_same_city_are_cited_verbatim(seeds_service, seeds_store, tables: CostTables) -> None:
    request = unit_request(betreff="Gründung eines Amts für Digitalisierung und IT", stellen=[
        DraftPosition(anzahl=4, gruppe="E 12", ab=date(2026, 7, 1))])
    draft = Drafter(seeds_service.settings, seeds_service, tables=tables).draft(request, use_model=False)
    assert draft.citations, draft.notices
    assert "stuttgart" in draft.citations[0].source_name
    for citation in draft.citations:
        vorlage = seeds_store.get_vorlage(citation.doc_id)
        assert vorlage is not None and vorlage.text[citation.start : citation.end] == citation.quote
    begruendung = draft.section("Begründung")
    assert begruendung is not None
    situation = begruendung.text.split("### Ausgangslage")[1].split("###")[0]
    assert "(vgl. GRDrs 862/2021) [1]" in situation  # the cited context in the Ausgangslage, [n] in its sentence
    markdown = render_markdown(draft)
    assert "## Herangezogene frühere Vorlagen" in markdown
    # figures of the past Vorlage appear only inside the cited reference
    allowed = allowed_material(request, draft.cost_table, [], draft.citations, seeds_service.store.cities())
    assert findings(markdown, allowed) == []
    assert findings(markdown.replace(" [1]", ""), allowed)


# --- the command line -----------------------------------------------------------------------------------


def test_cli_shows_what_it_understood_and_writes_md_and_docx(tmp_path: Path, monkeypatch) -> None:
    from api.cli import app

    monkeypatch.setenv("VORLAGEN_DATA_DIR", str(tmp_path / "index"))
    runner = CliRunner()
    line = "Einrichtung einer Koordinierungsstelle Klimaanpassung zum 01.07.2026 mit 3 Stellen E 11, 2026 bis 2027"
    understood = runner.invoke(app, ["draft", line, "--nur-verstehen", "--json"], env={"COLUMNS": "200"})
    assert understood.exit_code == 0, understood.output
    payload = json.loads(understood.stdout[understood.stdout.index("{"):])
    assert payload["request"]["stellen"][0]["gruppe"] == "E 11"
    result = runner.invoke(app, ["draft", line, "--out", str(tmp_path / "out"), "--name", "klima", "--mode", "extractive",
                                 "--abschnitt", "Beschlussantrag", "--abschnitt", "Finanzielle Auswirkungen"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Verstanden" in result.output and "3 Stellen E 11" in result.output
    markdown = (tmp_path / "out" / "klima.md").read_text(encoding="utf-8")
    assert "## Beschlussantrag" in markdown and "## Finanzielle Auswirkungen" in markdown and "## Begründung" not in markdown
    word = WordDocument(str(tmp_path / "out" / "klima.docx"))
    assert word.tables[-1].rows[0].cells[0].text == "Kostenart (EUR)"
    broken = runner.invoke(app, ["draft", "--betreff", "X"], env={"COLUMNS": "200"})
    assert broken.exit_code == 2 and "Fehler" in broken.output


def test_cli_refuses_a_request_with_unassigned_figures_unless_told(tmp_path: Path, monkeypatch) -> None:
    from api.cli import app

    monkeypatch.setenv("VORLAGEN_DATA_DIR", str(tmp_path / "index"))
    runner = CliRunner()
    line = "Digitalisierung der Bauantragsverfahren in Bonn: 40 bis 60 Beratertage, Tagessatz 1.100 EUR, Sachkosten 2027 20.000 EUR"
    refused = runner.invoke(app, ["draft", line, "--out", str(tmp_path / "out"), "--name", "bau", "--mode", "extractive"],
                            env={"COLUMNS": "200"})
    assert refused.exit_code == 3, refused.output
    assert "Nicht zugeordnet" in refused.output and "40 bis 60 Beratertage" in refused.output and "--trotzdem" in refused.output
    assert not (tmp_path / "out" / "bau.md").exists()
    understood = runner.invoke(app, ["draft", line, "--nur-verstehen", "--json"], env={"COLUMNS": "200"})
    payload = json.loads(understood.stdout[understood.stdout.index("{"):])
    assert [u["text"] for u in payload["unassigned"]] == ["40 bis 60 Beratertage", "1.100 EUR"]
    done = runner.invoke(app, ["draft", line, "--trotzdem", "--out", str(tmp_path / "out"), "--name", "bau", "--mode", "extractive",
                               "--abschnitt", "Finanzielle Auswirkungen"], env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    assert "20.000,00 EUR" in (tmp_path / "out" / "bau.md").read_text(encoding="utf-8")
    # per-year values as options
    per_year = runner.invoke(app, ["draft", "--betreff", "Beratung Digitalstrategie", "--beratertage", "2027=40,2028=25",
                                   "--tagessatz", "1.200", "--nur-verstehen", "--json"], env={"COLUMNS": "200"})
    request = json.loads(per_year.stdout[per_year.stdout.index("{"):])["request"]
    assert request["beratertage_nach_jahr"] == [{"jahr": 2027, "wert": "40"}, {"jahr": 2028, "wert": "25"}]
