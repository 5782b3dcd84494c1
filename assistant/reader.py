"""Fact answers from the learned scorer: for each question part, every candidate value in the evidence
(``assistant.candidates``) is scored by the trained model (``assistant.scorer``); the best one answers the part
when the calibrated verifier accepts it (``assistant.verifier``: it reads the part's whole ranking), else the part
is named as not answered. No part answered: a refusal. With a language model in use, it may only choose among a
part's close candidates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from langchain_core.documents import Document

from assistant import choice
from assistant.candidates import Candidate, Evidence, candidates_for_part
from assistant.compose import check_notice, compose, listed_with, shortened, value_text
from assistant.extractive import ExtractiveAnswerer
from assistant.question import QuestionAnalysis
from assistant.scorer import AnswerScorer
from assistant.widening import with_document_chunks
from vorlagen.domain import Answer
from vorlagen.settings import AnswerSettings
from vorlagen.text import tokenize

ChunksOf = Callable[[str], list[Document]]
DocTokens = Callable[[str], frozenset[str] | None]
Similarities = Callable[[str, list[Document]], dict[str, float]]
"""The question's similarity in meaning to each chunk, by chunk id (``VorlagenStore.similarities``); without it
(a reader built apart from a store, in unit tests) every similarity counts as 0."""


@dataclass(frozen=True)
class PartRanking:
    """A question part's scored candidates, best first."""

    scored: list[Candidate]
    """Every candidate (repeats of a value included: the verifier reads them)."""
    values: list[Candidate]
    """The best-scored candidate of each distinct value."""
    confidence: float | None
    """The verifier's probability that the best candidate is right (None without a verifier or candidates)."""


class FactReader:
    """Short direct answers to fact questions: candidates, learned scores, a calibrated threshold."""

    def __init__(
        self,
        extractive: ExtractiveAnswerer,
        settings: AnswerSettings,
        scorer: AnswerScorer,
        chunks_of: ChunksOf | None = None,
        doc_tokens: DocTokens | None = None,
        similarities: Similarities | None = None,
    ) -> None:
        self.extractive = extractive
        self.settings = settings
        self.scorer = scorer
        self.chunks_of = chunks_of
        self.doc_tokens = doc_tokens
        self.similarities = similarities

    # ---- evidence ---------------------------------------------------------------------------------
    def evidence(self, question: str, documents: list[Document], weights: dict[str, float]) -> Evidence:
        """The retrieved chunks, then all chunks of the ``evidence_vorlagen`` best-ranked Vorlagen (a
        figure often stands a page away from the words of the question), as scored sentences."""
        vorlage_ranks: dict[str, int] = {}
        for document in documents:
            vorlage_ranks.setdefault(str(document.metadata.get("doc_id")), len(vorlage_ranks) + 1)
        retrieved = frozenset(str(d.metadata.get("chunk_id")) for d in documents)
        chunks = (with_document_chunks(documents, self.chunks_of, self.settings.evidence_vorlagen,
                                       self.settings.calculation_max_chunks) if self.chunks_of else []) or documents
        sentences = self.extractive.score_sentences(question, chunks, weights)
        years = {str(c.metadata.get("doc_id")): str(c.metadata.get("year") or "") for c in chunks}
        doc_tokens: dict[str, frozenset[str]] = {}
        for doc_id, year in years.items():  # the Vorlage's year counts as named in it
            tokens = (self.doc_tokens(doc_id) if self.doc_tokens is not None else None) or frozenset()
            doc_tokens[doc_id] = tokens | {year} if year else tokens
        similarity = self.similarities(question, chunks) if self.similarities is not None else {}
        closest: dict[str, float] = {}
        for chunk in chunks:
            doc_id, cosine = str(chunk.metadata.get("doc_id")), similarity.get(str(chunk.metadata.get("chunk_id")))
            if cosine is not None:
                closest[doc_id] = max(cosine, closest.get(doc_id, cosine))
        return Evidence(sentences, retrieved, vorlage_ranks, doc_tokens, similarity, closest)

    def found(self, analysis: QuestionAnalysis, documents: list[Document],
              settled_terms: frozenset[str] = frozenset()) -> list[list[Candidate]]:
        """Every candidate of each part, unscored (the scorer's training data is read from here)."""
        weights = {t: w for t, w in self.extractive.question_weights(analysis.question).items()
                   if t not in settled_terms}
        if not weights or not documents:
            return [[] for _ in analysis.parts]
        evidence = self.evidence(analysis.question, documents, weights)
        per_part: list[list[Candidate]] = []
        for part in analysis.parts:
            found = candidates_for_part(part, analysis, evidence, weights, self.settings.candidate_sentences)
            if analysis.years:  # a question naming a year answers from that year or not at all
                found = [c for c in found if c.feature("year_in_vorlage") or c.feature("year_agrees")]
            per_part.append(found)
        return per_part

    def rankings(self, analysis: QuestionAnalysis, documents: list[Document],
                 settled_terms: frozenset[str] = frozenset()) -> list[PartRanking]:
        """The scored candidates of each part, best first."""
        scored = [self.scorer.score(found) for found in self.found(analysis, documents, settled_terms)]
        return [PartRanking(every, _distinct(every), self.scorer.confidence(every)) for every in scored]

    def sure(self, picked: Candidate, ranking: PartRanking) -> bool:
        """Is ``picked`` its part's best-ranked value, and the verifier at least ``check_below`` sure of it (or no
        verifier there to ask)?"""
        confidence = ranking.confidence
        return picked is ranking.values[0] and (confidence is None or confidence >= self.settings.check_below)

    # ---- answering --------------------------------------------------------------------------------
    def answer(
        self,
        analysis: QuestionAnalysis,
        documents: list[Document],
        settled_terms: frozenset[str] = frozenset(),
        chooser: choice.CandidateChooser | None = None,
    ) -> Answer:
        question = analysis.question
        rankings = self.rankings(analysis, documents, settled_terms)
        ranked = [ranking.values for ranking in rankings]
        passing = [{id(c) for c in self.scorer.answers(ranking.scored, ranking.confidence)} for ranking in rankings]
        cleared = [[c for c in options if id(c) in passed] for options, passed in zip(ranked, passing, strict=True)]
        chosen: list[Candidate | None] = [options[0] if options else None for options in cleared]
        mode = "extractive"
        notices: list[str] = []
        close = [self._close(options, passing) for options, passing in zip(ranked, cleared, strict=True)]
        reads = self.settings.choice_floor is not None  # the model reads every part, not only close calls
        if chooser is not None and any(len(options) > (0 if reads else 1) for options in close):
            result = chooser.choose(
                question, [part.text for part in analysis.parts],
                [[choice.Candidate(value=value_text(c), sentence=_excerpt(c)) for c in options] for options in close],
            )
            if result.notice:
                notices.append(result.notice)
            for index, picked in enumerate(result.choices):
                if picked is not None:
                    chosen[index] = close[index][picked]
                elif reads and close[index]:  # the model read the part's candidates and found none fitting
                    chosen[index] = None
            mode = chooser.mode if result.choices else mode
        answered = [c for c in chosen if c is not None]
        if not answered:
            return self.extractive.refusal(question, support=max((o[0].score for o in ranked if o), default=0.0))
        shown: list[Candidate] = []
        for candidate in answered:
            shown += [shortened(candidate, self.settings.short_answer_words),
                      *listed_with(candidate, len(set(analysis.years)))]
        missing = [part.text for part, c in zip(analysis.parts, chosen, strict=True) if c is None]
        checks = [self._check(ranking, picked) for ranking, picked in zip(rankings, chosen, strict=True) if picked is not None]
        notices += [notice for notice in checks if notice]
        answer = compose(question, shown, missing, self.settings)
        answer.mode = mode
        answer.unsure = any(checks)
        answer.notices.extend(notices)
        return answer

    def _check(self, ranking: PartRanking, picked: Candidate) -> str | None:
        """The notice to check an answered part's value (``AnswerSettings.check_below``), or None when the
        verifier is sure enough of it and it is the best-ranked value."""
        if self.sure(picked, ranking):
            return None
        alternative = next((c for c in ranking.values if _rivals(c, picked)), None) if picked.typed else None
        return check_notice(shortened(picked, self.settings.short_answer_words), alternative)

    def _close(self, options: list[Candidate], cleared: list[Candidate]) -> list[Candidate]:
        """The candidates a language model may choose among: those that clear their threshold (``cleared``)
        within ``choice_margin`` of the best of them (a clear best needs no model) – or, with ``choice_floor``
        set, the ``choice_candidates`` best scored at least that, below the threshold too (the model as the reader)."""
        if self.settings.choice_floor is not None:
            return [c for c in options if c.score >= self.settings.choice_floor][: self.settings.choice_candidates]
        close = [c for c in cleared if cleared[0].score - c.score <= self.settings.choice_margin]
        return close[: self.settings.choice_candidates]


