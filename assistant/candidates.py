"""Answer candidates for one question part, each with the features the learned scorer reads.

High recall first: every typed span of the asked type (``assistant.spans``) in the sentences of the
evidence (the retrieved chunks, then the whole text of the best-ranked Vorlagen) is a candidate; a part
that asks for no typed value has the sentences themselves as candidates. Each candidate carries a
fixed vector of measurements (``FEATURES``): how many of the question's terms stand in its sentence, its
clause and its Vorlage, how far the value is from them, whether the asked-for noun labels it, years and
periods agreeing or not, the retrieval ranks. No weights here: ``assistant.scorer`` learns them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from langchain_core.documents import Document

from assistant.extractive import ScoredSentence, coverage
from assistant.part_cues import PartCues
from assistant.question import QuestionAnalysis, QuestionPart
from assistant.spans import TYPED, AnswerType, Span, find_spans
from vorlagen.text import events, label_before, period_of, tokenize
from vorlagen.text.lexicon import (
    AMOUNT_NOUNS,
    BARE_YEAR_NUMBER,
    TOTAL,
    YEAR,
    clause_around,
    date_precision,
    proper_name,
    stated_bound,
    stated_direction,
)
from vorlagen.text.measures import stated_dimension
from vorlagen.text.succession import stated_succession

_WORD = re.compile(r"\S+")
_DIGITS = re.compile(r"\d+")
_AMOUNT_HEADS = frozenset(stem for noun in AMOUNT_NOUNS for stem in tokenize(noun))

FEATURES: tuple[str, ...] = (
    "bias",
    "sentence_terms",  # idf share of the part's terms in the sentence
    "window_terms",  # … in the sentence and its neighbours
    "question_terms",  # idf share of the whole question's terms in the sentence's window
    "clause_terms",  # … of the part's terms in the value's own clause
    "nearness",  # 1 / (1 + words between the value and the nearest question term / 6)
    "vorlage_terms",  # idf share of the question's subject words anywhere in the value's Vorlage
    "title_terms",  # … in the Vorlage's title
    "chunk_rank",  # 1 / retrieval rank of the chunk (0: not retrieved, read from the whole Vorlage)
    "vorlage_rank",  # 1 / rank of its Vorlage among the retrieved Vorlagen
    "retrieved",  # the chunk itself was retrieved
    "focus_in_clause",  # the asked-for noun ("Kosten", "Stellen") stands in the value's clause
    "focus_in_label",  # … in the label right before the value ("Gesamtkosten: …")
    "focus_asked",  # the part names such a noun at all
    "year_agrees",  # the question names a year and the value's clause names it too
    "year_conflicts",  # the clause names only other years than the question's
    "year_in_vorlage",  # the question's year stands in the Vorlage
    "period_agrees",  # amount per the asked period ("pro Jahr" – "jährlich")
    "period_conflicts",  # per another period, or a total where a rate per period is asked
    "total_agrees",  # a total is asked and the clause says "insgesamt/Gesamt…"
    "counts_the_noun",  # a count or duration whose own noun is a question term ("7,5 Stellen")
    "event_agrees",  # a date with the event the question asks about ("beginnen", "in Kraft")
    "amount_named",  # the kind of amount asked ("Einsparungen") is named in the window
    "same_type_in_sentence",  # 1 / number of values of the same type in the sentence
    "value_in_question",  # the value's number already stands in the question
    "heading",  # the sentence is short or a heading
    "sentence_words",  # length of the sentence (log scale, 0..1)
    "sentence_rank",  # 1 / rank of the sentence among the evidence by the part's terms in its window
    "window_gap",  # the sentence's window share minus the best sentence's (0 for the best)
    "keyword_score",  # the chunk's BM25 score relative to the best retrieved chunk's
    "chunk_similarity",  # the question's similarity in meaning to the value's chunk (embeddings), also without shared words
    "vorlage_similarity",  # … to the closest chunk of the value's Vorlage
    "untyped",  # a sentence as the answer (no typed value asked)
    "type_exact",  # the value is of the asked type (else of a related one: a duration for a count …)
    "type_amount", "type_date", "type_count", "type_percent", "type_duration", "type_name",
    "direction_agrees",  # the part asks for the value after (before) a change and the value is marked so
    "direction_conflicts",  # … and the value is marked as the other one ("von 5 Mio. auf 8 Mio.")
    "unit_is_focus",  # the count's or duration's own noun is the asked-for noun ("wie viele Stunden" – "39 Stunden")
    "value_words_in_question",  # share of a name's words that the question already names (no answer then)
    "bound_agrees",  # a date stated with the bound asked for ("bis wann" – "bis 15 Uhr", "ab wann" – "ab dem 1. Mai")
    "bound_conflicts",  # … with another bound ("bis wann" – "ab 10 Uhr")
    "date_precision",  # a date to the day 1, to the month 0,5, a year only 0
    "year_like",  # a count or amount whose number is written like a year ("für 2025 Fördergelder")
    "tense_agrees",  # the question asks what is planned (was) and the value's year is after (before) its Vorlage's
    "tense_conflicts",  # … and the value's year lies on the other side of its Vorlage's year
    "measure_agrees",  # the part asks for a measure ("wie lang") and the quantity's unit measures it ("350 Meter")
    "measure_conflicts",  # … and the value is money, a duration or a quantity of another kind ("vier Abschnitte")
    "succession_agrees",  # the part asks who follows (leaves) a seat and the name is stated as the one who does
    "succession_conflicts",  # … and the name is stated as the other one ("für Herrn …" names the one who leaves)
    # the same measurements relative to the part's best candidate (0 for the best): what ranks a value
    # above the others of the same question
    "rel_sentence_terms", "rel_window_terms", "rel_question_terms", "rel_clause_terms", "rel_nearness",
    "rel_vorlage_terms", "rel_chunk_rank", "rel_vorlage_rank", "rel_keyword_score", "rel_chunk_similarity",
)
RELATIVE = ("sentence_terms", "window_terms", "question_terms", "clause_terms", "nearness", "vorlage_terms",
            "chunk_rank", "vorlage_rank", "keyword_score", "chunk_similarity")

_INDEX = {name: i for i, name in enumerate(FEATURES)}
RELATED_TYPES: dict[AnswerType, frozenset[AnswerType]] = {
    AnswerType.BETRAG: frozenset({AnswerType.ANZAHL, AnswerType.PROZENT}),
    AnswerType.ANZAHL: frozenset({AnswerType.DAUER, AnswerType.PROZENT}),
    AnswerType.DAUER: frozenset({AnswerType.ANZAHL, AnswerType.DATUM}),
    AnswerType.DATUM: frozenset({AnswerType.DAUER}),
    AnswerType.ORGANISATION: frozenset({AnswerType.NAME, AnswerType.PERSON}),
    AnswerType.PERSON: frozenset({AnswerType.ORGANISATION, AnswerType.NAME}),
    AnswerType.NAME: frozenset({AnswerType.ORGANISATION}),
    AnswerType.ORT: frozenset({AnswerType.NAME, AnswerType.ORGANISATION}),
}
"""Types a question word may also be answered with ("Wie viele Stunden …?" – "39 Stunden" is a duration;
"Wie viel Fläche …?" – "99 m²" is a quantity, not money);
the scorer sees whether the type was the asked one (``type_exact``)."""
_QUANTITIES = frozenset({AnswerType.ANZAHL, AnswerType.BETRAG, AnswerType.DAUER, AnswerType.PROZENT})
_TYPE_FEATURE = {
    AnswerType.BETRAG: "type_amount", AnswerType.DATUM: "type_date", AnswerType.ANZAHL: "type_count",
    AnswerType.PROZENT: "type_percent", AnswerType.DAUER: "type_duration",
}


@dataclass(eq=False)
class Candidate:
    """A value that may answer a part: its offsets in the chunk text, the sentence it stands in, and the
    features the scorer reads (in the order of ``FEATURES``)."""

    part: QuestionPart
    sentence: ScoredSentence
    start: int
    end: int
    typed: bool
    features: list[float]
    score: float = 0.0

    def feature(self, name: str) -> float:
        return self.features[_INDEX[name]]

    @property
    def document(self) -> Document:
        return self.sentence.document

    @property
    def doc_id(self) -> str:
        return str(self.sentence.document.metadata.get("doc_id"))

    @property
    def raw_value(self) -> str:
        return self.sentence.document.page_content[self.start : self.end]


@dataclass(frozen=True)
class Evidence:
    """What the candidates of one question are read from."""

    sentences: list[ScoredSentence]
    """Every sentence of the retrieved chunks and of the whole best Vorlagen (without repeats)."""
    retrieved_chunks: frozenset[str]
    vorlage_ranks: dict[str, int]
    doc_tokens: dict[str, frozenset[str]]
    """All tokens of each Vorlage in the evidence (title included)."""
    similarity: dict[str, float] = field(default_factory=dict)
    """Chunk id -> the question's similarity in meaning to the chunk (cosine of the stored embeddings)."""
    vorlage_similarity: dict[str, float] = field(default_factory=dict)
    """Doc id -> the similarity of its closest chunk in the evidence."""


