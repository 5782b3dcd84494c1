"""Questions of the kind „Entscheidung / Stand“: what became of a Vorlage.

„Wie wurde über … entschieden?“, „Wurde … beschlossen?“, „Was ist aus … geworden?“, „Wie ist der Stand
bei …?“ are answered with the Vorlage's ``DecisionChain`` (``assistant.decision_chain``): the latest
recorded result first („Gemeinderat, 16.12.2025: mehrheitlich beschlossen [1]“), then every paper of the
chain oldest first with its consultations, each paper cited by its Drucksache and each minutes passage
quoted. No recorded result: the answer says so. The Vorlage is the one the question names by its
Drucksache, else the best match of the question's subject among the retrieved chunks (title, whole
document, best sentence); too weak a match is a refusal, never another Vorlage's chain.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from langchain_core.documents import Document

from assistant.decision_chain import DecisionChainBuilder
from assistant.extractive import ExtractiveAnswerer, coverage
from assistant.grounding import as_data
from vorlagen.decision import ChainPaper, DecisionChain, DecisionStep
from vorlagen.domain import Answer, Citation
from vorlagen.formatting import format_date
from vorlagen.settings import AnswerSettings
from vorlagen.text import tokenize

KIND = "decision"
_PARTICIPLES = (r"beschlossen|abgelehnt|angenommen|genehmigt|zugestimmt|vertagt|verwiesen|verabschiedet|bewilligt|"
                r"entschieden|gebilligt|zurückgezogen|abgestimmt|votiert|ausgegangen|ausgefallen")
_CUES: tuple[re.Pattern[str], ...] = (
    # "Wie wurde/hat … entschieden/abgestimmt?", "Wie ist die Abstimmung über … ausgegangen?"
    re.compile(rf"\bwie\s+(?:wurde|wurden|hat|haben|ist|sind)\b[^?]{{0,240}}?\b(?:{_PARTICIPLES})\b", re.I),
    # "Wurde … beschlossen?", "Hat der Gemeinderat … zugestimmt?": a yes/no question ending in the participle
    re.compile(rf"^\s*(?:wurde|wurden|ist|sind|hat|haben)\b[^?]{{0,240}}\b(?:{_PARTICIPLES})(?:\s+worden)?\s*\??\s*$", re.I),
    # "Was ist aus … geworden?", "Was wurde eigentlich aus …?", "Was ist mit … passiert?"
    re.compile(r"\bwas\s+(?:ist|wurde)\s+(?:\w+\s+){0,2}?aus\b|\bwas\s+ist\s+mit\b[^?]*\b(?:passiert|geschehen)\b", re.I),
    # "Wie ist der (aktuelle) Stand bei …?", "Was ist der Sachstand zu …?", "Stand der Beratung"
    re.compile(r"\b(?:wie|was)\s+ist\s+(?:denn\s+|eigentlich\s+)?der\s+(?:aktuelle\s+|derzeitige\s+|jetzige\s+|neueste\s+)?"
               r"(?:stand|sachstand|verfahrensstand|beratungsstand)\b|\bstand\s+der\s+(?:dinge|beratung\w*)\b", re.I),
    # "Mit welchem Ergebnis …?", "Wie lautete der Beschluss …?", "Wie fiel die Abstimmung … aus?"
    re.compile(r"\b(?:mit\s+welchem|welches)\s+(?:abstimmungs|beratungs)?ergebnis\b|\bwie\s+(?:fiel|lautete|lautet|war)\s+"
               r"(?:die\s+abstimmung|das\s+(?:abstimmungs|beratungs)?ergebnis|der\s+beschluss|das\s+votum)\b", re.I),
)
_NOT_SUBJECT = re.compile(
    rf"\b(?:{_PARTICIPLES}|worden|geworden|passiert|geschehen|aktuelle[rn]?|derzeitige[rn]?|jetzige[rn]?|neueste[rn]?|"
    r"stand|sachstand|verfahrensstand|beratungsstand|ergebnis|abstimmungsergebnis|beratungsergebnis|abstimmung|beschluss|"
    r"votum|eigentlich|inzwischen|denn|nun|lautete|lautet|fiel|dinge|beratung)\b"
    r"|\b(?:der|dem|den|im|vom)\s+(?:gemeinderat|stadtrat|kreistag|ortschaftsrat|bezirksbeirat|\w*ausschuss)\b",
    re.I,
)
_REFERENCE = re.compile(r"(?<![\d/])(\d{1,4}/\d{2,4}(?:/\d{1,3})?)(?![\d/])")
"""A Drucksache as councils number it: „2023/0112“, „2023/0112/1“, „862/2021“."""
_HEAD_CHUNKS = 3
_YEAR = re.compile(r"(?<![\d/.])((?:19|20)\d{2})(?![\d/])")
_YEAR_CANDIDATES = 3
"""Vorlagen (best first) among which one of a year the question names is preferred."""


def is_decision_question(question: str) -> bool:
    """Does the question ask what became of a Vorlage (decided, rejected, deferred, the state of it)?"""
    return any(cue.search(question) for cue in _CUES)


def decision_subject(question: str) -> str:
    """The question without its decision words: what the Vorlage is about."""
    return " ".join(_NOT_SUBJECT.sub(" ", question).split())


class DecisionAnswerer:
    """Answers decision questions from the registry's consultations, results and paper links."""

    def __init__(
        self, scorer: ExtractiveAnswerer, builder: DecisionChainBuilder, find_doc_ids: Callable[[str], list[str]],
        settings: AnswerSettings,
    ) -> None:
        self.scorer = scorer
        self.builder = builder
        self.find_doc_ids = find_doc_ids
        """``VorlagenStore.find_doc_ids``: documents by id, name or Drucksache."""
        self.settings = settings

    def answer(self, question: str, documents: list[Document]) -> Answer | None:
        """The chain answer of a decision question; None for any other question."""
        if not is_decision_question(question):
            return None
        doc_id, support = self._vorlage(question, documents)
        chain = self.builder.build(doc_id, question) if doc_id else None
        if chain is None:
            refusal = self.scorer.refusal(question, support=support)
            refusal.kind = KIND
            refusal.short_answer = refusal.text
            return refusal
        return self._chain_answer(question, chain, support)

    def chain(self, doc_id: str) -> DecisionChain | None:
        """The chain of a stored Vorlage (by id, name or Drucksache), for ``GET /v1/vorlagen/{id}/verlauf``."""
        found = [doc_id] if self.builder.vorlage(doc_id) is not None else self.find_doc_ids(doc_id)
        return self.builder.build(found[0]) if len(found) == 1 else None

    # ---- which Vorlage ----------------------------------------------------------------------------
    def _vorlage(self, question: str, documents: list[Document]) -> tuple[str | None, float]:
        for reference in _REFERENCE.findall(question):
            found = self.find_doc_ids(reference)
            if len(found) == 1:
                return found[0], 1.0
        subject = decision_subject(question)
        weights = self.scorer.question_weights(subject)
        sentences = self.scorer.score_sentences(subject, documents, weights) if weights else []
        if not sentences:
            return None, 0.0
        best_of: dict[str, float] = {}
        support_of: dict[str, float] = {}
        for sentence in sentences:
            doc_id = str(sentence.document.metadata.get("doc_id"))
            if sentence.score <= best_of.get(doc_id, -1.0):
                continue
            best_of[doc_id] = sentence.score
            title = coverage(weights, frozenset(tokenize(str(sentence.document.metadata.get("title") or ""))))
            support_of[doc_id] = max(title, self.scorer.support(sentence, weights))
        ranked = sorted(best_of, key=lambda doc_id: (support_of[doc_id] + 0.5 * best_of[doc_id]), reverse=True)
        best = self._in_named_year(question, ranked[:_YEAR_CANDIDATES]) or ranked[0]
        top = str(documents[0].metadata.get("doc_id")) if documents else None
        threshold = self.settings.metadata_refusal_threshold if best == top else self.settings.refusal_threshold
        return (best if support_of[best] >= threshold else None), round(support_of[best], 4)

    def _in_named_year(self, question: str, ranked: list[str]) -> str | None:
        """A question naming a year („ab Januar 2026“, „2024“) asks about a Vorlage of that year: the best ranked
        one whose title names the year or that is dated or consulted in it."""
        years = {int(year) for year in _YEAR.findall(question)}
        if not years:
            return None
        for doc_id in ranked:
            vorlage = self.builder.vorlage(doc_id)
            if vorlage is None:
                continue
            days = [vorlage.datum, *(b.datum for b in vorlage.beratungsfolge)]
            if any(str(year) in (vorlage.title or "") for year in years) or any(d is not None and d.year in years for d in days):
                return doc_id
        return None

    # ---- the answer ---------------------------------------------------------------------------------
    def _chain_answer(self, question: str, chain: DecisionChain, support: float) -> Answer:
        citations: list[Citation] = []
        for paper in chain.papers:
            citation = self._head_citation(paper, len(citations) + 1)
            if citation is not None:
                citations.append(citation)
                paper.citation = citation.index
        for paper in chain.papers:
            for step in paper.steps:
                citation = self._minutes_citation(step, len(citations) + 1)
                if citation is not None and step.minutes is not None:
                    citations.append(citation)
                    step.minutes.citation = citation.index
        short = self._short(chain)
        lines = [short, "Verlauf (älteste zuerst):"]
        for paper in chain.papers:
            lines.append(_paper_line(paper))
            lines += [f"  {_step_line(step)}" for step in paper.steps]
        lines += [f"Hinweis: {note}" for note in chain.notes]
        return Answer(
            question=question, text="\n".join(lines), short_answer=short, kind=KIND, citations=citations,
            support=support, decision=chain,
        )

    @staticmethod
    def _short(chain: DecisionChain) -> str:
        decision = chain.decision
        if decision is None:
            return chain.short_answer
        paper = next((p for p in chain.papers if p.doc_id == decision.doc_id), None)
        cited = f" [{paper.citation}]" if paper is not None and paper.citation else ""
        short = f"{chain.short_answer}{cited}"
        minutes = decision.minutes
        if decision.differs and minutes is not None:
            mark = f" [{minutes.citation}]" if minutes.citation else ""
            short += (f" – die Niederschrift nennt „{_vote_of(minutes.quote)}“{mark}; "
                      "erfasstes Ergebnis und Niederschrift weichen voneinander ab")
        return short

    def _head_citation(self, paper: ChainPaper, index: int) -> Citation | None:
        """The line of the paper's opening that names its Drucksache („Vorlage Nr.: 2025/0228“), else its
        title, else its first line: the paper cited by its Drucksache."""
        if not paper.indexed:
            return None
        chunks = self.builder.chunks_of(paper.doc_id)[:_HEAD_CHUNKS]
        wanted = [mark for mark in (paper.drucksache, (paper.title or "")[:30].strip()) if mark]
        for mark in wanted:
            for chunk in chunks:
                position = chunk.page_content.find(mark)
                if position >= 0:
                    return _line_citation(chunk, position, index)
        first = next((chunk for chunk in chunks if chunk.page_content.strip()), None)
        if first is None:
            return None
        position = next((m.start() for m in re.finditer(r"[^\n]{20,}", first.page_content)), 0)
        return _line_citation(first, position, index)

    def _minutes_citation(self, step: DecisionStep, index: int) -> Citation | None:
        minutes = step.minutes
        if minutes is None or minutes.chunk_id is None:
            return None
        chunk = next((c for c in self.builder.chunks_of(minutes.doc_id)
                      if str(c.metadata.get("chunk_id") or c.id) == minutes.chunk_id), None)
        if chunk is None:
            return None
        offset = int(chunk.metadata.get("start", 0))
        start = max(0, minutes.start - offset)
        end = min(len(chunk.page_content), minutes.end - offset)
        return Citation.from_chunk(chunk, start, end, index=index) if end > start else None


