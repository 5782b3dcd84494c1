"""Deterministic metrics of the evaluation: pure functions, no model, no judge.

Definitions (also in ``eval/README.md``):

- **recall@k**: share of the gold sources found among the documents of the top-k retrieved chunks
  (for a single-source question: 1 if its document is there, else 0).
- **MRR**: 1 / rank of the first gold document in the ranking of distinct documents (0 if none).
- **fact accuracy**: every ``expected_facts`` group has one alternative in the answer text.
  Text is compared case-insensitively after normalising whitespace and dashes. A numeric alternative
  (``1.200``, ``7,5``) matches a number in the answer of the same value (``1200``, ``1.200,00``,
  ``7,50``), or one that only adds decimals (``37.343`` matches ``37.343,63``); digits never match
  inside a larger number (``10`` does not match ``100`` or ``2010``). Tokens that are ambiguous in
  German text (``2.5``, ``11.5.23``) are not read as numbers. Full dates match in any German spelling
  (``01.01.2026`` = ``1. Januar 2026`` = ``1.1.2026``).
- **direkte Antwort**: every ``expected_facts`` group has one alternative in the answer's *first line*
  (the short answer), matched as for fact accuracy; answerable questions only.
- **answer words**: words of the whole answer text (citation markers not counted); reported as the
  median over the answered questions.
- **refusal accuracy**: an unanswerable question is refused and cites nothing; an answerable one is
  not refused.
- **citation precision**: share of the distinct cited documents that are gold sources.
- **citation validity**: share of citations whose quote occurs in the cited document (whitespace
  normalised; ``…`` separates pieces that must occur in order); ``exact_offsets`` additionally
  checks ``text[start:end] == quote``.
- **calc exactness**: the answer states the expected figure to the cent.
"""

from __future__ import annotations

import ast
import math
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal, InvalidOperation

from langchain_core.documents import Document
from pydantic import BaseModel

from vorlagen.domain import Answer, Citation
from vorlagen.formatting import parse_german_number, round_cents
from vorlagen.text import canonical_dates

DocumentTextLookup = Callable[[str], str | None]
"""doc_id -> the full text of the document (``Vorlage.text``), or None if unknown."""

_WHITESPACE = re.compile(r"\s+")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_SOFT_HYPHEN = "\u00ad"
_NUMBER_TOKEN = re.compile(r"(?<![\d.,])(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?(?![\d]|[.,]\d)")
_NUMBER_ONLY = re.compile(r"^(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$")
_PLAIN_DECIMAL = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_REFERENCE = re.compile(r"^(?P<prefix>[^\d]*?)\s?(?P<number>\d[\d\s/.\-]*\d|\d)$")
_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.|\[…\]|\[\.\.\.\])\s*")


# --- text and source normalisation -------------------------------------------------------------


def normalize_text(text: str) -> str:
    """NFKC, case-folded, one space for any whitespace run, ASCII dashes, no soft hyphens."""
    text = unicodedata.normalize("NFKC", text).replace(_SOFT_HYPHEN, "")
    text = _DASHES.sub("-", text)
    return _WHITESPACE.sub(" ", text).strip().casefold()


def normalize_source(name: str) -> str:
    """``GRDrs. 862 / 2021`` -> ``grdrs 862/2021``; file names are only case-folded and trimmed."""
    text = normalize_text(name)
    text = re.sub(r"\s*/\s*", "/", text)
    text = re.sub(r"(?<=[^\W\d])\.(?=\s|\d)", " ", text)
    return _WHITESPACE.sub(" ", text).strip()


def _reference_parts(name: str) -> tuple[str, str] | None:
    match = _REFERENCE.match(name)
    if not match:
        return None
    return match.group("prefix").strip(), match.group("number").replace(" ", "")


def source_matches(gold: str, names: Iterable[str | None]) -> bool:
    """Does the gold source (file name or Drucksachennummer) name a document known by ``names``?

    Equal after normalisation; or the same reference number where only one side has a prefix
    (``862/2021`` matches ``GRDrs 862/2021``, but ``SV 862/2021`` does not).
    """
    wanted = normalize_source(gold)
    wanted_ref = _reference_parts(wanted)
    for name in names:
        if not name:
            continue
        candidate = normalize_source(name)
        if candidate == wanted:
            return True
        candidate_ref = _reference_parts(candidate)
        if wanted_ref and candidate_ref and wanted_ref[1] == candidate_ref[1]:
            if not wanted_ref[0] or not candidate_ref[0]:
                return True
    return False


