"""Training the sentence ranker (``assistant.extractive.SentenceRanker``) with ``vorlagen eval train``: every
sentence of the retrieved chunks of a bank question, labelled by whether it holds an expected fact, and a
logistic regression over ``SENTENCE_FEATURES`` fitted on train. It replaces the hand-set weights the sentence
score had (kept below as ``HAND_WEIGHTS`` only to report what the learned model changes). The sentence score
orders the evidence for a language model, picks the sentence a question about a Vorlage or a decision cites;
fact answers do not read it (their candidates have the answer scorer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import BaseModel

from assistant.extractive import SENTENCE_FEATURES, SentenceRanker
from assistant.service import AssistantService
from eval.metrics import alternative_matches
from eval.questions import EvalQuestion
from eval.train import SEED, fit_logistic, read_jsonl_gz, write_jsonl_gz

C = 1.0
HAND_WEIGHTS = (0.55, 0.3, 0.12, 0.05, 0.25, 0.08, -0.15, 0.1)
"""The weights the sentence score had until the tenth session, in the order of ``SENTENCE_FEATURES``."""


class SentenceRows(BaseModel):
    question_id: str
    features: list[list[float]]
    labels: list[int]


def collect_sentences(service: AssistantService, questions: Iterable[EvalQuestion],
                      on_question: Callable[[str], None] | None = None) -> list[SentenceRows]:
    """The sentences of the retrieved chunks of every answerable question with at least one sentence that
    holds an expected fact."""
    collected: list[SentenceRows] = []
    for question in questions:
        if on_question:
            on_question(question.id)
        if not question.answerable or not question.expected_facts:
            continue
        prepared = service.prepare(question.question)
        documents = service.retrieve(prepared.searched, prepared.filters, prepared.k, prepared.named)
        settled = service.settled_terms(prepared.named)
        weights = {t: w for t, w in service.extractive.question_weights(question.question).items() if t not in settled}
        sentences = service.extractive.score_sentences(question.question, documents, weights) if weights else []
        labels = [int(any(alternative_matches(alt, s.text) for group in question.expected_facts for alt in group))
                  for s in sentences]
        if any(labels):
            collected.append(SentenceRows(question_id=question.id, labels=labels,
                                          features=[[round(x, 4) for x in s.features] for s in sentences]))
    return collected


def fit_sentences(rows: list[SentenceRows]) -> SentenceRanker:
    """The ranker on every sentence of ``rows``."""
    fitted = fit_logistic([f for question in rows for f in question.features],
                          [label for question in rows for label in question.labels], C)
    return SentenceRanker(features=list(SENTENCE_FEATURES), **fitted)


def top_sentence_right(rows: list[SentenceRows], score: Callable[[list[float]], float]) -> int:
    """Questions whose best-scored sentence holds an expected fact."""
    return sum(question.labels[max(range(len(question.labels)), key=lambda i: score(question.features[i]))]
               for question in rows)


def hand_score(features: list[float]) -> float:
    return sum(w * x for w, x in zip(HAND_WEIGHTS, features, strict=True))


def write_sentence_rows(path: Path, rows: list[SentenceRows]) -> None:
    write_jsonl_gz(path, rows)


def read_sentence_rows(path: Path) -> list[SentenceRows]:
    return read_jsonl_gz(path, SentenceRows)
