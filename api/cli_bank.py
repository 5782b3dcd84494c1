"""``vorlagen eval bank-index``, ``bank-split``, ``train`` and ``learning-curve``: the question bank's index, its
split by paper, the training of the answer scorer on it and its learning curve (``eval/README.md`` has the
protocol)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from api.cli_context import cli_settings, open_store
from eval.question_bank import (
    REAL_FILES,
    SPLITS,
    anchor_papers,
    place_new_questions,
    select_papers,
    split_by_paper,
    write_bank_dump,
)
from vorlagen.formatting import format_number
from vorlagen.settings import Settings, absolute

BANK_DIR = Path(__file__).resolve().parents[1] / "eval" / "bank"
SCORER_FILE = Path(__file__).resolve().parents[1] / "assistant" / "data" / "answer_scorer.json"

IndexOption = Annotated[Path, typer.Option("--index", help="Ordner des Index der Fragenbank.")]
BankOption = Annotated[Path, typer.Option("--bank", help="Ordner der Fragenbank (papers.txt, raw/, train/dev/test.jsonl).")]


def _index_settings(ctx: typer.Context, index: Path) -> Settings:
    settings = cli_settings(ctx)
    return settings.model_copy(update={"data_dir": absolute(index)})


def bank_index_command(ctx: typer.Context, index: IndexOption, bank: BankOption = BANK_DIR) -> None:
    """Index der Fragenbank bauen: ihre Karlsruher Vorlagen (papers.txt) und die Dokumente anderer Städte.

    Beispiel: vorlagen eval bank-index --index ~/vorlagen-bank
    """
    from ingest.parallel import ParallelIngestor

    settings = _index_settings(ctx, index)
    shared = settings.shared_dir
    references = (bank / "papers.txt").read_text(encoding="utf-8").split()
    folder = absolute(index) / "bank-papers"  # the dump, with the meetings and organizations dumps beside it
    dump = folder / "bank-papers.jsonl.gz"
    written = write_bank_dump(shared, references, dump)
    for companion in ("karlsruhe-meetings.jsonl.gz", "karlsruhe-organizations.jsonl.gz"):
        link = folder / companion
        if not link.exists():
            link.symlink_to(shared / "corpus" / "karlsruhe" / companion)
    console = Console()
    console.print(f"{written} Karlsruher Vorlagen und {len(REAL_FILES)} Dokumente anderer Städte werden eingelesen.")
    store = open_store(settings)
    paths = [dump, *(shared / name for name in REAL_FILES)]
    with Progress(console=console) as progress:
        task = progress.add_task("Vorlagen", total=written + len(REAL_FILES))
        report = ParallelIngestor(settings, store).ingest_paths(
            paths, progress=lambda event: progress.update(task, advance=1) if event.vorlage else None)
    console.print(f"Index: {store.count_documents()} Dokumente, {store.count_chunks()} Abschnitte "
                  f"({report.seconds:.0f} s).")
    if report.failed:
        raise typer.Exit(1)


def bank_papers_command(ctx: typer.Context, bank: BankOption = BANK_DIR) -> None:
    """Die Karlsruher Vorlagen der Fragenbank neu auswählen (gesetzter Zufall; nur einmal nötig) und prüfen,
    dass papers.txt dazu passt."""
    settings = cli_settings(ctx)
    sets = [*sorted((settings.shared_dir / "eval").glob("*.jsonl")),
            *(bank.parent / "sets" / f"karlsruhe_{name}.jsonl" for name in ("alltag", "frisch"))]
    chosen = select_papers(settings.shared_dir, sets)
    path = bank / "papers.txt"
    if path.exists() and path.read_text(encoding="utf-8").split() != chosen:
        typer.echo(f"{path} weicht von der gesetzten Auswahl ab; nichts geändert.", err=True)
        raise typer.Exit(1)
    path.write_text("\n".join(chosen) + "\n", encoding="utf-8")
    typer.echo(f"{len(chosen)} Vorlagen in {path}.")


def bank_split_command(bank: BankOption = BANK_DIR) -> None:
    """Die Fragen aus raw/*.jsonl nach Vorlage in train/dev/test aufteilen (gesetzter Zufall). Besteht die
    Aufteilung schon, kommen später geschriebene Fragen zum Teil ihrer Vorlage – nur zu train oder dev; eine
    Frage zu einer Vorlage des versiegelten Test-Teils oder zu einer neuen Vorlage bricht ab, ohne etwas zu
    schreiben. Vorhandene Zeilen werden nie geändert."""
    targets = {split: bank / f"{split}.jsonl" for split in SPLITS}
    written = [json.loads(line) for raw in sorted((bank / "raw").glob("*.jsonl"))
               for line in raw.read_text(encoding="utf-8").splitlines() if line.strip()]
    if any(path.exists() for path in targets.values()):
        splits = {split: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
                  if path.exists() else [] for split, path in targets.items()}
        try:
            new = place_new_questions(written, splits)
        except ValueError as error:
            typer.echo(f"Nichts geändert: {error}", err=True)
            raise typer.Exit(1) from error
        for split, questions in new.items():
            if questions:
                with targets[split].open("a", encoding="utf-8") as out:
                    out.writelines(json.dumps(question, ensure_ascii=False) + "\n" for question in questions)
            typer.echo(f"{split}: {len(questions)} neue Fragen (jetzt {len(splits[split]) + len(questions)})")
        return
    anchors = anchor_papers(written)
    split_of = split_by_paper(anchors.values())
    lines: dict[str, list[str]] = {split: [] for split in targets}
    for question in written:
        lines[split_of[anchors[question["id"]]]].append(json.dumps(question, ensure_ascii=False))
    for split, path in targets.items():
        path.write_text("\n".join(lines[split]) + "\n", encoding="utf-8")
        typer.echo(f"{split}: {len(lines[split])} Fragen")


def train_command(
    ctx: typer.Context,
    index: IndexOption,
    bank: BankOption = BANK_DIR,
    out: Annotated[Path, typer.Option("--out", help="Zieldatei des Antwortmodells.")] = SCORER_FILE,
    reuse: Annotated[bool, typer.Option("--reuse/--no-reuse", help="Gespeicherte Kandidaten verwenden statt neu zu sammeln.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Kennzahlen als JSON auf stdout.")] = False,
    compare: Annotated[bool, typer.Option(
        "--compare/--no-compare",
        help="Zusätzlich Schwellen und Prüfmodell verschachtelt kreuzvalidiert vergleichen "
             "(≈ 4 min; Mittel aus drei Ziehungen der Teile).")] = False,
) -> None:
    """Das Antwortmodell trainieren: Kandidaten der Fragenbank sammeln (train, dev), logistische Regression auf
    train, Regularisierung und die Schwellen für „keine Antwort“ (Werte, Sätze) durch Kreuzvalidierung über train
    und dev wählen, dazu das Prüfmodell (beantworten oder ablehnen, aus der ganzen Rangfolge einer Teilfrage) und
    seine Schwelle; schreibt Modell, Kandidaten und Kennzahlen. Der versiegelte Test-Teil wird nicht gelesen.

    Beispiel: vorlagen eval train --index ~/vorlagen-bank
    """
    from assistant.scorer import AnswerScorer
    from assistant.service import AssistantService
    from eval import train as training
    from eval import train_sentences as sentence_training

    data_dir = bank / "training"
    rows = {split: data_dir / f"{split}-candidates.jsonl.gz" for split in ("train", "dev")}
    sentence_rows = {split: data_dir / f"{split}-sentences.jsonl.gz" for split in ("train", "dev")}
    console = Console(stderr=as_json)
    if reuse and all(path.exists() for path in [*rows.values(), *sentence_rows.values()]):
        data = {split: training.read_rows(path) for split, path in rows.items()}
        sentences = {split: sentence_training.read_sentence_rows(path) for split, path in sentence_rows.items()}
    else:
        settings = _index_settings(ctx, index)
        service = AssistantService(settings, open_store(settings), scorer=AnswerScorer.untrained())
        data, sentences = {}, {}
        for split in ("train", "dev"):
            questions = training.load_split(bank, split)
            with Progress(console=console) as progress:
                task = progress.add_task(f"Kandidaten ({split})", total=len(questions))
                data[split] = training.collect(service, questions, lambda _: progress.advance(task))
                task = progress.add_task(f"Sätze ({split})", total=len(questions))
                sentences[split] = sentence_training.collect_sentences(service, questions,
                                                                       lambda _: progress.advance(task))
            training.write_rows(rows[split], data[split])
            sentence_training.write_sentence_rows(sentence_rows[split], sentences[split])
    ranker = sentence_training.fit_sentences(sentences["train"])
    ranked = {f"sentences_{split}_top_right_{name}": sentence_training.top_sentence_right(sentences[split], score)
              for split in ("train", "dev")
              for name, score in (("learned", ranker.probability), ("hand", sentence_training.hand_score))}
    ranked |= {f"sentences_{split}_questions": len(sentences[split]) for split in ("train", "dev")}
    ranker = ranker.model_copy(update={"trained_on": {"bank": "eval/bank", "seed": sentence_training.SEED,
                                                       "C": sentence_training.C} | ranked})
    ranker.save(out.parent / "sentence_ranker.json")
    papers = training.papers_of([*training.load_split(bank, "train"), *training.load_split(bank, "dev")])
    c, thresholds, cross_validated = training.choose_by_cross_validation(data["train"] + data["dev"], papers)
    verifier, verified = training.choose_verifier(data["train"] + data["dev"], papers, c,
                                                  {question.question_id for question in data["train"]})
    scorer = training.fit(data["train"], c).model_copy(update={"verifier": verifier})
    dev_score = training.score_split(scorer, data["dev"], thresholds)
    train_score = training.score_split(scorer, data["train"], thresholds)
    chosen = {"threshold": thresholds.value, "sentence_threshold": thresholds.sentence, "C": c,
              "verifier_threshold": verifier.threshold}
    scorer = scorer.model_copy(update={
        "threshold": thresholds.value,
        "sentence_threshold": thresholds.sentence,
        "version": f"bank-{sum(len(q.rows) for q in data['train'])}-C{c}",
        "trained_on": {"bank": "eval/bank", "train_questions": len(data["train"]), "dev_questions": len(data["dev"]),
                       "seed": training.SEED, "C": c, "selection": f"{training.FOLDS}-fold CV over train+dev by paper"},
        "metrics": training.as_metrics("train", train_score, training.ranking_accuracy(scorer, data["train"]))
        | training.as_metrics("dev", dev_score, training.ranking_accuracy(scorer, data["dev"]))
        | {f"cv_{name}": value for name, value in training.per_draw(cross_validated).items()}
        | {f"cv_verified_{name}": value for name, value in vars(verified).items()},
    })
    scorer.save(out)
    if compare:
        by_thresholds, by_verifier = training.nested_comparison(data["train"] + data["dev"], papers)
        thresholds_mean, verifier_mean = training.per_draw(by_thresholds), training.per_draw(by_verifier)
        ranked |= {f"nested_thresholds_{name}": value for name, value in thresholds_mean.items()}
        ranked |= {f"nested_verifier_{name}": value for name, value in verifier_mean.items()}
        console.print(f"Verschachtelt kreuzvalidiert (Mittel aus {training.REPEATS} Ziehungen der Teile): Schwellen "
                      f"richtig {thresholds_mean['right']:g}, falscher Wert {thresholds_mean['wrong']:g}, Nutzen "
                      f"{thresholds_mean['utility']:g}; Prüfmodell richtig {verifier_mean['right']:g}, falscher Wert "
                      f"{verifier_mean['wrong']:g}, Nutzen {verifier_mean['utility']:g}")
    training.dump_json(data_dir / "metrics.json", scorer.metrics | chosen | ranked)
    if as_json:
        typer.echo(json.dumps(scorer.metrics | chosen | ranked, indent=1))
        return
    console.print(f"Satzmodell {out.parent / 'sentence_ranker.json'}: bester Satz enthält die Angabe bei "
                  f"{ranked['sentences_dev_top_right_learned']} von {ranked['sentences_dev_questions']} dev-Fragen "
                  f"(von Hand gewichtet: {ranked['sentences_dev_top_right_hand']})")
    console.print(f"Antwortmodell {out} (C = {c}; Prüfmodell mit Schwelle {verifier.threshold}, Kreuzvalidierung: "
                  f"richtig {verified.right}, falscher Wert {verified.wrong}, Nutzen {verified.utility:g}; ohne Prüfmodell "
                  f"Schwelle für Werte {thresholds.value}, für Sätze {thresholds.sentence}, Nutzen {training.per_draw(cross_validated)['utility']:g}):")
    for name, split_score in (("train", train_score), ("dev", dev_score)):
        console.print(f"  {name}: richtig {split_score.right}, falscher Wert {split_score.wrong}, "
                      f"abgelehnt (beantwortbar) {split_score.refused_answerable}, "
                      f"Beinahe-Treffer abgelehnt {split_score.refused_unanswerable}, "
                      f"beantwortet obwohl unbeantwortbar {split_score.answered_unanswerable} "
                      f"von {split_score.questions} Fragen mit Kandidaten")
        right, reachable = training.ranking_accuracy(scorer, data[name])
        console.print(f"    bester Kandidat richtig bei {right} von {reachable} Fragen, die einen richtigen haben")
    console.print(training.describe(scorer))


def learning_curve_command(
    bank: BankOption = BANK_DIR,
    scorer_file: Annotated[Path, typer.Option("--scorer", help="Antwortmodell, dessen Regularisierung C gilt.")] = SCORER_FILE,
    draws: Annotated[int, typer.Option("--draws", min=1, help="Wie oft die fünf Teile neu gezogen werden.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Die Punkte der Kurve als JSON auf stdout.")] = False,
) -> None:
    """Lernkurve: Würden mehr Fragen helfen? Bewertungs- und Prüfmodell auf einem wachsenden Anteil der Vorlagen
    von train + dev angepasst, gemessen auf Teilen, die sie nicht sahen (fünf Teile nach Vorlage, drei Ziehungen;
    gespeicherte Kandidaten, kein Index nötig, ≈ 3 min). Steigt die Kurve zum Ende nicht mehr, begrenzen die
    Merkmale den Leser, nicht die Menge der Fragen.

    Beispiel: vorlagen eval learning-curve
    """
    from assistant.scorer import AnswerScorer
    from eval import train as training
    from eval.learning_curve import learning_curve

    data_dir = bank / "training"
    data = [row for split in ("train", "dev") for row in training.read_rows(data_dir / f"{split}-candidates.jsonl.gz")]
    papers = training.papers_of([*training.load_split(bank, "train"), *training.load_split(bank, "dev")])
    c = float(AnswerScorer.load(scorer_file).trained_on["C"])
    console = Console(stderr=as_json)
    with Progress(console=console) as progress:
        task = progress.add_task("Falten", total=training.FOLDS * draws)
        points = learning_curve(data, papers, c, repeats=draws, on_fold=lambda: progress.advance(task))
    if as_json:
        typer.echo(json.dumps([point.model_dump() for point in points], indent=1))
        return
    console.print(f"Lernkurve (C = {format_number(c)}; Mittel aus {draws} Ziehungen, jede Frage von train + dev je "
                  "Ziehung einmal gemessen):")
    for point in points:
        share, fitted = format_number(point.fraction * 100, 0), format_number(point.fitted_questions, 1)
        console.print(f"  {share} % der Vorlagen ({fitted} Fragen je Teil): richtig {format_number(point.right, 1)}, "
                      f"falscher Wert {format_number(point.wrong, 1)}, Nutzen {format_number(point.utility, 1)}; "
                      f"bester Kandidat richtig bei {format_number(point.ranked_right, 1)} von "
                      f"{format_number(point.reachable, 1)}")
