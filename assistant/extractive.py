"""Sentences scored against a question, without a language model: the evidence every answer path reads.

Every sentence of the given chunks is scored against the question (idf-weighted German term overlap in the
sentence and its neighbourhood, the kind of answer the question asks for — an amount, a date, a name — and the
chunk's retrieval rank). The fact reader takes its candidates from these sentences (``assistant.candidates``;
its learned scorer does not read this score), questions about a Vorlage and decisions pick their best sentence
and its ``support`` by it, and the evidence numbered for a language model (``evidence``) is the best of them.
``refusal`` is the one refusal every answerer gives.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from langchain_core.documents import Document

from assistant.grounding import addresses_the_model
from assistant.logistic import LogisticModel
from vorlagen.domain import Answer, Citation
from vorlagen.settings import AnswerSettings
from vorlagen.text import MONTH_PATTERN, SCALE_PATTERN, adjective_base, split_sentences, tokenize

# Question words whose stems carry no topic (they ask *for* something).
_QUESTION_STEMS = frozenset(tokenize("wie viele viel hoch welche welcher welches wann wer wem was "
                                     "gibt genannt heisst heißt betragt beträgt datum zeitpunkt höhe anzahl "
                                     "zahl namen bezeichnung lautet"))
_AMOUNT_QUESTION = re.compile(
    r"\b(wie viele|wie viel|wieviel|wie hoch|höhe|anteil|prozent|anzahl|vzä|stellen|"
    r"\w*kosten|\w*summe|\w*betrag|\w*volumen|\w*preis|\w*wert)\b", re.I
)
_DATE_QUESTION = re.compile(r"\b(wann|seit wann|bis wann|zu welchem (datum|zeitpunkt)|datum|ab wann)\b", re.I)
_NAME_QUESTION = re.compile(
    r"\b(wer|mit wem|welche[rsm]? (firma|unternehmen|dienstleister|büro|software|beratungsunternehmen|"
    r"anbieter|partner)|wie heißt|wie heisst|name)\b", re.I
)
_NUMBER = re.compile(r"\d")
_MONEY = re.compile(rf"(€|\beur\b|\beuro\b|\b{SCALE_PATTERN})", re.I)
_DATE = re.compile(rf"\b\d{{1,2}}\.\s?(\d{{1,2}}\.|{MONTH_PATTERN})\s?\d{{2,4}}\b", re.I)
_NAME = re.compile(r"\b(GmbH|AG|KG|e\.\s?V\.|mbH|Co\.|[A-ZÄÖÜ][a-zäöüß]+ [A-ZÄÖÜ][a-zäöüß]+)\b")


SENTENCE_FEATURES: tuple[str, ...] = (
    "terms",  # idf share of the question's terms in the sentence
    "window_terms",  # … in the sentence and its two neighbours on each side
    "number_for_amount",  # an amount, count or share is asked and the sentence holds a number
    "money_for_amount",  # … and a sum of money
    "date_for_date",  # a date is asked and the sentence holds one
    "name_for_name",  # a name or organisation is asked and the sentence holds one
    "heading",  # a short line or a heading
    "retrieval_rank",  # 1 / rank of the sentence's chunk in the retrieval
)
DEFAULT_SENTENCE_RANKER = Path(__file__).parent / "data" / "sentence_ranker.json"


class SentenceRanker(LogisticModel):
    """The weights of ``SENTENCE_FEATURES``: a logistic regression, trained on the question bank
    (``vorlagen eval train``) to tell the sentences that hold an expected fact; its probability is the
    sentence's score."""

    trained_on: dict[str, str | int | float] = {}

    @classmethod
    def load(cls, path: Path | None = None) -> SentenceRanker:
        return cls.read(path or DEFAULT_SENTENCE_RANKER, "Das Satzmodell", SENTENCE_FEATURES)


def asks_for_amount(question: str) -> bool:
    """Does the question ask for an amount, a count or a share ("Wie viele", "Wie hoch", "Kosten")?"""
    return bool(_AMOUNT_QUESTION.search(question))


def _is_heading(sentence: str) -> bool:
    """Markdown/bold headings and short lines without a verb-like ending are not answers."""
    stripped = sentence.strip()
    if stripped.startswith("#") or (stripped.startswith("**") and stripped.endswith("**")):
        return True
    label, colon, value = stripped.partition(":")
    if colon and value.strip() and len(label) <= 40:
        return False  # "Auftragssumme: 1.653.750,60 €", "an die Firma: REFA Dachbau GmbH" state facts
    return len(stripped) < 70 and stripped[-1:] not in ".!?:;)" and "\n" not in stripped


def coverage(weights: dict[str, float], tokens: set[str] | frozenset[str]) -> float:
    """idf-weighted share of the question terms found in ``tokens``; a term found only inside a
    longer token (German compounds: "dokumentenmanagement" in "dokumentenmanagementsystem")
    counts 0.7."""
    total = sum(weights.values())
    if not total:
        return 0.0
    joined: str | None = None
    found = 0.0
    for term, weight in weights.items():
        if term in tokens:
            found += weight
            continue
        if len(term) >= 5:
            if joined is None:
                joined = " ".join(tokens)
            if term in joined:
                found += 0.7 * weight
                continue
            base = adjective_base(term)  # "nächtlich" asked, "Nachtabsenkung" written
            if base is not None and base in joined:
                found += 0.5 * weight
        elif len(term) == 4 and term.isalpha() and any(len(token) > 6 and token.endswith(term) for token in tokens):
            found += 0.7 * weight  # a short head ending a compound: "bank" in "plauderbank"
    return found / total


