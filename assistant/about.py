"""Questions about the Vorlage itself, answered from its structured metadata, and list questions.

- "In welcher Vorlage wurde … beschlossen?" → the Drucksache of the best-matching Vorlage;
- "Welches Gremium berät das wann vor?" → its Beratungsfolge (from the text or OParl consultations);
- "Welches Amt ist federführend?", "Was für eine Vorlage …?", "Von wann ist die Vorlage?";
- "Welche Vorlagen gibt es zu … seit 2024?" → a ranked list of Vorlagen (Drucksache, Datum, Titel,
  Gremium, one-line snippet), each cited.

The Vorlage is chosen by the extractive scorer (its best sentence about the question's subject), and
cited by that sentence. A metadata question whose field is empty falls back to the fact answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from langchain_core.documents import Document

from assistant.extractive import ExtractiveAnswerer, ScoredSentence, coverage
from assistant.grounding import as_data
from assistant.question import MetadataField, QuestionAnalysis
from vorlagen.domain import Answer, Beratung, Citation, Vorlage, VorlageHit
from vorlagen.formatting import format_date
from vorlagen.settings import AnswerSettings
from vorlagen.text import cut_at_word, lexicon

VorlageLookup = Callable[[str], Vorlage | None]

# Words that ask about the Vorlage rather than name its subject: they do not count as subject terms.
_META_WORDS = re.compile(
    r"\b(in|mit|unter|durch)\s+welche[rm]?\s+(vorlage|drucksache|nummer)\b|\bwelche[srm]?\s+(vorlagen|drucksachen|gremium|"
    r"gremien|ausschuss|amt|dezernat|dienststelle|referat)\b|\b(gibt es|gab es|wurde[n]?|wird|beschlossen|beraten|"
    r"vorberaten|entschieden|federführend|zuständig|seit|ab|bis)\b",
    re.I,
)
_WHITESPACE = re.compile(r"\s+")


def _subject(question: str) -> str:
    return _META_WORDS.sub(" ", question)


def _beratung_text(beratung: Beratung) -> str:
    parts = [beratung.gremium]
    if beratung.rolle:
        parts.append(f"({beratung.rolle})")
    if beratung.datum:
        parts.append(f"am {format_date(beratung.datum)}")
    return " ".join(parts)


def _asked_steps(analysis: QuestionAnalysis, steps: list[Beratung]) -> list[Beratung]:
    """The steps of a Beratungsfolge a procedure question asks for. A named body's step ("Wann berät der
    Bauausschuss …?"); with a role asked, the steps in that role, among the named ones if one of them holds it
    – "vor dem Gemeinderat vorberaten" names the body that decides, not the one asked for, so then the steps in
    the role and the named ones together. Where no step states the role, the last step decides and those
    before it prepare."""
    named = [b for b in steps if b.gremium.lower() in analysis.question.lower()]
    if not analysis.role:
        return named or steps
    role = lexicon.ADVISING if analysis.role == "Vorberatung" else lexicon.DECIDING
    in_role = [b for b in steps if b.rolle and role.search(b.rolle)]
    if not in_role and len(steps) > 1:
        in_role = steps[:-1] if role is lexicon.ADVISING else steps[-1:]
    return ([b for b in in_role if b in named] or [b for b in steps if b in in_role or b in named]) or steps


def _label(vorlage: Vorlage) -> str:
    reference = f"Drucksache {vorlage.drucksache}" if vorlage.drucksache else vorlage.source_name
    return reference + (f" („{vorlage.title}“)" if vorlage.title else "")


class VorlageAnswerer:
    """Answers from the metadata of the retrieved Vorlagen."""

    def __init__(self, scorer: ExtractiveAnswerer, vorlage: VorlageLookup, settings: AnswerSettings) -> None:
        self.scorer = scorer
        self.vorlage = vorlage
        self.settings = settings

    # ---- about one Vorlage ----------------------------------------------------------------------
    def answer(self, analysis: QuestionAnalysis, documents: list[Document]) -> Answer | None:
        """The answer from the best Vorlage's metadata, or None when that field is not known."""
        subject = _subject(analysis.question)
        weights = self.scorer.question_weights(subject)
        sentences = self.scorer.score_sentences(subject, documents, weights)
        if not sentences or not weights:
            return None
        best = self._in_asked_year(analysis, sentences) or max(sentences, key=lambda s: s.score)
        support = self.scorer.support(best, weights)
        agreed = best.document.metadata.get("doc_id") == documents[0].metadata.get("doc_id")
        if support < (self.settings.metadata_refusal_threshold if agreed else self.settings.refusal_threshold):
            return self.scorer.refusal(analysis.question, support=support)
        vorlage = self.vorlage(str(best.document.metadata.get("doc_id")))
        if vorlage is None:
            return None
        value = self._value(analysis, vorlage)
        if value is None:
            return None
        citation = self.scorer.citation(1, best)
        short = f"{value} [1]"
        quote = _WHITESPACE.sub(" ", as_data(citation.quote)).strip()
        text = f"{short}\n„{quote}“ [1]"
        return Answer(
            question=analysis.question, text=text, short_answer=short, citations=[citation],
            support=round(support, 4), kind="metadata",
        )

    def _in_asked_year(self, analysis: QuestionAnalysis, sentences: list[ScoredSentence]) -> ScoredSentence | None:
        """A question naming a year ("… wurde 2024 vorberaten?") asks about a Vorlage of that year: the best
        sentence of the best Vorlage dated or advised in it, if one is among the three best Vorlagen."""
        if not analysis.years:
            return None
        best_of: dict[str, ScoredSentence] = {}
        for sentence in sorted(sentences, key=lambda s: s.score, reverse=True):
            best_of.setdefault(str(sentence.document.metadata.get("doc_id")), sentence)
        for doc_id, sentence in list(best_of.items())[:3]:
            vorlage = self.vorlage(doc_id)
            dates = [vorlage.datum, *(b.datum for b in vorlage.beratungsfolge)] if vorlage else []
            if any(day is not None and day.year in analysis.years for day in dates):
                return sentence
        return None

    def _value(self, analysis: QuestionAnalysis, vorlage: Vorlage) -> str | None:
        match analysis.metadata_field:
            case MetadataField.DRUCKSACHE:
                if not vorlage.drucksache:
                    return None
                date = f" vom {format_date(vorlage.datum)}" if vorlage.datum else ""
                return f"{_label(vorlage)}{date}"
            case MetadataField.BERATUNG:
                steps = _asked_steps(analysis, vorlage.beratungsfolge)
                if not steps:
                    return None
                return f"{_label(vorlage)}: " + "; ".join(_beratung_text(b) for b in steps)
            case MetadataField.AMT:
                responsible = [v for v in (vorlage.amt, vorlage.referat) if v]
                return f"{_label(vorlage)}: federführend {', '.join(responsible)}" if responsible else None
            case MetadataField.VORLAGENART:
                return f"{_label(vorlage)} ist eine {vorlage.vorlagenart}" if vorlage.vorlagenart else None
            case MetadataField.DATUM:
                return f"{_label(vorlage)} vom {format_date(vorlage.datum)}" if vorlage.datum else None
        return None

    # ---- lists of Vorlagen -----------------------------------------------------------------------
    def hits(self, query: str, documents: list[Document]) -> list[tuple[VorlageHit, ScoredSentence]]:
        """The Vorlagen among ``documents`` that are about the query's subject, best first, each
        with its best sentence."""
        subject = _subject(query)
        weights = self.scorer.question_weights(subject)
        if not weights:
            return []
        best_of: dict[str, ScoredSentence] = {}
        for sentence in self.scorer.score_sentences(subject, documents, weights):
            if coverage(weights, sentence.window_tokens) < self.settings.list_min_sentence_coverage:
                continue  # a long Vorlage (a Beteiligungsbericht) has every word somewhere, no passage about the subject
            doc_id = str(sentence.document.metadata.get("doc_id"))
            if doc_id not in best_of or sentence.score > best_of[doc_id].score:
                best_of[doc_id] = sentence
        found: list[tuple[VorlageHit, ScoredSentence]] = []
        for doc_id, sentence in best_of.items():
            relevance = self._coverage(weights, doc_id, sentence)
            if relevance < self.settings.list_min_coverage:
                continue
            hit = self._hit(doc_id, sentence, relevance)
            if hit is not None:
                found.append((hit, sentence))
        found.sort(key=lambda pair: pair[0].score, reverse=True)
        return found[: self.settings.list_max_vorlagen]

    def list_answer(self, analysis: QuestionAnalysis, documents: list[Document]) -> Answer:
        found = self.hits(analysis.question, documents)
        if not found:
            return self.scorer.refusal(analysis.question)
        citations: list[Citation] = []
        lines: list[str] = []
        for index, (hit, sentence) in enumerate(found, start=1):
            citations.append(self.scorer.citation(index, sentence))
            lines.append(f"{_hit_line(hit)} [{index}]")
        references = "; ".join(
            f"{hit.drucksache or hit.source_name} [{i}]" for i, (hit, _) in enumerate(found, start=1)
        )
        short = f"{len(found)} Vorlage{'n' if len(found) > 1 else ''}: {references}"
        return Answer(
            question=analysis.question, text="\n".join([short, *lines]), short_answer=short, citations=citations,
            support=1.0, kind="list", vorlagen=[hit for hit, _ in found],
        )

    def _coverage(self, weights: dict[str, float], doc_id: str, sentence: ScoredSentence) -> float:
        """Share of the subject's weighted terms anywhere in the Vorlage (in the passage when its words are unknown)."""
        tokens = self.scorer.doc_tokens(doc_id) if self.scorer.doc_tokens else None
        return coverage(weights, tokens or sentence.window_tokens)

    def _hit(self, doc_id: str, sentence: ScoredSentence, relevance: float) -> VorlageHit | None:
        vorlage = self.vorlage(doc_id)
        if vorlage is None:
            return None
        return VorlageHit(
            doc_id=doc_id, source_name=vorlage.source_name, drucksache=vorlage.drucksache, datum=vorlage.datum,
            title=vorlage.title, vorlagenart=vorlage.vorlagenart, stadt=vorlage.stadt,
            gremien=list(dict.fromkeys(b.gremium for b in vorlage.beratungsfolge)),
            snippet=_WHITESPACE.sub(" ", as_data(sentence.text)).strip(), score=round(relevance + sentence.score, 4),
        )

    def nearest(self, question: str, documents: list[Document]) -> list[VorlageHit]:
        """The best-ranked retrieved Vorlagen (up to ``refusal_vorlagen``) that hold at least
        ``refusal_min_coverage`` of the question's subject, in retrieval order, each with its best sentence."""
        weights = self.scorer.question_weights(_subject(question))
        if not weights:
            return []
        ranked = list(dict.fromkeys(str(d.metadata.get("doc_id")) for d in documents))[: self.settings.refusal_vorlagen]
        found: list[VorlageHit] = []
        for doc_id in ranked:
            own = [d for d in documents if str(d.metadata.get("doc_id")) == doc_id]
            sentence = max(self.scorer.score_sentences(question, own, weights), key=lambda s: s.score, default=None)
            if sentence is None or (relevance := self._coverage(weights, doc_id, sentence)) < self.settings.refusal_min_coverage:
                continue
            if (hit := self._hit(doc_id, sentence, relevance)) is not None:
                found.append(hit)
        return found

    def with_nearest_vorlagen(self, refusal: Answer, question: str, documents: list[Document]) -> Answer:
        """A refused fact question with the Vorlagen that come closest (``nearest``), so that the user knows where
        to read on. They are named, not cited: the refusal stays a refusal."""
        found = self.nearest(question, documents)
        if not found:
            return refusal
        lines = [refusal.text, "Am nächsten kommen diese Vorlagen (sie beantworten die Frage nicht sicher):",
                 *map(_hit_line, found)]
        return refusal.model_copy(update={"text": "\n".join(lines), "short_answer": refusal.text.split("\n", 1)[0],
                                          "vorlagen": found})


def _hit_line(hit: VorlageHit) -> str:
    """``- Drucksache 2023/0102 vom 14.02.2023: Titel – Gremium``: one Vorlage of a list."""
    date = f" vom {format_date(hit.datum)}" if hit.datum else ""
    gremien = f" – {', '.join(hit.gremien[:3])}" if hit.gremien else ""
    reference = f"Drucksache {hit.drucksache}" if hit.drucksache else hit.source_name
    return f"- {reference}{date}: {hit.title or cut_at_word(hit.snippet, 80)}{gremien}"
