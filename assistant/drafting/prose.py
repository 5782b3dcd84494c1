"""The language-model layer: a section's prose written from its skeleton, the request and style passages.

One prompt file per section (``prompts/draft_<abschnitt>.txt``). The model's text passes the invention
guard (``guard.guard_text``: unbacked figures, dates, references and names become „[bitte prüfen]“) and
must keep every figure of the skeleton; otherwise, and on any failure of the model, the section stays
the skeleton with a German notice. Tables, numbered items and cited references are never rewritten (a
cited quote reaches the model as „[Zitat n]“ and comes back verbatim). The calls of one draft share one
time budget (``budget.ModelBudget``).
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from langchain_core.documents import Document
from langchain_core.exceptions import ModelTimeoutError
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage
from langchain_core.prompts import ChatPromptTemplate

from assistant.drafting.budget import CallTiming, ModelBudget
from assistant.drafting.guard import AllowedMaterial, CopySources, guard_text, missing_figures, remove_copied
from assistant.drafting.skeleton import SectionSkeleton
from assistant.generation import failure_notice, load_answer_prompt
from assistant.llm import ChatMode, generation_deadline
from vorlagen.domain import Citation, DraftFallback, DraftRequest, DraftSection
from vorlagen.settings import Settings

logger = logging.getLogger(__name__)

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
_SLUGS = {
    "Beschlussantrag": "beschlussantrag",
    "Begründung": "begruendung",
    "Finanzielle Auswirkungen": "finanzielle_auswirkungen",
    "Personelle Auswirkungen": "personelle_auswirkungen",
}
_PROMPT_LABEL_LINE = re.compile(r"^[ \t]*(?:Aufgabe|Betreff|Gerüst|Stilbeispiele)(?:[ \t]*\([^)\n]*\))?:[^\n]*(?:\n|$)", re.MULTILINE)
"""A label line of the prompt („Betreff: …“, „Gerüst:“) the small model sometimes repeats before its text."""
_LEADING_HEADING = re.compile(r"^\s*(?:#+\s*)?(?:Beschlussantrag|Begründung|Finanzielle Auswirkungen|Personelle Auswirkungen)\s*:?\s*\n", re.I)


def prompt_for(section: str) -> ChatPromptTemplate | None:
    """The section's prompt (``prompts/draft_<slug>.txt``), ``None`` for sections without prose."""
    slug = _SLUGS.get(section)
    return load_answer_prompt(PROMPTS_DIR / f"draft_{slug}.txt") if slug else None


_ROLE_LINE = re.compile(r"^###\s*(?:system|human|ai)\s*$", re.MULTILINE)
_VARIABLE = re.compile(r"\{[a-z_]+\}")


def prompt_text(section: str | None = None) -> str:
    """The literal text of a drafting prompt – instructions, the worked examples (the turns before the
    last ``### human``) and the labels around ``{variables}`` – or of all of them: what no model sentence
    may repeat (``guard.CopySources``)."""
    slugs = [_SLUGS[section]] if section in _SLUGS else list(_SLUGS.values()) if section is None else []
    texts = []
    for slug in slugs:
        raw = (PROMPTS_DIR / f"draft_{slug}.txt").read_text(encoding="utf-8")
        body = raw[_ROLE_LINE.search(raw).start() :] if _ROLE_LINE.search(raw) else raw  # the preamble is no prompt
        texts.append(_VARIABLE.sub("\n", _ROLE_LINE.sub("\n", body)))
    return "\n".join(texts)


def _style_text(documents: list[Document], limit_chars: int = 600) -> str:
    text = "\n".join(" ".join(document.page_content.split())[:300] for document in documents)
    return text[: max(limit_chars, 0)].strip()


_STYLE_BLOCK = re.compile(r"\n*^Stilbeispiele\b[^\n]*:\n[^\n]*", re.MULTILINE)
"""The style block of a human turn: its label line and the line after it."""


def section_messages(prompt: ChatPromptTemplate, request: DraftRequest, skeleton: str, style: str) -> list[BaseMessage]:
    """The prompt of one section. Without style passages the prompt has no style block at all (also not in
    the worked example): the small local model repeats an empty block's „(keine)“ or an example's style line."""
    messages = prompt.format_messages(
        betreff=request.betreff, vorlagenart=request.vorlagenart, skeleton=skeleton, style=style or "(keine)"
    )
    if style:
        return messages
    return [
        message.model_copy(update={"content": _STYLE_BLOCK.sub("", str(message.content))})
        if isinstance(message, HumanMessage) else message
        for message in messages
    ]