def _distinct(scored: list[Candidate]) -> list[Candidate]:
    """The best-scored candidate of each distinct value, best first."""
    best: dict[str, Candidate] = {}
    for candidate in scored:
        best.setdefault(_value_key(candidate), candidate)
    return list(best.values())


def _value_key(candidate: Candidate) -> str:
    if candidate.typed:
        return value_text(candidate).lower()
    return f"{candidate.doc_id}:{candidate.start}"


def _rivals(candidate: Candidate, picked: Candidate) -> bool:
    """Is ``candidate`` a value to compare ``picked`` with: another figure (or name) of the asked type, counting
    the asked noun where ``picked`` does, that the scorer rates at least half as likely?"""
    return (candidate.typed and _figures(candidate) != _figures(picked)
            and candidate.feature("type_exact") >= picked.feature("type_exact")
            and candidate.feature("counts_the_noun") >= picked.feature("counts_the_noun")
            and candidate.score >= picked.score / 2)


def _figures(candidate: Candidate) -> list[str]:
    """What a value says, without its wording: its numbers ("ca. 40.000 €" and "40.000 Euro" say the same), or
    for a value without numbers (a name) its words."""
    tokens = tokenize(value_text(candidate))
    return [t for t in tokens if any(ch.isdigit() for ch in t)] or tokens


def _excerpt(candidate: Candidate, around: int = 100) -> str:
    """The value's sentence, cut to ``around`` characters on each side of the value (a short prompt)."""
    sentence = candidate.sentence
    start = max(sentence.start, candidate.start - around)
    end = min(sentence.end, candidate.end + around)
    text = sentence.document.page_content
    return ("…" if start > sentence.start else "") + text[start:end] + ("…" if end < sentence.end else "")

