"""Every deterministic metric of the evaluation can fail, and number normalisation behaves."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from langchain_core.documents import Document

from eval import metrics
from eval.gates import GateError, check_gates, default_gates_path, load_gates
from eval.pipelines import PipelineOutput
from eval.questions import EvalQuestion, QuestionSetError, load_questions
from eval.results import PipelineRun, QuestionSetInfo, RunReport
from eval.runner import score_question
from tests.eval_support import seeds_texts
from vorlagen.domain import Answer, Citation, VorlageHit

STUTTGART = "stuttgart_grdrs_862_2021_amtsgruendung_digitalisierung.txt"
WIESBADEN = "wiesbaden_sachstandsbericht_amt15.txt"


@pytest.fixture(scope="module")
def shared(shared_dir: Path) -> Path:
    return shared_dir


@pytest.fixture(scope="module")
def texts(shared: Path) -> dict[str, str]:
    return seeds_texts(shared)


@pytest.fixture(scope="module")
def questions(shared: Path) -> dict[str, EvalQuestion]:
    return {q.id: q for q in load_questions(shared / "eval" / "questions.jsonl").questions}


def _citation(texts: dict[str, str], doc: str, quote: str, start: int | None = None) -> Citation:
    offset = texts[doc].find(quote) if start is None else start
    return Citation(index=1, doc_id=doc, chunk_id=f"{doc}#0", source_name=doc, quote=quote, start=offset,
                    end=offset + len(quote))


def _ranking(*docs: str) -> list[Document]:
    return [Document(page_content="…", metadata={"doc_id": d, "source_name": d}) for d in docs]


def _score(question: EvalQuestion, answer: Answer, texts: dict[str, str], ranking: list[Document] | None = None):
    output = PipelineOutput(ranking=ranking or _ranking(*question.sources), answer=answer,
                            timings={"retrieve": 0.1, "answer": 0.2, "total": 0.3})
    return score_question(question, output, texts.get, ranking_depth=10)


def _quote_with(texts: dict[str, str], doc: str, needle: str) -> str:
    """The real line of the document containing ``needle``."""
    text = texts[doc]
    position = text.index(needle)
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return text[start : end if end >= 0 else len(text)].strip()


# --- number normalisation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "answer"),
    [
        ("1.200", "Es sind 1200 Euro."),
        ("1.200", "Es sind 1.200,00 EUR."),
        ("1200", "Es sind 1.200 EUR."),
        ("7,5", "Geschaffen werden 7,50 Stellen."),
        ("756.150", "Die Aufwendungen betragen 756.150,00 EUR jährlich."),
        ("37.343", "Je Jahr ergeben sich 37.343,63 EUR."),
        ("15.000", "rund 15.000 Beschäftigte"),
        ("10-4", "die Abteilungen 10–4 und 10–6"),
        ("Digital MoveS", "Die Strategie heißt  digital   moves."),
    ],
)
def test_alternative_matches_equal_values(expected: str, answer: str) -> None:
    assert metrics.alternative_matches(expected, answer)


@pytest.mark.parametrize(
    ("expected", "answer"),
    [
        ("10", "Es wurden 100 Formulare erstellt."),
        ("10", "seit 2010"),
        ("2", "im Jahr 2022"),
        ("1.200", "insgesamt 1.200.000 EUR"),
        ("7,5", "7,6 Stellen"),
        ("1.200", "Faktor 1.2"),  # a dot decimal is ambiguous in German text: not read as a number
        ("83,5", "Stand 11.5.23: 83 Stellen"),
        ("10-4", "Abteilung 110-45"),
    ],
)
def test_alternative_does_not_match_other_numbers(expected: str, answer: str) -> None:
    assert not metrics.alternative_matches(expected, answer)


@pytest.mark.parametrize(
    ("expected", "answer", "matches"),
    [
        ("01.01.2026", "Die Satzung gilt ab dem 01. Januar 2026 [1].", True),
        ("1. Januar 2026", "Inkrafttreten: 1.1.2026", True),
        ("15. März 2024", "Sitzung am 15.03.2024, 17:00 Uhr", True),
        ("1. Januar 2026", "ab 11. Januar 2026", False),
        ("01.01.2026", "im Jahr 2026", False),
        ("05.06.2025", "am 5. Juli 2025", False),
    ],
)
def test_a_date_matches_in_any_german_spelling(expected: str, answer: str, matches: bool) -> None:
    assert metrics.alternative_matches(expected, answer) is matches


def test_number_tokens_skip_dates_and_dot_decimals() -> None:
    tokens = metrics.number_tokens("Am 01.02.2021 und 11.5.23 waren es 83,5 Stellen, 2.5 mal 1.426.274 EUR.")
    assert [value for _, value in tokens] == [Decimal("83.5"), Decimal("1426274")]


# --- fact accuracy --------------------------------------------------------------------------------


def test_wrong_answer_lowers_fact_accuracy(questions, texts) -> None:
    question = questions["v02"]  # expected 756.150
    quote = _quote_with(texts, STUTTGART, "756.150")
    right = Answer(question=question.question, text=f"Die zusätzlichen Personalaufwendungen betragen 756.150 EUR. [1]",
                   citations=[_citation(texts, STUTTGART, quote)])
    wrong = right.model_copy(update={"text": "Die zusätzlichen Personalaufwendungen betragen 765.150 EUR. [1]"})
    good, bad = _score(question, right, texts), _score(question, wrong, texts)
    assert good.fact_correct is True and bad.fact_correct is False
    both = PipelineRun.from_results("ours", "wir", "test", [good, bad.model_copy(update={"id": "v02b"})], [1, 5, 10])
    assert both.overall.fact_accuracy == pytest.approx(0.5)
    assert PipelineRun.from_results("ours", "wir", "test", [good], [1, 5, 10]).overall.fact_accuracy == 1.0


def test_every_group_must_match(questions, texts) -> None:
    question = questions["v07"]  # groups 713.137 and 1.426.274
    half = Answer(question=question.question, text="2024 fallen 713.137 EUR an.")
    result = _score(question, half, texts)
    assert result.fact_groups == [True, False] and result.fact_correct is False


# --- refusal --------------------------------------------------------------------------------------


def test_refusal_on_answerable_question_counts_against_refusal_accuracy(questions, texts) -> None:
    refusal = Answer(question="", text="Dazu enthalten die vorliegenden Vorlagen keine Angabe.", refused=True)
    answerable = _score(questions["v01"], refusal, texts)
    unanswerable = _score(questions["v22"], refusal, texts)
    assert answerable.refusal_correct is False and answerable.fact_correct is False
    assert unanswerable.refusal_correct is True
    run = PipelineRun.from_results("ours", "wir", "test", [answerable, unanswerable], [1, 5, 10])
    assert run.overall.refusal_accuracy == pytest.approx(0.5)
    assert run.overall.false_refusals == 1 and run.overall.missed_refusals == 0


def test_a_refusal_that_names_the_source_to_read_on_is_counted(questions, texts) -> None:
    """Named, not cited: an unanswerable question refused with Vorlagen to read on is still refused correctly."""
    question = questions["v01"]
    gold, other = (VorlageHit(doc_id=name, source_name=name) for name in (question.sources[0], WIESBADEN))
    refusals = [Answer(question="", text="Keine Angabe.", refused=True, vorlagen=named)
                for named in ([other, gold], [other], [])]
    results = [_score(question, refusal, texts) for refusal in refusals]
    assert [r.refusal_names_source for r in results] == [True, False, False]
    answered = _score(question, Answer(question="", text="7,5 Stellen", vorlagen=[gold]), texts)
    assert answered.refusal_names_source is None
    run = PipelineRun.from_results("ours", "wir", "test", [*results, answered], [1, 5, 10])
    assert run.overall.refusals_naming_source == pytest.approx(1 / 3)
    assert _score(questions["v22"], refusals[0], texts).refusal_correct is True


def test_a_wrong_value_with_the_notice_to_check_it_is_told_from_one_without(questions, texts) -> None:
    """The wrong values a user is not warned of, and what the warning costs: right answers that carry it."""
    question = questions["v02"]  # expected 756.150
    quote = _quote_with(texts, STUTTGART, "756.150")
    right = Answer(question=question.question, text="Die Personalaufwendungen betragen 756.150 EUR. [1]",
                   citations=[_citation(texts, STUTTGART, quote)])
    wrong = right.model_copy(update={"text": "Die Personalaufwendungen betragen 765.150 EUR. [1]"})
    answers = [right, right.model_copy(update={"unsure": True}), wrong, wrong.model_copy(update={"unsure": True})]
    results = [_score(question, answer, texts).model_copy(update={"id": f"v02{i}"}) for i, answer in enumerate(answers)]
    assert [r.unsure for r in results] == [False, True, False, True]
    overall = PipelineRun.from_results("ours", "wir", "test", results, [1, 5, 10]).overall
    assert overall.wrong_values == pytest.approx(0.5)
    assert overall.unflagged_wrong_values == pytest.approx(0.25)  # only the third: wrong and not flagged
    assert overall.flagged_right == pytest.approx(0.5)


def test_answering_an_unanswerable_question_counts_against_refusal_accuracy(questions, texts) -> None:
    invented = Answer(question="", text="Das KI-Budget beträgt 5 Mio. EUR.")
    refused_but_citing = Answer(question="", text="Keine Angabe.", refused=True,
                                citations=[_citation(texts, WIESBADEN, _quote_with(texts, WIESBADEN, "Wivertis"))])
    for answer in (invented, refused_but_citing):
        assert _score(questions["v22"], answer, texts).refusal_correct is False


# --- citations ------------------------------------------------------------------------------------


def test_fabricated_quote_fails_citation_validity(questions, texts) -> None:
    question = questions["v03"]
    real = _citation(texts, STUTTGART, _quote_with(texts, STUTTGART, "Next Digital Group"))
    fabricated = _citation(texts, STUTTGART, "Die Next Digital Group erhält dafür 2,4 Mio. EUR aus dem KI-Fonds.", start=0)
    answer = Answer(question=question.question, text="Die Next Digital Group begleitet die Gründung. [1][2]",
                    citations=[real, fabricated.model_copy(update={"index": 2})])
    result = _score(question, answer, texts)
    assert [check.quote_occurs for check in result.citation_checks] == [True, False]
    assert result.citation_checks[0].exact_offsets and not result.citation_checks[1].exact_offsets
    assert result.citation_validity == pytest.approx(0.5)


def test_quote_with_wrong_offsets_occurs_but_is_not_exact(texts) -> None:
    quote = _quote_with(texts, STUTTGART, "Next Digital Group")
    check = metrics.check_citation(_citation(texts, STUTTGART, quote, start=5), texts[STUTTGART], [STUTTGART])
    assert check.quote_occurs and not check.exact_offsets


def test_reflowed_and_elided_quotes_occur(texts) -> None:
    text = texts[WIESBADEN]
    start = text.index("Wivertis")
    passage = text[max(0, start - 120) : start + 60]
    reflowed = " ".join(passage.split())
    elided = f"{passage[:40]} … {passage[-30:]}"
    assert metrics.quote_occurs(reflowed, text) and metrics.quote_occurs(elided, text)
    assert not metrics.quote_occurs(f"{passage[-30:]} … {passage[:40]}", text)  # pieces out of order
    assert not metrics.quote_occurs("   ", text)


def test_citing_a_non_gold_document_lowers_citation_precision(questions, texts) -> None:
    question = questions["v10"]  # gold: Wiesbaden
    gold = _citation(texts, WIESBADEN, _quote_with(texts, WIESBADEN, "Wivertis"))
    other = _citation(texts, STUTTGART, _quote_with(texts, STUTTGART, "Next Digital Group"))
    only_gold = Answer(question=question.question, text="Mit Wivertis. [1]", citations=[gold])
    mixed = only_gold.model_copy(update={"citations": [gold, other.model_copy(update={"index": 2})]})
    assert _score(question, only_gold, texts).citation_precision == 1.0
    assert _score(question, mixed, texts).citation_precision == pytest.approx(0.5)


# --- retrieval ------------------------------------------------------------------------------------


def test_recall_and_mrr_count_documents() -> None:
    ranking = _ranking("a.txt", "a.txt", "b.txt", "gold.txt", "c.txt")
    scores = metrics.retrieval_scores(ranking, ["GOLD.txt"], [1, 3, 4, 10])
    assert scores is not None
    assert scores.recall == {1: 0.0, 3: 0.0, 4: 1.0, 10: 1.0}
    assert scores.first_gold_rank == 3 and scores.mrr == pytest.approx(1 / 3)  # rank among distinct documents
    missing = metrics.retrieval_scores(ranking, ["x.txt"], [10])
    assert missing is not None and missing.recall == {10: 0.0} and missing.mrr == 0.0
    multi = metrics.retrieval_scores(ranking, ["b.txt", "x.txt"], [5])
    assert multi is not None and multi.recall == {5: 0.5}


@pytest.mark.parametrize(
    ("gold", "name", "matches"),
    [
        ("GRDrs 862/2021", "GRDrs. 862 / 2021", True),
        ("862/2021", "GRDrs 862/2021", True),
        ("SV 862/2021", "GRDrs 862/2021", False),
        ("2023/0236", "2023/0236", True),
        ("2023/0236", "2023/0237", False),
        (STUTTGART, STUTTGART.upper(), True),
    ],
)
def test_source_matching(gold: str, name: str, matches: bool) -> None:
    assert metrics.source_matches(gold, [name]) is matches


# --- calculation ----------------------------------------------------------------------------------


def test_calc_exactness_to_the_cent() -> None:
    question = EvalQuestion(id="c1", type="calc", question="Kosten je Jahr?", expected_facts=[["37.343", "37.344"]],
                            sources=["2024/0039"], calc="746872.63 / 20 = 37343.63")
    exact = Answer(question="", text="746.872,63 EUR / 20 Jahre = 37.343,63 EUR je Jahr.")
    rounded = Answer(question="", text="Rund 37.344 EUR je Jahr.")
    ranking = _ranking("2024/0039")
    assert score_question(question, PipelineOutput(ranking, exact), {}.get, 10).calc_exact is True
    result = score_question(question, PipelineOutput(ranking, rounded), {}.get, 10)
    assert result.calc_exact is False and result.fact_correct is True  # right by the set's facts, not to the cent
    assert metrics.expected_calc_value("746872.63 / 20") == Decimal("37343.6315")


# --- question sets and gates ----------------------------------------------------------------------


def test_question_set_loads_and_rejects_bad_lines(shared: Path, tmp_path: Path) -> None:
    loaded = load_questions(shared / "eval" / "questions.jsonl")
    assert loaded.counts_by_type()["unanswerable"] >= 1 and len(loaded.questions) == len({q.id for q in loaded.questions})
    bad = tmp_path / "bad.jsonl"
    good_line = json.dumps({"id": "a", "type": "fact", "question": "?", "expected_facts": [["1"]], "sources": ["x"]})
    bad.write_text(good_line + "\n" + json.dumps({"id": "b", "type": "unanswerable", "question": "?",
                                                   "expected_facts": [["1"]], "sources": []}) + "\n")
    with pytest.raises(QuestionSetError, match="Zeile 2"):
        load_questions(bad)
    bad.write_text(good_line + "\n" + good_line + "\n")
    with pytest.raises(QuestionSetError, match="doppelt"):
        load_questions(bad)


def _report(name: str, runs: list[PipelineRun]) -> RunReport:
    return RunReport(created_at="2025-01-01T00:00:00+00:00", question_set=QuestionSetInfo(
        name=name, path=Path(f"{name}.jsonl"), sha256="0" * 64, counts={}), corpus=[], settings={}, duration_s=1.0,
        ks=[1, 5, 10], runs=runs)


def test_gate_fails_when_fact_accuracy_drops_below_threshold(questions, texts) -> None:
    gates = load_gates(default_gates_path())
    threshold = gates.sets["questions"].min["fact_accuracy"]
    answerable = [q for q in questions.values() if q.answerable]
    results = []
    for index, question in enumerate(answerable):
        facts = " ".join(group[0] for group in question.expected_facts)
        text = facts if index / len(answerable) < threshold - 0.1 else "Das weiß ich nicht genau."
        results.append(_score(question, Answer(question=question.question, text=text), texts))
    run = PipelineRun.from_results("ours", "wir", "test", results, [1, 5, 10])
    assert run.overall.fact_accuracy is not None and run.overall.fact_accuracy < threshold
    gate = check_gates(_report("questions", [run]), gates, default_gates_path())
    failed = {check.metric for check in gate.checks if not check.passed}
    assert not gate.passed and "fact_accuracy" in failed


def test_gate_file_rejects_unknown_metric(tmp_path: Path) -> None:
    path = tmp_path / "gates.toml"
    path.write_text("version = 1\n[default.min]\nfakten = 0.5\n", encoding="utf-8")
    with pytest.raises(GateError, match="unbekannte Metrik"):
        load_gates(path)
