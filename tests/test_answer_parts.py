"""The pure parts of the answer layer: question analysis, typed spans, layout normalisation."""

from __future__ import annotations

import pytest

from assistant.question import MetadataField, QuestionKind, analyze_question
from assistant.spans import AnswerType, find_spans
from ingest.layout import normalize_text, normalize_vorlage
from vorlagen.domain import TextSpan, Vorlage
from vorlagen.text import split_sentences


@pytest.mark.parametrize(
    ("question", "types"),
    [
        ("Wie viele Stellen werden für das neue Amt geschaffen?", [AnswerType.ANZAHL]),
        ("Aus wie vielen VZÄ bestand die Verwaltungsorganisation?", [AnswerType.ANZAHL]),
        ("Wie hoch sind die zusätzlichen Personalaufwendungen?", [AnswerType.BETRAG]),
        ("Wann hat das Amt seine Arbeit aufgenommen?", [AnswerType.DATUM]),
        ("Welches Beratungsunternehmen begleitet die Gründung?", [AnswerType.ORGANISATION]),
        ("Wie viel Prozent der Leistungen sind online?", [AnswerType.PROZENT]),
        ("Wie heißt die Digitalisierungsstrategie?", [AnswerType.NAME]),
        ("Welche Firma erhält den Auftrag, und wie hoch ist die Auftragssumme?",
         [AnswerType.ORGANISATION, AnswerType.BETRAG]),
        ("Wie viele Betten gibt es und was kostet eine Nacht?", [AnswerType.ANZAHL, AnswerType.BETRAG]),
        # the question word for an organisation stands before an amount's noun ("Förderung")
        ("Bei welchem Ministerium beantragt die Stadt die Förderung?", [AnswerType.ORGANISATION]),
        ("Welche Förderung gibt das Ministerium?", [AnswerType.BETRAG]),
    ],
)
def test_each_question_part_gets_the_type_it_asks_for(question: str, types: list[AnswerType]) -> None:
    analysis = analyze_question(question)
    assert analysis.kind is QuestionKind.FACT
    assert [part.answer_type for part in analysis.parts] == types


def test_questions_about_the_vorlage_itself_and_lists_are_recognised() -> None:
    which = analyze_question("In welcher Vorlage wurde der Neubau der Sporthalle beschlossen?")
    assert which.kind is QuestionKind.METADATA and which.metadata_field is MetadataField.DRUCKSACHE
    gremium = analyze_question("Welches Gremium berät die Vergabe vor?")
    assert gremium.metadata_field is MetadataField.BERATUNG and gremium.role == "Vorberatung"
    listing = analyze_question("Welche Vorlagen gibt es zur Sporthalle Oberreut seit 2023?")
    assert listing.kind is QuestionKind.LIST and listing.filters.jahr_von == 2023 and listing.filters.jahr_bis is None
    calc = analyze_question("Was kosten 380 Beratertage bei 1.200 EUR?", is_calculation=lambda q: "Beratertage" in q)
    assert calc.kind is QuestionKind.CALCULATION


@pytest.mark.parametrize(
    ("question", "kind", "focus"),
    [
        ("Wie viele Vollzeitwerte kommen mit dem neuen Stellenplan hinzu?", AnswerType.ANZAHL, ["vollzeitwert"]),
        ("Für wie viele Arbeitsplätze gelten die Lizenzen?", AnswerType.ANZAHL, ["arbeitsplatz"]),
        ("Wie oft wurde der Toilettenwagen 2023 vermietet?", AnswerType.ANZAHL, ["mal"]),
        ("Wie viel Bettensteuer zahlt ein Hotelgast pro Nacht?", AnswerType.BETRAG, ["bettensteu"]),
        ("Mit welchen Gesamtkosten rechnet die Branddirektion?", AnswerType.BETRAG, ["gesamtkost"]),
        ("Was kostet es, die Lizenzen ein weiteres Jahr zu nutzen?", AnswerType.BETRAG, ["kost"]),
        ("Wie viel ist der Auftrag insgesamt wert?", AnswerType.BETRAG, []),
        ("Wie teuer wäre es, stationäre Messanlagen aufzustellen?", AnswerType.BETRAG, ["kost"]),
        ("Was verlangt die Ortsverwaltung am Tag für den Wagen?", AnswerType.BETRAG, ["kost"]),
        ("Wer soll den Kran für die Feuerwehr bauen?", AnswerType.ORGANISATION, ["firma", "zuschlag", "auftragnehm", "biet"]),
        ("Welche jährlichen Einsparungen erwartet die Stadt?", AnswerType.BETRAG, ["einspar"]),
        ("Wie viel Fördergeld gibt es für den Abriss?", AnswerType.BETRAG, ["fordergeld"]),
        ("Wie viel Geld ist für die Fahrradständer eingeplant?", AnswerType.BETRAG, ["kost"]),
        ("Was soll es kosten, den Bahnübergang zu beseitigen?", AnswerType.BETRAG, ["kost"]),
    ],
)
def test_everyday_questions_name_the_thing_whose_value_they_ask_for(
    question: str, kind: AnswerType, focus: list[str]
) -> None:
    (part,) = analyze_question(question).parts
    assert (part.answer_type, part.focus) == (kind, focus)


