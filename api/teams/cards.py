"""Adaptive Cards of the Teams bot: an answer with numbered citations, the welcome and the help.

Cards are plain Adaptive Card JSON (schema 1.5, what Teams renders) wrapped by the SDK's
``CardFactory.adaptive_card``; every text is German.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from microsoft_agents.activity import Attachment
from microsoft_agents.hosting.core import CardFactory

from vorlagen.domain import Answer, Citation, Draft

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
OPEN_IN_BROWSER = "Im Browser öffnen"

COMMANDS: tuple[tuple[str, str], ...] = (
    ("Frage stellen", "Einfach die Frage schreiben, z. B. „Wie hoch sind die Personalaufwendungen für das Amt für "
     "Digitalisierung?“. Folgefragen („Und ab wann?“) beziehen sich auf die vorige Frage."),
    ("/rechne …", "Kosten exakt rechnen, z. B. „/rechne 380 Beratertage zu einem Tagessatz von 1.200 EUR“."),
    ("/entwurf Abschnitt: Thema", "Abschnitt einer neuen Vorlage entwerfen, z. B. „/entwurf Begründung: "
     "Einführung der E-Akte“ (Word-Datei zum Herunterladen)."),
    ("/hilfe", "Diese Übersicht."),
)


def _card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> Attachment:
    card: dict[str, Any] = {"type": "AdaptiveCard", "$schema": CARD_SCHEMA, "version": CARD_VERSION, "body": body}
    if actions:
        card["actions"] = actions
    return CardFactory.adaptive_card(card)


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _open_url(url: str, title: str = OPEN_IN_BROWSER) -> dict[str, Any]:
    return {"type": "Action.OpenUrl", "title": title, "url": url}


def passage_url(base_url: str | None, citation: Citation) -> str | None:
    """Where the web UI opens the cited passage (``/#dokument=…&abschnitt=…&zitat=…``), or None without a
    public base URL."""
    if not base_url:
        return None
    fragment = urlencode({"dokument": citation.doc_id, "abschnitt": citation.chunk_id, "zitat": citation.quote,
                          "nr": citation.index, "name": citation.drucksache or citation.source_name}, quote_via=quote)
    return f"{base_url.rstrip('/')}/#{fragment}"


def citation_heading(citation: Citation) -> str:
    """``[1] GRDrs 862/2021 – Titel``: number, Drucksache (or file) and title."""
    name = citation.drucksache or citation.source_name
    title = f" – {citation.title}" if citation.title and citation.title != name else ""
    return f"[{citation.index}] {name}{title}"


def citation_location(citation: Citation) -> str | None:
    parts = [f"Abschnitt „{citation.section}“" if citation.section else None,
             f"Seite {citation.page}" if citation.page else None]
    return ", ".join(part for part in parts if part) or None


def _citation_block(citation: Citation, base_url: str | None) -> dict[str, Any]:
    items = [_text(citation_heading(citation), weight="Bolder")]
    location = citation_location(citation)
    if location:
        items.append(_text(location, isSubtle=True, spacing="None"))
    items.append(_text(f"„{citation.quote}“", isSubtle=True, spacing="Small"))
    url = passage_url(base_url, citation)
    if url:
        items.append({"type": "ActionSet", "actions": [_open_url(url)]})
    return {"type": "Container", "separator": True, "items": items}


def answer_card(answer: Answer, text: str, base_url: str | None) -> Attachment:
    """The answer (``text``: the answer's text or its last part) with notices and numbered citations."""
    body = [_text(text)]
    body += [_text(f"Hinweis: {notice}", isSubtle=True, color="Warning") for notice in answer.notices]
    if answer.citations:
        body.append(_text("Belege", weight="Bolder", separator=True, spacing="Medium"))
        body += [_citation_block(citation, base_url) for citation in answer.citations]
    actions = [_open_url(base_url.rstrip("/") + "/")] if base_url and not answer.citations else None
    return _card(body, actions)


def draft_card(draft: Draft, docx_url: str | None) -> Attachment:
    names = ", ".join(section.name for section in draft.sections)
    body = [_text(f"Entwurf: {names} – {draft.request.betreff}", weight="Bolder", size="Medium")]
    for section in draft.sections:
        body += [_text(section.name, weight="Bolder", spacing="Medium"), _text(section.text)]
    body += [_text(f"Hinweis: {notice}", isSubtle=True, color="Warning") for notice in draft.notices]
    if draft.citations:
        body.append(_text("Belege", weight="Bolder", separator=True, spacing="Medium"))
        body += [_citation_block(citation, None) for citation in draft.citations]
    actions = [_open_url(docx_url, "Als Word-Datei herunterladen")] if docx_url else None
    return _card(body, actions)


def help_card(bot_name: str, *, welcome: bool = False) -> Attachment:
    intro = (
        f"Willkommen beim {bot_name}! Ich beantworte Fragen zu früheren Vorlagen Ihrer Verwaltung – "
        "jede Antwort mit nummerierten Belegen (Drucksache, Abschnitt, Seite, wörtliches Zitat)."
        if welcome
        else f"So arbeiten Sie mit dem {bot_name}:"
    )
    facts = [{"title": command, "value": description} for command, description in COMMANDS]
    return _card([_text(intro, weight="Bolder" if welcome else "Default"), {"type": "FactSet", "facts": facts}])
