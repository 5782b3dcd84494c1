"""Costs over several days or years from a stated rate (``assistant.costs.periods``), on the real texts
of Karlsruhe papers (``karlsruhe-eval-300``), cut like the retriever's chunks."""

from __future__ import annotations

from pathlib import Path

from assistant.costs.cues import calculation_kind, period_count
from tests.test_calc_questions import answer_calculation, assert_citations_verbatim, karlsruhe_paper


def test_a_number_of_periods_is_read_from_the_question() -> None:
    assert period_count("den Toilettenwagen zwei Tage am Stück mieten") == (2, "tag")
    assert period_count("in den ersten vier Jahren insgesamt") == (4, "jahr")
    assert period_count("für 3 Monate") == (3, "monat")
    for when in ("vor zwei Jahren", "seit zwei Jahren", "alle zwei Jahre"):
        assert period_count(when) is None, when  # a point in time or a frequency, no duration
    assert period_count("ein Jahr lang") is None
    assert calculation_kind("Was kostet es, den Wagen zwei Tage zu mieten?") == "zeitraum"
    assert calculation_kind("Wie hoch waren die Kosten 2024 und 2025 zusammen?") == "summe"  # years, not periods


def test_two_rental_days_with_the_stated_discount_from_the_second_day(shared_dir: Path) -> None:
    """"928,00 Euro pro Tag" and "Ab dem zweiten … Nutzungstag wird ein Preisnachlass von 10 Prozent auf
    den Tagespreis gewährt" (a sentence the PDF's line break cut in two)."""
    text, evidence = karlsruhe_paper(shared_dir, "2024/0751")
    question = ("Was kostet es, den Durlacher Toilettenwagen zwei Tage am Stück zu mieten, wenn der zweite Tag "
                "den üblichen Nachlass bekommt?")
    answer = answer_calculation(question, evidence)
    assert answer is not None and not answer.refused, answer and answer.text
    assert answer.text.startswith("Ergebnis (Kosten für 2 Tage): 1.763,20 EUR"), answer.text
    assert "928,00 EUR − 10 % = 835,20 EUR" in answer.text
    assert len(answer.citations) == 2  # the rate and the discount, each cited
    assert_citations_verbatim(answer, {evidence[0].metadata["doc_id"]: text}, evidence)
    without = answer_calculation("Was kostet es, den Toilettenwagen zwei Tage am Stück zu mieten?", evidence)
    assert without is not None and without.text.startswith("Ergebnis (Kosten für 2 Tage): 1.856,00 EUR")


def test_purchase_and_yearly_upkeep_after_the_years_the_purchase_covers(shared_dir: Path) -> None:
    """"Anschaffungskosten … 15.398,60 € incl. Unterhaltungskosten für die ersten 2 Jahre" and "jährlichen
    Unterhaltungskosten nach den 2 Jahren Garantiezeit betragen 1.620 €": four years = 15.398,60 + 2 × 1.620."""
    text, evidence = karlsruhe_paper(shared_dir, "2025/0715")
    question = ("Was kostet die Sportbox in Wettersbach in den ersten vier Jahren insgesamt, Anschaffung und "
                "Unterhalt zusammengerechnet?")
    answer = answer_calculation(question, evidence)
    assert answer is not None and not answer.refused, answer and answer.text
    assert answer.text.startswith("Ergebnis (Kosten für 4 Jahre): 18.638,60 EUR"), answer.text
    assert "15.398,60 EUR (deckt die ersten 2 Jahre ab) + 2 × 1.620,00 EUR" in answer.text
    assert_citations_verbatim(answer, {evidence[0].metadata["doc_id"]: text}, evidence)


def test_figures_the_planners_read_from_a_vorlage_are_named_for_checking(shared_dir: Path) -> None:
    """The planners pick a Vorlage's figure by the words around it, and no verifier judges the pick: the answer is
    marked unsure and one notice names every input read from the Vorlage as the answer lists it. Figures the
    question gives need no check."""
    _, evidence = karlsruhe_paper(shared_dir, "2025/0715")
    answer = answer_calculation("Was kostet die Sportbox in den ersten drei Jahren zusammen mit ihrem Unterhalt?",
                                evidence)
    assert answer is not None and not answer.refused, answer and answer.text
    notices = [n for n in answer.notices if n.startswith("Bitte im Beleg prüfen: Die Rechnung ist exakt")]
    assert answer.unsure and len(notices) == 1, answer.notices
    assert "ohne Prüfung aus den Vorlagen gelesen" in notices[0]
    listed = [line[2:].split(" [", 1)[0] for line in answer.text.splitlines() if line.startswith("- ")]
    assert listed, answer.text
    for label, value in (line.split(": ", 1) for line in listed):
        assert f"{label} = {value}" in notices[0], (label, value, notices[0])
    given = answer_calculation("Um wie viel Prozent steigt der Betrag von 300.000 EUR auf 400.000 EUR?", [])
    assert given is not None and not given.refused and not given.unsure and not given.notices


def test_a_discount_the_documents_do_not_state_is_not_invented(shared_dir: Path) -> None:
    _, evidence = karlsruhe_paper(shared_dir, "2025/0715")
    answer = answer_calculation("Was kostet der Unterhalt der Sportbox für drei Jahre mit Rabatt?", evidence)
    assert answer is not None and answer.refused and "Nachlass" in answer.text


def test_no_rate_per_period_leaves_the_question_to_the_fact_answer(shared_dir: Path) -> None:
    """A question naming days whose documents state no daily rate is no calculation after all."""
    _, evidence = karlsruhe_paper(shared_dir, "2024/0541")
    assert answer_calculation("Was kostet die Schulung der Mitarbeitenden an zwei Tagen?", evidence) is None
    _, rental = karlsruhe_paper(shared_dir, "2024/0751")  # a daily rate, but of the Toilettenwagen
    assert answer_calculation("Was kostet ein Parkplatz für drei Tage?", rental) is None


def test_the_fee_table_row_the_question_names_gives_the_rate(shared_dir: Path) -> None:
    """"Hubrettungsbühne272,50 je Stunde" among many hourly fees (one of them, 108,00, stated five times)."""
    text, evidence = karlsruhe_paper(shared_dir, "2024/0887")
    answer = answer_calculation("Was kostet der Einsatz der Hubrettungsbühne für drei Stunden?", evidence)
    assert answer is not None and not answer.refused, answer and answer.text
    assert "3 × 272,50 EUR = 817,50 EUR" in answer.text, answer.text
    assert_citations_verbatim(answer, {evidence[0].metadata["doc_id"]: text}, evidence)


def test_a_yearly_grant_over_several_years(shared_dir: Path) -> None:
    """"Zuschuss von 52.000 Euro pro Jahr für die „Karlsruher Hausbesuche“" — "in vier Jahren": 4 × 52.000."""
    text, evidence = karlsruhe_paper(shared_dir, "2024/0912")
    answer = answer_calculation("Was kosten die Karlsruher Hausbesuche in vier Jahren?", evidence)
    assert answer is not None and answer.text.startswith("Ergebnis (Kosten für 4 Jahre): 208.000,00 EUR"), answer
    assert_citations_verbatim(answer, {evidence[0].metadata["doc_id"]: text}, evidence)
