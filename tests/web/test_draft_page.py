"""The Entwurf page in Chromium, from the one-line request to the .docx download (real server, seeds index)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document as WordDocument

from tests.web.test_browser import browser, page, sync_api  # noqa: F401 - the browser fixtures

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_draft_page_from_request_to_download(page: Page, artifacts_dir: Path) -> None:  # noqa: F811
    page.get_by_role("link", name="Entwurf").click()
    page.get_by_label("Vorhaben in einer Zeile").fill(
        "Einrichtung einer Koordinierungsstelle Klimaanpassung in Stuttgart zum 01.07.2026 mit 3 Stellen E 11, 2026 bis 2027"
    )
    page.get_by_role("button", name="Angaben übernehmen").click()
    # the understood inputs, as an editable form
    sync_api.expect(page.get_by_label("Betreff")).to_have_value(re.compile("^Einrichtung einer Koordinierungsstelle Klimaanpassung"))
    sync_api.expect(page.get_by_label("Stelle 1: Entgeltgruppe")).to_have_value("E 11")
    sync_api.expect(page.get_by_label("Stelle 1: ab")).to_have_value("01.07.2026")
    sync_api.expect(page.get_by_label("Haushaltsjahre")).to_have_value("2026, 2027")
    page.get_by_label("Fakten (je Zeile ein Punkt)").fill("Hitzeperioden nehmen zu.")
    page.get_by_role("button", name="Gremium hinzufügen").click()
    page.get_by_label("Gremium 1: Name").fill("Gemeinderat")
    page.get_by_label("Gremium 1: Rolle").select_option("Beschlussfassung")
    page.get_by_label("Gremium 1: Datum").fill("30.04.2026")
    page.screenshot(path=str(artifacts_dir / "06-entwurf-verstanden.png"), full_page=True)

    page.get_by_role("button", name="Entwurf erstellen").click()
    sync_api.expect(page.locator("#entwurf-status")).to_have_text("Entwurf fertig.")
    sections = page.locator("#entwurf-abschnitte section.draft-section h3")
    sync_api.expect(sections).to_have_count(6)
    finance = page.locator("#abschnitt-finanzielle-auswirkungen table.finance")
    sync_api.expect(finance.locator("tr").first).to_contain_text("2026")
    sync_api.expect(finance.locator("tr").last).to_contain_text("Summe")
    sync_api.expect(page.locator("#abschnitt-beschlussantrag")).to_contain_text("Die Verwaltung wird ermächtigt")
    sync_api.expect(page.locator("#entwurf-quellen button.chip").first).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "07-entwurf-fertig.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Word-Datei")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    target = artifacts_dir / download.suggested_filename
    download.save_as(str(target))
    word = WordDocument(str(target))
    assert [cell.text for cell in word.tables[1].rows[1].cells] == ["Gemeinderat", "Beschlussfassung", "30.04.2026", "öffentlich"]
    assert word.tables[-1].rows[-1].cells[0].text == "Summe"


def test_draft_page_per_year_rows_and_unassigned_figures(page: Page, artifacts_dir: Path) -> None:  # noqa: F811
    page.get_by_role("link", name="Entwurf").click()
    page.get_by_label("Vorhaben in einer Zeile").fill(
        "Externe Beratung zur Digitalisierungsstrategie in Wiesbaden: 2027 40 Beratertage, 2028 25 Beratertage, "
        "Tagessatz 1.200 EUR, Sachkosten 2027 5.000 EUR, Fördermittel 10.000 EUR"
    )
    page.get_by_role("button", name="Angaben übernehmen").click()
    # the values per year as editable rows; the figure no field took, named
    sync_api.expect(page.get_by_label("Jahr 1", exact=True)).to_have_value("2027")
    sync_api.expect(page.get_by_label("Jahr 1: Beratertage")).to_have_value("40")
    sync_api.expect(page.get_by_label("Jahr 1: Sachkosten")).to_have_value("5000")
    sync_api.expect(page.get_by_label("Jahr 2: Beratertage")).to_have_value("25")
    box = page.locator("#entwurf-nicht-zugeordnet")
    sync_api.expect(box).to_be_visible()
    sync_api.expect(box).to_contain_text("10.000 EUR")
    page.screenshot(path=str(artifacts_dir / "08-entwurf-je-jahr.png"), full_page=True)
    # the author adds a third year in the form
    page.get_by_role("button", name="Jahr hinzufügen").click()
    page.get_by_label("Jahr 3", exact=True).fill("2029")
    page.get_by_label("Jahr 3: Beratertage").fill("10")
    page.get_by_role("button", name="Entwurf erstellen").click()
    sync_api.expect(page.locator("#entwurf-status")).to_have_text("Entwurf fertig.")
    finance = page.locator("#abschnitt-finanzielle-auswirkungen table.finance")
    sync_api.expect(finance.locator("tr").first).to_contain_text("2029")
    summe = finance.locator("tr").last
    # 40, 25 and 10 days at 1.200 EUR plus 5.000 EUR in 2027: 53.000 / 30.000 / 12.000, 95.000 in all
    for amount in ("53.000,00 EUR", "30.000,00 EUR", "12.000,00 EUR", "95.000,00 EUR"):
        sync_api.expect(summe).to_contain_text(amount)
