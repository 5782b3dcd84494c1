"""Adaptive Cards of the Teams bot: an answer with numbered citations, the Verlauf of a Vorlage (answers to
„Wie wurde über … entschieden?“), the welcome and the help.

Cards are plain Adaptive Card JSON (schema 1.5, what Teams renders) wrapped by the SDK's
``CardFactory.adaptive_card``; every text is German.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from microsoft_agents.activity import Attachment
from microsoft_agents.hosting.core import CardFactory

from vorlagen.decision import ChainPaper, DecisionStep
from vorlagen.domain import Answer, Citation, Draft
from vorlagen.formatting import format_date

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


def verlauf_url(base_url: str | None, doc_id: str) -> str | None:
    """The web UI's Verlauf page of a Vorlage (``/verlauf?vorlage=…``), or None without a public base URL."""
    return f"{base_url.rstrip('/')}/verlauf?{urlencode({'vorlage': doc_id}, quote_via=quote)}" if base_url else None


def _step_fact(step: DecisionStep) -> dict[str, str]:
    when = format_date(step.datum) if step.datum else "ohne Datum"
    value = step.ergebnis or "kein Ergebnis erfasst"
    if step.minutes is not None:
        vote = " ".join(step.minutes.quote.split(":", 1)[-1].split())
        value += f" – Niederschrift: „{vote}“" + (f" [{step.minutes.citation}]" if step.minutes.citation else "")
    if step.differs:
        value += " – weicht vom erfassten Ergebnis ab"
    return {"title": f"{when} · {step.gremium}" + (f" ({step.rolle})" if step.rolle else ""), "value": value}


def _paper_block(paper: ChainPaper, base_url: str | None) -> dict[str, Any]:
    if not paper.indexed:
        return {"type": "Container", "separator": True, "items": [
            _text(f"Verknüpfte Vorlage {paper.doc_id} (nicht eingelesen)", isSubtle=True)]}
    heading = paper.label + (f" vom {format_date(paper.datum)}" if paper.datum else "")
    heading += (f": {paper.title}" if paper.title else "") + (f" [{paper.citation}]" if paper.citation else "")
    items: list[dict[str, Any]] = [_text(heading, weight="Bolder", color="Accent" if paper.asked else "Default")]
    if paper.steps:
        items.append({"type": "FactSet", "facts": [_step_fact(step) for step in paper.steps]})
    else:
        items.append(_text("Keine Beratung erfasst.", isSubtle=True))
    url = verlauf_url(base_url, paper.doc_id)
    if url:
        items.append({"type": "ActionSet", "actions": [_open_url(url, "Verlauf im Browser öffnen")]})
    return {"type": "Container", "separator": True, "items": items}


def decision_card(answer: Answer, base_url: str | None) -> Attachment:
    """A decision answer: the latest recorded result first, then each paper of the chain oldest first with
    its consultations (a FactSet), the notes, and the numbered citations."""
    chain = answer.decision
    body = [_text(answer.short_answer or answer.text.split("\n", 1)[0], weight="Bolder", size="Medium")]
    body += [_text(f"Hinweis: {notice}", isSubtle=True, color="Warning") for notice in answer.notices]
    if chain is not None:
        body.append(_text("Verlauf (älteste zuerst)", weight="Bolder", spacing="Medium"))
        body += [_paper_block(paper, base_url) for paper in chain.papers]
        body += [_text(note, color="Attention") for note in chain.notes]
    if answer.citations:
        body.append(_text("Belege", weight="Bolder", separator=True, spacing="Medium"))
        body += [_citation_block(citation, base_url) for citation in answer.citations]
    return _card(body)


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
