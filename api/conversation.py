"""Follow-up questions in a chat session: which text goes to retrieval.

A follow-up such as „Und wie viel kostet das?“ names nothing that retrieval could find. The rule is
deterministic: if the new question looks like a follow-up (starts with a connective, refers back with
a pronominal adverb or a closing pronoun, or is very short), the last question(s) of the session are put in front of it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_CONNECTIVES = ("und", "aber", "also", "oder", "sowie", "außerdem", "ausserdem", "dazu", "zudem")
_BACK_REFERENCES = {
    "dies", "dafür", "dafuer", "davon", "dazu", "damit", "darin", "daran", "darauf", "darüber", "dort",
    "dabei", "dadurch", "hierfür", "hierzu", "hiervon", "deren", "dessen", "ebenfalls", "jeweils",
}
"""Words that refer back wherever they stand."""
_TRAILING_PRONOUNS = {"das", "dies", "diese", "dieses", "es", "sie", "ihn", "ihm", "ihnen", "dem", "denen"}
"""Words that refer back when they end the question („Wie viel kostet das?“); elsewhere they are
mostly articles („das neue Amt“)."""
_SHORT_QUESTION_WORDS = 4
_WORD = re.compile(r"[\wÄÖÜäöüß]+")


def is_follow_up(question: str) -> bool:
    words = [word.lower() for word in _WORD.findall(question)]
    if not words:
        return False
    return (
        words[0] in _CONNECTIVES
        or any(word in _BACK_REFERENCES for word in words)
        or words[-1] in _TRAILING_PRONOUNS
        or len(words) <= _SHORT_QUESTION_WORDS
    )


def retrieval_query(previous_questions: Sequence[str], question: str, turns: int = 1) -> str:
    """The text to retrieve with: the question itself, or the last ``turns`` questions plus it."""
    question = question.strip()
    if not previous_questions or turns <= 0 or not is_follow_up(question):
        return question
    context = [text.strip() for text in previous_questions[-turns:] if text.strip()]
    return " ".join([*context, question])