def document_names(metadata: dict) -> list[str | None]:
    """The names a chunk's or citation's document is known by."""
    return [metadata.get("source_name"), metadata.get("drucksache"), metadata.get("doc_id")]


def is_gold(metadata: dict, sources: Sequence[str]) -> bool:
    names = document_names(metadata)
    return any(source_matches(gold, names) for gold in sources)


# --- retrieval ------------------------------------------------------------------------------------


class RetrievalScores(BaseModel):
    recall: dict[int, float]
    """k -> recall@k (over the documents of the top-k chunks)."""
    mrr: float
    first_gold_rank: int | None
    """Rank (1-based) of the first gold document among the distinct documents, if any."""
    documents: list[str]
    """Distinct documents in ranking order (source names), for the report."""


def retrieval_scores(ranking: Sequence[Document], sources: Sequence[str], ks: Sequence[int]) -> RetrievalScores | None:
    """Recall@k and MRR of a chunk ranking; None for questions without gold sources."""
    distinct: list[dict] = []
    seen: set[str] = set()
    for document in ranking:
        key = str(document.metadata.get("doc_id") or document.metadata.get("source_name"))
        if key not in seen:
            seen.add(key)
            distinct.append(document.metadata)
    names = [str(meta.get("source_name") or meta.get("doc_id")) for meta in distinct]
    if not sources:
        return None
    recall: dict[int, float] = {}
    for k in ks:
        top = [document.metadata for document in ranking[:k]]
        found = sum(1 for gold in sources if any(source_matches(gold, document_names(meta)) for meta in top))
        recall[k] = found / len(sources)
    first = next((rank for rank, meta in enumerate(distinct, start=1) if is_gold(meta, sources)), None)
    return RetrievalScores(recall=recall, mrr=1 / first if first else 0.0, first_gold_rank=first, documents=names)


# --- facts and numbers ----------------------------------------------------------------------------


def parse_number_token(token: str) -> Decimal | None:
    """A German number token (``1.200``, ``1.200,00``, ``7,5``, ``1200``) as Decimal; None otherwise."""
    token = token.strip()
    if not _NUMBER_ONLY.match(token):
        return None
    return parse_german_number(token)


def number_tokens(text: str) -> list[tuple[str, Decimal]]:
    """The unambiguous numbers of a German text, with their spelling."""
    text = unicodedata.normalize("NFKC", text)
    return [(match.group(0), parse_german_number(match.group(0))) for match in _NUMBER_TOKEN.finditer(text)]


def _guarded_substring(needle: str, haystack: str) -> bool:
    """``needle`` occurs in ``haystack`` without digits continuing a number at its edges."""
    start = haystack.find(needle)
    while start >= 0:
        end = start + len(needle)
        before_ok = not needle[:1].isdigit() or not re.search(r"\d[.,]?$", haystack[max(0, start - 2) : start])
        after_ok = not needle[-1:].isdigit() or not re.match(r"[.,]?\d", haystack[end : end + 2])
        if before_ok and after_ok:
            return True
        start = haystack.find(needle, start + 1)
    return False


def alternative_matches(alternative: str, answer_text: str) -> bool:
    """Does one expected alternative occur in the answer (see module doc for the number rules)?"""
    expected_number = parse_number_token(alternative)
    if expected_number is not None:
        truncation_allowed = "," not in alternative
        for _, value in number_tokens(answer_text):
            if value == expected_number:
                return True
            if truncation_allowed and value != value.to_integral_value() and int(value) == expected_number:
                return True
        return False
    return _guarded_substring(canonical_dates(normalize_text(alternative)), canonical_dates(normalize_text(answer_text)))


def fact_groups_matched(expected_facts: Sequence[Sequence[str]], answer_text: str) -> list[bool]:
    return [any(alternative_matches(alternative, answer_text) for alternative in group) for group in expected_facts]