# A cited quote of a past Vorlage in the skeleton („- … „…“ (vgl. GRDrs 862/2021) [1]“): the model sees and
# writes „- [Zitat 1]“ instead, and the line comes back verbatim – shorter to read and to write, and a quote
# the model cannot change.
_QUOTE_LINE = re.compile(r"^- (?P<line>[^\n]*„[^“\n]+“\s*\(vgl\.[^)\n]*\)\s*\[(?P<n>\d+)\])[ \t]*$", re.MULTILINE)


def quote_markers(source: str) -> tuple[str, dict[str, str]]:
    """``source`` with each cited quote line replaced by „- [Zitat n]“, and the lines by marker."""
    quotes: dict[str, str] = {}

    def marker(match: re.Match[str]) -> str:
        key = f"[Zitat {match['n']}]"
        quotes[key] = match["line"]
        return f"- {key}"

    return _QUOTE_LINE.sub(marker, source), quotes


def restore_quotes(text: str, quotes: dict[str, str]) -> tuple[str, list[str]]:
    """The quote lines back in place of their markers; markers the model dropped or moved into a sentence
    (a quote must stand on its own line) are returned as missing; other markers are removed."""
    missing = []
    for key, line in quotes.items():
        own_line = re.compile(rf"^[ \t]*(?:[-*][ \t]*)?{re.escape(key)}[ \t]*$", re.MULTILINE)
        if not own_line.search(text):
            missing.append(key)
            continue
        text = own_line.sub(lambda _: f"- {line}", text, count=1)
    return _MARKER.sub("", text), missing  # repeated or invented markers


_MARKER = re.compile(r"^[ \t]*(?:[-*][ \t]*)?\[Zitat \d+\][ \t]*\n?|\[Zitat \d+\]", re.MULTILINE)


CHARS_PER_TOKEN = 3.0
"""About how many characters of German draft text make one token (Qwen2.5: 2.7 with figures, 3.4 without)."""


def section_max_tokens(source: str, limit: int) -> int:
    """Tokens a section's model call may write: about one and a half times its skeleton and a sentence more,
    at most ``limit`` (``drafting.max_tokens``) – a short section does not get the time of a long one."""
    return max(16, min(limit, int(len(source) / CHARS_PER_TOKEN * 1.5) + 64))


