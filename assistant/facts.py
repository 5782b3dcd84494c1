"""Fact answers that answer: one short line with the asked value(s), one per question part, each
cited, then the supporting quotes.

The sentences of the retrieved chunks are scored by the extractive scorer (``ExtractiveAnswerer``);
for each question part the typed spans (``assistant.spans``) of the best sentences are candidates,
scored by the sentence's score for that part, the part's terms in the span's own clause, the years the
question names and the span's distance to those terms. A part that asks for a typed value (an amount,
a date, a count …) that no sentence about its subject contains is not answered but named as missing;
when no part can be answered, the answer is a refusal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from langchain_core.documents import Document

from assistant.choice import Candidate, CandidateChooser
from assistant.extractive import ExtractiveAnswerer, ScoredSentence, coverage
from assistant.grounding import as_data
from assistant.question import AMOUNT_NOUNS, QuestionAnalysis, QuestionPart
from assistant.spans import TYPED, AnswerType, Span, find_spans
from vorlagen.domain import Answer, Citation
from vorlagen.settings import AnswerSettings
from vorlagen.text import events, label_above, label_before, period_of, tokenize, with_figures

_CLAUSE_BREAK = re.compile(r"[;()\n–]|,(?!\d)|\s-\s|\s(?:und|sowie|bzw\.|oder|während|wobei|davon)\s")
_LIST_JOIN = re.compile(r"^[^.;:]{0,40}?\b(und|sowie|bzw\.|bis|,)\s+(?:(?:je|jeweils|rund|ca\.|etwa|weitere)\s+)?$", re.I)
"""The gap between two listed values: a few words, then the conjunction right before the next value
("… für 2024 und 1.426.274 Euro …"), not a new noun phrase ("… und die jährlichen Folgekosten von …")."""
_ANAPHOR = re.compile(r"^(diese[rsnm]?|davon|dabei|hierfür|dafür|hierzu|dazu|damit|darunter|somit)\b", re.I)
_WORD = re.compile(r"\S+")
_YEAR = re.compile(r"(?<![\d./])(?:19[5-9]\d|20[0-4]\d)(?![\d])")
_PER_PERIOD = re.compile(r"\b(pro|je)\s+(jahr|monat)|jährlich|monatlich|\b(im|jedes|ein weiteres)\s+jahr\b", re.I)
"""A question asking for an amount per year or month, and the sentences that state one in the same words
(narrower than ``vorlagen.text.period_of``: "um ein Jahr für …" does not pull a sentence in — measured:
it replaced the licence Vorlage's "Gesamtkosten" by its net figure)."""
_REFERS_BACK = re.compile(r"\b(dafür|davon|dazu|hierfür|diese[rsmn]?|sie|es|dessen|deren|ihre[nm]?)\b", re.I)
"""A later question part that refers back to the first part's subject ("…, und was kostet sie?")."""
_PHRASE_BREAK = re.compile(r"\b(?:und|sowie|oder)\b|[,;]", re.I)
_TOTAL = re.compile(r"\b(gesamt\w*|insgesamt|summe)\b", re.I)
_FOLLOW_UP_COSTS = re.compile(r"\bfolgekosten\b", re.I)
_TOTAL_ROW = re.compile(r"^\s*(insgesamt|summe|gesamt)\b", re.I)
"""A table's total row (``ingest.layout`` writes "Insgesamt – …")."""
_WHITESPACE = re.compile(r"\s+")
_GUARDED = TYPED | {AnswerType.ORGANISATION}
"""Answer types whose value must be found as such (below the usual support, no clause stands in)."""
_AMOUNT_HEADS = frozenset(stem for noun in AMOUNT_NOUNS for stem in tokenize(noun))
_ANY_COSTS = frozenset(tokenize("Kosten"))
"""The kind of amount any amount of the subject may answer (other kinds must be named near the value)."""


@dataclass
class PartPick:
    """The answer to one question part: a typed span in a scored sentence, or a clause of it."""

    part: QuestionPart
    sentence: ScoredSentence
    start: int
    """Offsets of the value in the chunk text."""
    end: int
    score: float
    typed: bool


def with_document_chunks(
    documents: list[Document], chunks_of: Callable[[str], list[Document]], top: int, max_chunks: int | None = None
) -> list[Document]:
    """The retrieved chunks, then the other chunks of the ``top`` best-ranked documents (in rank
    order) — of those with at most ``max_chunks`` chunks; empty when that adds nothing."""
    retrieved = {d.metadata.get("chunk_id") for d in documents}
    doc_ids = list(dict.fromkeys(str(d.metadata.get("doc_id")) for d in documents))[:top]
    whole = [chunks_of(doc_id) for doc_id in doc_ids]
    rest = [c for chunks in whole if max_chunks is None or len(chunks) <= max_chunks
            for c in chunks if c.metadata.get("chunk_id") not in retrieved]
    return [*documents, *rest] if rest else []


class FactAnswerer:
    """Short direct answers to fact questions, from the extractive scorer's sentences."""

    def __init__(
        self,
        scorer: ExtractiveAnswerer,
        settings: AnswerSettings,
        chunks_of: Callable[[str], list[Document]] | None = None,
    ) -> None:
        self.scorer = scorer
        self.settings = settings
        self.chunks_of = chunks_of
        """All chunks of a document by doc_id: a value the retrieved chunks lack is looked for in the
        rest of the best document (the figure often stands a page away from the words of the question)."""

    def answer(
        self,
        analysis: QuestionAnalysis,
        documents: list[Document],
        settled_terms: frozenset[str] = frozenset(),
        chooser: CandidateChooser | None = None,
    ) -> Answer:
        """The short answer; with a ``chooser``, a language model picks among each part's best
        candidates (it can only choose, never write a value)."""
        question = analysis.question
        weights = {t: w for t, w in self.scorer.question_weights(question).items() if t not in settled_terms}
        sentences = self.scorer.score_sentences(question, documents, weights)
        if not sentences or not weights:
            return self.scorer.refusal(question)
        best = max(sentences, key=lambda s: s.score)
        support = self.scorer.support(best, weights)
        if support < self._threshold(analysis) or self.scorer.missing_question_numbers(question, best.document, documents):
            return self.scorer.refusal(question, support=support)
        single = sentences if len(analysis.parts) == 1 else None  # one part: its scoring is the question's
        loose = support >= self.settings.refusal_threshold  # else only typed values may answer
        widened: list[Document] | None = None  # loaded once, when a part first needs it
        ranked: list[list[PartPick]] = []
        for part in analysis.parts:
            if part.focus:  # its label may stand anywhere in the top document: rank over all of it at once
                widened = self._widened(documents) if widened is None else widened
                ranked.append(self._ranked(part, analysis, widened or documents, weights, None if widened else single, loose))
                continue
            options = self._ranked(part, analysis, documents, weights, single, loose)
            if part.answer_type is not AnswerType.TEXT and not (options and options[0].typed):
                widened = self._widened(documents) if widened is None else widened
                wider = self._ranked(part, analysis, widened, weights, None, loose) if widened else []
                options = wider if wider and (wider[0].typed or not options) else options
            ranked.append(options)
        ranked = _same_vorlage_first(analysis, ranked)
        notices: list[str] = []
        chosen = [options[0] if options else None for options in ranked]
        mode = "extractive"
        shown = [self._close(options) for options in ranked]
        if chooser is not None and any(len(options) > 1 for options in shown):
            result = chooser.choose(
                question, [part.text for part in analysis.parts],
                [[Candidate(value=self._value(pick), sentence=self._excerpt(pick)) for pick in options]
                 for options in shown],
            )
            if result.notice:
                notices.append(result.notice)
            for index, choice in enumerate(result.choices):
                if choice is not None:
                    chosen[index] = shown[index][choice]
            mode = chooser.mode if result.choices else mode
        named = self._subject_words(analysis, sentences, weights)
        chosen = [pick if pick is None or self._names_the_subject(pick, named) else None for pick in chosen]
        picks = [extra for pick in chosen if pick is not None for extra in [pick, *self._parallel(pick, analysis)]]
        missing = [part for part, pick in zip(analysis.parts, chosen, strict=True) if pick is None]
        if not picks:
            return self.scorer.refusal(question, support=support)
        answer = self._compose(question, picks, missing, support)
        answer.mode = mode
        answer.notices.extend(notices)
        return answer

    @staticmethod
    def _subject_words(
        analysis: QuestionAnalysis, sentences: list[ScoredSentence], weights: dict[str, float]
    ) -> set[str]:
        """The question's two rarest words that the retrieved passages contain, besides what is asked for
        ("Stadtteilentwicklungskonzept", "integriert" in "Gesamtkosten … Stadtteilentwicklungskonzept Daxlanden")."""
        focus = {term for part in analysis.parts for term in part.focus}
        retrieved = frozenset().union(*(sentence.tokens for sentence in sentences))
        named = sorted((t for t in weights if t in retrieved and t not in focus), key=lambda t: (-weights[t], t))
        return set(named[:2])  # ties broken by the word, not by the order of a set (same answer in every process)

    def _names_the_subject(self, pick: PartPick, named: set[str]) -> bool:
        """A value answers only from a Vorlage that somewhere names one of the subject words: else it is
        about something else that shares the asked label ("Gesamtkosten: …" of another project)."""
        if not named or self.scorer.doc_tokens is None:
            return True
        tokens = self.scorer.doc_tokens(str(pick.sentence.document.metadata.get("doc_id")))
        return tokens is None or bool(named & tokens)

    def _widened(self, documents: list[Document]) -> list[Document]:
        """The retrieved chunks, then the other chunks of the top-ranked document."""
        return with_document_chunks(documents, self.chunks_of, 1) if self.chunks_of else []

    def _threshold(self, analysis: QuestionAnalysis) -> float:
        """Everyday wording covers few of a Vorlage's terms; when every part asks for a typed value
        (an amount, a date, a count …), the type check guards the answer and less coverage suffices."""
        if all(part.answer_type in _GUARDED for part in analysis.parts):
            return self.settings.typed_refusal_threshold
        return self.settings.refusal_threshold

    # ---- choosing ---------------------------------------------------------------------------------
    def _ranked(
        self,
        part: QuestionPart,
        analysis: QuestionAnalysis,
        documents: list[Document],
        weights: dict[str, float],
        scored: list[ScoredSentence] | None = None,
        loose: bool = True,
    ) -> list[PartPick]:
        """The candidates for one part, best first: typed values of the asked type, else (for an
        untyped part or a name not found as such) the best sentence's clause; empty when a typed
        value is asked and no sentence about the part's subject contains one."""
        own = {t for t in tokenize(part.text) if t in weights}
        part_weights = {t: (w if t in own or len(analysis.parts) == 1 else w / 3) for t, w in weights.items()}
        own_weights = {t: weights[t] for t in own} or weights
        if scored is None:
            scored = self.scorer.score_sentences(part.text, documents, part_weights)
        sentences = sorted(scored, key=lambda s: s.score, reverse=True)
        if not sentences:
            return []
        top = sentences[: self.settings.span_sentences]
        if part.focus:  # a label or clause naming what is asked ("Gesamtkosten: 1.468.460,00 Euro")
            top += [s for s in sentences[self.settings.span_sentences :] if _names_focus(part.focus, s.window_tokens)]
        elif part.answer_type is AnswerType.DATUM and (asked := events(part.text)):  # "Wann soll … begonnen werden?"
            top += [s for s in sentences[self.settings.span_sentences :] if asked & events(s.text)]
        if part.answer_type is AnswerType.BETRAG and _PER_PERIOD.search(part.text):  # "… pro Jahr?": "… jährlich"
            top += [s for s in sentences[self.settings.span_sentences :] if s not in top and _PER_PERIOD.search(s.text)]
        if part.answer_type is not AnswerType.TEXT:
            later = part is not analysis.parts[0]
            refers_back = later and (_REFERS_BACK.search(part.text) is not None or part.answer_type not in TYPED)
            subject = weights if refers_back else own_weights  # "…, und welches Unternehmen führt die Arbeiten aus?"
            lead = str(documents[0].metadata.get("doc_id"))
            typed = self._typed_picks(part, analysis, top, own_weights, subject, lead)
            if typed or part.answer_type in TYPED:
                return typed
        return [self._clause_pick(part, top[0], own_weights)] if loose else []

    def _typed_picks(
        self,
        part: QuestionPart,
        analysis: QuestionAnalysis,
        sentences: list[ScoredSentence],
        own_weights: dict[str, float],
        subject: dict[str, float],
        lead: str,
    ) -> list[PartPick]:
        """Typed values in sentences about the part's subject: its own terms, or (a later part that
        refers back: "und wie hoch sind die Gesamtkosten dafür?") the whole question's."""
        picks: dict[str, PartPick] = {}
        floor = self.settings.span_min_coverage
        focus = set(part.focus)
        key = set(sorted((t for t in own_weights if t not in focus), key=own_weights.__getitem__, reverse=True)[:2])
        titles: dict[str, set[str]] = {}  # doc_id -> title tokens, tokenised once per document
        for sentence in sentences:
            in_lead = str(sentence.document.metadata.get("doc_id")) == lead
            about = max(coverage(own_weights, sentence.window_tokens), coverage(subject, sentence.window_tokens))
            if about < floor and not (_names_focus(part.focus, sentence.window_tokens) and in_lead):
                continue  # a label naming the asked thing ("Gesamtkosten: …") counts only in the best Vorlage
            if not in_lead and key and not key & (sentence.window_tokens | _title_tokens(sentence.document, titles)):
                continue  # another Vorlage must name the subject ("Microsoft", "Lizenzen"), not just "Kosten im Jahr"
            for span in find_spans(sentence.text):
                if span.type is not part.answer_type:
                    continue
                if span.type is AnswerType.ANZAHL and part.focus and not _names_focus(
                    part.focus, tokenize(span.text) + tokenize(label_before(sentence.text, span.start))
                ):
                    continue  # "Für wie viele Arbeitsplätze …?" is not answered by "2 der Tagesordnung";
                    # a table column may name the noun ("Anzahl Stellen insgesamt: 83,5")
                if span.type is AnswerType.BETRAG and not _names_the_amount(part.focus, sentence.window_tokens):
                    continue  # "Welche Einsparungen …?" is not answered by a membership fee
                score = sentence.score + self._span_bonus(span, sentence.text, part, analysis, own_weights)
                pick = PartPick(part, sentence, sentence.start + span.start, sentence.start + span.end, score, True)
                value = self._value(pick)
                if value not in picks or score > picks[value].score:
                    picks[value] = pick
        ranked = sorted(picks.values(), key=lambda pick: pick.score, reverse=True)
        if part.answer_type is AnswerType.DATUM and (asked := events(part.text)):
            # "Wann soll … begonnen werden?" – "soll 2026 beginnen"; "Ab wann gilt …?" – "tritt … in Kraft":
            # when some date stands with the asked event, dates of other events do not answer
            named = [pick for pick in ranked if asked & events(_clause_text(pick))]
            return named or ranked
        return ranked

    def _close(self, options: list[PartPick]) -> list[PartPick]:
        """The candidates a language model may choose among: those scored within ``choice_margin`` of
        the best (a clear best needs no model; the model is slow and can only err there)."""
        if not options:
            return []
        close = [pick for pick in options if options[0].score - pick.score <= self.settings.choice_margin]
        return close[: self.settings.choice_candidates]

    @staticmethod
    def _excerpt(pick: PartPick, around: int = 100) -> str:
        """The value's sentence, cut to ``around`` characters on each side of the value (a shorter
        prompt: the local model reads it in a fraction of the time). Not the supporting quote
        (``_quote_bounds``, cut at clause breaks): with those the model chose worse on karlsruhe_dev
        (87,5 % → 75,0 % direct, measured 02.12.2026)."""
        sentence = pick.sentence
        start = max(sentence.start, pick.start - around)
        end = min(sentence.end, pick.end + around)
        text = sentence.document.page_content
        return ("…" if start > sentence.start else "") + text[start:end] + ("…" if end < sentence.end else "")

    @staticmethod
    def _value(pick: PartPick) -> str:
        text = _WHITESPACE.sub(" ", as_data(pick.sentence.document.page_content[pick.start : pick.end])).strip()
        return with_figures(text) if pick.typed else text

    @staticmethod
    def _parallel(pick: PartPick, analysis: QuestionAnalysis) -> list[PartPick]:
        """Values of the same type listed with the chosen one ("713.137 Euro für 2024 und 1.426.274 Euro
        für 2025"): they answer a question that names no year or several; one named year picks one."""
        if not pick.typed or len(analysis.years) == 1:
            return []
        sentence = pick.sentence
        same = [span for span in find_spans(sentence.text) if span.type is pick.part.answer_type]
        found: list[PartPick] = []
        end = pick.end - sentence.start
        for span in same:
            if span.start < end:
                continue
            if len(found) >= 2 or not _LIST_JOIN.match(sentence.text[end : span.start] + " "):
                break
            found.append(PartPick(pick.part, sentence, sentence.start + span.start, sentence.start + span.end, pick.score, True))
            end = span.end
        return found

    def _span_bonus(
        self, span: Span, text: str, part: QuestionPart, analysis: QuestionAnalysis, own_weights: dict[str, float]
    ) -> float:
        clause_start, clause_end = _clause(text, span.start, span.end)
        clause = text[clause_start:clause_end]
        bonus = 0.35 * coverage(own_weights, set(tokenize(clause)))
        bonus += 0.15 / (1 + _distance_to_terms(text, span, own_weights) / 6)
        years = set(_YEAR.findall(clause)) - set(_YEAR.findall(span.text))
        wanted = {str(year) for year in analysis.years}
        if wanted and years:
            bonus += 0.2 if years & wanted else -0.25
        if part.focus and _names_focus(part.focus, tokenize(clause)):
            bonus += 0.3  # the clause names what is asked: "Gesamtkosten: …", "Hubrettungsbühne 272,50 je Stunde"
        if span.type in (AnswerType.ANZAHL, AnswerType.DAUER) and set(tokenize(span.text)) & set(own_weights):
            bonus += 0.25  # the counted noun is the one asked about ("wie viele Stellen" -> "7,5 Stellen")
        if span.type is AnswerType.BETRAG and _PER_PERIOD.search(part.text):
            # asked per year or month: an amount per period, not a total over several ("Gesamtkosten …")
            stated = _stated_period(text, span, clause_start)
            if stated == period_of(part.text):
                bonus += 0.25
            elif stated or _TOTAL.search(text[max(0, span.start - 60) : span.end]):
                bonus -= 0.3  # an amount per another period ("23 Euro pro Tag"), or a total over several
        elif span.type is AnswerType.BETRAG and _FOLLOW_UP_COSTS.search(clause) and not _FOLLOW_UP_COSTS.search(part.text):
            bonus -= 0.1  # "Was soll es kosten?" asks for the costs, not the yearly costs that follow
        if _TOTAL.search(part.text) and (_TOTAL.search(clause) or _TOTAL_ROW.match(text)):
            bonus += 0.1 if _TOTAL_ROW.match(text) is None else 0.2
        return bonus

    def _clause_pick(self, part: QuestionPart, sentence: ScoredSentence, own_weights: dict[str, float]) -> PartPick:
        """No typed value asked (or found): the best sentence (with its continuation when the next
        sentence refers back to it: "Diese …"), cut to the run of at most ``short_answer_words`` words
        that carries the question's terms when it is longer."""
        following = sentence.following
        if following is not None and _ANAPHOR.match(following.text) and following.start > sentence.end:
            combined = sentence.document.page_content[sentence.start : following.end]
            if len(combined.split()) <= 2 * self.settings.short_answer_words:
                return PartPick(part, sentence, sentence.start, following.end, sentence.score, False)
        if len(sentence.text.split()) <= 2 * self.settings.short_answer_words:
            return PartPick(part, sentence, sentence.start, sentence.end, sentence.score, False)
        start, end = _densest_window(sentence.text, own_weights, self.settings.short_answer_words)
        return PartPick(part, sentence, sentence.start + start, sentence.start + end, sentence.score, False)

    # ---- composing --------------------------------------------------------------------------------
    def _compose(self, question: str, picks: list[PartPick], missing: list[QuestionPart], support: float) -> Answer:
        citations: list[Citation] = []
        number_of: dict[tuple[str, int], int] = {}
        values: list[str] = []
        quotes = len({(str(p.sentence.document.metadata.get("chunk_id")), p.sentence.start) for p in picks})
        limit = max(self.settings.quote_words // quotes, 12)  # several quotes share one budget of words
        for pick in picks:
            sentence = pick.sentence
            key = (str(sentence.document.metadata.get("chunk_id")), sentence.start)
            if key not in number_of:
                start, end = self._quote_bounds(pick, limit)
                number_of[key] = len(citations) + 1
                citations.append(
                    Citation.from_chunk(sentence.document, start, end, sentence.score, index=number_of[key])
                )
            value = self._value(pick)
            values.append(f"{value} [{number_of[key]}]")
        lines = ["; ".join(dict.fromkeys(values))]
        for part in missing:
            lines.append(f"Zu „{part.text.rstrip('?').strip()}“ enthalten die Vorlagen keine Angabe.")
        short = lines[0]
        for citation in citations:
            quote = _WHITESPACE.sub(" ", as_data(citation.quote)).strip()
            if _WHITESPACE.sub(" ", short).find(quote) == -1:
                lines.append(f"„{quote}“ [{citation.index}]")
        return Answer(
            question=question, text="\n".join(lines), short_answer=short, citations=citations, support=round(support, 4)
        )

    def _quote_bounds(self, pick: PartPick, limit: int) -> tuple[int, int]:
        """The supporting quote: the sentence, cut to the clauses around the value when it is longer
        than ``limit`` words."""
        sentence = pick.sentence
        if not pick.typed:
            return pick.start, pick.end
        if len(sentence.text.split()) <= limit:
            return sentence.start, sentence.end
        text = sentence.text
        start, end = pick.start - sentence.start, pick.end - sentence.start
        while True:
            left = _previous_break(text, start)
            right = _next_break(text, end)
            grown = False
            if left is not None and len(text[left:end].split()) <= limit:
                start, grown = left, True
            if right is not None and len(text[start:right].split()) <= limit:
                end, grown = right, True
            if not grown:
                break
        start, end = _strip(text, start, end)
        return sentence.start + start, sentence.start + end


_STAFF_UNITS = frozenset(tokenize("Stellen Stelle VZÄ Vollzeitäquivalente Vollzeitstellen Vollzeitwerte Planstellen VZK"))


def _names_focus(focus: list[str], tokens: set[str] | list[str]) -> bool:
    """Does a token name the focus noun: the same stem, a compound ending in it ("gesamtkosten" for
    "kosten"), a compound it ends in ("kosten" for "gesamtkosten" only when the head is long), or, for
    staff, any staff unit ("Stellen" for "VZÄ")?"""
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


def _same_vorlage_first(analysis: QuestionAnalysis, ranked: list[list[PartPick]]) -> list[list[PartPick]]:
    """A later part that refers back ("…, und welches Finanzvolumen hatten sie?") asks about what the part
    before found: a value from that part's Vorlage gains ``_SAME_VORLAGE`` (the 2023 list, not the 2025 one)."""
    result = [ranked[0]] if ranked else []
    for part, options in zip(analysis.parts[1:], ranked[1:], strict=True):
        before = result[-1][0].sentence.document.metadata.get("doc_id") if result[-1] else None
        if before is None or not _REFERS_BACK.search(part.text):
            result.append(options)
            continue
        lifted = [replace(pick, score=pick.score + _SAME_VORLAGE)
                  if pick.sentence.document.metadata.get("doc_id") == before else pick for pick in options]
        result.append(sorted(lifted, key=lambda pick: pick.score, reverse=True))
    return result


_SAME_VORLAGE = 0.1


def _names_the_amount(focus: list[str], tokens: frozenset[str] | set[str]) -> bool:
    """Does a passage name the kind of amount asked for: its head ("Finanzvolumen" → "Gesamtvolumen",
    "Bettensteuer" → "Übernachtungsteuer", "Einsparungen")? Costs and an unnamed kind need no naming."""
    heads = {max((h for h in _AMOUNT_HEADS if term.endswith(h)), key=lambda h: (len(h), h), default=term) for term in focus}
    if not heads or heads & _ANY_COSTS:
        return True
    return any(token.endswith(head) for token in tokens for head in heads)


def _clause_text(pick: PartPick) -> str:
    """The clause of a sentence around a picked value."""
    text, offset = pick.sentence.text, pick.sentence.start
    start, end = _clause(text, pick.start - offset, pick.end - offset)
    return text[start:end]


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    left = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    following = _CLAUSE_BREAK.search(text, end)
    return left, following.start() if following else len(text)


def _previous_break(text: str, start: int) -> int | None:
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(text, 0, max(start - 1, 0))]
    return breaks[-1] if breaks else (0 if start > 0 else None)


def _next_break(text: str, end: int) -> int | None:
    following = _CLAUSE_BREAK.search(text, end + 1)
    if following:
        return following.start()
    return len(text) if end < len(text) else None


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ",;:)–-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:(–-"):
        end -= 1
    return start, end


