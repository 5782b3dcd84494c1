"""„Im Browser öffnen“: the link of a citation in the bot's card opens the passage in the web UI
(Debian's Chromium via Playwright, against the same server)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.teams import activities
from tests.teams.conftest import PUBLIC_BASE_URL
from tests.teams.conversation import Bot
from tests.web.server import API_KEY

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
QUESTION = "Wie viele Stellen werden für das Stuttgarter Amt für Digitalisierung und IT geschaffen?"

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright (Python) ist nicht installiert")


def test_open_in_browser_link_shows_the_quoted_passage(bot: Bot, tmp_path: Path, artifacts: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium fehlt ({CHROMIUM})")
    *_, reply = bot.say(activities.new_conversation(), QUESTION)
    [container, *_] = [block for block in reply.cards[0]["body"] if block["type"] == "Container"]
    quote = container["items"][-2]["text"].strip("„“")
    link = container["items"][-1]["actions"][0]["url"]
    local = bot.server.base_url + link.removeprefix(PUBLIC_BASE_URL)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profil"), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, locale="de-DE")
        try:
            page = browser.new_page()
            page.set_default_timeout(60_000)
            page.goto(bot.server.base_url + "/")
            page.get_by_label(re.compile("^API-Schlüssel")).fill(API_KEY)
            page.get_by_role("button", name="Übernehmen").click()
            page.goto(local)
            page.reload()
            dialog = page.locator("#passage-dialog")
            sync_api.expect(dialog).to_be_visible()
            sync_api.expect(page.locator("#passage-quote")).to_contain_text(quote[:40])
            page.screenshot(path=str(artifacts / "teams-link-beleg.png"))
        finally:
            browser.close()
