"""Who comes and who goes where a seat changes hands, in German as council Vorlagen write it.

Vorlagen on seats in committees, supervisory boards and advisory councils name two people for one seat: the one who
leaves ("scheidet aus", "für die ausgeschiedene Stadträtin …", "bisher: …") and the one who follows ("rückt nach",
"wird benannt", "neu: …"). A question asks for one of them: "Wer rückt nach?", "Wer ist neu im Ausschuss?" ask for
the one who follows, "Wer ist ausgeschieden?" for the one who leaves. ``asked_succession`` reads the question,
``stated_succession`` a name's place in its sentence; the answer layer (``assistant.candidates``) compares them.
"""

from __future__ import annotations

import re

from vorlagen.text import label_before
from vorlagen.text.lexicon import clause_around

INCOMING = 1
OUTGOING = -1

_JOINS = (r"nachrück\w*|rück\w*\b[^;?!\n]{0,80}?\bnach\b|nachfolger\w*|nachfolge\b|neu\b|neue[rnms]?\b|neubesetz\w*|"
          r"ersetz\w*|übernimmt|übernehmen|übernahm|benannt|gewählt|bestellt|berufen|entsandt|tritt\b[^;?!\n]{0,60}?\bein\b")
_LEAVES = (r"ausscheid\w*|ausgeschieden\w*|scheide[tn]?\b[^;?!\n]{0,80}?\baus\b|rücktritt\w*|zurückgetreten|niedergelegt|"
           r"legt\w*\b[^;?!\n]{0,60}?\bnieder\b|verzicht\w*|verlässt|verlassen|ruhestand|pension\w*|aufgehört|vorgänger\w*|"
           r"bisherig\w*|bisher\b")
_ASKS_INCOMING = re.compile(rf"\b(?:{_JOINS}|anstelle|an\s+(?:die\s+)?stelle|statt)", re.I)
_ASKS_OUTGOING = re.compile(rf"\b(?:{_LEAVES})", re.I)
_SUBORDINATE = re.compile(r",?\s*\b(?:nachdem|weil|da|seitdem|als|wenn)\b[^,?]*", re.I)
_JOINING = re.compile(rf"\b(?:{_JOINS})", re.I)
_LEAVING = re.compile(rf"\b(?:{_LEAVES})", re.I)
_IN_PLACE_OF = re.compile(
    r"\b(?:für|anstelle(?:\s+von)?|statt|an\s+(?:die\s+)?stelle\s+von|nachfolge\w*\s+(?:von|für)|ersetzt)\s+"
    r"(?:(?:de[rmns]|die|das)\s+)?(?:(?:ausgeschiedene|ausscheidende|bisherige|verstorbene)[nrm]?\s+)?$", re.I)
"""What stands right before the name of the one who leaves: "für Herrn …", "anstelle der ausgeschiedenen …"."""
_FOR_THE_LEAVING = re.compile(
    r"\b(?:für|anstelle(?:\s+von)?|statt)\s+(?:(?:de[rmns]|die|das)\s+)?"
    r"(?:ausgeschiedene|ausscheidende|bisherige|verstorbene)[nrm]?\b", re.I)
""""für die ausgeschiedene …" in a clause names the one who leaves; the clause's other name is the one who follows."""


def asked_succession(question: str) -> int:
    """``INCOMING`` when the question asks who follows ("Wer rückt für … nach?", "Wer ist neu im …?"), ``OUTGOING``
    when it asks who leaves ("Welche Rätin ist ausgeschieden?"), 0 otherwise. A question that names both ("Wer kam
    neu hinzu, nachdem … aufgehört hat?"), or names the leaving only in a clause of its own ("Wer kam in den Beirat,
    nachdem … in den Ruhestand ging?"), asks for the one who follows."""
    if _ASKS_INCOMING.search(question):
        return INCOMING
    if _ASKS_OUTGOING.search(_SUBORDINATE.sub(" ", question)):
        return OUTGOING
    return INCOMING if _ASKS_OUTGOING.search(question) else 0  # "…, nachdem X ausgeschieden war": who came then


def stated_succession(text: str, start: int, end: int) -> int:
    """Whether the name at ``text[start:end]`` is the one who follows (``INCOMING``) or the one who leaves
    (``OUTGOING``) a seat, by what stands before it ("für Herrn …", a label "bisher:" / "neu:") or, failing that,
    by the verbs of its clause; 0 when the text does not say or says both."""
    if _IN_PLACE_OF.search(text[max(0, start - 60) : start]):
        return OUTGOING
    label = label_before(text, start)
    if label:
        if _LEAVING.search(label):
            return OUTGOING
        if _JOINING.search(label):
            return INCOMING
    clause_start, clause_end = clause_around(text, start, end)
    clause = _FOR_THE_LEAVING.sub(" ", text[clause_start:start] + " " + text[end:clause_end])
    joins, leaves = bool(_JOINING.search(clause)), bool(_LEAVING.search(clause))
    if joins == leaves:
        return 0
    return INCOMING if joins else OUTGOING
