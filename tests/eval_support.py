"""Helpers for the evaluation tests: the shared data folder and a tiny keyword pipeline over real files.

``KeywordPipeline`` is an independent, deliberately simple retrieve-and-quote pipeline (token overlap,
first matching sentence). It lets the harness be exercised on the real seeds corpus and questions
without the product's index; it is not a stand-in for the product's quality.
"""

from __future__ import annotations

import re
from pathlib import Path

from langchain_core.documents import Document

from eval.pipelines import PipelineOutput
from vorlagen.domain import Answer, Citation

_WORD = re.compile(r"\w+")


def seeds_texts(shared: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted((shared / "corpus" / "seeds").glob("*.txt"))}


def chunk_documents(texts: dict[str, str], size: int = 800) -> list[Document]:
    documents = []
    for name, text in texts.items():
        for number, start in enumerate(range(0, len(text), size)):
            documents.append(
                Document(
                    page_content=text[start : start + size],
                    metadata={"doc_id": name, "source_name": name, "chunk_id": f"{name}#{number}", "start": start,
                              "end": min(start + size, len(text))},
                )
            )
    return documents


def _tokens(text: str) -> set[str]:
    return {token for token in _WORD.findall(text.lower()) if len(token) > 3}


class KeywordPipeline:
    """Ranks chunks by shared words with the question; answers with the best chunk's best sentence."""

    def __init__(self, name: str, label: str, texts: dict[str, str], min_overlap: int = 2) -> None:
        self.name, self.label = name, label
        self._texts = texts
        self._chunks = chunk_documents(texts)
        self._min_overlap = min_overlap

    def run(self, question: str, ranking_depth: int) -> PipelineOutput:
        wanted = _tokens(question)
        ranked = sorted(self._chunks, key=lambda d: -len(wanted & _tokens(d.page_content)))[:ranking_depth]
        best = ranked[0]
        sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n+", best.page_content) if s.strip()]
        sentence = max(sentences, key=lambda s: len(wanted & _tokens(s)))
        if len(wanted & _tokens(sentence)) < self._min_overlap:
            answer = Answer(question=question, text="Dazu enthalten die vorliegenden Vorlagen keine Angabe.", refused=True)
        else:
            text = self._texts[best.metadata["doc_id"]]
            start = text.index(sentence, best.metadata["start"])
            citation = Citation(index=1, doc_id=best.metadata["doc_id"], chunk_id=best.metadata["chunk_id"],
                                source_name=best.metadata["source_name"], quote=sentence, start=start,
                                end=start + len(sentence))
            answer = Answer(question=question, text=f"{sentence} [1]", citations=[citation], mode="stichwort")
        return PipelineOutput(ranking=ranked, answer=answer, timings={"retrieve": 0.001, "answer": 0.001, "total": 0.002})


class RecordedPipeline:
    """Runs a pipeline once per question and replays its outputs (re-scoring costs nothing)."""

    def __init__(self, inner) -> None:  # noqa: ANN001 - any EvalPipeline
        self.name, self.label = inner.name, inner.label
        self._inner = inner
        self._outputs: dict[str, PipelineOutput] = {}

    def run(self, question: str, ranking_depth: int) -> PipelineOutput:
        if question not in self._outputs:
            self._outputs[question] = self._inner.run(question, ranking_depth)
        return self._outputs[question]


class DigitShiftingPipeline:
    """A deliberate regression: every digit of the answer text is shifted by one (7,5 -> 8,6)."""

    def __init__(self, inner) -> None:  # noqa: ANN001 - any EvalPipeline
        self.name, self.label = inner.name, inner.label
        self._inner = inner

    def run(self, question: str, ranking_depth: int) -> PipelineOutput:
        output = self._inner.run(question, ranking_depth)
        shifted = re.sub(r"\d", lambda m: str((int(m.group(0)) + 1) % 10), output.answer.text)
        return PipelineOutput(output.ranking, output.answer.model_copy(update={"text": shifted}), output.timings)
