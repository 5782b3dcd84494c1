"""The language-model layer: a section's prose written from its skeleton, the request and style passages.

One prompt file per section (``prompts/draft_<abschnitt>.txt``). The model's text passes the invention
guard (``guard.guard_text``: unbacked figures, dates, references and names become „[bitte prüfen]“) and
must keep every figure of the skeleton; otherwise, and on any failure of the model, the section stays
the skeleton with a German notice. Tables, numbered items and cited references are never rewritten.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from langchain_core.documents import Document
from langchain_core.language_models import BaseChatModel
from langchain_core.prompts import ChatPromptTemplate

from assistant.drafting.guard import AllowedMaterial, CopySources, guard_text, missing_figures, remove_copied
from assistant.drafting.skeleton import SectionSkeleton
from assistant.generation import failure_notice, load_answer_prompt
from assistant.llm import ChatMode
from vorlagen.domain import Citation, DraftRequest, DraftSection
from vorlagen.settings import Settings

logger = logging.getLogger(__name__)

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
_SLUGS = {
    "Beschlussantrag": "beschlussantrag",
    "Begründung": "begruendung",
    "Finanzielle Auswirkungen": "finanzielle_auswirkungen",
    "Personelle Auswirkungen": "personelle_auswirkungen",
}
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
    return text[:limit_chars] or "(keine)"


class ProseWriter:
    """Writes the prose of one section with a chat model; falls back to the skeleton."""

    def __init__(self, model: BaseChatModel, mode: ChatMode, settings: Settings) -> None:
        self._model = model
        self._mode = mode
        self._settings = settings

    @property
    def mode(self) -> ChatMode:
        return self._mode

    def write(
        self, skeleton: SectionSkeleton, request: DraftRequest, style: list[Document], allowed: AllowedMaterial,
        citations: Sequence[Citation] = (),
    ) -> DraftSection:
        prompt = prompt_for(skeleton.name)
        source = skeleton.prose or skeleton.fixed
        if prompt is None or not source.strip():
            return DraftSection(name=skeleton.name, text=skeleton.text)
        messages = prompt.format_messages(
            betreff=request.betreff, vorlagenart=request.vorlagenart, skeleton=source, style=_style_text(style)
        )
        started = time.perf_counter()
        deadline = started + self._settings.llm.timeout_s
        pieces: list[str] = []
        stream = self._model.stream(messages, max_tokens=self._settings.drafting.max_tokens)
        try:
            for chunk in stream:
                pieces.append(chunk.text)
                if time.perf_counter() > deadline:
                    raise TimeoutError
        except Exception as error:  # the model/server boundary: every failure keeps the skeleton
            logger.warning("Drafting model call failed (%s): %r", self._mode, error)
            notice = failure_notice(error, self._settings.llm.timeout_s).replace(
                "es folgt die extraktive Antwort", "der Abschnitt bleibt beim Entwurf ohne Sprachmodell"
            )
            return self._skeleton(skeleton, notice)
        finally:
            stream.close()
        text = _LEADING_HEADING.sub("", "".join(pieces)).strip()
        if not text:
            return self._skeleton(skeleton, "Das Sprachmodell lieferte keinen Text; der Abschnitt bleibt beim Entwurf ohne Sprachmodell.")
        sources = CopySources(
            prompt=prompt_text(skeleton.name),
            passages={str(d.metadata.get("chunk_id")): d.page_content for d in style},
            own=[source, request.model_dump_json(), *allowed.texts],
            citations={c.index: c.chunk_id for c in citations},
        )
        kept, copied = remove_copied(text, sources)
        guarded, found = guard_text(kept, allowed)
        missing = missing_figures(guarded, source)
        if missing:
            logger.info("Drafted %s lacks %s | %s", skeleton.name, missing, text)
            return self._skeleton(
                skeleton,
                f"Der Text des Sprachmodells ließ Angaben aus ({', '.join(missing)}); "
                "der Abschnitt bleibt beim Entwurf ohne Sprachmodell.",
            )
        notices = []
        if copied:
            kinds = Counter(f.kind for f in copied)
            listed = ", ".join(f"{'aus dem Prompt' if kind == 'Prompt' else 'aus nicht zitierten Stilvorlagen'}: {count}"
                               for kind, count in kinds.items())
            notices.append(f"Sätze des Sprachmodells, die fremden Text übernahmen, sind entfernt ({listed}).")
        if not guarded.strip():
            return self._skeleton(skeleton, "Der Text des Sprachmodells bestand aus übernommenem Text; der Abschnitt bleibt beim Entwurf ohne Sprachmodell.")
        if found:
            kinds = Counter(f.kind for f in found)
            listed = ", ".join(f"{kind}: {count}" for kind, count in kinds.items())
            notices.append(f"Nicht belegte Angaben des Sprachmodells sind durch „[bitte prüfen]“ ersetzt ({listed}).")
        body = guarded if not skeleton.prose else "\n\n".join(p for p in (guarded, skeleton.fixed) if p.strip())
        return DraftSection(name=skeleton.name, text=body, mode=self._mode, notices=notices)

    @staticmethod
    def _skeleton(skeleton: SectionSkeleton, notice: str) -> DraftSection:
        return DraftSection(name=skeleton.name, text=skeleton.text, notices=[notice])
