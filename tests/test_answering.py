"""Retrieval and extractive answers over the real seeds corpus (real embedder, real Chroma)."""

from __future__ import annotations

from assistant.service import AssistantService, EmptyIndexError
from vorlagen.domain import SearchFilters
from vorlagen.settings import Settings
from vorlagen.store import VorlagenStore
from vorlagen.text import tokenize

import pytest


def test_german_tokens_fold_case_umlauts_and_inflection() -> None:
    assert tokenize("Bündelung der Ämter") == tokenize("bundelung der amter")
    assert tokenize("Personalaufwendungen") == tokenize("Personalaufwendung")
    assert tokenize("756.150 EUR") == tokenize("756150 eur")
    assert "und" not in tokenize("Kosten und Stellen")


def test_a_derived_adjective_matches_the_compound_of_its_noun() -> None:
    """"nächtlich" asked, "Nachtabsenkung" written; "städtisch" / "Stadtverwaltung"; "Bank" / "Plauderbank"."""
    from assistant.extractive import coverage
    from vorlagen.text import adjective_base

    assert [adjective_base(t) for t in tokenize("nächtlichen städtische jährliche")] == ["nacht", "stadt", "jahr"]
    assert adjective_base("absenk") is None and adjective_base("eilig") is None
    weights = {t: 1.0 for t in tokenize("nächtlichen Absenken")}
    assert coverage(weights, frozenset(tokenize("Einführung einer Nachtabsenkung"))) == pytest.approx((0.5 + 0.7) / 2)
    assert coverage(weights, frozenset(tokenize("Absenkung der Temperatur"))) == pytest.approx(1 / 2)
    # a short word asked is the head of a compound written: "Bank" in "Plauderbank", not in "Bankett"
    bank = {t: 1.0 for t in tokenize("Bank")}
    assert coverage(bank, frozenset(tokenize("eine Plauderbank"))) == pytest.approx(0.7)
    assert coverage(bank, frozenset(tokenize("ein Bankett"))) == 0


def test_hybrid_retrieval_finds_the_right_vorlage(seeds_service: AssistantService) -> None:
    documents = seeds_service.retrieve("Welche Software nutzt Hilden als Dokumentenmanagementsystem?")
    assert documents[0].metadata["source_name"] == "hilden_sv_12_037_mehrwerte_stellen.txt"
    assert [d.metadata["rank"] for d in documents] == list(range(1, len(documents) + 1))


def test_filters_restrict_both_dense_and_bm25(seeds_service: AssistantService) -> None:
    question = "Wie viele Stellen werden geschaffen?"
    wiesbaden = seeds_service.retrieve(question, SearchFilters(stadt="Wiesbaden"))
    assert wiesbaden and {d.metadata["stadt"] for d in wiesbaden} == {"Wiesbaden"}
    only_2021 = seeds_service.retrieve(question, SearchFilters(jahr_von=2021, jahr_bis=2021))
    assert only_2021 and {d.metadata["year"] for d in only_2021} == {2021}
    nothing = seeds_service.retrieve(question, SearchFilters(stadt="Atlantis"))
    assert nothing == []


def test_answer_quotes_and_cites_the_exact_passage(seeds_service: AssistantService) -> None:
    answer = seeds_service.ask(
        "Wie hoch sind die zusätzlichen Personalaufwendungen für das Stuttgarter Amt für Digitalisierung und IT?"
    )
    assert not answer.refused
    assert "756.150" in answer.text
    assert answer.citations
    first = answer.citations[0]
    assert first.source_name == "stuttgart_grdrs_862_2021_amtsgruendung_digitalisierung.txt"
    assert first.drucksache == "GRDrs 862/2021"
    vorlage = seeds_service.store.get_vorlage(first.doc_id)
    assert vorlage.text[first.start : first.end] == first.quote
    assert f"[{first.index}]" in answer.text
    assert set(answer.timings) == {"retrieve", "answer", "total"}


