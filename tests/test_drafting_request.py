"""One-line requests as staff write them: every figure lands in a field or is named as unassigned; the
finance table runs over every year of the request, future years projected (stated „Annahme“) or left open.

No index needed: the parser, the cost tables and the skeleton (a few seconds)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from assistant.costs.tables import CostTables, Projection
from assistant.drafting import Drafter, render_markdown
from assistant.drafting.request import parse_request_line
from vorlagen.cities import known_cities
from vorlagen.domain import DraftPosition, DraftRequest
from vorlagen.settings import Settings
from vorlagen.text import NUMBER_WORDS

TODAY = date(2026, 12, 6)


def parse(text: str):
    return parse_request_line(text, known_cities(), TODAY)


@pytest.fixture(scope="module")
def drafter() -> Drafter:
    return Drafter(Settings())


def test_number_words_half_year_and_a_relative_befristung() -> None:
    request, notes, unassigned = parse(
        "Einrichtung einer Einheit Digitale Verwaltung in Karlsruhe ab dem zweiten Halbjahr 2027 mit drei Stellen E 11 "
        "und einer Stelle E 13, befristet auf zwei Jahre"
    )
    assert unassigned == [] and notes == []
    assert request.betreff == "Einrichtung einer Einheit Digitale Verwaltung" and request.stadt == "Karlsruhe"
    assert [(p.anzahl, p.gruppe, p.ab, p.befristet_bis) for p in request.stellen] == [
        (3, "E 11", date(2027, 7, 1), date(2029, 6, 30)),
        (1, "E 13", date(2027, 7, 1), date(2029, 6, 30)),
    ]


def test_consulting_days_per_year_are_not_the_first_years_figure_twice(drafter: Drafter) -> None:
    request, _, unassigned = parse(
        "Externe Beratung zur Digitalisierungsstrategie in Wiesbaden: 2027 40 Beratertage, 2028 25 Beratertage, Tagessatz 1.200 EUR"
    )
    assert unassigned == [] and request.beratertage_je_jahr is None and request.tagessatz == Decimal(1200)
    assert [(v.jahr, v.wert) for v in request.beratertage_nach_jahr] == [(2027, Decimal(40)), (2028, Decimal(25))]
    table = drafter.draft(request.model_copy(update={"abschnitte": ["Finanzielle Auswirkungen"]}), use_model=False).cost_table
    assert table is not None and table.years == [2027, 2028]
    assert table.rows[-1].amounts == [Decimal(40 * 1200), Decimal(25 * 1200)] and table.rows[-1].total == Decimal(65 * 1200)


def test_the_betreff_keeps_its_percentage_and_sachkosten_per_year() -> None:
    request, _, unassigned = parse(
        "Ausbau des mobilen Arbeitens auf 60 Prozent der Beschäftigten in Stuttgart, Sachkosten 2027 50.000 Euro und 2028 30.000 Euro"
    )
    assert unassigned == []
    assert request.betreff == "Ausbau des mobilen Arbeitens auf 60 Prozent der Beschäftigten"
    assert [figure.text for figure in request.kennzahlen] == ["60 Prozent der Beschäftigten"]
    assert [(v.jahr, v.wert) for v in request.sachkosten_nach_jahr] == [(2027, Decimal(50000)), (2028, Decimal(30000))]


@pytest.mark.parametrize(
    ("line", "betreff"),
    [
        ("Einführung der E-Akte in Stuttgart: Sachkosten 2026 50.000 Euro und 2027 30.000 Euro", "Einführung der E-Akte"),
        ("Zwei Stellen E 9c zum 1. Oktober für den Bürgerservice in Hilden, Haushaltsjahre 2027 bis 2028",
         "Schaffung von Zwei Stellen E 9c für den Bürgerservice"),
        ("Projektstelle Fördermittelmanagement E 12 ab 01.01.2027 befristet bis 31.12.2029 in Wiesbaden",
         "Schaffung einer Projektstelle Fördermittelmanagement E 12"),
    ],
)
def test_the_betreff_is_never_cut_mid_phrase(line: str, betreff: str) -> None:
    request, _, unassigned = parse(line)
    assert unassigned == [] and request.betreff.lower() == betreff.lower()
    assert not re.search(r"(?:auf|für|von|mit|zum|in|:|Sachkosten)$", request.betreff)


def test_a_city_whose_experience_is_drawn_on_is_not_the_drafting_city() -> None:
    request, _, unassigned = parse(
        "Einführung eines Chatbots im Bürgerbüro in Karlsruhe, die Erfahrungen aus Stuttgart sollen einfließen; "
        "Lizenzkosten 24.000 EUR jährlich 2027 bis 2029"
    )
    assert unassigned == [] and request.stadt == "Karlsruhe"
    assert request.fakten == ["Die Erfahrungen aus Stuttgart sollen einfließen."]
    assert [(c.bezeichnung, c.betrag, c.jahr) for c in request.weitere_kosten] == [("Lizenzkosten", Decimal(24000), None)]
    assert request.haushaltsjahre == [2027, 2028, 2029]


@pytest.mark.parametrize(
    ("line", "named", "reason"),
    [
        ("Digitalisierung der Bauantragsverfahren in Bonn: 40 bis 60 Beratertage, Tagessatz 1.100 EUR, 2027",
         ["40 bis 60 Beratertage", "1.100 EUR"], ["Spanne", "Beratertage fehlen"]),
        ("Ausbau der Ladeinfrastruktur in Essen, Investitionskosten 2027 400.000 EUR, Fördermittel 300.000 EUR",
         ["300.000 EUR"], ["Fördermittel"]),
        ("Neue Stelle Quartiersmanagement mit 2 Stellen ab 01.09.2026", ["2 Stellen"], ["Entgeltgruppe fehlt"]),
        ("Beratung Haushaltskonsolidierung in Ulm: 50 Beratertage je Jahr 2027 bis 2028", ["50 Beratertage"], ["Tagessatz fehlt"]),
        ("Neubau Feuerwache Nord in Köln, Gesamtkosten 12.000.000 EUR", ["12.000.000 EUR"], ["Gesamtbetrag"]),
        ("Organisationsuntersuchung Jugendamt Essen: 120 Beratertage insgesamt, Tagessatz 1.350 EUR, 2027 und 2028",
         ["120 Beratertage", "1.350 EUR"], ["Gesamtzahl", "Beratertage fehlen"]),
    ],
)
def test_figures_no_field_takes_are_named_with_the_reason(line: str, named: list[str], reason: list[str]) -> None:
    _, _, unassigned = parse(line)
    assert [u.text for u in unassigned] == named
    for figure, expected in zip(unassigned, reason):
        assert expected in figure.grund


_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")


@pytest.mark.parametrize(
    "line",
    [
        "Neue Leitstelle Hitzeschutz in Stuttgart: 2 Stellen E 11 ab 1. Juli 2027 und eine halbe Stelle E 9a ab 1. Januar 2028, "
        "Beschluss im Gemeinderat am 18.03.2027",
        "Einrichtung eines Innovationslabors in Ulm zum 01.04.2027 mit 2 Stellen E 13, befristet auf drei Jahre, Sachkosten "
        "30.000 EUR jährlich, einmalig 45.000 EUR Investitionskosten",
        "Mitteilungsvorlage: Sachstand Digitalstrategie 2030 in Karlsruhe, seit 2023 sind 45 Prozent der Leistungen online",
        "Ausbau der Ladeinfrastruktur auf 20 Ladesäulen in Essen bis 2028, Investitionskosten 2027 400.000 EUR und 2028 "
        "250.000 EUR, Fördermittel 300.000 EUR",
    ],
)
def test_every_figure_of_the_line_is_somewhere(line: str) -> None:
    """Checked without the parser's bookkeeping: each figure (digits or a number word) of the line occurs in the
    understood request – as a value, a date, a year, in the Betreff, a Fakt or a Kennzahl – or among the unassigned."""
    request, _, unassigned = parse(line)
    dump = request.model_dump(mode="json")
    values: set[Decimal] = set()

    def collect(value: object) -> None:
        if isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            values.add(Decimal(str(value)))
        elif isinstance(value, str):
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                year, month, day = (int(part) for part in value.split("-"))
                values.update({Decimal(year), Decimal(month), Decimal(day)})
            elif re.fullmatch(r"-?\d+(?:\.\d+)?", value):
                values.add(Decimal(value))
            else:
                values.update(Decimal(t.replace(".", "").replace(",", ".")) for t in _DIGITS.findall(value))

    collect(dump)
    collect([u.text for u in unassigned])
    dates = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
    figures = [Decimal(part) for match in dates.finditer(line) for part in match.groups()]
    figures += [Decimal(t.replace(".", "").replace(",", ".")) for t in _DIGITS.findall(dates.sub(" ", line))]
    figures += [Decimal(NUMBER_WORDS[w.lower()].replace(",", ".")) for w in re.findall(r"\b\w+\b", line) if w.lower() in NUMBER_WORDS]
    missing = [figure for figure in figures if figure not in values]
    assert missing == [], (missing, dump, unassigned)


def test_positions_from_1_october_have_their_first_year_in_the_table(drafter: Drafter) -> None:
    request, notes, _ = parse("Zwei Stellen E 9c zum 1. Oktober für den Bürgerservice in Hilden, Haushaltsjahre 2027 bis 2028")
    assert notes == ["Zu „1. Oktober“ ist kein Jahr genannt; angenommen: 2027."]
    draft = drafter.draft(request.model_copy(update={"datum": TODAY}), use_model=False)
    assert draft.cost_table is not None and draft.cost_table.years == [2027, 2028]
    assert all(amount is not None and amount > 0 for amount in draft.cost_table.rows[0].amounts)
    assert "ab dem 01.10.2027 (3 Monate im Jahr 2027)" in render_markdown(draft)


def test_a_befristung_two_years_ahead_runs_the_table_to_its_end(drafter: Drafter) -> None:
    request, _, _ = parse("Projektstelle Fördermittelmanagement E 12 ab 01.01.2027 befristet bis 31.12.2029 in Wiesbaden")
    table = drafter.draft(request, use_model=False).cost_table
    assert table is not None and table.years == [2027, 2028, 2029]
    assert all(amount is not None for amount in table.rows[-1].amounts)


def test_a_future_year_is_projected_as_a_stated_assumption_never_an_abort(drafter: Drafter) -> None:
    request = DraftRequest(betreff="Neue Einheit", stellen=[DraftPosition(anzahl=3, gruppe="E 11", ab=date(2027, 7, 1))],
                           haushaltsjahre=[2027, 2028], abschnitte=["Beschlussantrag", "Finanzielle Auswirkungen"])
    draft = drafter.draft(request, use_model=False)
    table = draft.cost_table
    assert table is not None and table.assumed_years() == [2028]
    tables = CostTables.from_settings(Settings())
    base, increase = tables.personnel("E 11", 2027).annual, Decimal("2.8")
    assert tables.projecting(Projection(increase, "Test")).personnel("E 11", 2028).annual == base * (1 + increase / 100)
    markdown = render_markdown(draft)
    assert "| Kostenart | 2027 | 2028 (Annahme) | Summe |" in markdown
    assert "mit 2,8 % Tarifsteigerung je Jahr fortgeschrieben (Quelle der Annahme: " in markdown and "komba" in markdown
    assert "beruhen auf einer Annahme" in (draft.section("Beschlussantrag") or pytest.fail("fehlt")).text


def test_without_projection_the_open_year_is_a_placeholder_and_the_rest_complete() -> None:
    settings = Settings()
    settings = settings.model_copy(update={"costs": settings.costs.model_copy(update={"projection_percent": None})})
    request = DraftRequest(betreff="Neue Einheit", stellen=[DraftPosition(anzahl=3, gruppe="E 11", ab=date(2027, 7, 1))],
                           beratertage_je_jahr=Decimal(10), tagessatz=Decimal(1000), haushaltsjahre=[2027, 2028])
    draft = Drafter(settings).draft(request, use_model=False)
    table = draft.cost_table
    assert table is not None
    rows = {row.label: row for row in table.rows}
    assert rows["Personalkosten"].amounts[0] is not None and rows["Personalkosten"].amounts[1] is None
    assert rows["Beratung"].amounts == [Decimal("10000.00"), Decimal("10000.00")] and rows["Summe"].total is None
    finance = (draft.section("Finanzielle Auswirkungen") or pytest.fail("fehlt")).text
    assert "[bitte ergänzen]" in finance and "die Beträge für 2028 sind noch zu ergänzen" in finance
    assert [s.name for s in draft.sections] == list(request.abschnitte) and all(s.text.strip() for s in draft.sections)


def test_the_same_days_in_every_year_named() -> None:
    request, _, unassigned = parse("Externe Unterstützung IT-Sicherheit in Hilden: je 30 Beratertage in 2027 und 2028 à 1.400 EUR")
    assert unassigned == [] and request.beratertage_je_jahr == Decimal(30) and request.haushaltsjahre == [2027, 2028]
    request, _, _ = parse("Klimaschutzmanagement in Bonn: 2,5 Stellen E 12 ab 01.03.2027")
    assert [(p.anzahl, p.vza) for p in request.stellen] == [(1, Decimal("2.5"))]


def test_a_befristung_before_the_start_is_named_not_dropped() -> None:
    request, _, unassigned = parse("Eine Stelle E 12 ab 01.03.2027 befristet bis 31.12.2026 in Ulm")
    assert request.betreff == "Schaffung einer Stelle E 12" and request.stellen[0].befristet_bis is None
    assert [u.text for u in unassigned] == ["befristet bis 31.12.2026"]
    request, _, _ = parse("Projektstelle E 12 ab 31.01.2027, befristet auf ein Jahr, in Ulm")
    assert request.stellen[0].befristet_bis == date(2028, 1, 30)
