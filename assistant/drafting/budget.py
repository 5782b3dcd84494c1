"""One time budget for all language-model calls of a draft (``Settings.drafting.model_budget_s``).

The budget starts before the model is resolved (loading the local model counts) and ends at a fixed point
in time. Every section's model call ends at that point at the latest (``deadline``; the local model stops
there also while it still reads its prompt, ``assistant.llm.generation_deadline``), and a section whose
call would not fit into what is left is not started (``affords``): it keeps its skeleton with a notice. So
the model part of a draft never takes longer than the budget, whatever the machine's load.

Whether a call fits is estimated from the characters of its prompt and of the text it has to write (about
the length of the section's skeleton) at a reading and a writing speed: first the local model's speeds on
two quiet cores, then the speeds measured on this draft's earlier calls (characters, not tokens: the same
unit for the estimate and the measurement, no tokenizer needed).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

READ_CHARS_PER_S = 150.0
"""Prompt characters the local model reads per second on two quiet cores (~45 tokens of ~3.3 characters)."""
WRITE_CHARS_PER_S = 30.0
"""Characters the local model writes per second on two quiet cores (~10 tokens of ~3 characters)."""


@dataclass
class CallTiming:
    """One finished or stopped model call: what it read and wrote, and how long each part took."""

    prompt_chars: int
    output_chars: int
    first_piece_s: float | None
    """Seconds until the first piece of text (reading the prompt); ``None`` when none came."""
    total_s: float


@dataclass
class ModelBudget:
    seconds: float
    clock: Callable[[], float] = time.monotonic
    read_chars_per_s: float = READ_CHARS_PER_S
    write_chars_per_s: float = WRITE_CHARS_PER_S
    calls: list[CallTiming] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.started = self.clock()
        self.deadline = self.started + self.seconds

    def remaining(self) -> float:
        return max(0.0, self.deadline - self.clock())

    def spent(self) -> float:
        return self.clock() - self.started

    def estimate(self, prompt_chars: int, output_chars: int) -> float:
        """Seconds a call is expected to take: reading the prompt, then writing ``output_chars``."""
        return prompt_chars / self.read_chars_per_s + output_chars / self.write_chars_per_s

    def affords(self, prompt_chars: int, output_chars: int) -> bool:
        """Whether a call of this size is expected to end before the deadline."""
        return self.estimate(prompt_chars, output_chars) <= self.remaining()

    def learn(self, call: CallTiming) -> None:
        """Take the speeds of a call for the next estimates. A call stopped while reading its prompt
        says at least how slow reading was."""
        self.calls.append(call)
        if call.first_piece_s is None:
            if call.total_s > 0 and call.prompt_chars:
                self.read_chars_per_s = min(self.read_chars_per_s, call.prompt_chars / call.total_s)
            return
        if call.first_piece_s > 0 and call.prompt_chars:
            self.read_chars_per_s = call.prompt_chars / call.first_piece_s
        writing = call.total_s - call.first_piece_s
        if writing > 0 and call.output_chars > 40:  # a few pieces say little about the writing speed
            self.write_chars_per_s = call.output_chars / writing