def part_weights(part: QuestionPart, weights: dict[str, float]) -> dict[str, float]:
    """The question's term weights restricted to the part's own words (all of them when the part has
    none of its own: "…, und was kostet sie?")."""
    own = {t: w for t, w in weights.items() if t in set(tokenize(part.text))}
    return own or weights


def subject_weights(analysis: QuestionAnalysis, weights: dict[str, float]) -> dict[str, float]:
    """The question's terms without the asked-for nouns: what the value must be about."""
    focus = {term for part in analysis.parts for term in part.focus}
    return {t: w for t, w in weights.items() if t not in focus} or weights


def candidates_for_part(
    part: QuestionPart,
    analysis: QuestionAnalysis,
    evidence: Evidence,
    weights: dict[str, float],
    pool: int = 40,
) -> list[Candidate]:
    """Every candidate value for ``part`` in the ``pool`` sentences whose windows carry most of the
    part's terms (plus those naming the asked-for noun)."""
    own = part_weights(part, weights)
    subject = subject_weights(analysis, weights)
    shares = {id(s): coverage(own, s.window_tokens) for s in evidence.sentences}
    scored = sorted(evidence.sentences, key=lambda s: shares[id(s)], reverse=True)
    rank_of = {id(s): rank for rank, s in enumerate(scored, start=1)}
    chosen = scored[:pool]
    chosen += [s for s in scored[pool:] if str(s.document.metadata.get("chunk_id")) in evidence.retrieved_chunks]
    if part.focus:
        chosen += [s for s in scored[pool:] if _names_focus(part.focus, s.window_tokens)][:pool]
    cues = PartCues.of(part, analysis)
    best_share = shares[id(scored[0])] if scored else 0.0
    best_keyword = max((float(s.document.metadata.get("bm25_score") or 0.0) for s in evidence.sentences), default=0.0)
    per_vorlage: dict[str, dict[str, float]] = {}
    found: list[Candidate] = []
    for sentence in chosen:
        doc_id = str(sentence.document.metadata.get("doc_id"))
        if doc_id not in per_vorlage:
            per_vorlage[doc_id] = _vorlage_features(sentence.document, analysis, evidence, subject)
        context = _SentenceContext.of(sentence, part, cues, evidence, own, weights, per_vorlage[doc_id])
        context.shared["sentence_rank"] = 1.0 / rank_of[id(sentence)]
        context.shared["window_gap"] = shares[id(sentence)] - best_share
        keyword = float(sentence.document.metadata.get("bm25_score") or 0.0)
        context.shared["keyword_score"] = keyword / best_keyword if best_keyword > 0 else 0.0
        context.shared["chunk_similarity"] = evidence.similarity.get(str(sentence.document.metadata.get("chunk_id")), 0.0)
        if part.answer_type is AnswerType.TEXT:
            found.append(context.candidate(None))
            continue
        related = RELATED_TYPES.get(part.answer_type, frozenset())
        spans = [span for span in find_spans(sentence.text) if span.type is part.answer_type or span.type in related]
        exact = sum(1 for span in spans if span.type is part.answer_type)
        for span in spans:
            if span.type not in TYPED and _named_in_question(span.text, cues.question_words):
                continue  # the question's own name ("Wer folgt auf Herrn Maier?") is no answer to it
            found.append(context.candidate(span, max(exact, 1)))
        if not spans and part.answer_type not in TYPED and part.answer_type is not AnswerType.DRUCKSACHE:
            found.append(context.candidate(None))  # a name not recognised as such: the sentence may hold it
    return _with_relative(found)