def test_unanswerable_question_is_refused_without_citations(seeds_service: AssistantService) -> None:
    answer = seeds_service.ask("Wie hoch ist das KI-Budget der Stadt München für das Jahr 2025?")
    assert answer.refused
    assert answer.short_answer == answer.text.splitlines()[0] == Settings().answer.refusal_text
    assert "„München“ ist keine Vorlage eingelesen" in answer.text
    assert answer.citations == [] and answer.vorlagen == []


def test_a_refusal_names_the_vorlagen_about_its_subject_without_citing_them(seeds_service: AssistantService) -> None:
    """A refused fact question tells where to read on: the Vorlagen about its subject, named, not cited (the
    refusal stays a refusal); a subject no Vorlage is about gets the refusal alone."""
    question = "Welche Beratungsfirma hat die Stadt Stuttgart bei der Gründung ihres neuen Digitalisierungsamts unterstützt?"
    documents = seeds_service.retrieve(question)
    refusal = seeds_service.extractive.refusal(question)
    answer = seeds_service.about.with_nearest_vorlagen(refusal, question, documents)
    assert answer.refused and answer.citations == []
    assert answer.short_answer == Settings().answer.refusal_text
    assert "GRDrs 862/2021" in [hit.drucksache for hit in answer.vorlagen]
    assert len(answer.vorlagen) <= Settings().answer.refusal_vorlagen
    lines = answer.text.splitlines()
    assert lines[0] == Settings().answer.refusal_text and len(lines) == 2 + len(answer.vorlagen)
    assert refusal.vorlagen == [] and refusal.text == Settings().answer.refusal_text  # a copy, the refusal unchanged
    unrelated = "Wie hoch ist die Hundesteuer für einen Kampfhund?"
    alone = seeds_service.about.with_nearest_vorlagen(refusal, unrelated, seeds_service.retrieve(unrelated))
    assert alone == refusal


def test_a_refused_calculation_names_the_vorlagen_about_its_subject_too(seeds_service: AssistantService) -> None:
    """A calculation whose figures cannot be read keeps its message and, like a refused fact question, names the
    Vorlagen about its subject (not cited)."""
    answer = seeds_service.ask("Wie hoch ist die Differenz zwischen den Personalkosten des Amts für Digitalisierung "
                               "2026 und 2027?")
    assert answer.refused and answer.kind == "calculation" and answer.citations == []
    first, second, *_ = answer.text.splitlines()
    assert answer.short_answer == first and second.startswith("Am nächsten kommen diese Vorlagen")
    assert "GRDrs 862/2021" in [hit.drucksache for hit in answer.vorlagen]


def test_question_about_a_year_the_document_never_mentions_is_refused(seeds_service: AssistantService) -> None:
    answer = seeds_service.ask("Wie viele Stellen hat das Hildener Sachgebiet Digitalisierung im Stellenplan 2026?")
    assert answer.refused and answer.citations == []


def test_empty_index_is_reported(tmp_path, embeddings) -> None:
    settings = Settings(data_dir=tmp_path / "leer")
    service = AssistantService(settings, VorlagenStore(settings, embeddings=embeddings))
    with pytest.raises(EmptyIndexError, match="Index ist leer"):
        service.ask("Was kostet das?")


def _exact(service: AssistantService, answer) -> None:
    for citation in answer.citations:
        vorlage = service.store.get_vorlage(citation.doc_id)
        assert vorlage is not None and vorlage.text[citation.start : citation.end] == citation.quote


def test_two_part_question_gets_one_cited_value_per_part_in_the_first_line(seeds_service: AssistantService) -> None:
    answer = seeds_service.ask(
        "Wie viele Stellen werden für das neue Stuttgarter Amt für Digitalisierung geschaffen, "
        "und wie hoch sind die zusätzlichen Personalaufwendungen?"
    )
    assert answer.kind == "fact" and not answer.refused
    assert answer.short_answer == answer.text.split("\n")[0]
    assert "7,5" in answer.short_answer and "756.150" in answer.short_answer
    assert len(answer.short_answer.split()) <= 12
    _exact(seeds_service, answer)


