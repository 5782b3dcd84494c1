"""The drafting dev set (``eval/sets/drafts_dev.jsonl``) with its rubric, drafted without a language model over
the real seeds index: required facts, the finance table's sums recomputed independently (``eval.drafts_rubric``
reads the TOML tables itself; nothing of ``assistant.drafting`` or ``assistant.costs`` computes the expectation),
the request understood, every figure placed or named, no unsupported figure, no prompt text, every requested
section non-empty, the Betreff keeping its figures, at most two placeholders in a Begründung with material."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.drafting import Drafter
from eval.drafts import DraftCaseResult, check_draft, draft_case, load_cases
from eval.drafts_rubric import ExpectedPosition, Expectation, expected_sums, personnel_rate, workplace_rate

SET = Path(__file__).resolve().parent.parent / "eval" / "sets" / "drafts_dev.jsonl"
CASES = load_cases(SET)


def test_the_set_covers_what_staff_write() -> None:
    assert len(CASES) >= 20 and len({case.id for case in CASES}) == len(CASES)
    tags = Counter(tag for case in CASES for tag in case.tags)
    for tag, least in (("zeile", 10), ("formular", 5), ("je-jahr", 5), ("zukunft", 4), ("befristung", 3), ("prozent", 3),
                       ("abschnitte", 5), ("ganze-vorlage", 10), ("nicht-zugeordnet", 2)):
        assert tags[tag] >= least, tag
    assert len({case.expect.stadt for case in CASES if case.expect and case.expect.stadt}) >= 5
    assert all(case.expect is not None for case in CASES)


def test_the_independent_recomputation_by_hand() -> None:
    """E 11 in 2026 (TVöD-VKA 2026, Stufe 3): 5.046,03 EUR × (12 + 0,85) × 1,27 = 82.348,686585 EUR; with the KGSt
    workplace (9.700 EUR, 20 % Gemeinkosten) 3 positions from July: (82.348,686585 × 1,2 + 9.700) × 3 × 6/12."""
    assert personnel_rate("E 11", 2026, None) == Decimal("5046.03") * Decimal("12.85") * Decimal("1.27")
    assert workplace_rate(2026) == (Decimal(9700), Decimal(20))
    expect = Expectation(stellen=[ExpectedPosition(anzahl=3, gruppe="E 11", ab=date(2026, 7, 1))], jahre=[2026])
    (first,), total = expected_sums(expect, None)
    assert first == total == Decimal("162777.64")  # 82.348,686585 × 1,2 = 98.818,423902; + 9.700; × 1,5
    # 2028 is after the last table (TVöD-VKA 2026 ends 31.03.2027): 2027's rate grown by 2,8 % once
    assert personnel_rate("E 11", 2028, Decimal("2.8")) == personnel_rate("E 11", 2027, None) * Decimal("1.028")
    assert personnel_rate("E 11", 2028, None) is None


@pytest.fixture(scope="module")
def results(seeds_service) -> dict[str, DraftCaseResult]:
    drafter = Drafter(seeds_service.settings, seeds_service)
    cities = drafter.cities()

    def document_text(doc_id: str) -> str | None:
        vorlage = seeds_service.store.get_vorlage(doc_id)
        return vorlage.text if vorlage else None

    checked = {}
    for case in CASES:
        made = draft_case(drafter, case, use_model=False)
        checked[case.id] = check_draft(case, made.draft, cities, document_text, made.unassigned,
                                       seeds_service.settings.costs.projection_percent)
    return checked


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_rubric(case, results: dict[str, DraftCaseResult]) -> None:
    result = results[case.id]
    assert result.error is None
    assert result.missing_facts == []
    assert result.totals_problems == []
    if case.expect and case.expect.jahre:
        assert result.totals_checked
    assert result.understood_problems == []
    assert result.unassigned_problems == []
    assert result.unsupported == []
    assert result.prompt_hits == []
    assert result.empty_sections == [] and result.sections_present == result.sections_expected
    assert result.betreff_problems == []
    assert result.citations_valid == result.citations_total
    request = case.request
    has_material = (request is not None and (request.stellen or request.has_costs or request.beratungsfolge)) or (
        case.expect is not None and bool(case.expect.jahre)
    )
    if "Begründung" in result.placeholders and has_material:
        assert result.placeholders["Begründung"] <= 2
    assert result.passed