def test_everyday_wording_of_list_gremium_and_which_vorlage_questions() -> None:
    listing = analyze_question("Welche Vorlagen zu den Friedhofsgebühren gibt es seit 2024?")
    assert listing.kind is QuestionKind.LIST and listing.filters.jahr_von == 2024
    which = analyze_question("Welche Vorlage empfiehlt, das Wahllokal zu verlegen?")
    assert which.metadata_field is MetadataField.DRUCKSACHE
    gremium = analyze_question("Welcher Fachausschuss berät die Jugendverkehrsschule vor, und wann?")
    assert gremium.metadata_field is MetadataField.BERATUNG and gremium.role == "Vorberatung"


def _typed(text: str) -> set[tuple[str, str]]:
    return {(span.type.value, span.text) for span in find_spans(text)}


def test_typed_spans_in_german_vorlagen_text() -> None:
    found = _typed("Für die 7,5 neuen Stellen entstehen Personalaufwendungen von 756.150 EUR pro Jahr ab dem 1. Februar 2021.")
    assert ("Anzahl", "7,5 neuen Stellen") in found
    assert ("Betrag", "756.150 EUR pro Jahr") in found
    assert ("Datum", "1. Februar 2021") in found
    assert ("Organisation", "REFA Dachbau GmbH") in _typed("an die Firma: REFA Dachbau GmbH, Freiberg / Neckar")
    assert ("Prozent", "53 %") in _typed("Bisher sind 53 % der Leistungen online.")
    assert ("Name", "Digital MoveS") in _typed("Die Strategie „Digital MoveS“ gilt seit 2020.")
    assert ("Drucksache", "GRDrs 862/2021") in _typed("vgl. GRDrs 862/2021 vom 02.12.2021")
    assert ("Gremium", "Bauausschuss") in _typed("Bauausschuss: 09.03.2023")
    assert ("Anzahl", "19") in _typed("Anzahl interessierter Firmen: 19")
    assert ("Betrag", "rund 360.000 bis 400.000 Euro") in _typed("Die Gesamtkosten lägen bei rund 360.000 bis 400.000 Euro netto.")
    assert not any(kind == "Betrag" for kind, _ in _typed("Im Jahr 2023 wurden 19 Angebote geprüft."))
    assert ("Anzahl", "2000 Unterschriften") in _typed("Zudem wurden Ihnen bereits 2000 Unterschriften übergeben.")


RAW_FORM = (
    "Vorlage Nr.: 2023/0137 \n"
    "Dienststelle:      HGW \n"
    "Beratungsfolge dieser Vorlage \n"
    "Gremium Termin TOP ö nö Ergebnis \n"
    "Bauausschuss  09.03.2023 4 X   \n"
    "      \n"
    "      \n"
    "Finanzielle Auswirkungen \n"
    "Ja       ☒     Nein      ☐ \n"
    "☐ Konsumtive Maßnahme \n"
    "Bauzeit  25.07.2023 – 12.12.2024 \n"
    "Summe Kostenermittlung 1.571.382,51 € \n"
    "Kosten\tGesamt\t2024\n"
    "IT Services\t47,5\t6\n"
    "Projekte steuern\t\t\n"
    "Räume\t5\t0\n"
    "\t83,5\t15\n"
    "Der Mehrbetrag kann aufgefangen werden.\n"
)