class ProseWriter:
    """Writes the prose of one section with a chat model; falls back to the skeleton.

    With a ``ModelBudget`` (one per draft) every call ends at the budget's deadline at the latest, and a
    call that is not expected to fit into what is left is not started."""

    def __init__(
        self, model: BaseChatModel, mode: ChatMode, settings: Settings, budget: ModelBudget | None = None
    ) -> None:
        self._model = model
        self._mode = mode
        self._settings = settings
        self._budget = budget
        self._clock = budget.clock if budget is not None else time.monotonic
        self.last_call: CallTiming | None = None
        """The last call's sizes and times (``None`` before the first, or when a section was not sent)."""

    @property
    def mode(self) -> ChatMode:
        return self._mode

    @property
    def budget(self) -> ModelBudget | None:
        return self._budget

    def _style_chars(self) -> int:
        drafting = self._settings.drafting
        return drafting.local_style_chars if self._mode == "local" else drafting.style_chars

    def write(
        self, skeleton: SectionSkeleton, request: DraftRequest, style: list[Document], allowed: AllowedMaterial,
        citations: Sequence[Citation] = (),
    ) -> DraftSection:
        prompt = prompt_for(skeleton.name)
        source = skeleton.prose or skeleton.fixed
        self.last_call = None
        if prompt is None or not source.strip():
            return DraftSection(name=skeleton.name, text=skeleton.text)
        shown, quotes = quote_markers(source)
        messages = section_messages(prompt, request, shown, _style_text(style, self._style_chars()))
        prompt_chars = sum(len(str(message.content)) for message in messages)
        budget = self._budget
        if budget is not None and not budget.affords(prompt_chars, len(shown)):
            left = budget.remaining()
            spent = "ist aufgebraucht" if left < 1 else f"reicht für diesen Abschnitt voraussichtlich nicht (noch {left:.0f} s)"
            return self._skeleton(skeleton, f"Die Zeit für das Sprachmodell ({budget.seconds:g} s je Entwurf) {spent}; "
                                  "der Abschnitt bleibt beim Entwurf ohne Sprachmodell.", "zeitbudget")
        started = self._clock()
        deadline = started + self._settings.llm.timeout_s
        if budget is not None:
            deadline = min(deadline, budget.deadline)
        first_piece: float | None = None
        pieces: list[str] = []
        try:
            with generation_deadline(deadline):
                stream = self._model.stream(
                    messages, max_tokens=section_max_tokens(shown, self._settings.drafting.max_tokens)
                )
                try:
                    for chunk in stream:
                        if first_piece is None:
                            first_piece = self._clock() - started
                        pieces.append(chunk.text)
                        if self._clock() > deadline:
                            raise TimeoutError
                finally:
                    stream.close()
        except Exception as error:  # the model/server boundary: every failure keeps the skeleton
            logger.warning("Drafting model call failed (%s): %r", self._mode, error)
            self._learn(prompt_chars, pieces, first_piece, started)
            timed_out = isinstance(error, (TimeoutError, ModelTimeoutError))
            if budget is not None and timed_out and self._clock() >= budget.deadline:
                return self._skeleton(skeleton, f"Die Zeit für das Sprachmodell ({budget.seconds:g} s je Entwurf) war "
                                      "während dieses Abschnitts aufgebraucht; der Abschnitt bleibt beim Entwurf ohne "
                                      "Sprachmodell.", "zeitbudget")
            notice = failure_notice(error, self._settings.llm.timeout_s).replace(
                "es folgt die extraktive Antwort", "der Abschnitt bleibt beim Entwurf ohne Sprachmodell"
            )
            return self._skeleton(skeleton, notice, "zeitlimit" if timed_out else "fehler")
        self._learn(prompt_chars, pieces, first_piece, started)
        text = _LEADING_HEADING.sub("", _PROMPT_LABEL_LINE.sub("", "".join(pieces))).strip()
        if not text:
            return self._skeleton(skeleton, "Das Sprachmodell lieferte keinen Text; der Abschnitt bleibt beim Entwurf "
                                  "ohne Sprachmodell.", "leer")
        text, dropped = restore_quotes(text, quotes)
        sources = CopySources(
            prompt=prompt_text(skeleton.name),
            passages={str(d.metadata.get("chunk_id")): d.page_content for d in style},
            own=[source, request.model_dump_json(), *allowed.texts],
            citations={c.index: c.chunk_id for c in citations},
        )
        kept, copied = remove_copied(text, sources)
        guarded, found = guard_text(kept, allowed)
        missing = [*(key.strip("[]") for key in dropped), *missing_figures(guarded, source)]
        if missing:
            logger.info("Drafted %s lacks %s | %s", skeleton.name, missing, text)
            return self._skeleton(
                skeleton,
                f"Der Text des Sprachmodells ließ Angaben aus ({', '.join(missing)}); "
                "der Abschnitt bleibt beim Entwurf ohne Sprachmodell.",
                "angaben_fehlen",
            )
        notices = []
        if copied:
            kinds = Counter(f.kind for f in copied)
            listed = ", ".join(f"{'aus dem Prompt' if kind == 'Prompt' else 'aus nicht zitierten Stilvorlagen'}: {count}"
                               for kind, count in kinds.items())
            notices.append(f"Sätze des Sprachmodells, die fremden Text übernahmen, sind entfernt ({listed}).")
        if not guarded.strip():
            return self._skeleton(skeleton, "Der Text des Sprachmodells bestand aus übernommenem Text; der Abschnitt "
                                  "bleibt beim Entwurf ohne Sprachmodell.", "uebernommen")
        if found:
            kinds = Counter(f.kind for f in found)
            listed = ", ".join(f"{kind}: {count}" for kind, count in kinds.items())
            notices.append(f"Nicht belegte Angaben des Sprachmodells sind durch „[bitte prüfen]“ ersetzt ({listed}).")
        body = guarded if not skeleton.prose else "\n\n".join(p for p in (guarded, skeleton.fixed) if p.strip())
        return DraftSection(name=skeleton.name, text=body, mode=self._mode, notices=notices)

    def _learn(self, prompt_chars: int, pieces: list[str], first_piece: float | None, started: float) -> None:
        call = CallTiming(prompt_chars, sum(len(p) for p in pieces), first_piece, self._clock() - started)
        self.last_call = call
        logger.info("Drafting model call (%s): %s", self._mode, call)
        if self._budget is not None:
            self._budget.learn(call)

    @staticmethod
    def _skeleton(skeleton: SectionSkeleton, notice: str, fallback: DraftFallback) -> DraftSection:
        return DraftSection(name=skeleton.name, text=skeleton.text, notices=[notice], fallback=fallback)
