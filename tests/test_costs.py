"""Cost tools: the seeds' own figures, tables by year, user tables, and German errors on bad input."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from langchain_core.messages import ToolCall
from pydantic import ValidationError

from assistant.costs.models import (
    AnteiligInput,
    BeratungskostenInput,
    CostError,
    FinanzplanungInput,
    PersonalkostenInput,
    RechneInput,
)
from assistant.costs.tables import SHIPPED_TABLES_DIR, CostTables, load_table, normalize_group, split_alternatives
from assistant.costs.arithmetic import rechne
from assistant.costs.tools import anteilig, beratungskosten, cost_tools, finanzplanung, personalkosten
from vorlagen.settings import CostSettings, Settings
from vorlagen.validation import german_validation_message


@pytest.fixture(scope="module")
def tables() -> CostTables:
    return CostTables.load()


# --- the seeds' own figures ---------------------------------------------------------------------


def test_380_consultant_days_at_1200() -> None:
    result = beratungskosten(BeratungskostenInput(items=[{"days": "380", "day_rate": "1.200"}]))
    assert result.total == Decimal("456000.00")
    assert "380 Tage × 1.200,00 EUR = 456.000,00 EUR" in result.formula


def test_200_plus_175_days_per_year() -> None:
    items = [{"days": d, "day_rate": "1.200", "year": y} for y in (2024, 2025) for d in (200, 175)]
    result = beratungskosten(BeratungskostenInput(items=items))
    assert [(row.year, row.amount) for row in result.rows] == [(2024, Decimal("450000.00")), (2025, Decimal("450000.00"))]
    assert "(200 + 175) Tage × 1.200,00 EUR = 450.000,00 EUR" in result.rows[0].formula
    assert result.total == Decimal("900000.00")


def test_annual_amount_from_mid_year() -> None:
    result = anteilig(AnteiligInput(annual_amount="1.426.274", start="01.07.2024"))
    assert result.total == Decimal("713137.00")
    assert "1.426.274,00 EUR × 6/12 = 713.137,00 EUR" in result.formula
    assert anteilig(AnteiligInput(annual_amount="1.426.274", months=6)).total == result.total


def test_per_position() -> None:
    data = RechneInput(operation="je_einheit", operands=[{"value": "756.150", "unit": "EUR"}, {"value": "7,5", "unit": "Stellen"}])
    result = rechne(data)
    assert result.total == Decimal("100820.00")
    assert result.formula.startswith("Wert je Stelle: 756.150,00 EUR ÷ 7,5 Stellen = 100.820,00 EUR je Stelle")


def test_sum_of_fte() -> None:
    data = RechneInput(operation="summe", operands=[{"value": v, "unit": "VZÄ"} for v in ("10", "4", "1", "0,5")])
    result = rechne(data)
    assert result.total == Decimal("15.5") and result.unit == "VZÄ"
    assert "10 VZÄ + 4 VZÄ + 1 VZÄ + 0,5 VZÄ = 15,5 VZÄ" in result.formula


def test_sum_of_material_costs() -> None:
    values = ("300.000", "400.000", "450.000", "450.000")
    result = rechne(RechneInput(operation="summe", operands=[{"value": v, "unit": "EUR"} for v in values]))
    assert result.total == Decimal("1600000.00")
    assert result.formula.startswith("Summe: 300.000,00 EUR + 400.000,00 EUR + 450.000,00 EUR + 450.000,00 EUR = 1.600.000,00 EUR")


def test_difference_and_share() -> None:
    ops = [{"value": "1.426.274", "unit": "EUR"}, {"value": "713.137", "unit": "EUR"}]
    assert rechne(RechneInput(operation="differenz", operands=ops)).total == Decimal("713137.00")
    share = rechne(RechneInput(operation="anteil", operands=list(reversed(ops))))
    assert share.total == Decimal(50) and share.unit == "%"
    change = rechne(RechneInput(operation="veraenderung_prozent", operands=ops))
    assert change.total == Decimal(100) and change.unit == "%"
    assert "(1.426.274,00 EUR − 713.137,00 EUR) ÷ 713.137,00 EUR × 100 = 100 %" in change.formula
    drop = rechne(RechneInput(operation="veraenderung_prozent", operands=[{"value": "300"}, {"value": "400"}]))
    assert drop.total == Decimal(-25)


def test_percent_change_from_zero_is_refused() -> None:
    with pytest.raises(ValidationError, match="Division durch 0"):
        RechneInput(operation="veraenderung_prozent", operands=[{"value": "5"}, {"value": "0"}])


def test_mixed_units_are_refused() -> None:
    with pytest.raises(CostError, match="verschiedene Einheiten"):
        rechne(RechneInput(operation="summe", operands=[{"value": "1", "unit": "EUR"}, {"value": "2", "unit": "VZÄ"}]))


def test_finanzplanung_half_year_then_full_years_with_increase() -> None:
    result = finanzplanung(FinanzplanungInput(annual_amount="1.426.274", start="01.07.2024", end_year=2026, increase_percent="2,5"))
    assert [row.amount for row in result.rows] == [Decimal("713137.00"), Decimal("1461930.85"), Decimal("1498479.12")]
    assert result.total == sum(row.amount for row in result.rows)
    flat = finanzplanung(FinanzplanungInput(annual_amount="1.426.274", start="01.07.2024", end_year=2025))
    assert [row.amount for row in flat.rows] == [Decimal("713137.00"), Decimal("1426274.00")]


# --- tables ----------------------------------------------------------------------------------------


def test_every_shipped_table_names_validity_and_sources() -> None:
    paths = sorted(SHIPPED_TABLES_DIR.glob("*.toml"))
    assert len(paths) >= 5
    for path in paths:
        table = load_table(path)
        assert table.tabelle.name and table.tabelle.version and table.tabelle.gueltig_von
        assert table.quellen and all(source.url.startswith("https://") for source in table.quellen)
        if table.tabelle.art == "personal":
            assert table.berechnung is not None and table.berechnung.schaetzungen, path.name


def test_tvoed_2025_values_follow_the_2024_table() -> None:
    """The 2025 table is 3 %, at least 110 EUR, over the 2024 table (Tarifeinigung 2025), cent-exact."""
    t2024 = load_table(SHIPPED_TABLES_DIR / "tvoed_vka_2024.toml")
    t2025 = load_table(SHIPPED_TABLES_DIR / "tvoed_vka_2025.toml")
    checked = 0
    for group, rates in t2024.gruppen.items():
        for old, new in zip(rates.stufen or [], t2025.gruppen[group].stufen or []):
            if old is None or new is None:
                continue
            expected = max((old * Decimal("1.03")).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP"), old + 110)
            assert new == expected, (group, old, new)
            checked += 1
    assert checked > 90


def test_selection_by_year(tables: CostTables) -> None:
    assert tables.personnel("E 13", 2024).table.tabelle.version == "2024-03-01"
    assert tables.personnel("E 13", 2025).table.tabelle.version == "2025-04-01"
    assert tables.personnel("E 13", 2026).table.tabelle.version == "2026-05-01"
    assert tables.workplace(2024).table.tabelle.version == "2022"
    workplace = tables.workplace(2026)
    assert workplace.sachkosten == Decimal(9700) and workplace.gemeinkosten_prozent == Decimal(20)


def test_annual_rate_formula(tables: CostTables) -> None:
    rate = tables.personnel("EG 13", 2025)
    # 5.554,35 EUR × (12 + 0,5178) × 1,27
    assert rate.annual == Decimal("5554.35") * (12 + Decimal("0.5178")) * Decimal("1.27")
    assert "E 13 Stufe 3: 5.554,35 EUR" in rate.formula and "27 % Arbeitgeberanteil" in rate.formula


def test_personalkosten_pro_rata_with_workplace_and_overhead(tables: CostTables) -> None:
    data = PersonalkostenInput(positions=[{"vza": "2", "group": "E 13 TVöD", "start": "01.07.2026"}], end_year=2027)
    result = personalkosten(data, tables)
    annual = tables.personnel("E 13", 2026).annual
    full = annual * 2 + Decimal(9700) * 2 + annual * 2 * Decimal("0.2")
    assert result.rows[0].amount == (full * 6 / 12).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert result.rows[1].amount == full.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert result.total == result.rows[0].amount + result.rows[1].amount
    assert "TVöD-VKA 2026" in (result.table or "") and "KGSt" in (result.table or "")
    bare = personalkosten(data.model_copy(update={"include_workplace": False, "include_overhead": False}), tables)
    assert bare.rows[1].amount == (annual * 2).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert "KGSt" not in (bare.table or "")


def test_alternative_groups_take_the_higher_available_rate(tables: CostTables) -> None:
    data = PersonalkostenInput(positions=[{"vza": 1, "group": "A12/E11", "start": "01.01.2025"}], end_year=2025,
                               include_workplace=False, include_overhead=False)
    result = personalkosten(data, tables)
    expected = max(tables.personnel("A 12", 2025).annual, tables.personnel("E 11", 2025).annual)
    assert result.total == expected.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert any("Alternativen" in notice for notice in result.notices)


def test_user_table_takes_precedence(tmp_path: Path) -> None:
    (tmp_path / "stadt.toml").write_text(
        """