def first_line(answer: Answer) -> str:
    """The direct answer: ``Answer.short_answer``, else the first line of the answer text."""
    return answer.short_answer or answer.text.strip().split("\n", 1)[0]


_MARKERS = re.compile(r"\[\d+(?:\s*[,;]\s*\d+)*\]")


def answer_words(text: str) -> int:
    """Words of an answer, without its citation markers ``[n]``."""
    return len(_MARKERS.sub(" ", text).split())


# --- refusal, citations, calculation --------------------------------------------------------------


def refusal_correct(answerable: bool, answer: Answer) -> bool:
    """Answerable: not refused. Unanswerable: refused and nothing cited."""
    if answerable:
        return not answer.refused
    return answer.refused and not answer.citations


def citation_precision(citations: Sequence[Citation], sources: Sequence[str]) -> float | None:
    """Share of the distinct cited documents that are gold sources; None without citations."""
    cited: dict[str, Citation] = {}
    for citation in citations:
        cited.setdefault(citation.doc_id, citation)
    if not cited:
        return None
    gold = sum(1 for citation in cited.values() if is_gold(citation.model_dump(), sources))
    return gold / len(cited)


def quote_occurs(quote: str, text: str) -> bool:
    """The quote occurs in the text verbatim, or after normalising whitespace; pieces split by ``…``
    must occur in order."""
    if not quote.strip():
        return False
    if quote in text:
        return True
    haystack = _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text).replace(_SOFT_HYPHEN, ""))
    pieces = [piece for piece in _ELLIPSIS.split(unicodedata.normalize("NFKC", quote)) if piece.strip()]
    if not pieces:
        return False
    position = 0
    for piece in pieces:
        found = haystack.find(_WHITESPACE.sub(" ", piece.replace(_SOFT_HYPHEN, "")).strip(), position)
        if found < 0:
            return False
        position = found + 1
    return True


class CitationCheck(BaseModel):
    index: int
    doc_id: str
    source_name: str
    gold: bool
    document_found: bool
    quote_occurs: bool
    exact_offsets: bool


def check_citation(citation: Citation, document_text: str | None, sources: Sequence[str]) -> CitationCheck:
    occurs = document_text is not None and quote_occurs(citation.quote, document_text)
    exact = document_text is not None and bool(citation.quote) and document_text[citation.start : citation.end] == citation.quote
    return CitationCheck(
        index=citation.index,
        doc_id=citation.doc_id,
        source_name=citation.source_name,
        gold=is_gold(citation.model_dump(), sources),
        document_found=document_text is not None,
        quote_occurs=occurs,
        exact_offsets=exact,
    )


_OPERATORS: dict[type, Callable[[Decimal, Decimal], Decimal]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def _evaluate(node: ast.AST) -> Decimal:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return Decimal(str(node.value))
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_evaluate(node.operand)
    raise ValueError("nicht unterstützter Ausdruck")


def expected_calc_value(calc: str | None) -> Decimal | None:
    """The figure a ``calc`` field yields: the number after the last ``=``, else the expression's value.

    The field is written like code (``746872.63 / 20 = 37343.63``: dot as decimal point); German
    notation (``37.343,63``) is accepted after ``=`` too. None when it cannot be read.
    """
    if not calc or not calc.strip():
        return None
    if "=" in calc:
        result = calc.rsplit("=", 1)[1].strip().replace("€", "").replace("EUR", "").strip()
        try:
            if _PLAIN_DECIMAL.match(result) and not re.match(r"^\d{1,3}\.\d{3}$", result):
                return Decimal(result)
            return parse_german_number(result)
        except (ValueError, InvalidOperation):
            return None
    try:
        return _evaluate(ast.parse(calc.strip(), mode="eval"))
    except (SyntaxError, ValueError, ArithmeticError):
        return None


def calc_exact(expected: Decimal, answer: Answer) -> bool:
    """The answer states the expected figure to the cent (in its text or its calculation steps)."""
    target = round_cents(expected)
    values = [value for _, value in number_tokens(answer.text)]
    values += [step.amount for step in answer.calculation or []]
    return any(round_cents(value) == target for value in values)


# --- latency --------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (as numpy's default); None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * q / 100
    lower, upper = math.floor(position), math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def mean(values: Iterable[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return sum(present) / len(present) if present else None
