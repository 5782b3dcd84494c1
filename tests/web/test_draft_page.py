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
