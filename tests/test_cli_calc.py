"""``vorlagen calc``: the typer sub-app with German input, output and errors."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from api.cli_calc import calc_app

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(calc_app, name="calc")
    return app


def _run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(_app(), ["calc", *args], env={"COLUMNS": "200"})


def test_beratungskosten() -> None:
    result = _run("beratungskosten", "--tage", "200", "--tage", "175", "--tagessatz", "1.200", "--jahr", "2024")
    assert result.exit_code == 0, result.output
    assert "Ergebnis: 450.000,00 EUR" in result.output
    assert "(200 + 175) Tage × 1.200,00 EUR = 450.000,00 EUR" in result.output


def test_anteilig_and_rechne() -> None:
    assert "Ergebnis: 713.137,00 EUR" in _run("anteilig", "1.426.274", "--ab", "01.07.2024").output
    per = _run("rechne", "je-einheit", "756.150 EUR", "7,5 Stellen")
    assert per.exit_code == 0 and "100.820,00 EUR je Stelle" in per.output
    total = _run("rechne", "summe", "10", "4", "1", "0,5", "--einheit", "VZÄ")
    assert "Ergebnis: 15,5 VZÄ" in total.output


def test_finanzplanung() -> None:
    result = _run("finanzplanung", "1.426.274", "--ab", "01.07.2024", "--bis", "2026")
    assert result.exit_code == 0
    assert "713.137,00 EUR" in result.output and "Ergebnis: 3.565.685,00 EUR" in result.output


def test_personalkosten_names_its_tables() -> None:
    result = _run("personalkosten", "1 VZÄ E 13 ab 01.07.2026", "--bis-jahr", "2026", "--ohne-arbeitsplatz", "--ohne-gemeinkosten")
    assert result.exit_code == 0, result.output
    assert "TVöD-VKA 2026" in result.output and "Ergebnis:" in result.output


def test_bad_input_gives_german_errors_and_exit_code() -> None:
    negative = _run("beratungskosten", "--tage", "-3", "--tagessatz", "1.200")
    assert negative.exit_code == 1 and "Die Zahl der Beratertage muss größer als 0 sein" in negative.output
    unknown = _run("personalkosten", "1 VZÄ Z 9 ab 01.01.2025")
    assert unknown.exit_code == 1 and "es fehlt Gruppe" in unknown.output
    year = _run("personalkosten", "1 VZÄ E 9a ab 01.01.2031")
    assert year.exit_code == 1 and "Für das Jahr 2031 liegt keine Personalkostentabelle vor" in year.output
    number = _run("anteilig", "zwölf", "--monate", "6")
    assert number.exit_code == 1 and "„zwölf“ ist keine Zahl" in number.output


def test_help_is_german() -> None:
    for command in ("personalkosten", "beratungskosten", "anteilig", "finanzplanung", "rechne"):
        result = _run(command, "--help")
        assert result.exit_code == 0
    assert "Beratertage × Tagessatz" in _run("beratungskosten", "--help").output
