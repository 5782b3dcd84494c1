"""Calculations over figures the documents state: sums, differences, per-unit values and per-year
picks, each input cited verbatim; the year a question names selects that year's figure.

Passages are the real texts of seed files and Karlsruhe papers (``karlsruhe-eval-300``), cut like the
retriever's chunks (see ``tests/test_calc_questions.py``).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from langchain_core.documents import Document

from assistant.costs.evidence import figure_years, passage_quantities
from assistant.costs.quantities import Quantity
from tests.test_calc_questions import answer_calculation, assert_citations_verbatim, karlsruhe_paper, seed

WIESBADEN = "wiesbaden_sachstandsbericht_amt15.txt"


def _quantity(evidence: list[Document], written: str) -> tuple[str, Quantity]:
    """The passage text and the parsed quantity written as ``written`` (first occurrence)."""
    for document in evidence:
        for quantity in passage_quantities(document.page_content):
            if quantity.text.replace("\n", " ").startswith(written):
                return document.page_content, quantity
    pytest.fail(f"„{written}“ steht in keiner Passage")


def _years(evidence: list[Document], written: str) -> frozenset[int]:
    text, quantity = _quantity(evidence, written)
    return figure_years(text, quantity, list(passage_quantities(text)))


@pytest.mark.parametrize(
    ("source", "written", "years"),
    [
        # table column: "Ausgaben pro Jahr 2024 2025" above "Personalkosten 35.910,00 Euro 38.304,00 Euro"
        ("2023/0517", "35.910,00 Euro", {2024}),
        ("2023/0517", "38.304,00 Euro", {2025}),
        # four columns: "2022 Ergebnis 2023 Plan 2024 Plan 2025 Plan"
        ("2024/0262", "463.824,00 €", {2024}),
        ("2024/0262", "476.489,00 €", {2025}),
        # label before the figure: "Haushaltsansatz 2025 30.000 €"
        ("2024/0087", "30.000 €", {2024}),
        # "für die Haushaltsjahre 2024 und 2025 in Höhe von jeweils 35.000 Euro"
        ("2024/0314", "35.000 Euro", {2024, 2025}),
        # "mit einem Betrag von je 10.000 Euro für die Jahre 2024 und 2025"
        ("2023/0517", "10.000 Euro", {2024, 2025}),
        # "48.386 Euro aus dem Fonds für 2024 sowie 51.405 Euro aus dem Fonds für 2025"
        ("2023/1098", "48.386", {2024}),
        ("2023/1098", "51.405 Euro", {2025}),
        # a total under a sentence with two dates is no table column
        ("2023/1098", "99.791 Euro", set()),
        # a year without a figure keeps its column: "2026 2027 2028 2029 2030" above "- 4.900 € 4.900 € …"
        ("2025/1169", "4.900 €", {2027}),
    ],
)
def test_the_year_a_figure_belongs_to(shared_dir: Path, source: str, written: str, years: set[int]) -> None:
    _, evidence = karlsruhe_paper(shared_dir, source)
    assert _years(evidence, written) == years


def test_years_of_inline_figures_in_a_seed(shared_dir: Path) -> None:
    _, evidence = seed(shared_dir, WIESBADEN)
    assert _years(evidence, "300.000 Euro") == {2024}
    assert _years(evidence, "400.000 Euro") == {2025}
    assert _years(evidence, "713.137 Euro") == {2024}
    assert _years(evidence, "1.426.274 Euro") == {2025}


@pytest.mark.parametrize(
    ("source", "question", "result", "formula"),
    [
        (WIESBADEN, "Wie hoch sind die Sachmittel für die Prozessmanagement-Software 2024 und 2025 zusammen?",
         "Ergebnis (Summe): 700.000,00 EUR", "300.000,00 EUR + 400.000,00 EUR = 700.000,00 EUR"),
        (WIESBADEN, "Um wie viel steigen die Sachmittel für die Prozessmanagement-Software von 2024 auf 2025?",
         "Ergebnis (Veränderung 2024 → 2025): 100.000,00 EUR", "400.000,00 EUR − 300.000,00 EUR = 100.000,00 EUR"),
        (WIESBADEN, "Wie hoch sind die Personal- und Arbeitsplatzkosten 2024 und 2025 insgesamt?",
         "Ergebnis (Summe): 2.139.411,00 EUR", "713.137,00 EUR + 1.426.274,00 EUR = 2.139.411,00 EUR"),
        (WIESBADEN, "Wie hoch sind die Sachmittel für Software und Beratung 2024 zusammen?",
         "Ergebnis (Summe): 750.000,00 EUR", "300.000,00 EUR + 450.000,00 EUR = 750.000,00 EUR"),
        ("2023/0517", "Wie hoch sind die Personalkosten der Netzwerkkoordinationsstelle 2024 und 2025 zusammen?",
         "Ergebnis (Summe): 74.214,00 EUR", "35.910,00 EUR + 38.304,00 EUR = 74.214,00 EUR"),
        ("2023/0517", "Um wie viel steigen die Personalkosten der Koordinationsstelle von 2024 auf 2025?",
         "Ergebnis (Veränderung 2024 → 2025): 2.394,00 EUR", "38.304,00 EUR − 35.910,00 EUR = 2.394,00 EUR"),
        ("2023/0517", "Wie hoch sind Personalkosten und Sachkosten 2024 zusammen?",
         "Ergebnis (Summe): 43.910,00 EUR", "35.910,00 EUR + 8.000,00 EUR = 43.910,00 EUR"),
        ("2023/0517", "Was ist die Differenz zwischen Personalkosten und Sachkosten 2025?",
         "Ergebnis (Differenz): 30.304,00 EUR", "38.304,00 EUR − 8.000,00 EUR = 30.304,00 EUR"),
        ("2024/0262", "Um wie viel sind die geplanten Kosten der Begegnungsstätte von 2024 auf 2025 gestiegen?",
         "Ergebnis (Veränderung 2024 → 2025): 12.665,00 EUR", "476.489,00 EUR − 463.824,00 EUR = 12.665,00 EUR"),
        # the two yearly shares add up to the paper's stated total of 99.791 Euro
        ("2023/1098", "Wie viel Geld kommt 2024 und 2025 zusammen aus dem Fonds?",
         "Ergebnis (Summe): 99.791,00 EUR", "48.386,00 EUR + 51.405,00 EUR = 99.791,00 EUR"),
        ("2024/0314", "Wie hoch sind die Miet- und Nebenkosten für 2024 und 2025 zusammen?",
         "Ergebnis (Summe): 70.000,00 EUR", "35.000,00 EUR + 35.000,00 EUR = 70.000,00 EUR"),
        # year lines under their heading ("Gesamtkosten: …" / "Höchstwert (max. +50%): …"): the heading decides
        ("2024/1187", "Wie hoch sind die eingeplanten Kosten für Schutzausrüstung 2025 und 2026 zusammen?",
         "Ergebnis (Summe): 1.329.860,54 EUR", "604.482,06 EUR + 725.378,48 EUR = 1.329.860,54 EUR"),
        # a row of figures under "Einsparpotential der Maßnahme" and the measure's name two lines up
        ("2025/1169", "Wie viel spart die Gebühr für Hausnummern 2028 und 2029 zusammen ein?",
         "Ergebnis (Summe): 9.800,00 EUR", "4.900,00 EUR + 4.900,00 EUR = 9.800,00 EUR"),
        # a comparison table (old | new fee schedule), prices glued to their labels by the PDF extraction
        ("2024/0887", "Um wie viel erhöht die neue Satzung den Stundensatz für den Direktionsdienst?",
         "Ergebnis (Veränderung bisher → neu): 59,50 EUR", "150,00 EUR − 90,50 EUR = 59,50 EUR"),
        (WIESBADEN, "Um wie viel Prozent steigen die Sachmittel für die Prozessmanagement-Software von 2024 auf 2025?",
         "Ergebnis (Veränderung 2024 → 2025 in Prozent): 33,33 %",
         "(400.000,00 EUR − 300.000,00 EUR) ÷ 300.000,00 EUR × 100 = 33,33 % (kaufmännisch gerundet; exakt 33,333333… %)"),
    ],
)
def test_sums_and_differences_over_stated_figures(
    shared_dir: Path, source: str, question: str, result: str, formula: str
) -> None:
    text, evidence = seed(shared_dir, source) if source.endswith(".txt") else karlsruhe_paper(shared_dir, source)
    answer = answer_calculation(question, evidence)
    assert answer is not None and not answer.refused, answer and answer.text
    assert answer.text.startswith(result)
    assert formula in answer.text
    assert answer.citations and all(c.quote for c in answer.citations)
    assert_citations_verbatim(answer, {evidence[0].metadata["doc_id"]: text}, evidence)
    cited = {line for line in answer.text.splitlines() if line.startswith("- ")}
    assert len(cited) == 2 and all(line.endswith("]") for line in cited), "jede Eingabe mit Beleg"


def test_the_named_year_selects_its_figure(shared_dir: Path) -> None:
    text, evidence = seed(shared_dir, WIESBADEN)
    for year, amount, result in (
        (2024, "713.137,00 EUR", "40.750,69 EUR je Stelle"),
        (2025, "1.426.274,00 EUR", "81.501,37 EUR je Stelle"),
    ):
        question = f"Wie hoch sind die Personal- und Arbeitsplatzkosten für {year} je Stelle bei 17,5 Stellen?"
        answer = answer_calculation(question, evidence)
        assert answer is not None and not answer.refused, answer and answer.text
        assert f"{amount} ÷ 17,5 Stellen = {result}" in answer.text
        other = "1.426.274" if year == 2024 else "713.137,00"
        assert other not in answer.text.split("Rechnung:")[1]
        assert_citations_verbatim(answer, {WIESBADEN: text}, evidence)


def test_per_unit_count_read_from_the_documents(shared_dir: Path) -> None:
    text, evidence = seed(shared_dir, WIESBADEN)
    question = "Wie hoch sind die Personal- und Arbeitsplatzkosten für 2025 je Stelle in Wiesbaden?"
    answer = answer_calculation(question, evidence)
    assert answer is not None and "1.426.274,00 EUR ÷ 17,5 VZÄ = 81.501,37 EUR je Stelle" in answer.text
    assert len(answer.citations) == 2
    assert_citations_verbatim(answer, {WIESBADEN: text}, evidence)


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("Wie hoch sind die Sachmittel für die Prozessmanagement-Software 2022 und 2023 zusammen?",
         "Für 2022 steht kein passender Wert"),
        ("Wie hoch sind die Sachmittel für Drohnen und Roboter zusammen?", "Für „Drohnen“ steht kein passender Wert"),
        ("Wie hoch ist die Summe der Kosten?", "Bitte die Jahre oder Posten nennen"),
        ("Wie hoch sind die Sachmittel für Software und Beratung zusammen?",
         "Für „Software“ passen mehrere Werte (300.000,00 EUR, 400.000,00 EUR)"),
        ("Wie hoch sind die Personal- und Arbeitsplatzkosten 2024 insgesamt?",
         "Die Vorlagen nennen für „Personal-“ und „Arbeitsplatzkosten“ einen gemeinsamen Wert (713.137,00 EUR)"),
    ],
)
def test_missing_figures_are_refused_in_german(shared_dir: Path, question: str, message: str) -> None:
    _, evidence = seed(shared_dir, WIESBADEN)
    answer = answer_calculation(question, evidence)
    assert answer is not None and answer.refused and message in answer.text
    assert not answer.calculation and not answer.citations


def test_percent_change_of_the_question_figures() -> None:
    answer = answer_calculation("Um wie viel Prozent steigt der Betrag von 300.000 EUR auf 400.000 EUR?", [])
    assert answer is not None and answer.text.startswith("Ergebnis (Veränderung in Prozent): 33,33 %")
    share = answer_calculation("Wie viel Prozent sind 713.137 EUR von 1.426.274 EUR?", [])
    assert share is not None and share.text.startswith("Ergebnis (Anteil in Prozent): 50 %")



def test_a_range_of_years_names_every_year_in_it() -> None:
    from assistant.costs.evidence import question_years

    assert question_years("Wie viel bringt die Gebühr von 2027 bis 2030 zusammen ein?") == [2027, 2028, 2029, 2030]
    assert question_years("Kosten 2024 und 2025?") == [2024, 2025]


def test_prices_in_a_fee_table_are_amounts(shared_dir: Path) -> None:
    """``Hubrettungsbühne272,50 je Stunde``: a price without currency sign, glued to its label."""
    from assistant.spans import AnswerType, find_spans

    text, _ = karlsruhe_paper(shared_dir, "2024/0887")
    line = next(line for line in text.splitlines() if line.startswith("Hubrettungsbühne"))
    amounts = [q for q in passage_quantities(line) if q.kind == "betrag"]
    assert [q.value for q in amounts][:1] == [Decimal("272.50")] and amounts[0].unit == "EUR"
    spans = [s.text for s in find_spans(line) if s.type is AnswerType.BETRAG]
    assert spans and spans[0].split() == ["272,50", "je", "Stunde"]
    assert not [q for q in passage_quantities("Paragraph 12,50 Seiten") if q.kind == "betrag"]


def test_a_change_without_years_needs_one_row_that_names_the_subject(shared_dir: Path) -> None:
    _, evidence = karlsruhe_paper(shared_dir, "2024/0887")
    answer = answer_calculation("Um wie viel steigt der Satz je Stunde?", evidence)
    assert answer is not None and answer.refused and "Bitte die Jahre oder Posten nennen" in answer.text


def test_a_year_no_figure_names_takes_the_total_of_that_years_vorlage(shared_dir: Path) -> None:
    """"Was kosten die acht und die elf Elektro-Lkw, die … 2024 und 2025 bestellt hat, zusammen?": no
    figure's words name a year, so each year's figure is the form total ("Gesamtkosten: …") of the
    best-ranked Vorlage of that year — not the empty field of a better-ranked report of 2025."""
    retrieved: list[Document] = []
    rest: list[Document] = []
    texts: dict[str, str] = {}
    for rank, (reference, year, keep) in enumerate(
        (("2025/0144", 2025, 2), ("2024/0474", 2024, None), ("2025/0799", 2025, None)), start=1
    ):
        text, documents = karlsruhe_paper(shared_dir, reference)
        texts[documents[0].metadata["doc_id"]] = text
        for document in documents[:keep]:
            document.metadata["year"] = year
        documents[0].metadata["rank"] = rank
        retrieved.append(documents[0])
        rest.extend(documents[1:keep])
    evidence = [*retrieved, *rest]
    question = ("Was kosten die acht und die elf Elektro-Lkw, die das Team Sauberes Karlsruhe 2024 und 2025 "
                "für Müllabfuhr und Straßenreinigung bestellt hat, zusammen?")
    answer = answer_calculation(question, evidence)
    assert answer is not None and not answer.refused, answer and answer.text
    assert answer.text.startswith("Ergebnis (Summe): 9.771.944,42 EUR"), answer.text
    assert "4.019.928,29 EUR + 5.752.016,13 EUR" in answer.text and "- Gesamtkosten 2024: 4.019.928,29 EUR" in answer.text
    assert {c.source_name for c in answer.citations} == {"2024/0474", "2025/0799"}
    assert_citations_verbatim(answer, texts, evidence)


def test_a_calculation_retry_reads_whole_vorlagen_but_not_long_reports() -> None:
    """The retry over whole Vorlagen skips a document with more than ``max_chunks`` chunks."""
    from assistant.widening import with_document_chunks

    def chunk(doc_id: str, number: int) -> Document:
        return Document(page_content=f"{doc_id} {number}", metadata={"doc_id": doc_id, "chunk_id": f"{doc_id}#{number}"})

    stored = {"vorlage": [chunk("vorlage", n) for n in range(5)], "bericht": [chunk("bericht", n) for n in range(500)]}
    found = [stored["bericht"][7], stored["vorlage"][0]]
    widened = with_document_chunks(found, stored.__getitem__, top=3, max_chunks=100)
    assert widened[:2] == found
    assert [d.metadata["chunk_id"] for d in widened[2:]] == [f"vorlage#{n}" for n in range(1, 5)]
    assert len(with_document_chunks(found, stored.__getitem__, top=3)) == 505


def test_a_row_that_states_the_change_itself_is_no_comparison_of_old_and_new() -> None:
    """"um 3,00 Euro auf 15,00 Euro angehoben": 3,00 is the change, not the old fee – subtracting it from the
    new fee would answer with a figure no one stated. Net and gross of one estimate compare nothing either.
    A sentence that marks old and new, in either order, and a comparison table (old | new) compute."""
    from tests.test_calc_questions import passages

    head = "Satzung über die Gebühren der Brandsicherheitswache\n"
    question = "Um wie viel steigt mit der neuen Satzung die Gebühr für die Brandsicherheitswache je Stunde?"
    for line in ("Die Gebühr für die Brandsicherheitswache wird um 3,00 Euro auf 15,00 Euro je Stunde angehoben.",
                 "Die Gebühr für die Brandsicherheitswache je Stunde wird auf ca. 12,00 Euro (netto) bzw. ca. 15,00 "
                 "Euro (brutto) geschätzt."):
        answer = answer_calculation(question, passages(head + line + "\n", "s", "satzung.txt"))
        assert answer is None or answer.refused or "bisher → neu" not in answer.text, (line, answer and answer.text)
    for line in ("Die Gebühr für die Brandsicherheitswache steigt je Stunde von derzeit 12,00 Euro auf 15,00 Euro.",
                 "Die Gebühr für die Brandsicherheitswache beträgt je Stunde nunmehr 15,00 Euro (vorher 12,00 Euro).",
                 "Brandsicherheitswache je Stunde 12,00 Euro Brandsicherheitswache je Stunde 15,00 Euro"):
        answer = answer_calculation(question, passages(head + line + "\n", "t", "synopse.txt"))
        assert answer is not None and not answer.refused and answer.text.startswith(
            "Ergebnis (Veränderung bisher → neu): 3,00 EUR"), (line, answer and answer.text)


@pytest.mark.parametrize(
    ("text", "value", "change"),
    [
        ("Der Stundensatz wird um 2,50 Euro auf 12,50 Euro erhöht.", "2,50 Euro", True),
        ("Der Stundensatz wird um 2,50 Euro auf 12,50 Euro erhöht.", "12,50 Euro", False),
        ("Die Zahl der Plätze steigt um rund 40 auf 260.", "40", True),
        ("Die Plätze kosten um die 40 Euro.", "40 Euro", False),
        ("Beginn um 18 Uhr, Eintritt 5 Euro.", "5 Euro", False),
    ],
)
def test_a_value_stated_as_the_size_of_a_change(text: str, value: str, change: bool) -> None:
    from vorlagen.text import lexicon

    assert lexicon.states_change(text, text.index(value)) is change
