"""Drafting a section of a new Vorlage from past Vorlagen (extractive, cited), and .docx export.

``draft_section`` retrieves passages of earlier Vorlagen for the requested section type
(„Begründung“, „Finanzielle Auswirkungen“, …) and the topic, picks the sentences that fit best, and
assembles them as a draft in the house style: the section heading, short paragraphs, a citation
``[n]`` after every sentence taken over. No language model is needed; the draft is material for the
author, who rewrites it (the notice says so).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Protocol

from langchain_core.documents import Document

from assistant.grounding import addresses_the_model, as_data
from vorlagen.domain import Citation, Draft, SearchFilters
from vorlagen.formatting import format_date
from vorlagen.text import split_sentences, tokenize

# Words that mark a section in Vorlagen, used to prefer passages from the same kind of section.
SECTION_KEYWORDS: dict[str, tuple[str, ...]] = {
    "Begründung": ("begründung", "ausgangslage", "sachverhalt", "anlass", "ziel", "erforderlich", "notwendig"),
    "Finanzielle Auswirkungen": (
        "finanzielle", "auswirkungen", "kosten", "eur", "haushalt", "mittel", "aufwendungen",
        "finanzierung", "stellen", "personalaufwendungen", "jahr",
    ),
    "Beschlussantrag": ("beschluss", "zugestimmt", "ermächtigt", "beauftragt", "kenntnis", "beschlussantrag"),
    "Sachstand": ("sachstand", "bericht", "umgesetzt", "bisher", "aktuell", "derzeit", "stand"),
    "Personelle Auswirkungen": ("stellen", "personal", "stellenplan", "vollzeit", "besetzung", "mitarbeitende"),
}

_LIST_MARKER = re.compile(r"\s*(?:(?:[-•–*]|\d{1,2}(?:\.\d{1,2})*\.|[a-z]\))\s+)*")


class Retriever(Protocol):
    def retrieve(self, question: str, filters: SearchFilters | None = None, k: int | None = None) -> list[Document]: ...


@dataclass(frozen=True)
class _Sentence:
    text: str
    start: int
    """Offset in the chunk text."""
    end: int


def sentences_of(text: str) -> list[_Sentence]:
    """The sentences of ``text`` (``vorlagen.text.split_sentences``) without leading list markers
    („- “, „1.1. “, „a) “), with their offsets in ``text``."""
    sentences = []
    for start, end in split_sentences(text):
        marker = _LIST_MARKER.match(text, start, end)
        start = marker.end() if marker else start
        if start < end:
            sentences.append(_Sentence(text[start:end], start, end))
    return sentences


def _terms(text: str) -> set[str]:
    return set(tokenize(text))


def _is_prose(sentence: str) -> bool:
    """Full sentences only: long enough, mostly words, ends like a sentence."""
    words = sentence.split()
    if len(words) < 6 or len(sentence) > 600 or addresses_the_model(sentence):
        return False
    letters = sum(character.isalpha() for character in sentence)
    return letters / max(len(sentence), 1) > 0.6 and sentence.rstrip()[-1:] in ".!?:"


def section_keywords(section: str) -> tuple[str, ...]:
    for name, keywords in SECTION_KEYWORDS.items():
        if name.lower() in section.lower() or section.lower() in name.lower():
            return keywords
    return tuple(_terms(section))


def draft_section(
    service: Retriever,
    section: str,
    topic: str,
    filters: SearchFilters | None = None,
    *,
    k: int = 8,
    max_sentences: int = 6,
    max_per_passage: int = 2,
) -> Draft:
    """A cited, extractive draft of ``section`` for a Vorlage about ``topic``."""
    keywords = section_keywords(section)
    documents = service.retrieve(f"{section}: {topic}", filters, k)
    topic_terms = _terms(topic)
    section_terms = _terms(" ".join(keywords)) | _terms(section)

    candidates: list[tuple[float, int, _Sentence, Document]] = []
    for rank, document in enumerate(documents):
        in_section = any(keyword in str(document.metadata.get("section", "")).lower() for keyword in keywords)
        for sentence in sentences_of(document.page_content):
            flat = " ".join(sentence.text.split())
            if not _is_prose(flat):
                continue
            terms = _terms(flat)
            score = (
                2.0 * len(terms & topic_terms) / max(len(topic_terms), 1)
                + 1.0 * len(terms & section_terms) / max(len(section_terms), 1)
                + (0.5 if in_section else 0.0)
                + 0.3 / (1 + rank)
            )
            if terms & (topic_terms | section_terms):
                candidates.append((score, rank, sentence, document))

    chosen: list[tuple[int, _Sentence, Document]] = []
    per_passage: dict[str, int] = {}
    seen: set[str] = set()
    for score, rank, sentence, document in sorted(candidates, key=lambda item: (-item[0], item[1], item[2].start)):
        chunk_id = str(document.metadata.get("chunk_id", ""))
        normalized = " ".join(sentence.text.split()).lower()
        if normalized in seen or per_passage.get(chunk_id, 0) >= max_per_passage:
            continue
        seen.add(normalized)
        per_passage[chunk_id] = per_passage.get(chunk_id, 0) + 1
        chosen.append((rank, sentence, document))
        if len(chosen) >= max_sentences:
            break

    if not chosen:
        return Draft(
            section=section,
            topic=topic,
            text=f"{section}:\n\n",
            notices=[f"In den vorhandenen Vorlagen wurden keine passenden Textstellen für „{section}“ zum Thema „{topic}“ gefunden."],
        )

    # Keep the order of the sources (rank), and within a source the order of the text.
    chosen.sort(key=lambda item: (item[0], item[1].start))
    citations: list[Citation] = []
    paragraphs: list[list[str]] = []
    current_chunk: str | None = None
    for index, (_, sentence, document) in enumerate(chosen, start=1):
        metadata = document.metadata
        chunk_start = int(metadata.get("start", 0))
        citations.append(
            Citation(
                index=index,
                doc_id=str(metadata.get("doc_id", "")),
                chunk_id=str(metadata.get("chunk_id", "")),
                source_name=str(metadata.get("source_name", metadata.get("doc_id", ""))),
                drucksache=metadata.get("drucksache"),
                title=metadata.get("title"),
                section=metadata.get("section"),
                page=metadata.get("page"),
                quote=sentence.text,
                start=chunk_start + sentence.start,
                end=chunk_start + sentence.end,
                score=float(metadata.get("score", 0.0)),
            )
        )
        chunk_id = str(metadata.get("chunk_id", ""))
        if chunk_id != current_chunk:
            paragraphs.append([])
            current_chunk = chunk_id
        paragraphs[-1].append(f"{as_data(' '.join(sentence.text.split()))} [{index}]")

    body = "\n\n".join(" ".join(paragraph) for paragraph in paragraphs)
    return Draft(
        section=section,
        topic=topic,
        text=f"{section}:\n\n{body}",
        citations=citations,
        mode="extractive",
        notices=[
            "Extraktiver Entwurf: Die Sätze stammen wörtlich aus früheren Vorlagen (Belege in eckigen Klammern). "
            "Bitte an das neue Vorhaben anpassen, Zahlen und Daten prüfen."
        ],
    )


def _source_label(citation: Citation) -> str:
    parts = [citation.drucksache or citation.source_name]
    if citation.title:
        parts.append(citation.title)
    if citation.section:
        parts.append(f"Abschnitt „{citation.section}“")
    if citation.page:
        parts.append(f"S. {citation.page}")
    return ", ".join(parts)


def draft_to_docx(draft: Draft) -> bytes:
    """The draft as a Word document: heading, paragraphs with [n], the sources with their quotes."""
    from datetime import date

    from docx import Document as WordDocument
    from docx.shared import Pt

    word = WordDocument()
    word.core_properties.title = f"{draft.section} – {draft.topic}"
    word.core_properties.language = "de-DE"
    word.add_heading(draft.section, level=1)
    intro = word.add_paragraph()
    intro.add_run(f"Entwurf zum Thema: {draft.topic} (erstellt am {format_date(date.today())})").italic = True
    body = draft.text.split("\n\n", 1)[1] if "\n\n" in draft.text else draft.text
    for paragraph in body.split("\n\n"):
        if paragraph.strip():
            word.add_paragraph(paragraph.strip())
    for notice in draft.notices:
        note = word.add_paragraph()
        run = note.add_run(f"Hinweis: {notice}")
        run.font.size = Pt(9)
    if draft.citations:
        word.add_heading("Quellen", level=2)
        for citation in draft.citations:
            item = word.add_paragraph()
            item.add_run(f"[{citation.index}] {_source_label(citation)}: ").bold = True
            item.add_run(f"„{' '.join(citation.quote.split())}“")
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()