def _named_in_question(value: str, question_words: frozenset[str]) -> bool:
    """Every word of a name (titles, offices, legal forms and numbers aside) stands in the question."""
    words = [t for t in tokenize(proper_name(value)) if not t[:1].isdigit()]
    return bool(words) and all(t in question_words for t in words)


def _with_relative(found: list[Candidate]) -> list[Candidate]:
    """Fill the ``rel_*`` features: each measurement minus the best of the part's candidates."""
    for name in RELATIVE:
        index, target = _INDEX[name], _INDEX[f"rel_{name}"]
        best = max((c.features[index] for c in found), default=0.0)
        for candidate in found:
            candidate.features[target] = candidate.features[index] - best
    return found


@dataclass
class _SentenceContext:
    """What the features of the candidates in one sentence share (computed once per sentence)."""

    sentence: ScoredSentence
    part: QuestionPart
    cues: PartCues
    own: dict[str, float]
    shared: dict[str, float]

    @classmethod
    def of(
        cls, sentence: ScoredSentence, part: QuestionPart, cues: PartCues, evidence: Evidence,
        own: dict[str, float], weights: dict[str, float], vorlage: dict[str, float],
    ) -> _SentenceContext:
        meta = sentence.document.metadata
        doc_id = str(meta.get("doc_id"))
        rank = int(meta.get("rank") or 0)
        retrieved = str(meta.get("chunk_id")) in evidence.retrieved_chunks
        words = len(sentence.text.split())
        shared = {
            "bias": 1.0,
            "sentence_terms": coverage(own, sentence.tokens),
            "window_terms": coverage(own, sentence.window_tokens),
            "question_terms": coverage(weights, sentence.window_tokens),
            **vorlage,
            "chunk_rank": 1.0 / rank if retrieved and rank else 0.0,
            "vorlage_rank": 1.0 / evidence.vorlage_ranks.get(doc_id, 50),
            "retrieved": float(retrieved),
            "focus_asked": float(bool(part.focus)),
            "heading": float(words < 5 or (len(sentence.text) < 70 and sentence.text.rstrip()[-1:] not in ".!?:;)")),
            "sentence_words": min(1.0, words / 60),
            "amount_named": float(_names_the_amount(part.focus, sentence.window_tokens)),
        }
        if (kind := _TYPE_FEATURE.get(part.answer_type)) is not None:
            shared[kind] = 1.0
        elif part.answer_type is not AnswerType.TEXT:
            shared["type_name"] = 1.0
        return cls(sentence, part, cues, own, shared)

    def candidate(self, span: Span | None, same_type: int = 1) -> Candidate:
        sentence, part = self.sentence, self.part
        values = dict(self.shared)
        if span is None:
            start, end = 0, len(sentence.text)
            values["untyped"] = 1.0
            values["clause_terms"] = values["sentence_terms"]
            values["nearness"] = 1.0
            values["focus_in_clause"] = float(bool(part.focus) and _names_focus(part.focus, sentence.tokens))
        else:
            start, end = span.start, span.end
            clause_start, clause_end = clause_around(sentence.text, start, end)
            clause = sentence.text[clause_start:clause_end]
            clause_tokens = set(tokenize(clause))
            values["clause_terms"] = coverage(self.own, clause_tokens)
            values["nearness"] = 1.0 / (1 + _distance_to_terms(sentence.text, span, self.own) / 6)
            values["focus_in_clause"] = float(bool(part.focus) and _names_focus(part.focus, clause_tokens))
            label = tokenize(label_before(sentence.text, start))
            values["focus_in_label"] = float(bool(part.focus) and _names_focus(part.focus, label))
            clause_years = set(YEAR.findall(clause)) - set(YEAR.findall(span.text))
            wanted = self.cues.years
            values["year_agrees"] = float(bool(wanted & clause_years))
            values["year_conflicts"] = float(bool(wanted) and bool(clause_years) and not wanted & clause_years)
            if span.type is AnswerType.BETRAG and (asked := self.cues.period):
                stated = period_of(span.text) or period_of(sentence.text[end : end + 20], at_start=True) or period_of(
                    sentence.text[max(clause_start, start - 40) : start])
                values["period_agrees"] = float(stated == asked)
                total = TOTAL.search(sentence.text[max(0, start - 60) : end]) is not None
                values["period_conflicts"] = float(stated is not None and stated != asked or (stated is None and total))
            values["total_agrees"] = float(self.cues.total and bool(TOTAL.search(clause)))
            if span.type in (AnswerType.ANZAHL, AnswerType.DAUER):
                span_tokens = set(tokenize(span.text))
                values["counts_the_noun"] = float(bool(span_tokens & set(self.own)))
                values["unit_is_focus"] = float(bool(part.focus) and _names_focus(part.focus, span_tokens))
            if (direction := self.cues.direction) and (change := stated_direction(sentence.text, start, end)):
                values["direction_agrees"] = float(change == direction)
                values["direction_conflicts"] = float(change == -direction)
            if span.type not in TYPED:
                words = [t for t in tokenize(proper_name(span.text)) if not t[:1].isdigit()]
                values["value_words_in_question"] = (sum(t in self.cues.question_words for t in words) / len(words)
                                                     if words else 0.0)
            if span.type is AnswerType.DATUM and self.cues.events:
                values["event_agrees"] = float(bool(self.cues.events & events(clause)))
            if span.type is AnswerType.DATUM and (bound := self.cues.bound) and (given_bound := stated_bound(sentence.text, start)):
                values["bound_agrees"] = float(given_bound == bound)
                values["bound_conflicts"] = float(given_bound != bound)
            if span.type is AnswerType.DATUM:
                values["date_precision"] = date_precision(span.text)
            if span.type in (AnswerType.ANZAHL, AnswerType.BETRAG):
                values["year_like"] = float(bool(BARE_YEAR_NUMBER.match(span.text)))
            if (dimension := self.cues.dimension) is not None and span.type in _QUANTITIES:
                stated = stated_dimension(span.text) if span.type is AnswerType.ANZAHL else None
                values["measure_agrees"] = float(stated is dimension)
                values["measure_conflicts"] = float(stated is not dimension)
            if (asked := self.cues.succession) and span.type is AnswerType.PERSON and (
                    stated := stated_succession(sentence.text, start, end)):
                values["succession_agrees"] = float(stated == asked)
                values["succession_conflicts"] = float(stated == -asked)
            if self.cues.tense and (tense := _tense(span, clause, sentence.document)):
                values["tense_agrees"] = float(tense == self.cues.tense)
                values["tense_conflicts"] = float(tense == -self.cues.tense)
            values["same_type_in_sentence"] = 1.0 / same_type
            values["type_exact"] = float(span.type is part.answer_type)
            numbers = set(_DIGITS.findall(span.text))
            values["value_in_question"] = float(bool(numbers) and numbers <= self.cues.question_digits)
        offset = sentence.start
        return Candidate(part, sentence, offset + start, offset + end, span is not None,
                         [values.get(name, 0.0) for name in FEATURES])