def _line_citation(chunk: Document, position: int, index: int) -> Citation:
    text = chunk.page_content
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    end = len(text) if end < 0 else end
    while end > start and text[end - 1].isspace():
        end -= 1
    return Citation.from_chunk(chunk, start, end, index=index)


def _vote_of(quote: str) -> str:
    """„Abstimmungsergebnis: Einstimmige Zustimmung“ -> „Einstimmige Zustimmung“."""
    return " ".join(quote.split(":", 1)[-1].split())


def _paper_line(paper: ChainPaper) -> str:
    if not paper.indexed:
        return f"- verknüpfte Vorlage {paper.doc_id} (nicht eingelesen)"
    parts = [f"- {paper.label}"]
    if paper.datum:
        parts.append(f"vom {format_date(paper.datum)}")
    line = " ".join(parts)
    if paper.title:
        line += f": {as_data(paper.title)}"
    if paper.vorlagenart:
        line += f" ({paper.vorlagenart})"
    return line + (f" [{paper.citation}]" if paper.citation else "")


def _step_line(step: DecisionStep) -> str:
    when = format_date(step.datum) if step.datum else "ohne Datum"
    role = f" ({step.rolle})" if step.rolle else ""
    result = step.ergebnis or "kein Ergebnis erfasst"
    line = f"{when} {step.gremium}{role}: {result}"
    minutes = step.minutes
    if minutes is not None and minutes.citation:
        line += f" – Niederschrift: „{_vote_of(minutes.quote)}“ [{minutes.citation}]"
        if step.differs:
            line += " – weicht vom erfassten Ergebnis ab"
    return line
