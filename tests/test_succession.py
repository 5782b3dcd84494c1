"""Who follows and who leaves a seat (``vorlagen.text.succession``), and who takes a seat is asked as a person, on
wordings written for this test (not taken from the question bank)."""

from __future__ import annotations

import pytest

from assistant.question import answer_type
from assistant.spans import AnswerType
from vorlagen.text.succession import (
    INCOMING,
    OUTGOING,
    asked_succession,
    stated_succession,
)


@pytest.mark.parametrize(("question", "asked"), [
    ("Wer rückt für die SPD in den Sportausschuss nach?", INCOMING),
    ("Wer folgt als Nachfolgerin auf den Ortsvorsteher von Hohenwettersbach?", INCOMING),
    ("Wer ist seit dem Frühjahr neu im Jugendgemeinderat?", INCOMING),
    ("Wer wurde anstelle des erkrankten Beisitzers in den Wahlausschuss entsandt?", INCOMING),
    ("Wer kam in den Beirat, nachdem eine Vertreterin in den Ruhestand gegangen war?", INCOMING),
    ("Welcher Stadtrat ist aus dem Aufsichtsrat ausgeschieden?", OUTGOING),
    ("Wer hat sein Mandat im Ortschaftsrat niedergelegt?", OUTGOING),
    ("Wer leitet das Tiefbauamt?", 0),
])
def test_whom_a_question_asks_for(question: str, asked: int) -> None:
    assert asked_succession(question) == asked


@pytest.mark.parametrize(("text", "name", "stated"), [
    ("Frau Petra Lang wird für Herrn Udo Kern in den Beirat entsandt.", "Herrn Udo Kern", OUTGOING),
    ("Frau Petra Lang wird für Herrn Udo Kern in den Beirat entsandt.", "Frau Petra Lang", INCOMING),
    ("Anstelle von Herrn Udo Kern übernimmt Frau Petra Lang den Sitz.", "Herrn Udo Kern", OUTGOING),
    ("Herr Udo Kern legt sein Mandat zum 30. Juni 2026 nieder.", "Herr Udo Kern", OUTGOING),
    ("Für den ausgeschiedenen Herrn Udo Kern rückt Frau Petra Lang nach.", "Frau Petra Lang", INCOMING),
    ("Für den ausgeschiedenen Herrn Udo Kern rückt Frau Petra Lang nach.", "Herrn Udo Kern", OUTGOING),
    ("Stellvertretung bisher: Herr Udo Kern\nStellvertretung neu: Frau Petra Lang", "Herr Udo Kern", OUTGOING),
    ("Stellvertretung bisher: Herr Udo Kern\nStellvertretung neu: Frau Petra Lang", "Frau Petra Lang", INCOMING),
    ("Die Sitzung leitet Frau Petra Lang.", "Frau Petra Lang", 0),
])
def test_whether_a_name_is_stated_as_the_one_who_follows_or_leaves(text: str, name: str, stated: int) -> None:
    start = text.index(name)
    assert stated_succession(text, start, start + len(name)) == stated


@pytest.mark.parametrize(("question", "kind"), [
    ("Wer übernimmt die Beiratssitze des verstorbenen Stadtrats?", AnswerType.PERSON),
    ("Wer übernimmt im Sportausschuss den Vorsitz?", AnswerType.PERSON),
    ("Wer übernimmt die Pflege der Grünanlagen am Bahnhof?", AnswerType.ORGANISATION),
])
def test_who_takes_a_seat_is_a_person_who_takes_a_contract_a_company(question: str, kind: AnswerType) -> None:
    assert answer_type(question) is kind
