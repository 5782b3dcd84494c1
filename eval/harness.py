"""Wires the evaluation to the product: index (existing or built from a corpus), pipelines, report."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from rich.console import Console

from assistant.service import AssistantService
from eval.judge import build_judge
from eval.pipelines import (
    AssistantPipeline,
    EvalPipeline,
    PlainRagChainPipeline,
    PlainRagPipeline,
    bind_answer_function,
)
from eval.questions import QuestionSet
from eval.results import PipelineRun, QuestionSetInfo, RunReport
from eval.runner import EvalRunner
from ingest.pipeline import Ingestor
from vorlagen.settings import Settings
from vorlagen.store import VorlagenStore


def settings_snapshot(settings: Settings) -> dict[str, object]:
    """The settings that shape answers, recorded in every report."""
    return {
        "llm_mode": settings.llm.mode,
        "llm_model": settings.llm.model or settings.llm.local_model_file,
        "embedding": settings.embedding.model_dump(mode="json"),
        "chunking": settings.chunking.model_dump(mode="json"),
        "retrieval": settings.retrieval.model_dump(mode="json"),
        "answer": settings.answer.model_dump(mode="json"),
        "baseline_k": settings.evaluation.baseline_k,
    }


def git_commit(directory: Path | None = None) -> str | None:
    """The checked-out commit (short), if this runs inside a git checkout."""
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=directory, capture_output=True, text=True, timeout=5, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return completed.stdout.strip() or None


def build_report(
    question_set: QuestionSet,
    runs: list[PipelineRun],
    ks: Sequence[int],
    corpus: Sequence[str],
    settings: Settings,
    duration_s: float,
    judge_model: str | None = None,
) -> RunReport:
    return RunReport(
        created_at=datetime.now().astimezone(),
        question_set=QuestionSetInfo(
            name=question_set.name, path=question_set.path, sha256=question_set.sha256, counts=question_set.counts_by_type()
        ),
        corpus=list(corpus),
        settings=settings_snapshot(settings),
        git_commit=git_commit(),
        duration_s=duration_s,
        ks=list(ks),
        runs=runs,
        judge_model=judge_model,
    )


def run_evaluation(
    settings: Settings,
    question_set: QuestionSet,
    corpus: Sequence[Path] = (),
    baseline: bool = True,
    show_progress: bool = True,
    console: Console | None = None,
    baseline_llm: bool = False,
) -> RunReport:
    """Evaluate the product (and the plain-RAG baselines) on a question set.

    With ``corpus`` the paths are ingested into ``settings.data_dir`` first (unchanged documents
    are skipped by their content hash); without, the existing index there is used. ``baseline_llm``
    adds LangChain's retrieval chain with the configured chat model (local or server) as a peer.
    """
    console = console or Console(stderr=True)
    store = VorlagenStore(settings)
    try:
        if corpus:
            console.print(f"Lese Korpus ein: {', '.join(str(path) for path in corpus)} → {settings.data_dir}")
            ingested = Ingestor(settings, store).ingest_paths(list(corpus))
            for failure in ingested.failed:
                console.print(f"[yellow]Nicht eingelesen:[/yellow] {failure.message}")
        if store.is_empty():
            raise RuntimeError(
                f"Der Index in {settings.data_dir} ist leer. Geben Sie mit --corpus Dokumente an oder "
                "lesen Sie sie vorher mit `vorlagen ingest` ein."
            )
        service = AssistantService(settings, store=store)
        pipelines: list[EvalPipeline] = [AssistantPipeline(service)]
        if baseline:
            answer = bind_answer_function(service)
            pipelines.append(PlainRagPipeline(store.vectorstore, answer, k=settings.evaluation.baseline_k))
        if baseline_llm:
            choice = service.chat_models.resolve()
            if choice.model is None:
                raise RuntimeError(
                    "Für den Vergleich mit einfachem RAG mit Sprachmodell ist kein Sprachmodell verfügbar "
                    f"({choice.notice or 'Modus extractive'})."
                )
            pipelines.append(PlainRagChainPipeline(store.vectorstore, choice.model, k=settings.evaluation.baseline_k))

        def document_text(doc_id: str) -> str | None:
            vorlage = store.get_vorlage(doc_id)
            return vorlage.text if vorlage else None

        judge = build_judge(settings)
        runner = EvalRunner(pipelines, document_text, ks=settings.evaluation.recall_ks, judge=judge, console=console)
        started = time.perf_counter()
        runs = runner.run(question_set, show_progress=show_progress)
        duration = time.perf_counter() - started
    finally:
        store.close()
    sources = [str(path) for path in corpus] or [str(settings.data_dir)]
    return build_report(question_set, runs, runner.ks, sources, settings, duration, judge.model_name if judge else None)
