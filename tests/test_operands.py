"""Calculations over two stated figures: the question's two descriptions, and answers over the seeds whose
arithmetic and citations are checked independently."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.operands import operand_question
from eval.metrics import number_tokens


@pytest.mark.parametrize(
    ("question", "operation", "first", "second"),
    [
        ("Um wie viel Euro lag die Schlussrechnung für den Umbau unter dem genehmigten Budget?", "differenz",
         "lag die Schlussrechnung für den Umbau", "dem genehmigten Budget"),
        ("Wie viel teurer als die Schätzung war das günstigste Angebot für die Dachsanierung?", None, "", ""),
        ("Um wie viel Prozent liegt der neue Mietzins über dem bisherigen Mietzins?", "veraenderung_prozent",
         "liegt der neue Mietzins", "dem bisherigen Mietzins"),
        ("Welchen Anteil haben die Landesmittel an den Gesamtkosten der Sanierung?", "anteil",
         "haben die Landesmittel", "den Gesamtkosten der Sanierung"),
        ("Um wie viele Plätze liegt das Angebot im Vergleich zum Bedarf des Jahres?", "differenz",
         "Plätze liegt das Angebot", "Bedarf des Jahres"),
        ("Wie viel bleibt übrig, wenn man die Einnahmen aus dem Verkauf mit den Kosten der Räumung verrechnet?",
         "differenz", "die Einnahmen aus dem Verkauf", "den Kosten der Räumung"),
        ("Um wie viel ist der Zuschuss gestiegen, wenn man den Ansatz 2024 mit dem Ansatz 2026 vergleicht?",
         "differenz", "den Ansatz 2024", "dem Ansatz 2026"),
        # a sentence that sets the scene, a topic before a colon, a remark after the question mark
        ("Für die Brücke gingen 2024 fünf Angebote ein. Um wie viel Euro lag das teuerste über dem günstigsten Angebot?",
         "differenz", "lag das teuerste", "dem günstigsten Angebot"),
        ("Sanierung Hallenbad: Um wie viel Prozent liegen die Baukosten über der Schätzung? (gerundet)",
         "veraenderung_prozent", "liegen die Baukosten", "der Schätzung"),
        # the comparative right after the question word, the first figure before „als“
        ("Wie viel Euro mehr wurde für den Umbau ausgegeben als für den Neubau des Hofs?", "differenz",
         "wurde für den Umbau ausgegeben", "für den Neubau des Hofs"),
        ("Wie viele Plätze weniger bietet die neue Kita als die alte?", "differenz", "bietet die neue Kita", "die alte"),
        ("Wie viel Prozent höher ist die Miete im Neubau als im Altbau?", "veraenderung_prozent",
         "ist die Miete im Neubau", "im Altbau"),
        ("Wie hoch sind die Kosten über die gesamte Laufzeit?", None, "", ""),
        ("Was kostet die Sanierung der Turnhalle?", None, "", ""),
    ],
)
def test_the_two_figures_a_question_compares(question: str, operation: str | None, first: str, second: str) -> None:
    asked = operand_question(question)
    if operation is None:
        assert asked is None
        return
    assert asked is not None
    assert (asked.operation, asked.first, asked.second) == (operation, first, second)


def _figures(text: str) -> list[Decimal]:
    return [value for _, value in number_tokens(text) if value >= 1000]


@pytest.mark.parametrize(
    "question",
    [
        "Um wie viel Euro lagen die Wiesbadener Sachmittel für die Beratung über den Sachmitteln für die "
        "Softwareanschaffung 2024?",
        "Um wie viel Prozent liegen die Sachmittel für die Beratung 2024 über den Sachmitteln für die "
        "Softwareanschaffung 2024?",
        "Wie viel mehr kosten die Sachmittel für die Beratung 2024 als die Sachmittel für die Softwareanschaffung?",
    ],
)
def test_a_comparison_over_the_seeds_computes_from_two_cited_figures(seeds_service, question: str) -> None:
    """Contract: either the answer is a calculation whose two inputs each stand in their cited quote and whose
    result the test recomputes, or it is no calculation at all (never a figure without its source)."""
    answer = seeds_service.ask(question)
    assert answer.kind == "calculation", answer.text
    inputs = [line for line in answer.text.splitlines() if line.startswith("- ")]
    assert len(inputs) == 2 and len(answer.citations) == 2, answer.text
    values = []
    for line, citation in zip(inputs, answer.citations, strict=True):
        value = _figures(line.split(":", 1)[1])[0]
        assert value in _figures(citation.quote), (line, citation.quote)
        values.append(value)
    result = answer.text.splitlines()[0]
    if "Prozent" in result or "%" in result:
        expected = (values[0] - values[1]) / values[1] * 100
        shown = Decimal(result.split(":", 1)[1].split("%")[0].strip().replace(".", "").replace(",", "."))
        assert abs(shown - expected) < Decimal("0.01")
    else:
        assert _figures(result)[0] == abs(values[0] - values[1])


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Wie viel bleibt übrig, wenn man die Einnahmen aus dem Verkauf mit den Kosten der Räumung verrechnet?", "differenz"),
        ("Was ergibt sich, wenn man den Ansatz des Vorjahres mit dem neuen Ansatz vergleicht?", "differenz"),
        ("Wie viel Euro mehr wurde für den Umbau ausgegeben als für den Neubau des Hofs?", "differenz"),
        ("Wie viele Stellen weniger hat das Amt als im Vorjahr?", "differenz"),
        ("Wie viel Euro höher ist die Miete im Neubau als im Altbau?", "differenz"),  # every form operands splits
        ("Wie viele Schulen haben mehr als 500 Schüler?", None),
        ("Mit welchen Kosten rechnet die Stadt für die Räumung?", None),
    ],
)
def test_setting_two_figures_against_each_other_is_a_calculation(question: str, kind: str | None) -> None:
    from assistant.costs.cues import calculation_kind

    assert calculation_kind(question) == kind


@pytest.mark.parametrize("check_below", [0.0, 1.0])
def test_a_calculation_over_figures_the_verifier_is_unsure_of_says_which_to_check(
        seeds_settings, seeds_store, check_below: float) -> None:
    """The arithmetic is exact, the reading of its inputs may not be: below ``check_below`` the answer carries a
    notice naming each unsure input as its answer lists it. The notice never changes the answer itself."""
    from assistant.service import AssistantService

    question = ("Um wie viel Euro lagen die Wiesbadener Sachmittel für die Beratung über den Sachmitteln für die "
                "Softwareanschaffung 2024?")
    settings = seeds_settings.model_copy(
        update={"answer": seeds_settings.answer.model_copy(update={"check_below": check_below})})
    answer = AssistantService(settings, seeds_store).ask(question)
    assert answer.kind == "calculation", answer.text
    notices = [n for n in answer.notices if n.startswith("Bitte im Beleg prüfen: Die Rechnung ist exakt")]
    assert answer.unsure is bool(notices)
    if check_below == 1.0:  # no verifier is that sure: both inputs are named
        assert len(notices) == 1 and "diese Eingaben sind unsicher gelesen" in notices[0]
        for line in (line for line in answer.text.splitlines() if line.startswith("- ")):
            label, value = line[2:].split(" [", 1)[0].split(": ", 1)
            assert f"{label} = {value}" in notices[0], (line, notices[0])
    sure = AssistantService(seeds_settings.model_copy(
        update={"answer": seeds_settings.answer.model_copy(update={"check_below": 0.0})}), seeds_store).ask(question)
    assert sure.text == answer.text