def test_layout_normalisation_turns_forms_and_tables_into_label_value_lines() -> None:
    text, _, _ = normalize_text(RAW_FORM)
    lines = text.split("\n")
    assert "Dienststelle: HGW" in lines
    assert "Bauausschuss: 09.03.2023" in lines
    assert not any("Gremium Termin" in line for line in lines)
    assert "Ja" in lines and not any("☐" in line or "☒" in line or "Konsumtive" in line for line in lines)
    assert "Bauzeit: 25.07.2023 – 12.12.2024" in lines
    assert "Summe Kostenermittlung: 1.571.382,51 €" in lines
    assert "Kosten | Gesamt | 2024." in lines  # a row of words heads the table
    assert "IT Services – Gesamt: 47,5, 2024: 6." in lines
    assert "Projekte steuern" in lines  # a group label within the table ...
    assert "Räume – Gesamt: 5, 2024: 0." in lines  # ... keeps the header for the rows after it
    assert "Insgesamt – Gesamt: 83,5, 2024: 15." in lines
    assert ("Anzahl", "83,5") in {(s.type.value, s.text) for s in find_spans("Insgesamt – Gesamt: 83,5, 2024: 15.")}
    assert "\n\n\n" not in text
    sentences = [text[a:b] for a, b in split_sentences(text)]
    assert "Bauzeit: 25.07.2023 – 12.12.2024" in sentences  # a label line is a sentence of its own


def test_layout_normalisation_keeps_page_spans_on_the_new_text() -> None:
    page_two = "Seite zwei beginnt hier.\nAuftragssumme:   637.955,91 €\n"
    raw = RAW_FORM + page_two
    vorlage = Vorlage(doc_id="d", source="d.pdf", source_name="d.pdf", text=raw,
                      spans=[TextSpan(start=0, end=len(RAW_FORM), page=1), TextSpan(start=len(RAW_FORM), end=len(raw), page=2)])
    normalized = normalize_vorlage(vorlage)
    second = normalized.spans[1]
    assert normalized.text[second.start:].startswith("Seite zwei beginnt hier.")
    assert "Auftragssumme: 637.955,91 €" in normalized.text[second.start : second.end]
    assert normalized.spans[0].end == second.start


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("Die Umsetzung der Maßnahme soll 2026 beginnen.", AnswerType.DATUM, "2026"),
        ("Der Zuschuss gilt bis Ende 2030.", AnswerType.DATUM, "bis Ende 2030"),
        ("einen Förderantrag beim Verkehrsministerium Baden-Württemberg zu stellen", AnswerType.ORGANISATION,
         "Verkehrsministerium Baden-Württemberg"),
        ("beim Ministerium für Verkehr einzureichen", AnswerType.ORGANISATION, "Ministerium für Verkehr"),
        ("Hubrettungsbühne272,50 je Stunde", AnswerType.BETRAG, "272,50 je Stunde"),
        # places: streets with or without a number, a named site
        ("eine Plauderbank auf dem Gelände des TSV Bulach in der St.-Florian-Straße", AnswerType.ORT, "TSV Bulach"),
        ("eine Plauderbank auf dem Gelände des TSV Bulach in der St.-Florian-Straße", AnswerType.ORT,
         "St.-Florian-Straße"),
        ("Die Bürgerberatung zieht in die Kaiserallee 12a um.", AnswerType.ORT, "Kaiserallee 12a"),
        ("Der Treffpunkt liegt im Stadtteil Durlach.", AnswerType.ORT, "Durlach"),
        # a name of two words whose first is a place's adjective
        ("Die Linie endet künftig am Mannheimer Tor.", AnswerType.ORT, "Mannheimer Tor"),
        ("Gebaut wird zwischen der Freiburger Straße 4 und dem Bahnhof.", AnswerType.ORT, "Freiburger Straße 4"),
    ],
)
def test_years_of_events_public_bodies_fee_table_prices_and_places_are_typed(text: str, kind: AnswerType, value: str) -> None:
    assert value in [span.text for span in find_spans(text) if span.type is kind]