def test_a_part_the_vorlagen_do_not_state_is_named_not_invented(seeds_service: AssistantService) -> None:
    answer = seeds_service.ask(
        "Wie viele Stellen werden für das neue Stuttgarter Amt für Digitalisierung geschaffen, "
        "und wann hat der Amtsleiter des Amts für Digitalisierung Geburtstag?"
    )
    assert "7,5" in answer.short_answer
    assert "enthalten die Vorlagen keine Angabe" in answer.text


def test_question_about_the_vorlage_itself_is_answered_from_its_metadata(seeds_service: AssistantService) -> None:
    answer = seeds_service.ask("In welcher Vorlage wurde die Gründung des Stuttgarter Amts für Digitalisierung und IT beantragt?")
    assert answer.kind == "metadata" and not answer.refused
    assert "GRDrs 862/2021" in answer.short_answer
    assert answer.citations[0].drucksache == "GRDrs 862/2021"
    _exact(seeds_service, answer)


def test_list_question_returns_ranked_vorlagen(seeds_service: AssistantService) -> None:
    answer = seeds_service.ask("Welche Vorlagen gibt es zur Digitalisierung der Verwaltung?")
    assert answer.kind == "list" and not answer.refused
    assert len(answer.vorlagen) >= 2 and len(answer.citations) == len(answer.vorlagen)
    assert [h.score for h in answer.vorlagen] == sorted((h.score for h in answer.vorlagen), reverse=True)
    _exact(seeds_service, answer)
    hits = seeds_service.search("Welche Vorlagen gibt es zur Digitalisierung der Verwaltung?")
    assert [h.doc_id for h in hits] == [h.doc_id for h in answer.vorlagen]


def test_a_calculation_reads_the_whole_vorlage_when_the_found_chunk_lacks_a_figure(
    seeds_service: AssistantService,
) -> None:
    """The retriever found only a chunk without the figures; the calculation reads the rest of that
    Vorlage from the store and cites the chunks the figures stand in."""
    question = "Wie hoch sind die Sachmittel für die Prozessmanagement-Software 2024 und 2025 zusammen?"
    wiesbaden = next(d for d in seeds_service.retrieve(question) if "wiesbaden" in d.metadata["source_name"])
    chunks = seeds_service.store.chunks_of(wiesbaden.metadata["doc_id"])
    bare = next(c for c in chunks if "300.000" not in c.page_content and "400.000" not in c.page_content)
    answer = seeds_service.answer_from(question, [bare], seeds_service.analyze(question))
    assert not answer.refused, answer.text
    assert answer.text.startswith("Ergebnis (Summe): 700.000,00 EUR")
    assert {c.chunk_id for c in answer.citations} - {bare.metadata["chunk_id"]}


def test_a_change_the_documents_state_is_answered_when_there_is_nothing_to_compute(
    seeds_service: AssistantService,
) -> None:
    """"Um wie viel Prozent stieg …?" with no two figures to compute from: the stated change answers."""
    answer = seeds_service.ask("Um wie viel Prozent stieg die Quote für mobiles Arbeiten in Stuttgart?")
    assert not answer.refused and answer.kind != "calculation"
    assert "64 Prozent" in (answer.short_answer or "") and answer.citations



