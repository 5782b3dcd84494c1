"""Build the ``DecisionChain`` of a stored Vorlage from the registry: the Vorlage, the papers linked to it
(super-/subordinated, followed a few steps), each with its consultations and recorded results, oldest
first; the minutes among each paper's own files beside the recorded result where they state the vote.

Nothing is inferred from the text: a consultation without a recorded result says so. The short answer
is the latest recorded result of the Vorlage or of a linked Vorlage (motions and inquiries – Anträge,
Änderungsanträge, Anfragen – only when they are the paper asked about: rejecting an amendment does not
decide the Vorlage).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from langchain_core.documents import Document

from assistant.minutes import MinutesVote, difference, minutes_votes
from vorlagen.decision import ChainPaper, DecisionChain, DecisionStep, MinutesPassage
from vorlagen.domain import Beratung, Vorlage
from vorlagen.formatting import format_date
from vorlagen.store import LinkedPaper

VorlageLookup = Callable[[str], Vorlage | None]
LinkLookup = Callable[[str], list[LinkedPaper]]
ChunkLookup = Callable[[str], list[Document]]

MAX_PAPERS = 12
"""Papers in one chain at most (the Vorlage and what is linked to it, breadth first)."""
MAX_LINK_DEPTH = 2
_MOTION = re.compile(r"antrag|anfrage", re.I)
_BODY = re.compile(r"\b(?:Gemeinderat|Stadtrat|Kreistag|Ortschaftsrat|Bezirksbeirat|[A-ZÄÖÜ][a-zäöüß-]*ausschuss|[A-ZÄÖÜ][a-zäöüß-]*beirat)\b")
"""A council body a question names („Wie hat der Gemeinderat …?“)."""
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def _is_motion(paper: ChainPaper) -> bool:
    return bool(paper.vorlagenart and _MOTION.search(paper.vorlagenart))


def _sort_key(day: date | None) -> tuple[bool, date]:
    return (day is None, day or date.min)


def _minutes_for(beratung: Beratung, votes: list[MinutesVote]) -> MinutesVote | None:
    """The minutes of this consultation: same meeting date; among several, the one whose head names the body."""
    same_day = [vote for vote in votes if beratung.datum is not None and vote.datum == beratung.datum]
    if len(same_day) > 1:
        word = beratung.gremium.split()[0].lower().translate(_FOLD)[:7]
        named = [vote for vote in same_day if word in vote.head.lower().translate(_FOLD)]
        same_day = named or same_day
    return same_day[0] if same_day else None


def decision_line(step: DecisionStep) -> str:
    """„Gemeinderat, 16.12.2025: mehrheitlich beschlossen“ (without a date when none is known)."""
    when = f", {format_date(step.datum)}" if step.datum else ""
    return f"{step.gremium}{when}: {step.ergebnis}"


class DecisionChainBuilder:
    """Reads Vorlagen, their links and chunks through the store's lookups."""

    def __init__(self, vorlage: VorlageLookup, linked: LinkLookup, chunks_of: ChunkLookup) -> None:
        self.vorlage = vorlage
        self.linked = linked
        self.chunks_of = chunks_of

    def build(self, doc_id: str, question: str | None = None) -> DecisionChain | None:
        """The chain of a stored Vorlage; None when ``doc_id`` is not stored. A ``question`` naming a Gremium
        of the chain („Wie hat der Planungsausschuss …?“) gets that Gremium's latest result first."""
        asked = self.vorlage(doc_id)
        if asked is None:
            return None
        papers = [self._paper(asked, asked=True)]
        seen, frontier = {doc_id}, [doc_id]
        missing: list[str] = []
        for _ in range(MAX_LINK_DEPTH):
            following: list[str] = []
            for current in frontier:
                for link in self.linked(current):
                    if link.doc_id in seen or len(seen) >= MAX_PAPERS:
                        continue
                    seen.add(link.doc_id)
                    linked = self.vorlage(link.doc_id)
                    if linked is None:
                        missing.append(link.doc_id)
                        papers.append(ChainPaper(doc_id=link.doc_id, indexed=False))
                        continue
                    papers.append(self._paper(linked, asked=False))
                    following.append(link.doc_id)
            frontier = following
        papers.sort(key=lambda paper: (*_sort_key(paper.datum), paper.drucksache or paper.doc_id))
        decision = self._decision(papers, question)
        notes = [f"{step.drucksache or step.doc_id}, {step.gremium}"
                 f"{' am ' + format_date(step.datum) if step.datum else ''}: {step.difference} Beide sind genannt."
                 for paper in papers for step in paper.steps if step.differs]
        notes += self._unconsulted(question, papers)
        if missing:
            notes.append(f"{len(missing)} verknüpfte Vorlage{'n sind' if len(missing) > 1 else ' ist'} nicht "
                         f"eingelesen: {', '.join(missing)}.")
        return DecisionChain(
            vorlage_id=asked.doc_id, drucksache=asked.drucksache, title=asked.title, papers=papers,
            decision=decision, short_answer=self._short_answer(decision, papers), notes=notes,
        )

    @staticmethod
    def _unconsulted(question: str | None, papers: list[ChainPaper]) -> list[str]:
        """A body the question names that no consultation of the chain names: said, not silently replaced."""
        bodies = " ".join(step.gremium for paper in papers for step in paper.steps).lower().translate(_FOLD)
        named = dict.fromkeys(match.group() for match in _BODY.finditer(question or ""))
        return [f"{body} ist in der erfassten Beratungsfolge nicht genannt." for body in named
                if body.lower().translate(_FOLD)[:10] not in bodies]

    def _paper(self, vorlage: Vorlage, asked: bool) -> ChainPaper:
        votes = minutes_votes(vorlage)
        steps = [self._step(vorlage, beratung, votes) for beratung in vorlage.beratungsfolge]
        steps.sort(key=lambda step: _sort_key(step.datum))
        return ChainPaper(doc_id=vorlage.doc_id, drucksache=vorlage.drucksache, title=vorlage.title,
                          datum=vorlage.datum, vorlagenart=vorlage.vorlagenart, asked=asked, steps=steps)

    def _step(self, vorlage: Vorlage, beratung: Beratung, votes: list[MinutesVote]) -> DecisionStep:
        step = DecisionStep(doc_id=vorlage.doc_id, drucksache=vorlage.drucksache, gremium=beratung.gremium,
                            datum=beratung.datum, rolle=beratung.rolle, ergebnis=beratung.ergebnis,
                            beschlusstext=beratung.beschlusstext)
        vote = _minutes_for(beratung, votes)
        if vote is None:
            return step
        step.minutes = MinutesPassage(doc_id=vorlage.doc_id, label=vote.label, quote=vote.quote, start=vote.start,
                                      end=vote.end, chunk_id=self._chunk_at(vorlage.doc_id, vote.start))
        if beratung.ergebnis:
            step.difference = difference(beratung.ergebnis, vote.vote)
            step.differs = step.difference is not None
        return step

    def _chunk_at(self, doc_id: str, offset: int) -> str | None:
        for chunk in self.chunks_of(doc_id):
            if int(chunk.metadata.get("start", 0)) <= offset < int(chunk.metadata.get("end", 0)):
                return str(chunk.metadata.get("chunk_id") or chunk.id)
        return None

    @staticmethod
    def _decision(papers: list[ChainPaper], question: str | None) -> DecisionStep | None:
        """The latest recorded result among the Vorlage and linked Vorlagen (on the same day a decision wins
        over an advice, then the Vorlage asked about); of the Gremium the question names, if it names one
        with a result."""
        candidates = [
            (index, step) for index, paper in enumerate(papers) if paper.asked or not _is_motion(paper)
            for step in paper.steps if step.ergebnis
        ]
        if not candidates:
            return None
        asked = (question or "").lower().translate(_FOLD)
        named = [item for item in candidates if item[1].gremium.lower().translate(_FOLD) in asked]
        candidates = named or candidates
        def weight(item: tuple[int, DecisionStep]) -> tuple[bool, date, bool, bool, int]:
            index, step = item
            deciding = bool(step.rolle and step.rolle.lower().startswith(("entscheid", "beschluss")))
            return (step.datum is not None, step.datum or date.min, deciding, papers[index].asked, index)
        return max(candidates, key=weight)[1]

    @staticmethod
    def _short_answer(decision: DecisionStep | None, papers: list[ChainPaper]) -> str:
        asked = next(paper for paper in papers if paper.asked)
        if decision is not None:
            if decision.doc_id == asked.doc_id:
                return decision_line(decision)
            return f"{decision_line(decision)} ({'Drucksache ' + decision.drucksache if decision.drucksache else decision.doc_id})"
        steps = [step for paper in papers for step in paper.steps]
        if not steps:
            return f"Zu {asked.label} ist keine Beratung und kein Beratungsergebnis erfasst."
        last = max(steps, key=lambda step: _sort_key(step.datum))
        when = f" am {format_date(last.datum)}" if last.datum else ""
        role = f" ({last.rolle})" if last.rolle else ""
        return (f"Zu {asked.label} ist kein Beratungsergebnis erfasst; letzter Schritt der Beratungsfolge: "
                f"{last.gremium}{role}{when}.")