def test_a_workplace_or_an_area_is_no_place() -> None:
    text = "Am Arbeitsplatz und im Bereich des Zufahrtsweges, auf dem Radweg"
    assert [span.text for span in find_spans(text) if span.type is AnswerType.ORT] == []
    text = "Unser Weg ist klar: Im Oktober Platz schaffen, aber dieser Weg kostet."
    assert [span.text for span in find_spans(text) if span.type is AnswerType.ORT] == []


def test_a_year_in_a_figure_or_a_reference_is_no_date() -> None:
    assert not [s for s in find_spans("Die Kosten 2024 betragen 5 Euro; Haushalt 2024/2025.") if s.type is AnswerType.DATUM]


def test_the_event_a_date_question_asks_for() -> None:
    """"Wann soll … begonnen werden?" matches "soll 2026 beginnen" (ablaut), "Ab wann gilt …?" matches "in Kraft"."""
    from vorlagen.text import events

    assert events("Wann soll mit dem Bau begonnen werden?") == events("Der Bau soll 2026 beginnen.") == {"beginn"}
    assert events("Ab wann gilt die Satzung?") == events("Die Satzung tritt am 01.01.2025 in Kraft.") == {"geltung"}
    assert events("Wann wird der Beigeordnete gewählt?") & events("Die Wahl wird am 21.10.2025 durchgeführt.") == {"wahl"}
    assert not events("Der Gemeinderat hat am 14.05.2019 informiert.")


@pytest.mark.parametrize(
    ("text", "period"),
    [("264.960 Euro jährlich", "jahr"), ("22.080 Euro monatlich", "monat"), ("23 Euro pro Tag", "tag"),
     ("um ein Jahr für 1.006.191,87 €", "jahr"), ("Miete/Stunde", "stunde"), ("Gesamtkosten: 529.920 €", None)],
)
def test_the_period_an_amount_is_stated_per(text: str, period: str | None) -> None:
    from vorlagen.text import period_of

    assert period_of(text) == period


def test_an_amount_of_another_kind_does_not_answer() -> None:
    """A kind of amount the question names ("Einsparungen", "Finanzvolumen") must be named near the value
    by its head ("Gesamtvolumen"); costs and an unnamed kind need no naming."""
    from assistant.candidates import _names_the_amount
    from vorlagen.text import tokenize

    near = set(tokenize("Liste 1 umfasst 26,16 Vollzeitwerte mit einem Gesamtvolumen von rund 1,9 Mio. Euro."))
    assert _names_the_amount(tokenize("Finanzvolumen"), near)
    assert _names_the_amount(tokenize("Bettensteuer"), set(tokenize("Übernachtungsteuer: 4,00 Euro")))
    fee = set(tokenize("Der Mitgliedsbeitrag beträgt 1.000 Euro jährlich."))
    assert not _names_the_amount(tokenize("Einsparungen"), fee)
    assert _names_the_amount(tokenize("Gesamtkosten"), fee) and _names_the_amount([], fee)


def test_a_procedure_question_naming_a_body_gets_that_bodys_step() -> None:
    from datetime import date

    from assistant.about import VorlageAnswerer
    from assistant.extractive import ExtractiveAnswerer
    from vorlagen.domain import Beratung, Vorlage
    from vorlagen.settings import AnswerSettings

    vorlage = Vorlage(doc_id="v", source="v", source_name="2026/0272", text="", drucksache="2026/0272", beratungsfolge=[
        Beratung(gremium="Bauausschuss", rolle="Vorberatung", datum=date(2026, 5, 20)),
        Beratung(gremium="Gemeinderat", rolle="Entscheidung", datum=date(2026, 7, 28))])
    answerer = VorlageAnswerer(ExtractiveAnswerer(AnswerSettings(), idf=lambda _: 1.0), {"v": vorlage}.get, AnswerSettings())
    named = answerer._value(analyze_question("Wann berät der Bauausschuss über den Neubau der Schule?"), vorlage)
    assert named is not None and "Bauausschuss (Vorberatung) am 20.05.2026" in named and "Gemeinderat" not in named
    every = answerer._value(analyze_question("Welche Gremien beraten über den Neubau der Schule?"), vorlage)
    assert every is not None and "Bauausschuss" in every and "Gemeinderat" in every


