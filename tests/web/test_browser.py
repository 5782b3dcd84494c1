"""The web UI in Debian's Chromium, driven by Playwright (Python), against a real server.

Screenshots go to ``test-artifacts/``. Never ``playwright install``: the browser is /usr/bin/chromium.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.web.server import API_KEY, LiveServer, live_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-quic", "--disable-sync",
]
UPLOAD_PDF = "erlangen_stbr-buechenbach_2021-05-07_stellungnahme_bebauungsplan-199-odenwaldallee.pdf"

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright (Python) ist nicht installiert")

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Locator, Page


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium fehlt ({CHROMIUM}); apt-get install chromium")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
            headless=True, locale="de-DE", viewport={"width": 1280, "height": 900}, accept_downloads=True,
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser: BrowserContext, server: LiveServer) -> Iterator[Page]:
    page = browser.new_page()
    page.set_default_timeout(120_000)
    page.goto(server.base_url + "/")
    page.get_by_label(re.compile("^API-Schlüssel")).fill(API_KEY)
    page.get_by_role("button", name="Übernehmen").click()
    sync_api.expect(page.locator("#api-key-hint")).to_have_text("Schlüssel gesetzt.")
    yield page
    page.close()


def ask(page: Page, question: str) -> Locator:
    """Type a question, submit with the keyboard, wait for the streamed answer; the newest turn."""
    box = page.get_by_label("Ihre Frage")
    box.fill(question)
    box.press("Control+Enter")
    turn = page.locator("#conversation .turn").first
    sync_api.expect(turn.locator(".question")).to_have_text(question)
    sync_api.expect(page.locator("#ask-status")).to_have_text("Antwort vollständig.")
    return turn


def test_ask_see_streamed_answer_open_citation_with_highlighted_quote(page: Page, artifacts_dir: Path, shared_dir: Path) -> None:
    question = "Wie hoch sind die zusätzlichen Personalaufwendungen für die neuen Stellen des Stuttgarter Amts für Digitalisierung und IT?"
    # record the answer's length whenever it changes while the stream is still open (aria-busy)
    page.evaluate(
        """() => { window.__whileBusy = []; const target = document.getElementById('conversation');
                   new MutationObserver(() => { const a = target.querySelector('.answer-text');
                     if (a && a.getAttribute('aria-busy') === 'true') window.__whileBusy.push(a.textContent.length); })
                   .observe(target, {subtree: true, childList: true, characterData: true}); }"""
    )
    turn = ask(page, question)
    assert turn.locator(".answer-text").inner_text().strip()
    assert turn.locator(".answer-text").get_attribute("aria-busy") == "false"
    while_busy = page.evaluate("window.__whileBusy")
    assert any(length > 0 for length in while_busy), f"Kein Text während des Streams: {while_busy}"

    chips = turn.locator("button.chip")
    sync_api.expect(chips.first).to_be_visible()
    assert chips.first.get_attribute("aria-label").startswith("Beleg 1 öffnen")
    page.screenshot(path=str(artifacts_dir / "01-antwort-mit-belegen.png"), full_page=True)

    chips.first.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#passage-dialog")
    sync_api.expect(dialog).to_be_visible()
    mark = dialog.locator("mark#passage-quote")
    sync_api.expect(mark).to_be_visible()
    quote = mark.inner_text()
    assert len(quote.strip()) > 10
    # the highlighted sentence is verbatim in the Vorlage the chip names
    source = chips.first.get_attribute("data-doc")  # the doc_id: the file's path below the ingested folder
    seeds = {path.name: path for path in (shared_dir / "corpus" / "seeds").glob("*.txt")}
    assert source is not None and Path(source).name in seeds, source
    assert " ".join(quote.split()) in " ".join(seeds[Path(source).name].read_text(encoding="utf-8").split())
    body_text = dialog.locator("#passage-body").inner_text()
    assert len(body_text) > len(quote)  # surroundings shown
    page.screenshot(path=str(artifacts_dir / "02-belegstelle-hervorgehoben.png"))

    page.keyboard.press("Escape")
    sync_api.expect(dialog).to_be_hidden()
    assert page.evaluate("document.activeElement.classList.contains('chip')")  # focus returns to the chip


def test_a_refusal_names_the_vorlagen_to_read_on(page: Page, artifacts_dir: Path) -> None:
    """A question the Vorlagen do not answer is refused; the Vorlagen about its subject are named below the refusal
    (as Vorlagen to read on, not as Belege)."""
    turn = ask(page, "Wie viele Parkplätze hat das Gebäude des Stuttgarter Amts für Digitalisierung und IT?")
    sync_api.expect(turn).to_have_class(re.compile(r"\brefused\b"))
    sync_api.expect(turn.locator(".nearest-caption")).to_be_visible()
    sync_api.expect(turn.locator("table.vorlagen-list")).to_contain_text("GRDrs 862/2021")
    assert turn.locator("button.chip").count() == 0
    page.screenshot(path=str(artifacts_dir / "03b-ablehnung-mit-vorlagen.png"), full_page=True)


def test_an_unsure_answer_is_marked_and_its_notice_names_the_value_to_compare(
    browser: BrowserContext, seeds_env: dict[str, str], artifacts_dir: Path, tmp_path: Path,
) -> None:
    """A server whose check level no answer reaches (``VORLAGEN_ANSWER__CHECK_BELOW=1``), on its own copy of the
    seeds index (Chroma is not shared between processes): the answer says „bitte prüfen“ and the notice below it
    asks to check the value in its citation; a calculation's notice names its inputs."""
    data_dir = tmp_path / "index"
    shutil.copytree(seeds_env["VORLAGEN_DATA_DIR"], data_dir)
    env = {**seeds_env, "VORLAGEN_DATA_DIR": str(data_dir), "VORLAGEN_ANSWER__CHECK_BELOW": "1.0"}
    with live_server(env, artifacts_dir / "server-unsure.log") as unsure_server:
        page = browser.new_page()
        try:
            page.set_default_timeout(120_000)
            page.goto(unsure_server.base_url + "/")
            page.get_by_label(re.compile("^API-Schlüssel")).fill(API_KEY)
            page.get_by_role("button", name="Übernehmen").click()
            turn = ask(page, "Wie viele Stellen bekommt das neu gegründete Stuttgarter Amt für Digitalisierung und IT?")
            sync_api.expect(turn).to_have_class(re.compile(r"\bunsure\b"))
            sync_api.expect(turn.locator(".short-answer .unsure-badge")).to_have_text("bitte prüfen")
            sync_api.expect(turn.locator("ul.notices")).to_contain_text("Bitte im Beleg prüfen: Die Angabe „")
            page.screenshot(path=str(artifacts_dir / "03c-unsichere-antwort.png"), full_page=True)
            # a calculation over two figures read from the Vorlagen: the notice names the inputs to check
            turn = ask(page, "Um wie viel Euro lagen die Wiesbadener Sachmittel für die Beratung über den Sachmitteln "
                             "für die Softwareanschaffung 2024?")
            sync_api.expect(turn).to_have_class(re.compile(r"\bunsure\b"))
            sync_api.expect(turn.locator(".short-answer .unsure-badge")).to_have_text("bitte prüfen")
            sync_api.expect(turn.locator("ul.notices")).to_contain_text("Die Rechnung ist exakt, aber diese Eingaben")
            page.screenshot(path=str(artifacts_dir / "03d-unsichere-rechnung.png"), full_page=True)
        finally:
            page.close()


