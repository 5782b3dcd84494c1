"""The learned answer layer: candidates and their features on reworded text, the shipped scorer, and
training that reproduces it.

Candidates are generated from passages the test writes itself, in wordings no evaluation question uses;
the features must say what the text says (a label naming the asked thing, another year, an amount per
the asked period), whatever the scorer later makes of them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.documents import Document

from assistant.candidates import FEATURES, Candidate, Evidence, candidates_for_part
from assistant.compose import value_text
from assistant.extractive import ExtractiveAnswerer
from assistant.question import analyze_question
from assistant.reader import FactReader
from assistant.scorer import DEFAULT_SCORER, AnswerScorer, ScorerError
from assistant.verifier import VERIFIER_FEATURES, part_features
from vorlagen.settings import AnswerSettings

BANK = Path(__file__).resolve().parent.parent / "eval" / "bank"


def _chunk(text: str, doc_id: str = "d1", rank: int = 1, year: int | None = 2025) -> Document:
    return Document(page_content=text, metadata={
        "chunk_id": f"{doc_id}:{rank}", "doc_id": doc_id, "source_name": doc_id, "start": 0, "end": len(text),
        "rank": rank, "title": "Sanierung der Sporthalle am Waldrand", "year": year})


def _candidates(question: str, chunks: list[Document]) -> list[Candidate]:
    extractive = ExtractiveAnswerer(AnswerSettings(), idf=lambda _: 1.0)
    analysis = analyze_question(question)
    weights = extractive.question_weights(question)
    sentences = extractive.score_sentences(question, chunks, weights)
    evidence = Evidence(sentences, frozenset(str(c.metadata["chunk_id"]) for c in chunks),
                        {str(c.metadata["doc_id"]): i for i, c in enumerate(chunks, start=1)},
                        {str(c.metadata["doc_id"]): frozenset() for c in chunks})
    return candidates_for_part(analysis.parts[0], analysis, evidence, weights)


def _by_value(candidates: list[Candidate]) -> dict[str, Candidate]:
    return {value_text(c): c for c in candidates}


def test_every_amount_of_the_evidence_is_a_candidate_and_a_label_naming_the_asked_thing_is_seen() -> None:
    text = ("Für die Sanierung der Sporthalle am Waldrand fallen Planungskosten von 48.000 Euro an. "
            "Gesamtkosten: 1.240.500,00 Euro. Der Zuschuss des Landes beträgt 300.000 Euro.")
    found = _by_value(_candidates("Was kostet die Sanierung der Halle am Waldrand insgesamt?", [_chunk(text)]))
    assert {"48.000 Euro", "1.240.500,00 Euro", "300.000 Euro"} <= set(found)
    total = found["1.240.500,00 Euro"]
    assert total.feature("focus_in_label") == 1.0 and found["300.000 Euro"].feature("focus_in_label") == 0.0
    assert len(total.features) == len(FEATURES)


def test_another_year_and_a_rate_per_another_period_are_measured() -> None:
    text = ("Im Jahr 2024 lag die Nutzungsgebühr bei 35 Euro pro Stunde. "
            "Ab 2026 verlangt die Stadt für die Halle jährlich 12.000 Euro Miete vom Verein.")
    found = _by_value(_candidates("Wie viel Miete zahlt der Verein 2026 pro Jahr für die Halle?", [_chunk(text)]))
    yearly, hourly = found["12.000 Euro"], found["35 Euro pro Stunde"]
    assert yearly.feature("year_agrees") == 1.0 and yearly.feature("period_agrees") == 1.0
    assert hourly.feature("year_conflicts") == 1.0 and hourly.feature("period_conflicts") == 1.0


def test_a_count_of_the_asked_noun_and_a_value_already_in_the_question() -> None:
    text = "Für die 3 Schulen am Waldrand entstehen 14 neue Betreuungsplätze."
    found = _by_value(_candidates("Wie viele Betreuungsplätze entstehen an den 3 Schulen?", [_chunk(text)]))
    assert found["14 neue Betreuungsplätze"].feature("counts_the_noun") == 1.0
    assert found["3 Schulen"].feature("value_in_question") == 1.0


def test_the_value_after_a_change_is_told_from_the_value_before_it() -> None:
    text = "Die Gebühr für den Hallenschlüssel steigt zum Schuljahresbeginn von 15 Euro auf 25 Euro."
    found = _by_value(_candidates("Auf welchen Betrag wird die Gebühr für den Hallenschlüssel erhöht?", [_chunk(text)]))
    assert found["25 Euro"].feature("direction_agrees") == 1.0 and found["25 Euro"].feature("direction_conflicts") == 0.0
    assert found["15 Euro"].feature("direction_conflicts") == 1.0
    before = _by_value(_candidates("Was kostete der Hallenschlüssel bislang?", [_chunk(text)]))
    assert before["15 Euro"].feature("direction_agrees") == 1.0 and before["25 Euro"].feature("direction_conflicts") == 1.0


def test_a_count_whose_own_noun_is_the_asked_one() -> None:
    text = "An 4 Werktagen ist die Halle 11 Stunden für Vereine geöffnet."
    found = _by_value(_candidates("Wie viele Stunden ist die Halle für Vereine offen?", [_chunk(text)]))
    assert found["11 Stunden"].feature("unit_is_focus") == 1.0
    assert found["4 Werktagen"].feature("unit_is_focus") == 0.0


def test_a_quantity_of_the_asked_measure_is_told_from_a_count_of_the_named_thing() -> None:
    text = "Die Lärmschutzwand wird in 3 Abschnitten auf insgesamt 420 Metern errichtet und kostet 1,2 Mio. Euro."
    found = _by_value(_candidates("Wie lang wird die Lärmschutzwand in allen Abschnitten?", [_chunk(text)]))
    assert found["420 Metern"].feature("measure_agrees") == 1.0 and found["420 Metern"].feature("measure_conflicts") == 0.0
    assert found["3 Abschnitten"].feature("measure_conflicts") == 1.0
    counted = _by_value(_candidates("In wie vielen Abschnitten wird die Lärmschutzwand errichtet?", [_chunk(text)]))
    assert counted["3 Abschnitten"].feature("measure_conflicts") == 0.0  # no measure asked: nothing to compare


def test_the_one_who_follows_a_seat_is_told_from_the_one_who_leaves() -> None:
    text = "In den Sportausschuss wird Frau Petra Lang für Herrn Udo Kern als beratendes Mitglied entsandt."
    found = _by_value(_candidates("Wer rückt in den Sportausschuss als beratendes Mitglied nach?", [_chunk(text)]))
    assert found["Frau Petra Lang"].feature("succession_agrees") == 1.0
    assert found["Herrn Udo Kern"].feature("succession_conflicts") == 1.0
    leaving = _by_value(_candidates("Wer ist aus dem Sportausschuss ausgeschieden?", [_chunk(text)]))
    assert leaving["Herrn Udo Kern"].feature("succession_agrees") == 1.0
    assert leaving["Frau Petra Lang"].feature("succession_conflicts") == 1.0


def test_a_name_the_question_already_names_is_marked() -> None:
    text = "Die Pflege der Halle übernimmt weiterhin Frau Dr. Ilse Vogt; Herr Karl Brenner scheidet aus."
    found = _by_value(_candidates("Wer übernimmt nach Herrn Brenner die Pflege der Halle?", [_chunk(text)]))
    assert 0.0 < found["Herr Karl Brenner"].feature("value_words_in_question") < 1.0
    assert found["Frau Dr. Ilse Vogt"].feature("value_words_in_question") == 0.0


def test_a_date_with_the_asked_bound_and_a_name_the_question_gives_is_no_candidate() -> None:
    text = "Die Halle ist sonntags ab 9 Uhr und bis 18 Uhr offen; den Schlüssel hat Frau Ilse Vogt, vertreten durch Herrn Karl Brenner."
    found = _by_value(_candidates("Bis wie viel Uhr ist die Halle sonntags offen?", [_chunk(text)]))
    assert found["18 Uhr"].feature("bound_agrees") == 1.0 and found["9 Uhr"].feature("bound_conflicts") == 1.0
    named = _by_value(_candidates("Wer vertritt Herrn Karl Brenner beim Schlüssel der Halle?", [_chunk(text)]))
    assert "Frau Ilse Vogt" in named and "Herrn Karl Brenner" not in named
    # an office before the name is no part of it: „Karl Brenner“ names „Herrn Stadtrat Karl Brenner“
    office = text.replace("Herrn Karl Brenner", "Herrn Stadtrat Karl Brenner")
    named = _by_value(_candidates("Wer vertritt Karl Brenner beim Schlüssel der Halle?", [_chunk(office)]))
    assert "Frau Ilse Vogt" in named and "Herrn Stadtrat Karl Brenner" not in named


def test_a_question_without_a_typed_value_gets_sentences_as_candidates() -> None:
    text = "Die Halle wird während der Bauzeit vom Schulsport des benachbarten Gymnasiums mitgenutzt."
    candidates = _candidates("Wie geht es mit dem Schulsport während der Bauzeit weiter?", [_chunk(text)])
    assert candidates and all(not c.typed and c.feature("untyped") == 1.0 for c in candidates)


def test_the_shipped_scorer_is_trained_on_these_features_and_calibrated() -> None:
    scorer = AnswerScorer.load()
    assert scorer.features == list(FEATURES)
    assert scorer.version.startswith("bank-") and 0.0 < scorer.threshold < 1.0
    assert scorer.trained_on["train_questions"] >= 200
    assert "dev_right" in scorer.metrics


def test_a_scorer_for_other_features_is_refused(tmp_path: Path) -> None:
    scorer = AnswerScorer.load()
    other = scorer.model_copy(update={"features": [*scorer.features[:-1], "anderes_merkmal"]})
    other.save(tmp_path / "alt.json")
    with pytest.raises(ScorerError, match="neu trainieren"):
        AnswerScorer.load(tmp_path / "alt.json")


def test_training_on_the_committed_candidates_reproduces_the_shipped_scorer() -> None:
    """Seeded and deterministic: the weights, the chosen threshold and the dev figures come out again."""
    from eval import train

    data = {split: train.read_rows(BANK / "training" / f"{split}-candidates.jsonl.gz") for split in ("train", "dev")}
    shipped = AnswerScorer.load(DEFAULT_SCORER)
    papers = train.papers_of([*train.load_split(BANK, "train"), *train.load_split(BANK, "dev")])
    c, thresholds, _ = train.choose_by_cross_validation(data["train"] + data["dev"], papers)
    assert c == shipped.trained_on["C"]
    assert (thresholds.value, thresholds.sentence) == (shipped.threshold, shipped.sentence_threshold)
    refit = train.fit(data["train"], c)
    assert refit.weights == pytest.approx(shipped.weights, abs=1e-4)
    verifier, _ = train.choose_verifier(data["train"] + data["dev"], papers, c,
                                        {question.question_id for question in data["train"]})
    assert shipped.verifier is not None and verifier.threshold == shipped.verifier.threshold
    assert verifier.weights == pytest.approx(shipped.verifier.weights, abs=1e-4)
    refit = refit.model_copy(update={"verifier": verifier})
    assert train.score_split(refit, data["dev"], thresholds).right == shipped.metrics["dev_right"]


_DEV_IDS = frozenset(json.loads(line)["id"] for line in (BANK / "dev.jsonl").read_text(encoding="utf-8").splitlines()
                     if line.strip())


def _committed_candidates() -> tuple[list, dict[str, str]]:
    from eval import train

    data = [*train.read_rows(BANK / "training" / "train-candidates.jsonl.gz"),
            *train.read_rows(BANK / "training" / "dev-candidates.jsonl.gz")]
    return data, train.papers_of([*train.load_split(BANK, "train"), *train.load_split(BANK, "dev")])


def test_the_nested_comparison_judges_both_ways_on_folds_they_never_saw() -> None:
    """Thresholds and verifier, each fitted and chosen without the fold it answers: in one draw of the folds every
    question is answered once by each. On the committed dev candidates only, to keep the default run short; the
    figures over train + dev are recomputed by the slow test below."""
    from eval import train

    data, papers = _committed_candidates()
    data = [question for question in data if question.question_id in _DEV_IDS]
    by_thresholds, by_verifier = train.nested_comparison(data, papers, repeats=1)
    assert by_thresholds.questions == by_verifier.questions == len(data)
    assert 0 < by_verifier.right and 0 < by_thresholds.right


@pytest.mark.slow
def test_the_nested_comparison_reproduces_the_recorded_figures() -> None:
    """The figures recorded with the model (the mean of ``REPEATS`` draws of the folds) come out again
    (≈ 5 min: run with ``pytest -m slow``)."""
    from eval import train

    data, papers = _committed_candidates()
    by_thresholds, by_verifier = train.nested_comparison(data, papers)
    assert by_verifier.questions == train.REPEATS * len(data)
    recorded = json.loads((BANK / "training" / "metrics.json").read_text(encoding="utf-8"))
    for name, score in (("thresholds", by_thresholds), ("verifier", by_verifier)):
        mean = train.per_draw(score)
        assert (mean["right"], mean["wrong"]) == (recorded[f"nested_{name}_right"], recorded[f"nested_{name}_wrong"])


def test_the_verifier_reads_the_lead_over_another_value_and_its_recurrence() -> None:
    """The part's ranking, not one probability: the lead is over the best *different* value, a repeat of the
    best value counts as support, and so does the share of the part's odds its value holds; the shipped verifier
    trusts a clear lead more than a tie."""
    features = [0.0] * len(FEATURES)
    ranking = [(0.8, "5 Mio. Euro", features), (0.75, "5 Mio. Euro", features), (0.3, "7 Mio. Euro", features)]
    values = part_features(ranking)
    assert values is not None
    named = dict(zip(VERIFIER_FEATURES, values, strict=True))
    assert named["lead"] == pytest.approx(0.5) and named["recurrence"] == 2
    odds = [4.0, 3.0, 3 / 7]  # p / (1 − p) of 0,8, 0,75 and 0,3
    assert named["best_share"] == pytest.approx(odds[0] / sum(odds))
    assert named["value_share"] == pytest.approx((odds[0] + odds[1]) / sum(odds))
    alone = dict(zip(VERIFIER_FEATURES, part_features(ranking[:1]) or [], strict=True))
    assert alone["best_share"] == alone["value_share"] == pytest.approx(1.0)
    assert part_features([]) is None
    verifier = AnswerScorer.load().verifier
    assert verifier is not None
    tie = part_features([(0.8, "5 Mio. Euro", features), (0.79, "7 Mio. Euro", features)])
    lead = part_features([(0.8, "5 Mio. Euro", features), (0.1, "7 Mio. Euro", features)])
    assert tie is not None and lead is not None
    assert verifier.probability(lead) > verifier.probability(tie)


def _refusing(scorer: AnswerScorer) -> AnswerScorer:
    """The shipped scorer with thresholds no candidate reaches (the verifier's too)."""
    verifier = scorer.verifier.model_copy(update={"threshold": 1.0}) if scorer.verifier else None
    return scorer.model_copy(update={"threshold": 1.0, "sentence_threshold": 1.0, "verifier": verifier})


def test_a_part_below_the_threshold_is_named_and_not_answered() -> None:
    """With a threshold no candidate reaches, the reader refuses rather than answering the best guess."""
    scorer = _refusing(AnswerScorer.load())
    extractive = ExtractiveAnswerer(AnswerSettings(), idf=lambda _: 1.0)
    reader = FactReader(extractive, AnswerSettings(), scorer)
    text = "Gesamtkosten: 1.240.500,00 Euro für die Sanierung der Sporthalle am Waldrand."
    answer = reader.answer(analyze_question("Was kostet die Sanierung der Sporthalle am Waldrand?"), [_chunk(text)])
    assert answer.refused and answer.citations == []


class _Chooser:
    """A stand-in for the language model's choice (the real model's contract is tested in test_llm.py):
    records what it was offered and answers with a fixed choice."""

    mode = "local"

    def __init__(self, pick: int | None) -> None:
        self.pick = pick
        self.offered: list[list[str]] = []

    def choose(self, question, parts, candidates):  # noqa: ANN001, ANN201 – the CandidateChooser signature
        from assistant.choice import ChoiceResult

        self.offered = [[c.value for c in options] for options in candidates]
        return ChoiceResult(choices=[self.pick])


@pytest.mark.parametrize(("pick", "refused"), [(0, False), (None, True)])
def test_with_a_floor_the_model_reads_candidates_below_the_threshold_and_its_none_refuses(pick, refused) -> None:
    scorer = _refusing(AnswerScorer.load())
    settings = AnswerSettings(choice_floor=0.0)
    reader = FactReader(ExtractiveAnswerer(settings, idf=lambda _: 1.0), settings, scorer)
    text = "Gesamtkosten: 1.240.500,00 Euro für die Sanierung der Sporthalle am Waldrand."
    chooser = _Chooser(pick)
    answer = reader.answer(analyze_question("Was kostet die Sanierung der Sporthalle am Waldrand?"), [_chunk(text)],
                           chooser=chooser)
    assert chooser.offered and chooser.offered[0][0] == "1.240.500,00 Euro"
    assert answer.refused is refused
    assert refused or "1.240.500,00 Euro" in (answer.short_answer or answer.text)


def test_the_sentence_ranker_is_trained_on_the_committed_sentences_and_reproduces() -> None:
    """The sentence score has learned weights, no hand-set ones: refitting on the committed rows gives the
    shipped model, and its dev figure is the one it records."""
    from assistant.extractive import SENTENCE_FEATURES, SentenceRanker
    from eval import train_sentences

    rows = {split: train_sentences.read_sentence_rows(BANK / "training" / f"{split}-sentences.jsonl.gz")
            for split in ("train", "dev")}
    shipped = SentenceRanker.load()
    assert shipped.features == list(SENTENCE_FEATURES)
    refit = train_sentences.fit_sentences(rows["train"])
    assert refit.weights == pytest.approx(shipped.weights, abs=1e-4)
    right = train_sentences.top_sentence_right(rows["dev"], refit.probability)
    assert right == shipped.trained_on["sentences_dev_top_right_learned"]


def test_a_sentence_stating_the_asked_kind_of_value_outranks_its_heading() -> None:
    """Reworded: the heading repeats the question's words, the sentence under it holds the date asked for."""
    extractive = ExtractiveAnswerer(AnswerSettings(), idf=lambda _: 1.0)
    text = "Umbau der Stadtbibliothek\n\nDer Umbau der Stadtbibliothek beginnt am 3. März 2027 und dauert ein Jahr."
    question = "Ab wann wird die Stadtbibliothek umgebaut?"
    sentences = extractive.score_sentences(question, [_chunk(text)], extractive.question_weights(question))
    best = max(sentences, key=lambda s: s.score)
    assert "3. März 2027" in best.text
