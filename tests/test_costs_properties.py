"""Property tests: German numbers round-trip, pro rata of 12 months is the annual amount, sums exact."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.costs.models import AnteiligInput, RechneInput
from assistant.costs.quantities import parse_quantities
from assistant.costs.arithmetic import rechne
from assistant.costs.tools import anteilig
from vorlagen.formatting import format_eur, format_number, parse_german_number, round_cents

cents = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False, allow_infinity=False)
money = st.decimals(min_value=Decimal(0), max_value=Decimal("1e11"), places=2, allow_nan=False, allow_infinity=False)
numbers = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=4, allow_nan=False, allow_infinity=False)


@given(numbers)
def test_german_number_round_trip(value: Decimal) -> None:
    assert parse_german_number(format_number(value)) == value


@given(cents)
def test_eur_round_trip(value: Decimal) -> None:
    text = format_eur(value)
    assert text.endswith(" EUR")
    assert parse_german_number(text.removesuffix(" EUR")) == value


@given(money)
def test_parser_reads_formatted_amounts(value: Decimal) -> None:
    found = parse_quantities(f"Die Kosten betragen {format_eur(value)} im Jahr.")
    amounts = [q for q in found if q.kind == "betrag"]
    assert len(amounts) == 1 and amounts[0].value == value


@given(money)
def test_twelve_months_is_the_annual_amount(value: Decimal) -> None:
    assert anteilig(AnteiligInput(annual_amount=value, months=12)).total == value
    assert anteilig(AnteiligInput(annual_amount=value, start="01.01.2025")).total == value


@given(money, st.integers(min_value=1, max_value=12))
def test_pro_rata_is_commercially_rounded(value: Decimal, months: int) -> None:
    result = anteilig(AnteiligInput(annual_amount=value, months=months)).total
    assert result == round_cents(value * months / 12)
    assert abs(result - value * months / 12) <= Decimal("0.005")


@settings(max_examples=200)
@given(st.lists(cents, min_size=2, max_size=30))
def test_sums_are_exact_to_the_cent(values: list[Decimal]) -> None:
    result = rechne(RechneInput(operation="summe", operands=[{"value": v, "unit": "EUR"} for v in values]))
    assert result.total == sum(values, Decimal(0))
    assert parse_german_number(format_eur(result.total).removesuffix(" EUR")) == result.total
