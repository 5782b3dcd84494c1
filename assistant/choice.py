"""A language model that only chooses: for each question part, one of the numbered candidate values
the extractive layer found (or none), as grammar-constrained JSON.

The small local model is unreliable at writing (it drops the second fact of a two-part answer, turns a
count into a euro amount, copies figures from prompt examples) but can read a handful of numbered
candidates and say which answers which part. Its output is constrained by a JSON schema — llama.cpp
turns ``response_format`` with a schema into a grammar; OpenAI-compatible servers take a
``json_schema`` response format — so it can only name candidate numbers. The answer is then composed
from the chosen candidates by code: no figure can be invented or changed, and every part keeps a
value of the asked type. Any failure (server down, timeout, unparsable output) keeps the extractive
choice, with a German notice.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.prompts import ChatPromptTemplate
from pydantic import BaseModel, ValidationError

from assistant.llm import ChatMode

logger = logging.getLogger(__name__)

PROMPT_FILE = Path(__file__).resolve().parents[1] / "prompts" / "choose_de.txt"


class Candidate(BaseModel):
    """A value the extractive layer found for a question part, with the sentence it stands in."""

    value: str
    sentence: str


class ChoiceResult(BaseModel):
    choices: list[int | None]
    """Per part: the index (0-based) into that part's candidates, or None for "none fits"."""
    notice: str | None = None
    seconds: float = 0.0


def _schema(parts: int, most: int) -> dict[str, object]:
    return {
        "type": "object",
        "properties": {
            "wahl": {
                "type": "array",
                "items": {"type": "integer", "minimum": 0, "maximum": most},
                "minItems": parts,
                "maxItems": parts,
            }
        },
        "required": ["wahl"],
    }


class _Reply(BaseModel):
    wahl: list[int]


class CandidateChooser:
    """Asks a chat model to choose among numbered candidates per question part."""

    def __init__(self, model: BaseChatModel, mode: ChatMode, timeout_s: float) -> None:
        self._model = model
        self._mode = mode
        self._timeout_s = timeout_s
        self._prompt = ChatPromptTemplate.from_messages(
            [("system", PROMPT_FILE.read_text(encoding="utf-8").strip()), ("human", "{task}")]
        )

    @property
    def mode(self) -> ChatMode:
        return self._mode

    def _bound(self, schema: dict[str, object]) -> BaseChatModel:
        if self._mode == "local":
            return self._model.bind(response_format={"type": "json_object", "schema": schema})  # type: ignore[return-value]
        return self._model.bind(  # type: ignore[return-value]
            response_format={"type": "json_schema", "json_schema": {"name": "auswahl", "schema": schema, "strict": True}}
        )

    @staticmethod
    def task_text(question: str, parts: Sequence[str], candidates: Sequence[Sequence[Candidate]]) -> str:
        lines = [f"Frage: {question.strip()}", ""]
        number = 0
        for part_index, (part, options) in enumerate(zip(parts, candidates, strict=True), start=1):
            lines.append(f"Teilfrage {part_index}: {part.strip()}")
            for option in options:
                number += 1
                lines.append(f"  ({number}) {option.value} – aus: „{option.sentence.strip()[:300]}“")
            lines.append("")
        lines.append(
            f"Antworte mit JSON: {{\"wahl\": [...]}} mit {len(parts)} Zahl(en), je Teilfrage die Nummer des "
            "passenden Kandidaten oder 0, wenn keiner die Teilfrage beantwortet."
        )
        return "\n".join(lines)

    def choose(self, question: str, parts: Sequence[str], candidates: Sequence[Sequence[Candidate]]) -> ChoiceResult:
        started = time.perf_counter()
        total = sum(len(options) for options in candidates)
        try:
            messages = self._prompt.format_messages(task=self.task_text(question, parts, candidates))
            reply = self._bound(_schema(len(parts), total)).invoke(messages, config={"timeout": self._timeout_s})
            parsed = _Reply.model_validate(json.loads(str(reply.content)))
        except (ValidationError, json.JSONDecodeError) as error:
            logger.info("Candidate choice unparsable: %r", error)
            return ChoiceResult(choices=[], notice="Das Sprachmodell lieferte keine verwertbare Auswahl; "
                                "es gilt die Auswahl ohne Sprachmodell.", seconds=time.perf_counter() - started)
        except Exception as error:  # the model/server boundary: every failure keeps the extractive choice
            logger.warning("Candidate choice failed (%s): %r", self._mode, error)
            return ChoiceResult(choices=[], notice="Das Sprachmodell war nicht verfügbar; es gilt die Auswahl "
                                "ohne Sprachmodell.", seconds=time.perf_counter() - started)
        return ChoiceResult(choices=_per_part(parsed.wahl, candidates), seconds=time.perf_counter() - started)


def _per_part(numbers: Sequence[int], candidates: Sequence[Sequence[Candidate]]) -> list[int | None]:
    """Global candidate numbers (1-based, 0 = none) -> per-part indexes; a number outside its part's
    candidates counts as none."""
    choices: list[int | None] = []
    offset = 0
    for number, options in zip(numbers, candidates, strict=False):
        index = number - offset - 1
        choices.append(index if 0 <= index < len(options) else None)
        offset += len(options)
    return choices
