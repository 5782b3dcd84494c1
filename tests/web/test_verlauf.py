"""The Verlauf of a Vorlage over HTTP and in the browser: a real server process over a real index of six
Karlsruhe papers (built in its own process from a papers dump with the meetings and organizations dumps
beside it); ``GET /v1/vorlagen/{id}/verlauf``, and in Debian's Chromium (Playwright) a decision question
whose timeline links to each Vorlage's Verlauf page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import httpx
import pytest

from tests.decision_support import DEFERRED, FOLLOW_UPS, UNRECORDED, write_oparl_folder
from tests.web.server import API_KEY, LiveServer, build_index, live_server, server_env
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page


@pytest.fixture(scope="module")
def decision_server(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path, artifacts_dir: Path) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("verlauf")
    dump = write_oparl_folder(shared_dir / "corpus" / "karlsruhe", data / "oparl")
    env = server_env(data / "index", shared_dir)
    build_index(env, [dump])
    with live_server(env, artifacts_dir / "server-verlauf.log") as running:
        yield running


@pytest.fixture
def api(decision_server: LiveServer) -> Iterator[httpx.Client]:
    with decision_server.client() as client:
        yield client


def test_verlauf_by_drucksache_and_by_id(api: httpx.Client) -> None:
    response = api.get(f"/v1/vorlagen/{DEFERRED}/verlauf")
    assert response.status_code == 200, response.text
    chain = response.json()
    assert chain["drucksache"] == DEFERRED
    assert [paper["drucksache"] for paper in chain["papers"]][0] == DEFERRED
    assert {paper["drucksache"] for paper in chain["papers"]} == {DEFERRED, *FOLLOW_UPS}
    assert chain["decision"]["gremium"] == "Gemeinderat" and chain["decision"]["datum"] == "2025-05-27"
    assert chain["short_answer"].startswith("Gemeinderat, 27.05.2025: einstimmig beschlossen (Drucksache 2025/0228/")
    by_id = api.get(f"/v1/vorlagen/{quote(chain['vorlage_id'], safe='')}/verlauf")
    assert by_id.status_code == 200 and by_id.json() == chain
    nothing = api.get(f"/v1/vorlagen/{UNRECORDED}/verlauf").json()
    assert nothing["decision"] is None and "kein Beratungsergebnis erfasst" in nothing["short_answer"]


def test_unknown_vorlage_is_a_german_404_and_reads_need_the_key(api: httpx.Client, decision_server: LiveServer) -> None:
    response = api.get("/v1/vorlagen/1999/0001/verlauf")
    assert response.status_code == 404
    assert response.json()["detail"] == "Keine Vorlage mit der Kennung oder Drucksachennummer „1999/0001“ im Index."
    with decision_server.client(key=None) as anonymous:
        assert anonymous.get(f"/v1/vorlagen/{DEFERRED}/verlauf").status_code == 401


def test_the_schema_names_the_typed_response(api: httpx.Client) -> None:
    schema = api.get("/openapi.json").json()
    operation = schema["paths"]["/v1/vorlagen/{vorlage_id}/verlauf"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/DecisionChain")


# ---- in the browser -------------------------------------------------------------------------------------
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright (Python) ist nicht installiert")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium fehlt ({CHROMIUM}); apt-get install chromium")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-verlauf")), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
            headless=True, locale="de-DE", viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser: BrowserContext, decision_server: LiveServer) -> Iterator[Page]:
    page = browser.new_page()
    page.set_default_timeout(120_000)
    page.goto(decision_server.base_url + "/")
    page.get_by_label(re.compile("^API-Schlüssel")).fill(API_KEY)
    page.get_by_role("button", name="Übernehmen").click()
    sync_api.expect(page.locator("#api-key-hint")).to_have_text("Schlüssel gesetzt.")
    yield page
    page.close()


def test_timeline_in_the_answer_links_to_each_vorlage(page: Page, artifacts_dir: Path) -> None:
    box = page.get_by_label("Ihre Frage")
    box.fill("Wie wurde über die Vergabe der Möblierung für die Stadthalle entschieden?")
    box.press("Control+Enter")
    sync_api.expect(page.locator("#ask-status")).to_have_text("Antwort vollständig.")
    turn = page.locator("#conversation .turn").first
    sync_api.expect(turn.locator(".short-answer")).to_contain_text("Gemeinderat, 27.05.2025: einstimmig beschlossen")
    timeline = turn.get_by_role("region", name="Verlauf der Vorlage")
    links = timeline.locator("a.paper-link")
    sync_api.expect(links).to_have_count(3)
    assert links.first.inner_text() == f"Drucksache {DEFERRED}"  # oldest first
    sync_api.expect(timeline.locator(".timeline-paper").first).to_contain_text("Bauausschuss (Entscheidung): vertagt")
    page.screenshot(path=str(artifacts_dir / "verlauf-antwort.png"), full_page=True)

    follow_up = timeline.get_by_role("link", name=f"Drucksache {FOLLOW_UPS[0]}", exact=True)
    follow_up.click()
    page.wait_for_url(re.compile(r"/verlauf\?vorlage="))
    sync_api.expect(page.get_by_role("heading", level=1)).to_have_text(f"Verlauf: Drucksache {FOLLOW_UPS[0]}")
    current = page.locator("#verlauf a.paper-link[aria-current='true']")
    sync_api.expect(current).to_have_text(f"Drucksache {FOLLOW_UPS[0]}")
    sync_api.expect(page.locator("#verlauf .short-answer")).to_have_text("Gemeinderat, 27.05.2025: einstimmig beschlossen")
    page.screenshot(path=str(artifacts_dir / "verlauf-seite.png"), full_page=True)

    page.get_by_role("link", name=f"Drucksache {DEFERRED}", exact=True).click()  # and on to the Vorlage that was deferred
    sync_api.expect(page.get_by_role("heading", level=1)).to_have_text(f"Verlauf: Drucksache {DEFERRED}")
    sync_api.expect(page.locator("#verlauf .timeline-paper.asked")).to_contain_text("vertagt")
