"""The invention guard: nothing in a draft that neither the request, a tool result nor a cited passage says.

Checked in every sentence: numbers and amounts, dates, Drucksachennummern („GRDrs 862/2021“) and proper
names (cities, persons after a title, organisations with a legal form, acronyms and CamelCase names).
A sentence may use the figures and names of the past Vorlagen it cites with [n]; everything else must
occur in the allowed material. What fails is replaced by „[bitte prüfen]“ (``guard_text``) or counted
(``unsupported``, for the evaluation).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from assistant.grounding import MARKER, cited_indices, number_keys, passage_text
from vorlagen.domain import Citation
from vorlagen.text import MONTH_PATTERN, split_sentences

CHECK_MARK = "[bitte prüfen]"

_DATE = re.compile(rf"(?<![\d.])\d{{1,2}}\.\s?(?:\d{{1,2}}\.\s?\d{{2,4}}|(?i:{MONTH_PATTERN})\s+\d{{4}})(?!\d)")
_NUMBER = re.compile(r"(?<![\w])\d(?:[\d.,]*\d)?(?:\s?(?:Mio\.?|Millionen|Mrd\.?|Milliarden|Tsd\.?))?")
_REFERENCE = re.compile(
    r"\b(?:GRDrs\.?|Drucksache|Drs\.?|Vorlage(?:-Nr\.?)?|SV|Sitzungsvorlage)\s*(?:Nr\.\s*)?\d+\s*/\s*\d{2,4}\b|"
    r"(?<![\d./])\d{1,4}/\d{4}(?![\d/])"
)
_TITLED_NAME = re.compile(
    r"\b(?:Herr|Herrn|Frau|Dr\.|Prof\.|(?:Ober)?[Bb]ürgermeister(?:in)?|Stadtr(?:at|ätin)|Dezernent(?:in)?)\s+"
    r"((?:Dr\.\s+)?[A-ZÄÖÜ][\wäöüß-]+(?:\s+[A-ZÄÖÜ][\wäöüß-]+)?)"
)
_ORGANISATION = re.compile(
    r"\b((?:[A-ZÄÖÜ][\w&.-]*\s+){0,3}[A-ZÄÖÜ][\w&.-]*)\s+(?:GmbH|mbH|AG|KG|SE|e\.\s?V\.|Group|Consulting)\b"
)
_ACRONYM_OR_CAMEL = re.compile(r"\b(?:[A-ZÄÖÜ]{2,}[\wäöü]*|[a-zäöü]+[A-ZÄÖÜ][\wäöüß]*|[A-ZÄÖÜ][a-zäöü]+[A-ZÄÖÜ][\wäöüß]*)\b")
_COMMON_ACRONYMS = frozenset(
    "EUR VZÄ TVöD TVÖD KGSt IT EDV EU BRD GmbH AG OB TEUR PT KI EG".split()
)
_QUOTED_REFERENCE = re.compile(r"„[^“\n]+“\s*\(vgl\.[^)\n]*\)\s*(?:\[\d+\])+|^(?:- )?\[\d+\] .*$", re.MULTILINE)
"""A cited quote („…“ (vgl. GRDrs 862/2021) [1]) or a line of the source list ([1] GRDrs …: „…“): one scope."""
_LIST_NUMBER = re.compile(r"^\s*\d{1,2}[.)]\s", re.MULTILINE)


@dataclass
class AllowedMaterial:
    """What a draft may state: the request and tool results (anywhere), cited passages (where cited)."""

    texts: list[str]
    passages: dict[int, Citation] = field(default_factory=dict)
    cities: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        joined = "\n".join(self.texts)
        self._keys = number_keys(joined)
        self._lower = joined.lower()

    def scope(self, markers: Iterable[int]) -> tuple[set, str]:
        """Number keys and lower-case text allowed in a sentence that cites ``markers``."""
        keys = set(self._keys)
        text = self._lower
        for index in markers:
            if index in self.passages:
                passage = self.passages[index]
                cited = " ".join([passage_text(passage), passage.title or "", passage.section or "", passage.source_name])
                keys |= number_keys(cited)
                text += "\n" + cited.lower()
        return keys, text


@dataclass(frozen=True)
class Finding:
    kind: str
    """``Zahl``, ``Datum``, ``Drucksache`` or ``Name``."""
    text: str
    start: int
    end: int


def _scopes(text: str) -> list[tuple[int, int]]:
    """Quoted references as a whole, otherwise sentences (per line)."""
    scopes: list[tuple[int, int]] = []
    covered = [False] * len(text)
    for match in _QUOTED_REFERENCE.finditer(text):
        scopes.append(match.span())
        covered[match.start() : match.end()] = [True] * (match.end() - match.start())
    offset = 0
    for line in text.split("\n"):
        for start, end in split_sentences(line):
            if not any(covered[offset + start : offset + end]):
                scopes.append((offset + start, offset + end))
        offset += len(line) + 1
    return sorted(scopes)


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


def _number_findings(masked: str, base: int, keys: set, taken: list[tuple[int, int]]) -> list[Finding]:
    """``masked``: the sentence with citation markers and list numbers blanked out."""
    findings: list[Finding] = []
    spans: list[tuple[int, int, str]] = [(m.start(), m.end(), "Datum") for m in _DATE.finditer(masked)]
    for match in _NUMBER.finditer(masked):
        if not any(s <= match.start() < e for s, e, _ in spans):
            spans.append((match.start(), match.end(), "Zahl"))
    for start, end, kind in spans:
        if any(s <= base + start < e for s, e in taken):
            continue
        token = masked[start:end]
        token_keys = number_keys(token)
        if kind == "Datum":
            token_keys = {key for key in token_keys if key[0] == "date"}
        if not token_keys & keys:
            findings.append(Finding(kind, token, base + start, base + end))
    return findings


def _name_findings(sentence: str, base: int, allowed_text: str, cities: frozenset[str]) -> list[Finding]:
    candidates: list[tuple[int, int]] = []
    for pattern in (_TITLED_NAME, _ORGANISATION):
        candidates += [match.span(1) for match in pattern.finditer(sentence)]
    for match in _ACRONYM_OR_CAMEL.finditer(sentence):
        if match.group() not in _COMMON_ACRONYMS:
            candidates.append(match.span())
    for city in cities:
        candidates += [m.span() for m in re.finditer(rf"\b{re.escape(city)}(?:er|s)?\b", sentence)]
    findings: list[Finding] = []
    for start, end in sorted(set(candidates)):
        name = sentence[start:end].strip()
        if name and name.lower() not in allowed_text and not any(f.start <= base + start < f.end for f in findings):
            findings.append(Finding("Name", name, base + start, base + end))
    return findings


def findings(text: str, allowed: AllowedMaterial) -> list[Finding]:
    """Everything in ``text`` the allowed material does not back, in order."""
    found: list[Finding] = []
    masked_text = _LIST_NUMBER.sub(_blank, MARKER.sub(_blank, text))
    for start, end in _scopes(text):
        sentence = text[start:end]
        keys, allowed_text = allowed.scope(cited_indices(sentence))
        references = [(start + m.start(), start + m.end()) for m in _REFERENCE.finditer(sentence)]
        for ref_start, ref_end in references:
            reference = text[ref_start:ref_end]
            if " ".join(reference.lower().split()) not in " ".join(allowed_text.split()):
                found.append(Finding("Drucksache", reference, ref_start, ref_end))
        found += _number_findings(masked_text[start:end], start, keys, references)
        found += _name_findings(sentence, start, allowed_text, allowed.cities)
    kept: list[Finding] = []
    for finding in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if not kept or finding.start >= kept[-1].end:
            kept.append(finding)
    return kept


def guard_text(text: str, allowed: AllowedMaterial) -> tuple[str, list[Finding]]:
    """``text`` with every unbacked figure, date, reference and name replaced by „[bitte prüfen]“."""
    found = findings(text, allowed)
    result = text
    for finding in sorted(found, key=lambda f: -f.start):
        result = result[: finding.start] + CHECK_MARK + result[finding.end :]
    result = re.sub(r"(?:\[bitte prüfen\]\s*){2,}", CHECK_MARK + " ", result)
    return result, found


def missing_figures(text: str, required: str) -> list[str]:
    """Figures (amounts, dates, counts) of ``required`` that ``text`` does not name."""
    named = number_keys(MARKER.sub(" ", text))
    missing = []
    for match in _DATE.finditer(required):
        if not {k for k in number_keys(match.group()) if k[0] == "date"} & named:
            missing.append(match.group())
    without_dates = _DATE.sub(" ", required)
    for match in _NUMBER.finditer(_LIST_NUMBER.sub(" ", MARKER.sub(" ", without_dates))):
        if not number_keys(match.group()) & named:
            missing.append(match.group())
    return list(dict.fromkeys(missing))


def passages_by_index(citations: Sequence[Citation]) -> dict[int, Citation]:
    return {citation.index: citation for citation in citations}


# --- copied text: the prompt and uncited style passages ------------------------------------------------

COPY_RUN = 6
"""Words in a row that a model sentence may not share with the prompt or an uncited style passage."""
_WORD = re.compile(r"[0-9a-zäöüß]+")


def word_runs(text: str, length: int = COPY_RUN) -> set[tuple[str, ...]]:
    """Every run of ``length`` consecutive words (lower case, punctuation ignored)."""
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + length]) for i in range(len(words) - length + 1)}


@dataclass
class CopySources:
    """What a model must not copy: the prompt (instructions, worked examples, labels) anywhere, and each
    style passage except in a sentence that cites it. Runs that also occur in ``own`` (the request, the
    skeleton, the tool results – what the model is meant to reuse) do not count."""

    prompt: str
    passages: dict[str, str] = field(default_factory=dict)
    """Style passages by chunk id."""
    own: list[str] = field(default_factory=list)
    citations: dict[int, str] = field(default_factory=dict)
    """Citation index -> chunk id of the passage it cites."""

    def __post_init__(self) -> None:
        own: set[tuple[str, ...]] = set()
        for text in self.own:
            own |= word_runs(text)
        self._prompt = word_runs(self.prompt) - own
        self._passages = {chunk: word_runs(text) - own for chunk, text in self.passages.items()}

    def copied(self, sentence: str) -> str | None:
        """``Prompt`` or ``Stilvorlage`` when ``sentence`` copies one, else None."""
        runs = word_runs(MARKER.sub(" ", sentence))
        if runs & self._prompt:
            return "Prompt"
        cited = {self.citations.get(index) for index in cited_indices(sentence)}
        if any(runs & passage for chunk, passage in self._passages.items() if chunk not in cited):
            return "Stilvorlage"
        return None


def copied_findings(text: str, sources: CopySources) -> list[Finding]:
    """The sentences of ``text`` that copy the prompt or an uncited style passage."""
    found = []
    for start, end in _scopes(text):
        kind = sources.copied(text[start:end])
        if kind is not None:
            found.append(Finding(kind, text[start:end], start, end))
    return found


def remove_copied(text: str, sources: CopySources) -> tuple[str, list[Finding]]:
    """``text`` without the sentences that copy the prompt or an uncited style passage."""
    found = copied_findings(text, sources)
    result = text
    for finding in sorted(found, key=lambda f: -f.start):
        result = result[: finding.start] + result[finding.end :]
    lines = [re.sub(r"[ \t]{2,}", " ", line).rstrip() for line in result.split("\n")]
    lines = [line for line in lines if line.strip() not in ("-", "*")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip(), found