def test_the_page_names_the_answer_mode_readyz_reports(page: Page, server: LiveServer, artifacts_dir: Path) -> None:
    """The chat page says which answer mode is used and which modes exist (and how to add the local
    model); the mode under an answer and ``/readyz`` say the same."""
    with server.client() as client:
        ready = client.get("/readyz").json()
    used = ready["model"]["data"]["answer_mode"]
    modes = page.locator("#answer-modes")
    sync_api.expect(modes.locator("summary strong")).to_have_text(used)
    modes.locator("summary").click()
    for option in ready["modes"]:
        item = modes.locator(f'li[data-mode="{option["mode"]}"]')
        sync_api.expect(item).to_contain_text("nicht verfügbar" if not option["available"] else "verfügbar")
    if not next(o for o in ready["modes"] if o["mode"] == "local")["available"]:
        sync_api.expect(modes.locator('li[data-mode="local"]')).to_contain_text("make llm")
    turn = ask(page, "Wie viele Stellen werden für das Stuttgarter Amt für Digitalisierung und IT geschaffen?")
    sync_api.expect(turn.locator(".answer-mode")).to_have_text(f"Modus: {used}")
    page.screenshot(path=str(artifacts_dir / "03-antwortmodus.png"), full_page=True)


def test_upload_pdf_then_ask_about_it(page: Page, server: LiveServer, shared_dir: Path, artifacts_dir: Path) -> None:
    pdf = shared_dir / "corpus" / "real" / "pdf" / UPLOAD_PDF
    page.get_by_role("link", name="Dokumente").click()
    sync_api.expect(page.locator("#documents-status")).to_contain_text("Dokumente.")
    page.get_by_label(re.compile("^Datei")).set_input_files(str(pdf))
    page.get_by_role("button", name="Hochladen").click()
    job = page.locator("#jobs li", has_text=UPLOAD_PDF).first
    sync_api.expect(job).to_have_attribute("data-status", "fertig", timeout=240_000)
    sync_api.expect(page.locator("#upload-progress")).to_have_attribute("value", "100")
    sync_api.expect(page.locator("#documents-table tbody tr", has_text=UPLOAD_PDF)).to_have_count(1)
    page.screenshot(path=str(artifacts_dir / "03-dokumente-hochgeladen.png"), full_page=True)

    page.get_by_role("link", name="Fragen").click()
    # the upload path is under test, not the scorer: a question its value answers clearly (TOP and Gremium named)
    turn = ask(page, "Wann steht die Beschlussvorlage zum Bebauungsplan Nr. 199 Odenwaldallee als TOP 25 im UVPA an?")
    sources = [turn.locator("button.chip").nth(i).get_attribute("data-doc") for i in range(turn.locator("button.chip").count())]
    assert any((source or "").startswith("upload/") for source in sources), sources  # the upload's id
    page.screenshot(path=str(artifacts_dir / "04-antwort-zum-pdf.png"), full_page=True)
