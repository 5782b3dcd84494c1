"""Evidence for the generation tests: real sentences of a seed Vorlage, numbered like the answerer does."""

from __future__ import annotations

import functools
import subprocess
import sys

import re
from pathlib import Path

import pytest

from vorlagen.domain import Answer, Citation
from vorlagen.settings import Settings

SEED_FILE = "stuttgart_grdrs_862_2021_amtsgruendung_digitalisierung.txt"
# Sentences of GRDrs 862/2021, found by a phrase each (the typical 6 one-sentence passages).
SEED_PHRASES = (
    "insgesamt 7,5 Stellen",
    "zusätzliche Personalaufwendungen i. H. v.",
    "Beratungsunternehmen „Next Digital Group“",
    "Im Jahr 2019 wurde die Digitalisierungsstrategie",
    "Als strategische Maßnahme soll daher zum 01.01.2022",
    "Seit 2018 wurden bereits diverse Maßnahmen",
)
_SENTENCE_END = re.compile(r"(?<=[a-zäöüß)\d“])[.:](?=\s)")


def seed_text() -> str:
    path = Settings().shared_dir / "corpus" / "seeds" / SEED_FILE
    if not path.is_file():
        pytest.skip(f"Geteilte Daten fehlen: {path} (Settings.shared_dir)")
    return path.read_text(encoding="utf-8")


def sentence_with(text: str, phrase: str) -> tuple[str, int, int]:
    """The sentence of ``text`` containing ``phrase``, with its offsets."""
    at = text.index(phrase)
    start = max(text.rfind("\n", 0, at) + 1, max((m.end() for m in _SENTENCE_END.finditer(text, 0, at)), default=0))
    end_match = _SENTENCE_END.search(text, at + len(phrase))
    end = end_match.end() if end_match else len(text)
    sentence = text[start:end]
    stripped = sentence.lstrip()
    return stripped.strip(), start + len(sentence) - len(stripped), end


def seed_evidence(phrases: tuple[str, ...] = SEED_PHRASES) -> list[Citation]:
    text = seed_text()
    evidence = []
    for index, phrase in enumerate(phrases, start=1):
        quote, start, end = sentence_with(text, phrase)
        evidence.append(
            Citation(
                index=index,
                doc_id=SEED_FILE,
                chunk_id=f"{SEED_FILE}#{start}",
                source_name=SEED_FILE,
                drucksache="GRDrs 862/2021",
                title="Amtsgründung Amt für Digitalisierung und IT",
                quote=quote,
                start=start,
                end=end,
            )
        )
    return evidence


def extractive_answer(question: str, evidence: list[Citation]) -> Answer:
    """A stand-in for the extractive answerer's result: its first passage, cited."""
    return Answer(question=question, text=f"{evidence[0].quote} [1]", citations=evidence[:1], support=0.8)


def model_file() -> Path:
    """The installed local model; skips when it is not installed, or when llama.cpp cannot run it on this
    CPU (a build for another instruction set stops the whole test process with "Illegal instruction")."""
    settings = Settings()
    path = settings.llm.model_dir / settings.llm.local_model_file
    if not path.is_file():
        pytest.skip(f"Lokales Sprachmodell nicht installiert ({path}); „vorlagen models install“ installiert es.")
    problem = _llama_cpp_crash(str(path))
    if problem:
        pytest.skip(problem)
    return path


_PROBE = """
import sys
from llama_cpp import Llama
model = Llama(model_path=sys.argv[1], n_ctx=512, n_batch=512, n_threads=2, verbose=False)
model.create_completion("Die Stadt plant den Neubau einer Sporthalle. " * 12, max_tokens=2)
"""


@functools.lru_cache(maxsize=1)
def _llama_cpp_crash(path: str) -> str | None:
    """Run the model once in a child process (a prompt long enough for the batched kernels): None when it
    works or llama.cpp is not installed, else why the real-model tests cannot run here."""
    try:
        done = subprocess.run([sys.executable, "-c", _PROBE, path], capture_output=True, timeout=300, check=False)
    except subprocess.TimeoutExpired:
        return "Das lokale Modell antwortete im Probelauf nicht binnen 300 s."
    if done.returncode == 0 or b"No module named 'llama_cpp'" in done.stderr:
        return None
    last = (done.stderr.decode(errors="replace").strip().splitlines() or [""])[-1]
    why = f"Signal {-done.returncode}" if done.returncode < 0 else f"Exit {done.returncode}: {last}"
    return (f"llama.cpp bricht auf dieser CPU ab ({why}, 4 = Illegal instruction); „make llm“ baut es mit den "
            "CMAKE_ARGS des Makefiles für jede AVX2-CPU neu.")
