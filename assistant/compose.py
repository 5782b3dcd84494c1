"""The short answer from chosen candidates: one line with the value(s), each cited, then the supporting
quotes (cut to the clauses around the value), every quote through the one path from a chunk to a
citation (``Citation.from_chunk``)."""

from __future__ import annotations

import re

from assistant.candidates import Candidate
from assistant.grounding import as_data
from assistant.spans import find_spans
from vorlagen.domain import Answer, Citation
from vorlagen.settings import AnswerSettings
from vorlagen.text import tokenize, with_figures
from vorlagen.text.lexicon import clause_breaks

_WHITESPACE = re.compile(r"\s+")
_WORD = re.compile(r"\S+")
_LIST_JOIN = re.compile(r"^[^.;:]{0,40}?\b(und|sowie|bzw\.|bis|,)\s+(?:(?:je|jeweils|rund|ca\.|etwa|weitere)\s+)?$", re.I)
"""The gap between two listed values: a few words, then the conjunction right before the next value
("… für 2024 und 1.426.274 Euro …"), not a new noun phrase ("… und die jährlichen Folgekosten von …")."""


def value_text(candidate: Candidate) -> str:
    """The value as shown: as the Vorlage writes it (whitespace folded); a typed value stated in words
    also in figures ("vier Monate (4 Monate)")."""
    text = _WHITESPACE.sub(" ", as_data(candidate.raw_value)).strip()
    figures = with_figures(text) if candidate.typed else text
    return text if figures == text else f"{text} ({figures})"


def listed_with(candidate: Candidate, years_named: int) -> list[Candidate]:
    """Values of the same type listed right after the chosen one ("713.137 Euro für 2024 und 1.426.274
    Euro für 2025"): they answer a question that names no year or several; one named year picks one."""
    if not candidate.typed or years_named == 1:
        return []
    sentence = candidate.sentence
    found: list[Candidate] = []
    end = candidate.end - sentence.start
    for span in find_spans(sentence.text):
        if span.type is not candidate.part.answer_type or span.start < end:
            continue
        if len(found) >= 2 or not _LIST_JOIN.match(sentence.text[end : span.start] + " "):
            break
        found.append(Candidate(candidate.part, sentence, sentence.start + span.start, sentence.start + span.end,
                               True, candidate.features, candidate.score))
        end = span.end
    return found


def shortened(candidate: Candidate, max_words: int) -> Candidate:
    """An untyped candidate (a whole sentence) cut to the run of at most ``max_words`` words that carries
    the question's terms, when it is longer than twice that."""
    if candidate.typed or len(candidate.sentence.text.split()) <= 2 * max_words:
        return candidate
    terms = set(tokenize(candidate.part.text))
    start, end = densest_window(candidate.sentence.text, terms, max_words)
    offset = candidate.sentence.start
    return Candidate(candidate.part, candidate.sentence, offset + start, offset + end, False, candidate.features,
                     candidate.score)


def compose(question: str, chosen: list[Candidate], missing: list[str], settings: AnswerSettings) -> Answer:
    """One line with the values and their citation numbers, a line per part not answered, then the
    quotes the line does not already show."""
    citations: list[Citation] = []
    number_of: dict[tuple[str, int], int] = {}
    values: list[str] = []
    quotes = len({(str(c.document.metadata.get("chunk_id")), c.sentence.start) for c in chosen})
    limit = max(settings.quote_words // max(quotes, 1), 12)  # several quotes share one budget of words
    for candidate in chosen:
        sentence = candidate.sentence
        key = (str(sentence.document.metadata.get("chunk_id")), sentence.start)
        if key not in number_of:
            start, end = quote_bounds(candidate, limit)
            number_of[key] = len(citations) + 1
            citations.append(Citation.from_chunk(sentence.document, start, end, candidate.score, index=number_of[key]))
        values.append(f"{value_text(candidate)} [{number_of[key]}]")
    lines = ["; ".join(dict.fromkeys(values))]
    for part in missing:
        lines.append(f"Zu „{part.rstrip('?').strip()}“ enthalten die Vorlagen keine Angabe.")
    short = lines[0]
    for citation in citations:
        quote = _WHITESPACE.sub(" ", as_data(citation.quote)).strip()
        if _WHITESPACE.sub(" ", short).find(quote) == -1:
            lines.append(f"„{quote}“ [{citation.index}]")
    support = max((c.score for c in chosen), default=0.0)
    return Answer(question=question, text="\n".join(lines), short_answer=short, citations=citations,
                  support=round(support, 4))


def check_notice(shown: Candidate, alternative: Candidate | None) -> str:
    """The notice on a value the verifier is unsure of: check it in its citation; the rival value the evidence
    offers for the same part, where there is one (a quoted sentence is named as the answer, not quoted again)."""
    if not shown.typed:
        return "Bitte im Beleg prüfen: Die Antwort ist unsicher."
    notice = f"Bitte im Beleg prüfen: Die Angabe „{value_text(shown)}“ ist unsicher"
    if alternative is None:
        return notice + "."
    source = alternative.document.metadata.get("source_name") or alternative.doc_id
    return f"{notice}; die Vorlagen nennen dazu auch „{value_text(alternative)}“ ({source})."


def quote_bounds(candidate: Candidate, limit: int) -> tuple[int, int]:
    """The supporting quote: the sentence, cut to the clauses around the value when it is longer than
    ``limit`` words."""
    sentence = candidate.sentence
    if not candidate.typed:
        return candidate.start, candidate.end
    if len(sentence.text.split()) <= limit:
        return sentence.start, sentence.end
    text = sentence.text
    start, end = candidate.start - sentence.start, candidate.end - sentence.start
    breaks = clause_breaks(text)
    while True:
        left = max((b for b in breaks if b < start - 1), default=0 if start > 0 else None)
        right = min((b for b in breaks if b > end), default=len(text) if end < len(text) else None)
        grown = False
        if left is not None and len(text[left:end].split()) <= limit:
            start, grown = left, True
        if right is not None and len(text[start:right].split()) <= limit:
            end, grown = right, True
        if not grown:
            break
    start, end = _strip(text, start, end)
    return sentence.start + start, sentence.start + end


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ",;:)–-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:(–-"):
        end -= 1
    return start, end


def densest_window(text: str, terms: set[str], max_words: int) -> tuple[int, int]:
    """The run of at most ``max_words`` words that holds the most question terms."""
    words = list(_WORD.finditer(text))
    if len(words) <= max_words:
        return _strip(text, 0, len(text))
    gains = [len(set(tokenize(m.group())) & terms) for m in words]
    best = max(range(len(words) - max_words + 1), key=lambda i: (sum(gains[i : i + max_words]), -i))
    return _strip(text, words[best].start(), words[best + max_words - 1].end())