def _title_tokens(document: Document, cache: dict[str, set[str]]) -> set[str]:
    doc_id = str(document.metadata.get("doc_id"))
    if doc_id not in cache:
        cache[doc_id] = set(tokenize(str(document.metadata.get("title") or "")))
    return cache[doc_id]


def _stated_period(text: str, span: Span, clause_start: int) -> str | None:
    """The period an amount is stated per: "1,2 Mio. Euro jährlich", "22.080 Euro monatlich", "die jährlichen
    Folgekosten von rund 1,2 Mio. Euro" — right after the amount or in its own noun phrase before it, not in a
    phrase joined by "und" ("30 Mio. Euro und die jährlichen …" is not yearly)."""
    after = period_of(span.text) or period_of(text[span.end : span.end + 20], at_start=True)
    before = label_above(text, span.start) or _PHRASE_BREAK.split(text[max(clause_start, span.start - 40) : span.start])[-1]
    return after or period_of(before)


def _distance_to_terms(text: str, span: Span, weights: dict[str, float]) -> int:
    """Words between the span and the nearest question term in the sentence (large if none)."""
    positions = [m for m in _WORD.finditer(text)]
    term_positions = [i for i, m in enumerate(positions) if set(tokenize(m.group())) & set(weights)]
    span_positions = [i for i, m in enumerate(positions) if m.start() < span.end and m.end() > span.start]
    if not term_positions or not span_positions:
        return 30
    return min(abs(a - b) for a in term_positions for b in span_positions)


def _densest_window(text: str, weights: dict[str, float], max_words: int) -> tuple[int, int]:
    """The run of at most ``max_words`` words (cut at clause breaks where possible) that covers the
    most question-term weight; the whole sentence when it is short enough."""
    words = list(_WORD.finditer(text))
    if len(words) <= max_words:
        return _strip(text, 0, len(text))
    gains = [sum(weights.get(t, 0.0) for t in tokenize(m.group())) for m in words]
    best_start, best_gain = 0, -1.0
    for i in range(len(words) - max_words + 1):
        gain = sum(gains[i : i + max_words])
        if gain > best_gain:
            best_start, best_gain = i, gain
    start = words[best_start].start()
    end = words[best_start + max_words - 1].end()
    left = _previous_break(text, start + 1)
    if left is not None and start - left < 40:
        start = left
    return _strip(text, start, end)