def test_a_question_about_the_vorberatung_gets_the_steps_before_the_last_when_the_table_has_no_roles() -> None:
    from datetime import date

    from assistant.about import VorlageAnswerer
    from assistant.extractive import ExtractiveAnswerer
    from vorlagen.domain import Beratung, Vorlage
    from vorlagen.settings import AnswerSettings

    vorlage = Vorlage(doc_id="v", source="v", source_name="2026/0310", text="", drucksache="2026/0310", beratungsfolge=[
        Beratung(gremium="Umweltausschuss", datum=date(2026, 4, 14)),
        Beratung(gremium="Stadtrat", rolle="Beschlussfassung", datum=date(2026, 5, 5))])
    answerer = VorlageAnswerer(ExtractiveAnswerer(AnswerSettings(), idf=lambda _: 1.0), {"v": vorlage}.get, AnswerSettings())
    advised = answerer._value(analyze_question("Welcher Ausschuss hat die Baumschutzsatzung vorberaten, und wann?"), vorlage)
    assert advised is not None and "Umweltausschuss am 14.04.2026" in advised and "Stadtrat" not in advised
    decided = answerer._value(analyze_question("Welches Gremium entscheidet über die Baumschutzsatzung?"), vorlage)
    assert decided is not None and "Stadtrat (Beschlussfassung) am 05.05.2026" in decided and "Umweltausschuss" not in decided


def test_a_question_naming_the_deciding_body_as_a_reference_gets_the_advising_step() -> None:
    from datetime import date

    from assistant.about import VorlageAnswerer
    from assistant.extractive import ExtractiveAnswerer
    from vorlagen.domain import Beratung, Vorlage
    from vorlagen.settings import AnswerSettings

    labelled = Vorlage(doc_id="a", source="a", source_name="2026/0411", text="", drucksache="2026/0411", beratungsfolge=[
        Beratung(gremium="Ortschaftsrat Neureut", rolle="Anhörung", datum=date(2026, 2, 3)),
        Beratung(gremium="Planungsausschuss", rolle="Vorberatung", datum=date(2026, 2, 12)),
        Beratung(gremium="Gemeinderat", rolle="Entscheidung", datum=date(2026, 3, 3))])
    unlabelled = Vorlage(doc_id="b", source="b", source_name="2026/0412", text="", drucksache="2026/0412", beratungsfolge=[
        Beratung(gremium="Sozialausschuss", datum=date(2026, 4, 22)),
        Beratung(gremium="Gemeinderat", rolle="Entscheidung", datum=date(2026, 5, 5))])
    answerer = VorlageAnswerer(ExtractiveAnswerer(AnswerSettings(), idf=lambda _: 1.0),
                               {"a": labelled, "b": unlabelled}.get, AnswerSettings())
    for vorlage, body, day in ((labelled, "Planungsausschuss (Vorberatung)", "12.02.2026"),
                               (unlabelled, "Sozialausschuss", "22.04.2026")):
        for question in ("Welcher Ausschuss hat das Vorhaben vorberaten, bevor der Gemeinderat darüber entschied?",
                         "In welchem Gremium wurde die Sache vor dem Gemeinderat vorberaten, und wann?"):
            advised = answerer._value(analyze_question(question), vorlage)
            assert advised is not None and f"{body} am {day}" in advised, (question, advised)
            assert "Ortschaftsrat" not in advised
    decided = answerer._value(analyze_question("Wann entscheidet der Gemeinderat über das Vorhaben?"), labelled)
    assert decided is not None and "Gemeinderat (Entscheidung) am 03.03.2026" in decided and "Planungs" not in decided


