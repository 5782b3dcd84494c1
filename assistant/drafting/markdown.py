"""A draft as Markdown, laid out like a Vorlage: Kopf, Betreff, Beratungsfolge, sections, sources."""

from __future__ import annotations

from assistant.drafting.skeleton import draft_date
from assistant.grounding import as_data
from assistant.drafting.style import reference_label
from vorlagen.domain import Citation, Draft
from vorlagen.formatting import format_date

DRUCKSACHE_PLACEHOLDER = "[wird vergeben]"


def kopf(draft: Draft) -> list[tuple[str, str]]:
    """The header fields of the Vorlage (label, value)."""
    request = draft.request
    return [
        ("Stadt", request.stadt or "[bitte ergänzen]"),
        ("Federführend", request.amt or "[bitte ergänzen]"),
        ("Datum", format_date(draft_date(request))),
        ("Drucksache", DRUCKSACHE_PLACEHOLDER),
        ("Vorlagenart", request.vorlagenart),
    ]


def beratungsfolge_rows(draft: Draft) -> list[tuple[str, str, str, str]]:
    rows = []
    for step in draft.request.beratungsfolge:
        public = "–" if step.oeffentlich is None else ("öffentlich" if step.oeffentlich else "nichtöffentlich")
        rows.append((step.gremium, step.rolle or "–", format_date(step.datum) if step.datum else "–", public))
    return rows


def source_line(citation: Citation) -> str:
    parts = [reference_label(citation)]
    if citation.title and citation.title != parts[0]:
        parts.append(citation.title)
    if citation.section:
        parts.append(f"Abschnitt „{citation.section}“")
    if citation.page:
        parts.append(f"S. {citation.page}")
    return f"[{citation.index}] " + ", ".join(parts) + f": „{' '.join(as_data(citation.quote).split())}“"


def render_markdown(draft: Draft, with_notices: bool = True) -> str:
    """The draft as Markdown; ``with_notices=False`` leaves out the assistant's notices (what the checks of
    the evaluation read: the Vorlage's own text)."""
    request = draft.request
    lines = [f"# {request.vorlagenart}: {request.betreff}", ""]
    lines += [f"**{label}:** {value}  " for label, value in kopf(draft)]
    lines += ["", "## Betreff", "", request.betreff, ""]
    lines += ["## Beratungsfolge", ""]
    rows = beratungsfolge_rows(draft)
    if rows:
        lines += ["| Gremium | Rolle | Datum | Sitzung |", "|---|---|---|---|"]
        lines += [f"| {' | '.join(row)} |" for row in rows]
    else:
        lines.append("[bitte ergänzen: Gremien, Rolle (Einbringung, Vorberatung, Beschlussfassung), Sitzungstermine]")
    lines.append("")
    for section in draft.sections:
        lines += [f"## {section.name}", "", section.text.strip(), ""]
    if draft.citations:
        lines += ["## Herangezogene frühere Vorlagen", ""]
        lines += [f"- {source_line(citation)}" for citation in draft.citations]
        lines.append("")
    notices = [*draft.notices, *(f"{s.name}: {n}" for s in draft.sections for n in s.notices)]
    if notices and with_notices:
        lines += ["---", "", *(f"> Hinweis: {notice}  " for notice in notices), ""]
    mode = "ohne Sprachmodell" if draft.mode == "skeleton" else f"Prosa vom Sprachmodell ({draft.mode})"
    lines.append(f"*Entwurf des Vorlagen-Assistenten ({mode}); bitte vor der Verwendung prüfen.*")
    return "\n".join(lines) + "\n"