def _vorlage_features(
    document: Document, analysis: QuestionAnalysis, evidence: Evidence, subject: dict[str, float]
) -> dict[str, float]:
    """The features that depend on the value's Vorlage only (computed once per Vorlage and part: its
    token set is large)."""
    doc_tokens = evidence.doc_tokens.get(str(document.metadata.get("doc_id")), frozenset())
    title = frozenset(tokenize(str(document.metadata.get("title") or "")))
    years = {str(year) for year in analysis.years}
    return {
        "vorlage_terms": coverage(subject, doc_tokens | title),
        "title_terms": coverage(subject, title),
        "year_in_vorlage": float(bool(years) and bool(years & doc_tokens)),
        "vorlage_similarity": evidence.vorlage_similarity.get(str(document.metadata.get("doc_id")), 0.0),
    }


def _tense(span: Span, clause: str, document: Document) -> int:
    """+1 when the latest year of the value (of its clause, for a value that is not a date) lies after its
    Vorlage's year, -1 when before; 0 for the same year or without a year on either side."""
    years = [int(y) for y in YEAR.findall(span.text if span.type is AnswerType.DATUM else clause)]
    written = document.metadata.get("year")
    if not years or not written:
        return 0
    return (max(years) > int(written)) - (max(years) < int(written))