@dataclass(frozen=True)
class _SentenceFacts:
    """What scoring needs of a sentence that does not depend on the question (computed once per text)."""

    tokens: frozenset[str]
    number: bool
    money: bool
    date: bool
    name: bool
    short_or_heading: bool
    to_the_model: bool


@lru_cache(maxsize=4096)
def _prepared(text: str) -> tuple[tuple[int, int, _SentenceFacts], ...]:
    """The sentences of a chunk text with their tokens and cues; cached, since a question's parts and
    the widened evidence score the same chunks again."""
    prepared = []
    for a, b in split_sentences(text):
        sentence = text[a:b]
        facts = _SentenceFacts(
            tokens=frozenset(tokenize(sentence)),
            number=bool(_NUMBER.search(sentence)),
            money=bool(_MONEY.search(sentence)),
            date=bool(_DATE.search(sentence)),
            name=bool(_NAME.search(sentence)),
            short_or_heading=len(sentence) < 30 or _is_heading(sentence),
            to_the_model=addresses_the_model(sentence),
        )
        prepared.append((a, b, facts))
    return tuple(prepared)


@dataclass(eq=False)
class ScoredSentence:
    document: Document
    rank: int
    start: int
    """Offset of the sentence in the chunk text."""
    end: int
    text: str
    tokens: frozenset[str]
    window_tokens: frozenset[str]
    score: float = 0.0
    features: list[float] = field(default_factory=list)
    """The measurements the ``SentenceRanker`` scores (``SENTENCE_FEATURES``)."""
    covered: set[str] = field(default_factory=set)
    following: ScoredSentence | None = None
    """The next sentence of the same chunk."""


class ExtractiveAnswerer:
    def __init__(
        self,
        settings: AnswerSettings,
        idf: Callable[[str], float],
        doc_tokens: Callable[[str], frozenset[str] | None] | None = None,
        ranker: SentenceRanker | None = None,
    ) -> None:
        self.settings = settings
        self.idf = idf
        self.ranker = ranker or SentenceRanker.load()
        self.doc_tokens = doc_tokens
        """All BM25 tokens of a document by doc_id (document-level support)."""

    # ---- public -------------------------------------------------------------------------------
    def evidence(self, question: str, documents: list[Document], limit: int = 6) -> list[Citation]:
        """The best evidence sentences, numbered 1..n (input for an LLM answer)."""
        weights = self.question_weights(question)
        candidates = self.score_sentences(question, documents, weights)
        ranked = sorted(candidates, key=lambda c: c.score, reverse=True)[:limit]
        return [self.citation(i, c) for i, c in enumerate(ranked, start=1)]

    def refusal(self, question: str, support: float = 0.0) -> Answer:
        return Answer(question=question, text=self.settings.refusal_text, refused=True,
                      support=round(support, 4))

    # ---- scoring ------------------------------------------------------------------------------
    def question_weights(self, question: str) -> dict[str, float]:
        return {t: self.idf(t) for t in set(tokenize(question)) - _QUESTION_STEMS}

    def score_sentences(
        self, question: str, documents: list[Document], weights: dict[str, float]
    ) -> list[ScoredSentence]:
        wants_amount = asks_for_amount(question)
        wants_date = bool(_DATE_QUESTION.search(question))
        wants_name = bool(_NAME_QUESTION.search(question))
        seen: set[tuple[str, int]] = set()
        candidates: list[ScoredSentence] = []
        for rank, document in enumerate(documents, start=1):
            previous: ScoredSentence | None = None
            text = document.page_content
            prepared = _prepared(text)
            chunk_start = int(document.metadata.get("start", 0))
            for i, (a, b, facts) in enumerate(prepared):
                key = (str(document.metadata.get("doc_id")), chunk_start + a)
                if key in seen:
                    previous = None
                    continue
                seen.add(key)
                sentence = text[a:b]
                if facts.to_the_model:
                    previous = None
                    continue
                window = facts.tokens.union(*(p[2].tokens for p in prepared[max(0, i - 2) : i + 2]))
                candidate = ScoredSentence(document, rank, a, b, sentence, facts.tokens, window)
                candidate.features = [
                    coverage(weights, candidate.tokens),
                    coverage(weights, window),
                    float(wants_amount and facts.number),
                    float(wants_amount and facts.money),
                    float(wants_date and facts.date),
                    float(wants_name and facts.name),
                    float(facts.short_or_heading),
                    1.0 / rank,
                ]
                candidate.score = self.ranker.probability(candidate.features)
                candidate.covered = {t for t in weights if t in candidate.tokens}
                candidates.append(candidate)
                if previous is not None:
                    previous.following = candidate
                previous = candidate
        return candidates

    def support(self, best: ScoredSentence, weights: dict[str, float]) -> float:
        """How well the evidence covers the question: around the best sentence and in its document."""
        local = coverage(weights, best.window_tokens)
        doc_id = str(best.document.metadata.get("doc_id"))
        doc_tokens = self.doc_tokens(doc_id) if self.doc_tokens else None
        if doc_tokens is None:
            return local
        return 0.5 * local + 0.5 * coverage(weights, doc_tokens)

    def citation(self, index: int, candidate: ScoredSentence) -> Citation:
        return Citation.from_chunk(candidate.document, candidate.start, candidate.end, candidate.score, index=index)