def test_a_yearly_amount_is_not_listed_with_a_one_off_cost_in_the_same_sentence(
    seeds_settings, seeds_store, shared_dir
) -> None:
    """"einmaligen Baukosten von über 30 Millionen Euro und die jährlichen Folgekosten von rund 1,2
    Millionen Euro": asked per year, the yearly amount alone — the two are no list of parallel values.
    (What is shown once a value is chosen; the no-answer threshold is lowered so the scorer's calibration,
    retrained on the bank, does not decide whether this composition is tested.)"""
    from assistant.scorer import AnswerScorer
    from tests.test_calc_questions import karlsruhe_paper

    _, railway = karlsruhe_paper(shared_dir, "2024/1088")
    passage = [passage for passage in railway if "jährlichen Folgekosten" in " ".join(passage.page_content.split())]
    question = "Wie viel würde eine neue Turmbergbahn jährlich kosten?"
    scorer = AnswerScorer.load(seeds_settings.answer.scorer).model_copy(update={"threshold": 0.3, "verifier": None})
    service = AssistantService(seeds_settings, seeds_store, scorer=scorer)
    answer = service.answer_from(question, passage, service.analyze(question))
    short = answer.short_answer or ""
    assert "1,2 Millionen" in short and "30 Millionen" not in short, answer.text


def test_a_value_from_another_vorlage_must_stand_with_the_subject(seeds_service: AssistantService, shared_dir) -> None:
    """"Was kosten die Microsoft-Lizenzen im Jahr?": a "Personalkosten … pro Jahr" row of another Vorlage
    covers "Kosten" and "Jahr" but names neither Microsoft nor Lizenzen — the licence Vorlage answers."""
    from tests.test_calc_questions import karlsruhe_paper

    _, licences = karlsruhe_paper(shared_dir, "2024/0541")
    _, other = karlsruhe_paper(shared_dir, "2023/0517")
    question = "Was kosten die Microsoft-Lizenzen im Jahr?"
    answer = seeds_service.answer_from(question, [*licences, *other], seeds_service.analyze(question))
    assert {citation.source_name for citation in answer.citations} <= {"2024/0541"}, answer.text


def test_a_procedure_question_naming_a_year_answers_from_a_vorlage_of_that_year(shared_dir) -> None:
    """"… wurde 2024 das Konzept gegen Gewalt an Frauen vorberaten?": the 2025 report on the same subject
    scores as well, but the 2024 concept is the Vorlage advised in 2024."""
    from datetime import date

    from assistant.about import VorlageAnswerer
    from assistant.extractive import ExtractiveAnswerer
    from assistant.question import analyze_question
    from tests.test_calc_questions import karlsruhe_paper
    from vorlagen.domain import Beratung, Vorlage
    from vorlagen.settings import AnswerSettings

    advised = {"2024/0307": date(2024, 5, 15), "2025/0698": date(2025, 9, 24)}
    papers = {ref: karlsruhe_paper(shared_dir, ref)[1] for ref in advised}
    vorlagen = {
        str(docs[0].metadata["doc_id"]): Vorlage(
            doc_id=str(docs[0].metadata["doc_id"]), source=ref, source_name=ref, text="", drucksache=ref,
            datum=advised[ref], beratungsfolge=[Beratung(gremium="Sozialausschuss", rolle="Vorberatung", datum=advised[ref])])
        for ref, docs in papers.items()
    }
    scorer = ExtractiveAnswerer(AnswerSettings(), idf=lambda _: 1.0)
    answerer = VorlageAnswerer(scorer, vorlagen.get, AnswerSettings())
    question = "In welchem Ausschuss und an welchem Tag wurde 2024 das städtische Konzept gegen Gewalt an Frauen vorberaten?"
    analysis = analyze_question(question)
    evidence = papers["2025/0698"] + papers["2024/0307"]
    sentences = scorer.score_sentences(question, evidence, scorer.question_weights(question))
    for sentence in sentences:  # the 2025 report's passages score best (as with the index's idf)
        sentence.score += 1.0 if sentence.document in papers["2025/0698"] else 0.0
    chosen = answerer._in_asked_year(analysis, sentences)
    assert chosen is not None and chosen.document in papers["2024/0307"]
    answer = answerer.answer(analysis, evidence)
    assert answer is not None and "2024/0307" in answer.short_answer and "15.05.2024" in answer.short_answer