def _distance_to_terms(text: str, span: Span, weights: dict[str, float]) -> int:
    """Words between the span and the nearest question term in the sentence (30 if none)."""
    words = list(_WORD.finditer(text))
    terms = [i for i, m in enumerate(words) if set(tokenize(m.group())) & set(weights)]
    inside = [i for i, m in enumerate(words) if m.start() < span.end and m.end() > span.start]
    if not terms or not inside:
        return 30
    return min(abs(a - b) for a in terms for b in inside)


_STAFF_UNITS = frozenset(tokenize("Stellen Stelle VZÄ Vollzeitäquivalente Vollzeitstellen Vollzeitwerte Planstellen VZK"))


def _names_focus(focus: list[str], tokens: set[str] | list[str] | frozenset[str]) -> bool:
    """Does a token name the asked-for noun: the same stem, a compound ending in it ("gesamtkosten" for
    "kosten"), a compound it ends in, or, for staff, any staff unit ("Stellen" for "VZÄ")?"""
    for term in focus:
        staff = term in _STAFF_UNITS
        for token in tokens:
            if token == term or (staff and token in _STAFF_UNITS):
                return True
            if len(term) >= 4 and len(token) > len(term) and token.endswith(term):
                return True
            if len(token) >= 6 and len(term) > len(token) and term.endswith(token):
                return True
    return False


def _names_the_amount(focus: list[str], tokens: frozenset[str] | set[str]) -> bool:
    """Does a passage name the kind of amount asked for by its head ("Finanzvolumen" → "Gesamtvolumen")?
    Costs and an unnamed kind need no naming."""
    heads = {max((h for h in _AMOUNT_HEADS if term.endswith(h)), key=lambda h: (len(h), h), default=term) for term in focus}
    if not heads or heads & frozenset(tokenize("Kosten")):
        return True
    return any(token.endswith(head) for token in tokens for head in heads)