def test_who_and_whom_ask_for_a_person_and_a_council_group_for_an_organisation() -> None:
    from assistant.question import answer_type
    from assistant.spans import AnswerType

    assert answer_type("Wen beruft der Ortschaftsrat in den Beirat?") is AnswerType.PERSON
    assert answer_type("Wem wurde die Ehrennadel verliehen?") is AnswerType.PERSON
    assert answer_type("Welche Stadträtin stellte den Antrag zur Beleuchtung?") is AnswerType.PERSON
    assert answer_type("Welche Fraktion lehnte die Erhöhung ab?") is AnswerType.ORGANISATION
    assert answer_type("Wer liefert die neuen Tablets?") is AnswerType.ORGANISATION


def test_persons_after_a_title_or_a_role_label_and_council_groups_are_spans() -> None:
    from assistant.spans import AnswerType, find_spans

    text = ("Vorsitz: Hanna-Lena Berghof. Ortschaftsrätin Gül Yilmaz (FW) fragte nach; "
            "die CDU-Fraktion und die Fraktion DIE PARTEI stimmten dagegen.")
    spans = {(s.type, s.text) for s in find_spans(text)}
    assert (AnswerType.PERSON, "Hanna-Lena Berghof") in spans
    assert (AnswerType.PERSON, "Ortschaftsrätin Gül Yilmaz") in spans
    assert {(AnswerType.ORGANISATION, "FW"), (AnswerType.ORGANISATION, "CDU-Fraktion"),
            (AnswerType.ORGANISATION, "DIE PARTEI")} <= spans
    # titles alone name nobody: „Herrn Bürgermeister“ without a name is no person
    addressed = find_spans("Das Schreiben ging an Herrn Bürgermeister und Frau Dr. Sabine Ott.")
    assert [s.text for s in addressed if s.type is AnswerType.PERSON] == ["Frau Dr. Sabine Ott"]


def test_calendar_weeks_parts_of_a_month_and_times_of_day_are_dates() -> None:
    from assistant.spans import AnswerType, find_spans

    text = ("Die Arbeiten laufen von der 14. KW 2027 bis Mitte Oktober; die Halle öffnet werktags um 7:45 Uhr "
            "und schließt samstags bereits um 13 Uhr. Die Übergabe ist im Spätjahr 2027 geplant.")
    dates = {s.text for s in find_spans(text) if s.type is AnswerType.DATUM}
    assert {"14. KW 2027", "Mitte Oktober", "7:45 Uhr", "13 Uhr", "im Spätjahr 2027"} <= dates
    assert not any(s.type is AnswerType.DATUM for s in find_spans("Der Eintritt kostet 12.50 Euro."))


def test_times_and_measures_are_asked_as_such() -> None:
    from assistant.question import answer_type
    from assistant.spans import AnswerType

    assert answer_type("Um wie viel Uhr beginnt die Bürgerversammlung?") is AnswerType.DATUM
    assert answer_type("Wie breit wird der neue Radweg am Ufer?") is AnswerType.ANZAHL
    assert answer_type("Wie lange dauert die Sperrung?") is AnswerType.DAUER


def test_the_noun_after_welch_decides_what_is_asked() -> None:
    """„Zu welchem Preis bekommt die Firma …“ asks for an amount, not the company the verb would ask for;
    „Welche Vereine verlieren ihren Zuschuss?“ asks for the clubs, not for the amount its last noun names."""
    from assistant.question import answer_type
    from assistant.spans import AnswerType

    assert answer_type("Zu welchem Preis erhält die Baufirma den Auftrag für die Brücke?") is AnswerType.BETRAG
    assert answer_type("Zu welchem Kaufpreis übernimmt die Stadt den halben Anteil am Grundstück?") is AnswerType.BETRAG
    assert answer_type("Welche drei Vereine verlieren wegen der Kürzung ihren Zuschuss?") is AnswerType.TEXT
    # a noun that names a figure or an asking word keeps the amount
    assert answer_type("Welcher Betrag fließt an den Verein?") is AnswerType.BETRAG
    assert answer_type("Welche Summe zahlt das Land für die Brücke?") is AnswerType.BETRAG
    assert answer_type("Bei welchem Ministerium beantragt die Stadt die Förderung?") is AnswerType.ORGANISATION
    assert answer_type("Welche Firma bekommt den Auftrag für die Reinigung?") is AnswerType.ORGANISATION
