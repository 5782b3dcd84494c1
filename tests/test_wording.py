"""Everyday words of a question in the Vorlagen's terms (``assistant.wording``)."""

from __future__ import annotations

from pathlib import Path

from assistant.service import AssistantService
from assistant.wording import EverydayWords
from vorlagen.text import tokenize

PASSAGES = {stem: 30 for stem in tokenize("Übernachtungsteuer Abfallbehälter Kindertageseinrichtungen Gast")}
PASSAGES |= {"bettensteu": 4, "hubrettungsbuhn": 2}


def frequency(stem: str) -> int:
    return PASSAGES.get(stem, 0)


def test_an_everyday_word_is_searched_as_the_first_term_the_vorlagen_use_more() -> None:
    words = EverydayWords({"Bettensteuer": ["Beherbergungsteuer", "Übernachtungsteuer"],
                           "Mülltonne": ["Abfallbehälter"], "Kitas": ["Kindertageseinrichtungen"]})
    reworded = words.reword("Wie viel Bettensteuer zahlt ein Gast für die Mülltonnen der Kitas?", frequency)
    assert reworded.question == ("Wie viel Übernachtungsteuer zahlt ein Gast für die Abfallbehälter der "
                                 "Kindertageseinrichtungen?")
    assert [(r.asked, r.searched) for r in reworded.replacements] == [
        ("Bettensteuer", "Übernachtungsteuer"), ("Mülltonnen", "Abfallbehälter"), ("Kitas", "Kindertageseinrichtungen")]
    assert reworded.notice() == ("Gesucht mit den Begriffen der Vorlagen: „Übernachtungsteuer“ für „Bettensteuer“, "
                                 "„Abfallbehälter“ für „Mülltonnen“, „Kindertageseinrichtungen“ für „Kitas“.")


def test_a_word_the_vorlagen_use_as_much_or_no_listed_term_leaves_the_question_as_it_is() -> None:
    words = EverydayWords({"Gast": ["Beherbergungsgast"], "Hebebühne": ["Hubarbeitsbühne"]})
    question = "Was zahlt ein Gast für die Hebebühne?"
    reworded = words.reword(question, frequency)
    assert reworded.question == question and reworded.notice() is None


def test_the_shipped_list_and_a_file_of_ones_own(tmp_path: Path) -> None:
    shipped = EverydayWords.load()
    assert "Hubrettungsbühne" in shipped.reword("die Hebebühne", frequency).question
    own = tmp_path / "woerter.toml"
    own.write_text('[woerter]\n"Hebebühne" = ["Übernachtungsteuer"]\n', encoding="utf-8")
    assert EverydayWords.load(own).reword("die Hebebühne", frequency).question == "die Übernachtungsteuer"


def test_the_answer_keeps_the_question_as_asked_and_says_what_was_searched(seeds_service: AssistantService) -> None:
    """"Beamtenstellen" occurs in no seed, "Planstelle" in Wiesbaden's report: found, cited, and said so."""
    question = "Wie viele Beamtenstellen beantragt Wiesbaden für das Amt 15 zum Stellenplan 2024/2025?"
    answer = seeds_service.ask(question)
    assert answer.question == question
    assert "„Planstelle“ für „Beamtenstellen“" in answer.notices[0]
    assert "17,5" in answer.short_answer
    plain = seeds_service.ask("Wie viele Stellen werden für das neue Stuttgarter Amt für Digitalisierung geschaffen?")
    assert not any(notice.startswith("Gesucht mit") for notice in plain.notices)