[tabelle]
art = "personal"
name = "Personalkostensätze Musterstadt 2025"
version = "1"
gueltig_von = 2025-01-01
gueltig_bis = 2025-12-31

[[quellen]]
betrifft = "alle Werte"
titel = "Personalkostensätze"
herausgeber = "Stadt Musterstadt, Personalamt"
jahr = 2025
url = "https://musterstadt.example/personalkosten"

[gruppen."E 11"]
jahreskosten = "78.500"
""",
        encoding="utf-8",
    )
    tables = CostTables.from_settings(Settings(costs=CostSettings(tables_dir=tmp_path)))
    assert tables.personnel("E 11", 2025).annual == Decimal(78500)
    assert tables.personnel("E 13", 2025).table.tabelle.version == "2025-04-01"  # fallback: shipped table
    result = personalkosten(
        PersonalkostenInput(positions=[{"vza": "0,5", "group": "E 11", "start": "01.01.2025"}], end_year=2025,
                            include_workplace=False, include_overhead=False),
        tables,
    )
    assert result.total == Decimal("39250.00") and "Musterstadt" in (result.table or "")


def test_malformed_user_table_is_reported_in_german(tmp_path: Path) -> None:
    (tmp_path / "kaputt.toml").write_text('[tabelle]\nart = "personal"\nname = "x"\nversion = "1"\ngueltig_von = 2025-01-01\n')
    with pytest.raises(CostError, match="kaputt.toml ist fehlerhaft"):
        CostTables.load(tmp_path)


def test_group_names() -> None:
    assert normalize_group("Entgeltgruppe 9c") == "E 9c"
    assert normalize_group("EG13") == "E 13"
    assert normalize_group("E 15Ü TVöD-VKA") == "E 15Ü"
    assert normalize_group("Besoldungsgruppe A 13") == "A 13"
    assert split_alternatives("A13/E13 TVöD") == ["A 13", "E 13"]


# --- bad input: a clear German message, never a number ------------------------------------------


def test_negative_days() -> None:
    with pytest.raises(ValidationError) as info:
        BeratungskostenInput(items=[{"days": "-3", "day_rate": "1.200"}])
    assert german_validation_message(info.value) == "Die Zahl der Beratertage muss größer als 0 sein (angegeben: -3)."


def test_unknown_group(tables: CostTables) -> None:
    with pytest.raises(CostError, match="keine bekannte Entgelt- oder Besoldungsgruppe"):
        tables.personnel("Gruppe Z", 2025)
    with pytest.raises(CostError, match="E 16 ist in den Tabellen für 2025 nicht enthalten"):
        tables.personnel("E 16", 2025)


def test_year_without_table(tables: CostTables) -> None:
    data = PersonalkostenInput(positions=[{"vza": 1, "group": "E 9a", "start": "01.01.2031"}])
    with pytest.raises(CostError, match="Für das Jahr 2031 liegt keine Personalkostentabelle vor"):
        personalkosten(data, tables)


def test_not_a_number_and_not_a_date() -> None:
    with pytest.raises(ValidationError) as info:
        AnteiligInput(annual_amount="zwölf", start="1.13.2024")
    message = german_validation_message(info.value)
    assert "„zwölf“ ist keine Zahl" in message and "ist kein Datum" in message


# --- LangChain tools ----------------------------------------------------------------------------


def test_cost_tools_are_structured_tools_with_artifacts(tables: CostTables) -> None:
    tools = {tool.name: tool for tool in cost_tools(Settings(), tables)}
    assert set(tools) == {"personalkosten", "beratungskosten", "anteilig", "finanzplanung", "rechne", "zeitraum"}
    days = tools["zeitraum"].invoke({"rate": {"value": "928,00", "unit": "EUR"}, "periods": 2, "period_name": "Tag",
                                     "period_plural": "Tage", "discount_percent": 10, "discount_from": 2})
    assert "1.763,20 EUR" in days
    message = tools["beratungskosten"].invoke(
        ToolCall(name="beratungskosten", args={"items": [{"days": 380, "day_rate": "1.200"}]}, id="1", type="tool_call")
    )
    assert "456.000,00 EUR" in message.content and message.artifact.total == Decimal("456000.00")
    error = tools["beratungskosten"].invoke({"items": [{"days": -1, "day_rate": 1200}]})
    assert error == "Die Zahl der Beratertage muss größer als 0 sein (angegeben: -1)."
    missing = tools["personalkosten"].invoke({"positions": [{"vza": 1, "group": "E 13", "start": "01.01.2031"}]})
    assert missing.startswith("Für das Jahr 2031 liegt keine Personalkostentabelle vor")
    schema = tools["personalkosten"].tool_call_schema.model_json_schema()
    assert "positions" in schema["properties"]


def test_references_fractions_and_house_numbers_are_no_figures() -> None:
    from assistant.costs.quantities import parse_quantities

    found = parse_quantities("Nach Drs. 415/2026 übernimmt der Verein den 1/4-Anteil am Gebäude Lindenallee 12 a für 80.000 Euro.")
    assert [q.kind for q in found] == ["verweis", "verweis", "adresse", "betrag"]
    assert [q.value for q in found if q.value is not None] == [80000]


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        # a number after a noun names one of its kind: no figure, no count of what follows
        ("Im Vergabeverfahren lag Los 4 den Angaben zufolge vorn, Firma 2 landete auf Platz 3.",
         ["nummer", "nummer", "nummer"]),
        ("Welche Kosten hatte Bauabschnitt 2 im Vergleich zu Abschnitt 1?", ["nummer", "nummer"]),
        # a noun that labels a figure keeps it a figure, and a counted noun after the number keeps the count
        ("Was kosten 20 Beratertage bei einem Tagessatz 950?", ["tage", "zahl"]),
        ("Gesamtkosten 700 für den Umbau", ["zahl"]),
        ("Im Haus 3 Wohnungen und 12 barrierefreie Zimmer", ["anzahl", "anzahl"]),
        ("Anlage 2 zeigt die Planung, die Länge 350 m und die Fläche 20 m² sind Maße", ["nummer", "zahl", "zahl"]),
    ],
)
def test_numbers_that_name_one_of_their_kind_are_no_figures(text: str, kinds: list[str]) -> None:
    from assistant.costs.quantities import parse_quantities

    assert [q.kind for q in parse_quantities(text)] == kinds


def test_an_article_after_a_number_is_no_counted_noun() -> None:
    from assistant.costs.quantities import parse_quantities

    found = parse_quantities("Zuletzt hatten 4 die geforderten Nachweise, 3 weitere Bewerber nicht.")
    assert [(q.kind, q.text) for q in found] == [("zahl", "4"), ("anzahl", "3 weitere Bewerber")]
