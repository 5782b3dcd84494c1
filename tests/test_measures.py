"""Measures (``vorlagen.text.measures``) on reworded text: which dimension a question asks for, which one a stated
quantity has, and that a number before a unit is found as a quantity. The wordings are written for this test,
not taken from the question bank."""

from __future__ import annotations

import pytest

from assistant.question import answer_type
from assistant.spans import AnswerType, find_spans
from vorlagen.text.measures import Dimension, asked_dimension, stated_dimension


@pytest.mark.parametrize(("question", "dimension"), [
    ("Wie lang ist die neue Lärmschutzwand an der Bahnlinie?", Dimension.LENGTH),
    ("Wie breit wird der Radweg entlang der Hauptstraße?", Dimension.LENGTH),
    ("Auf wie vielen Kilometern wird die Leitung erneuert?", Dimension.LENGTH),
    ("Wie hoch soll der Aussichtsturm im Stadtpark werden?", Dimension.LENGTH),
    ("Welche Länge hat die sanierte Ufermauer?", Dimension.LENGTH),
    ("Wie viel Verkaufsfläche bekommt der neue Markt?", Dimension.AREA),
    ("Wie groß ist die Grünfläche hinter der Sporthalle?", Dimension.AREA),
    ("Wie viele Quadratmeter umfasst das Baufeld?", Dimension.AREA),
    ("Wie viele Kubikmeter fasst das Regenrückhaltebecken?", Dimension.VOLUME),
    ("Wie viele Tonnen Grünschnitt sammelt der Bauhof im Jahr?", Dimension.MASS),
    ("Welche Leistung hat das Blockheizkraftwerk der Schule?", Dimension.POWER),
    ("Mit welcher elektrischen Leistung rechnet die Stadt beim Windrad?", Dimension.POWER),
    ("Wie viel Strom erzeugt die Anlage auf dem Rathausdach?", Dimension.ENERGY),
    ("Wie viele Kilowattstunden spart die neue Straßenbeleuchtung?", Dimension.ENERGY),
])
def test_the_dimension_a_question_asks_for(question: str, dimension: Dimension) -> None:
    assert asked_dimension(question) is dimension


@pytest.mark.parametrize("question", [
    "Wie lange dauert der Umbau der Turnhalle?",  # a duration, not a length
    "Wie hoch sind die Kosten für den Radweg?",  # money
    "Wie weit ist die Planung des Neubaus gediehen?",  # not a distance
    "Was kostet ein Quadratmeter Bauland im Neubaugebiet?",  # a price per unit
    "Welche Leistungen umfasst der Wartungsvertrag?",  # services, not power
    "Wie viele Wohnungen entstehen auf der Fläche?",  # a count of things
])
def test_questions_that_ask_for_no_measure(question: str) -> None:
    assert asked_dimension(question) is None


@pytest.mark.parametrize(("value", "dimension"), [
    ("420 Metern", Dimension.LENGTH), ("1,8 km", Dimension.LENGTH), ("3,25 m", Dimension.LENGTH),
    ("zwei Meter", Dimension.LENGTH), ("650 m²", Dimension.AREA), ("1,4 Hektar", Dimension.AREA),
    ("1.200 qm", Dimension.AREA), ("800 m³", Dimension.VOLUME), ("35 t", Dimension.MASS),
    ("1.100 Tonnen", Dimension.MASS), ("750 kWp", Dimension.POWER), ("2,5 MW", Dimension.POWER),
    ("95.000 kWh", Dimension.ENERGY),
])
def test_the_dimension_of_a_stated_quantity(value: str, dimension: Dimension) -> None:
    assert stated_dimension(value) is dimension


@pytest.mark.parametrize("value", ["drei Bauabschnitte", "12 Wohnungen", "1.500 Euro", "vier Monate", "Team", "2026"])
def test_counts_money_and_words_have_no_dimension(value: str) -> None:
    assert stated_dimension(value) is None


@pytest.mark.parametrize(("sentence", "quantity"), [
    ("Das Becken wird auf 800 m³ erweitert.", "800 m³"),
    ("Die Photovoltaikanlage bringt 750 kWp auf das Dach.", "750 kWp"),
    ("Die Mauer soll 3,25 m hoch werden.", "3,25 m"),
    ("Jährlich fallen etwa 35 t Laub an.", "35 t"),
    ("Die Leuchten verbrauchen 95.000 kWh weniger.", "95.000 kWh"),
])
def test_a_number_before_a_unit_is_a_quantity(sentence: str, quantity: str) -> None:
    assert (AnswerType.ANZAHL, quantity) in {(span.type, span.text) for span in find_spans(sentence)}


@pytest.mark.parametrize("question", [
    "Wie viel Verkaufsfläche bekommt der neue Markt?",  # "wie viel" alone would ask for money
    "Mit welcher elektrischen Leistung rechnet die Stadt beim Windrad?",  # no question word of a type at all
])
def test_a_question_for_a_measure_asks_for_a_quantity(question: str) -> None:
    assert answer_type(question) is AnswerType.ANZAHL
