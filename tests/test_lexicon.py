"""The lexicon (``vorlagen.text.lexicon``) on reworded text: wordings that no other test and no question of
the bank uses, so that a pattern fitted to one sentence would fail here."""

from __future__ import annotations

import re

import pytest

from vorlagen.text import lexicon
from vorlagen.text.parts import question_parts


def _values(patterns: tuple[re.Pattern[str], ...], text: str) -> set[str]:
    """What the patterns find in ``text``: the ``inner…`` group where one matched, else the whole match,
    trimmed (``trim_value``)."""
    found = set()
    for pattern in patterns:
        for match in pattern.finditer(text):
            inner = [match.span(name) for name in pattern.groupindex if name.startswith("inner") and match[name]]
            found.add(text[slice(*lexicon.trim_value(text, *(inner[0] if inner else match.span())))])
    return found


@pytest.mark.parametrize(
    ("cue", "question"),
    [
        ("ASKS_AMOUNT", "Mit welchem Betrag beteiligt sich das Land am Umbau?"),
        ("ASKS_AMOUNT", "Welche Fördermittel fließen in die Sanierung der Brücke?"),
        ("ASKS_AMOUNT", "Welche Gebühr zahlen Anwohner künftig für den Parkausweis?"),
        ("ASKS_CONSULTATION", "Wann wird der Lärmaktionsplan im Ortschaftsrat behandelt?"),
        ("ASKS_DATE", "Zu welchem Zeitpunkt öffnet das Freibad wieder?"),
        ("ASKS_DATE", "Bis wie viel Uhr darf im Biergarten ausgeschenkt werden?"),
        ("ASKS_COUNT", "Wieviele Wohnungen entstehen im neuen Quartier?"),
        ("ASKS_DURATION", "Für welchen Zeitraum wird der Pachtvertrag geschlossen?"),
        ("ASKS_PERCENTAGE", "Welchen Anteil der Kosten trägt der Bund?"),
        ("ASKS_PERCENTAGE", "Auf welchen Hebesatz will die Gemeinde die Grundsteuer B anheben?"),
        ("ASKS_PERCENTAGE", "Wie hoch ist die Förderquote des Landes beim Kita-Neubau?"),
        ("ASKS_PERCENTAGE", "Welchen Kostendeckungsgrad erreicht die Musikschule?"),
        ("ASKS_PERCENTAGE", "Wie wurde die Qualität bei der Ausschreibung der Reinigung gewichtet?"),
        ("ASKS_DURATION", "In welchem Turnus werden die Spielgeräte geprüft?"),
        ("ASKS_DURATION", "In welchen Abständen legt die Verwaltung den Bericht vor?"),
        ("ASKS_DATE", "Mit Ablauf welchen Tages endet die Amtszeit des Ortsvorstehers?"),
        ("ASKS_DATE", "Von welchem Datum ist der Antrag der Fraktion?"),
        ("ASKS_DATE", "In welcher Sitzung (Datum) wurde der Bebauungsplan beschlossen?"),
        ("ASKS_DATE", "Welcher Sitzungstermin ist für die Entscheidung vorgesehen?"),
        ("ASKS_AMOUNT", "Welchen Stundensatz berechnet das Planungsbüro?"),
        ("ASKS_ORGANISATION", "Von wem wird die Mensa künftig bewirtschaftet?"),
        ("ASKS_ORGANISATION", "Welcher Dienstleister übernimmt den Winterdienst?"),
        ("ASKS_ORGANISATION", "Welcher Pflegedienst betreibt die Tagespflege?"),
        ("ASKS_ORGANISATION", "Welches Gartenbauamt pflegt die Grünflächen am Bahnhof?"),
        ("ASKS_ORGANISATION", "Welcher Fachbereich bearbeitet die Anträge auf Wohngeld?"),
        ("ASKS_COUNT", "Wie hoch soll der neue Aussichtspunkt werden?"),
        ("ASKS_PERSON", "Wer leitet die neue Koordinierungsstelle?"),
        ("ASKS_PLACE", "An welchem Standort entsteht die neue Feuerwache?"),
        ("ASKS_PLACE", "In welcher Gasse soll der neue Brunnen stehen?"),
        ("ASKS_PLACE", "Zwischen welchen beiden Plätzen wird die Fußgängerzone verlängert?"),
        ("ASKS_PLACE", "Welche Haltestelle bekommt einen barrierefreien Bahnsteig?"),
        ("ASKS_PLACE", "Welches Flurstück kauft die Stadt für den Kindergarten?"),
        ("ASKS_NAME", "Wie lautet der Titel des Förderprogramms?"),
        ("ASKS_DRUCKSACHE", "Unter welcher Nummer wurde der Antrag eingereicht?"),
        ("ASKS_GREMIUM", "Welcher Beirat hat sich mit dem Lärmschutz befasst?"),
        # about the Vorlage itself, lists of Vorlagen, follow-ups
        ("ASKS_VORLAGE_NUMBER", "Durch welche Beschlussvorlage wurde die Gebühr erhöht?"),
        ("ASKS_CONSULTATION", "Wann befasst sich der Gemeinderat mit dem Radweg?"),
        ("ASKS_LEAD_OFFICE", "Welches Dezernat ist für den Schulbau zuständig?"),
        ("ASKS_LEAD_OFFICE", "Welche Dienststelle hat die Vorlage zum Hallenbad erstellt?"),
        ("ASKS_LEAD_OFFICE", "Wer ist bei der Drucksache zur Grundsteuer federführend?"),
        ("ASKS_VORLAGE_KIND", "Was für eine Vorlage ist das zum Parkraum?"),
        ("ASKS_VORLAGE_DATE", "Von wann ist die Vorlage zum Hallenbad?"),
        ("ASKS_LIST", "Zeig mir alle Drucksachen zum Radverkehr"),
        ("FOLLOW_UP", "Und die Folgekosten?"),
        ("DECIDING", "Wer beschließt am Ende über die Vergabe?"),
        ("ADVISING", "Welcher Ausschuss berät den Haushalt vor?"),
        # the asked-for noun
        ("HOW_OFTEN", "Wie häufig tagt der Seniorenrat?"),
        ("ASKS_COSTS", "Was würde der Umbau kosten?"),
        ("SIGNING", "Wer hat die Vereinbarung unterschrieben?"),
        ("TOTAL", "Wie hoch ist die Gesamtsumme der Zuschüsse?"),
    ],
)
def test_question_words_are_recognised_in_other_wordings(cue: str, question: str) -> None:
    assert getattr(lexicon, cue).search(question)


@pytest.mark.parametrize(
    ("cue", "question"),
    [
        ("ASKS_DATE", "Wie viel kostet der Eintritt?"),
        ("ASKS_PERCENTAGE", "Wie viele Kitas gibt es im Stadtteil?"),
        ("ASKS_PERCENTAGE", "Welchen Stundensatz berechnet das Planungsbüro?"),  # a rate per hour is money
        ("ASKS_PERCENTAGE", "Welcher Grad an Barrierefreiheit wird erreicht?"),
        ("ASKS_ORGANISATION", "Welche Gesamtkosten entstehen für den Umbau?"),
        ("ASKS_DATE", "Wie viele Termine bietet das Bürgerbüro samstags an?"),
        ("ASKS_DATE", "Wer hat die Anfrage zum neuen Fertigstellungstermin der Brücke beantwortet?"),
        ("ASKS_PLACE", "Welche Ortsgruppe des Vereins hat den Antrag gestellt?"),  # a word that starts like „Ort“
        ("ASKS_PLACE", "Welche Wegeverbindung wird zuerst ausgebaut?"),
        ("ASKS_LIST", "Welche Vorlage regelt die Gebühren?"),
        # an office as what the Vorlage is about, not who is responsible for it
        ("ASKS_LEAD_OFFICE", "Welches Amt hat im Förderbericht die meisten Zuschüsse bekommen?"),
        ("ASKS_LEAD_OFFICE", "Welches Amt betreut künftig den neuen Seniorenbeirat?"),
        ("ASKS_LEAD_OFFICE", "Wer soll die Planung des Wettbewerbs federführend übernehmen?"),
        ("FOLLOW_UP", "Wie hoch sind die Baukosten der neuen Grundschule im Süden?"),
    ],
)
def test_question_words_of_another_question_are_not_recognised(cue: str, question: str) -> None:
    assert not getattr(lexicon, cue).search(question)


def test_parts_years_and_the_asked_noun_of_a_question() -> None:
    assert question_parts("Wer baut die Brücke, und bis wann soll sie fertig sein?") == [
        "Wer baut die Brücke", "bis wann soll sie fertig sein?"]
    assert question_parts("Seit wann und für wie viele Jahre ist die Leiterin der Musikschule gewählt?") == [
        "Seit wann ist die Leiterin der Musikschule gewählt?", "für wie viele Jahre ist die Leiterin der Musikschule gewählt?"]
    assert question_parts("Wo beginnt die Umleitung, und an welcher Kreuzung endet sie?") == [
        "Wo beginnt die Umleitung", "an welcher Kreuzung endet sie?"]
    assert question_parts("Um wie viel steigt die Miete, und ab welchem Monat gilt sie?") == [
        "Um wie viel steigt die Miete", "ab welchem Monat gilt sie?"]
    assert question_parts("Welche Straßen und Plätze werden saniert?") == ["Welche Straßen und Plätze werden saniert?"]
    assert lexicon.YEAR.findall("Im Haushalt 2025 stehen 12.000 Euro, beschlossen am 01.03.2024.") == ["2025"]
    assert lexicon.SINCE_YEAR.search("Vorlagen seit dem Jahr 2021 bis 2023")[2] == "2021"
    assert lexicon.UNTIL_YEAR.search("Vorlagen seit dem Jahr 2021 bis 2023")[2] == "2023"
    assert lexicon.COUNTED_NOUN.search("Wie viele neue Ladesäulen stellt die Stadt auf?")[1] == "Ladesäulen"
    assert lexicon.PRODUCT_KIND.search("Welches System nutzt das Bürgeramt?")[1] == "System"
    assert "betriebskosten".endswith(lexicon.AMOUNT_NOUNS)
    assert [m.group() for m in lexicon.CAPITALISED_WORD.finditer("wie hoch sind die Pachteinnahmen")] == ["Pachteinnahmen"]


def test_a_part_that_is_only_a_question_phrase_shares_the_rest_of_the_next() -> None:
    """„Wie breit und wie tief wird der Graben?“ asks twice about the Graben; „Ja- und Nein-Stimmen“ are
    Ja-Stimmen and Nein-Stimmen."""
    assert question_parts("Wie breit und wie tief wird der neue Graben am Sportplatz?") == [
        "Wie breit wird der neue Graben am Sportplatz?", "wie tief wird der neue Graben am Sportplatz?"]
    assert question_parts("Wie viele Pro- und wie viele Contra-Stimmen gab es im Beirat?") == [
        "Wie viele Pro-Stimmen gab es im Beirat?", "wie viele Contra-Stimmen gab es im Beirat?"]
    assert question_parts("An wie vielen Kitas und an welchen Schulen fehlt Personal?") == [
        "An wie vielen Kitas fehlt Personal?", "an welchen Schulen fehlt Personal?"]
    # a part that asks more than the question word keeps its own words; a compound written whole is not cut
    assert question_parts("Was kostet die Halle, und wann wird sie fertig?") == [
        "Was kostet die Halle", "wann wird sie fertig?"]
    assert question_parts("Wann hat der Haupt- und Finanzausschuss die Bau-Satzung beraten?") == [
        "Wann hat der Haupt- und Finanzausschuss die Bau-Satzung beraten?"]


@pytest.mark.parametrize(
    ("question", "direction"),
    [
        ("Auf welchen Betrag steigt die Hundesteuer?", 1),
        ("Wie hoch soll die Gebühr künftig sein?", 1),
        ("Wie hoch war der Zuschuss bisher?", -1),
        ("Wie hoch ist der Zuschuss für den Sportverein?", 0),
    ],
)
def test_the_asked_direction_of_a_change(question: str, direction: int) -> None:
    assert lexicon.asked_direction(question) == direction


@pytest.mark.parametrize(
    ("text", "value", "direction"),
    [
        ("Die Gebühr steigt von 20 Euro auf 25 Euro.", "20 Euro", -1),
        ("Die Gebühr steigt von 20 Euro auf 25 Euro.", "25 Euro", 1),
        ("Die Miete beträgt künftig 640 Euro im Monat.", "640 Euro", 1),
        ("Eine Gebühr von 30 Euro wird erhoben.", "30 Euro", 0),
        ("Die Kosten belaufen sich nunmehr auf 17.000 Euro (vorher 13.000 Euro).", "13.000 Euro", -1),
        ("Die Kosten belaufen sich nunmehr auf 17.000 Euro (vorher 13.000 Euro).", "17.000 Euro", 1),
    ],
)
def test_the_stated_direction_of_a_value(text: str, value: str, direction: int) -> None:
    start = text.index(value)
    assert lexicon.stated_direction(text, start, start + len(value)) == direction


@pytest.mark.parametrize(
    ("question", "bound"),
    [
        ("Ab wann gilt die neue Satzung?", "ab"),
        ("Bis wie viel Uhr ist die Bücherei geöffnet?", "bis"),
        ("Seit wann läuft das Modellprojekt?", "seit"),
        ("Wann beginnt der Abriss?", None),
    ],
)
def test_the_asked_bound_of_a_date(question: str, bound: str | None) -> None:
    assert lexicon.asked_bound(question) == bound


@pytest.mark.parametrize(
    ("text", "value", "bound"),
    [
        ("Die Halle ist bis spätestens 22 Uhr geöffnet.", "22 Uhr", "bis"),
        ("Die Satzung gilt ab dem 1. April 2026.", "1. April 2026", "ab"),
        ("Das Projekt läuft seit 2019.", "seit 2019", "seit"),
        ("Die Halle öffnet um 8 Uhr.", "8 Uhr", None),
    ],
)
def test_the_stated_bound_of_a_date(text: str, value: str, bound: str | None) -> None:
    assert lexicon.stated_bound(text, text.index(value)) == bound


@pytest.mark.parametrize(
    ("group", "text", "value"),
    [
        ("DATES", "Die Sitzung beginnt um 17.30 Uhr im Rathaus.", "17.30 Uhr"),
        ("DATES", "Einlass ist ab 9:45 am Haupteingang.", "9:45"),
        ("DATES", "Die Arbeiten enden in der 12. Kalenderwoche 2027.", "12. Kalenderwoche 2027"),
        ("DATES", "Der Umzug erfolgt bis Mitte Sept. 2026.", "Mitte Sept. 2026"),
        ("DATES", "Beschlossen am 3.11.25 im Ortschaftsrat.", "3.11.25"),
        ("DATES", "Die Halle wird im Frühjahr 2027 saniert.", "im Frühjahr 2027"),
        ("DATES", "Der Neubau soll 2028 in Betrieb gehen.", "2028"),
        ("AMOUNTS", "Die Baukosten liegen bei rd. 1,25 Mrd. EUR insgesamt.", "rd. 1,25 Mrd. EUR"),
        ("AMOUNTS", "Das Land gibt einen Zuschuss von 350 TEUR jährlich.", "350 TEUR jährlich"),
        ("AMOUNTS", "Die Pacht beträgt € 2.500 pro Monat.", "€ 2.500 pro Monat"),
        ("AMOUNTS", "Übernachtung im Zeltlager48,00 je Nacht", "48,00 je Nacht"),
        ("AMOUNTS", "Kosten der Beschilderung: 450,- (einmalig)", "450,-"),
        ("AMOUNTS", "Die Gebühr steigt auf 1.200,– € im Jahr.", "1.200,– € im Jahr"),
        ("DURATIONS", "Der Vertrag läuft zunächst drei Jahre.", "drei Jahre"),
        ("DURATIONS", "Die Bauzeit beträgt 18 Monate.", "18 Monate"),
        ("PERCENTAGES", "Die Quote stieg von fünf auf 12 Prozent.", "von fünf auf 12 Prozent"),
        ("PERCENTAGES", "Der Eigenanteil liegt bei 7,5 % der Kosten.", "7,5 %"),
        ("PERCENTAGES", "Gefördert werden 40 v. H. der Ausgaben.", "40 v. H."),
        ("COUNTS", "Es entstehen 48 geförderte Wohnungen.", "48 geförderte Wohnungen"),
        ("COUNTS", "Geplant sind zwölf Ladepunkte am Bahnhof.", "zwölf Ladepunkte"),
        ("COUNTS", "Anzahl der Plätze: 120", "120"),
        ("COUNTS", "Neu markiert werden 12 Kilometer Radweg.", "12 Kilometer"),
        ("DATES", "Die Mensa öffnet zum Schuljahr 2027/28.", "zum Schuljahr 2027/28"),
        ("DRUCKSACHEN", "Siehe GRDrs 456/2025 zum Haushalt.", "GRDrs 456/2025"),
        ("GREMIEN", "Die Vorlage geht an den Bauausschuss.", "den Bauausschuss"),
        ("ORGANISATIONS", "Der Auftrag geht an die Stadtwerke Musterstadt GmbH.", "Stadtwerke Musterstadt GmbH"),
        ("ORGANISATIONS", "Die Grünen-Fraktion stellt einen Antrag.", "Grünen-Fraktion"),
        ("ORGANISATIONS", "Zuständig ist das Regierungspräsidium Tübingen.", "Regierungspräsidium Tübingen"),
        ("PLACES", "Die Kita liegt in der Lindenstraße 14a.", "Lindenstraße 14a"),
        ("PLACES", "Gebaut wird im Stadtteil Neustadt.", "Neustadt"),
        ("PERSONS", "Es berichtet Stadträtin Weber.", "Stadträtin Weber"),
        ("PERSONS", "Entsandt wird Herrn Stadtrat Dr. Jan Roth.", "Herrn Stadtrat Dr. Jan Roth"),
        ("PERSONS", "Es sprach Frau Bürgermeisterin Prof. Lea Kern.", "Frau Bürgermeisterin Prof. Lea Kern"),
        ("PERSONS", "Ansprechpartnerin: Julia Brandt", "Julia Brandt"),
        ("NAMES", "Das Programm „Grüne Höfe“ startet im Mai.", "Grüne Höfe"),
        ("NAMES", "Die Verwaltung nutzt die Software Nextcloud.", "Nextcloud"),
    ],
)
def test_values_are_found_in_other_wordings(group: str, text: str, value: str) -> None:
    assert value in _values(getattr(lexicon, group), text)


@pytest.mark.parametrize(
    ("group", "text"),
    [
        ("DATES", "Die Drucksache 0815/2026 nennt Kosten von 12.000 Euro."),
        ("AMOUNTS", "Die Stadt hat 2,5 Millionen Einwohner."),
        ("AMOUNTS", "Siehe Anlage 3,-4 der Tabelle."),
        ("DURATIONS", "Ab der 3. Woche gilt der neue Plan."),
        ("COUNTS", "Die Bauzeit beträgt 18 Monate und kostet 3 Euro."),
        ("COUNTS", "Nach Ziffer 4 der Richtlinie und Abschnitt 2 des Vertrags entscheidet der Ausschuss."),
    ],
)
def test_no_value_where_the_text_states_none_of_that_kind(group: str, text: str) -> None:
    assert not _values(getattr(lexicon, group), text)


def test_an_organisation_after_a_cue_word_and_a_values_edges() -> None:
    match = lexicon.ORGANISATION_AFTER_CUE.search("Der Auftrag wird an die Firma Gartenbau Schmid vergeben.")
    assert match and match["name"].startswith("Gartenbau Schmid")
    text = "Es zahlt der Förderverein e. V. und die Stadt 12 Euro."
    assert text[slice(*lexicon.trim_value(text, text.index("12"), len(text)))] == "12 Euro"
    start = text.index("Förderverein")
    assert text[slice(*lexicon.trim_value(text, start, text.index(" und")))] == "Förderverein e. V."


def test_the_clause_around_a_value_ends_at_commas_and_conjunctions_but_not_decimal_commas() -> None:
    text = "Die Stadt zahlt 5 Mio. Euro, davon 1,5 Mio. Euro im Jahr 2026"
    start = text.index("1,5")
    assert text[slice(*lexicon.clause_around(text, start, start + len("1,5 Mio. Euro")))] == "1,5 Mio. Euro im Jahr 2026"
    assert lexicon.clause_breaks(text) == [text.index(","), text.index(" davon")]


@pytest.mark.parametrize(("question", "tense"), [
    ("Bis wann sollen die Arbeiten an der Brücke abgeschlossen sein?", 1),
    ("Wann wird das neue Hallenbad voraussichtlich eröffnet?", 1),
    ("Wann wurde der Vertrag mit dem Reinigungsdienst ursprünglich geschlossen?", -1),
    ("Wie viele Plätze hatte die Einrichtung bisher?", -1),
    ("Wie viele Plätze hat die Kita?", 0),
])
def test_the_tense_a_question_asks_in(question: str, tense: int) -> None:
    assert lexicon.asked_tense(question) == tense


@pytest.mark.parametrize(("value", "precision"), [
    ("03.11.2025", 1.0), ("1. März 2026", 1.0), ("12. Sept. 2024", 1.0),
    ("März 2026", 0.5), ("Ende Mai", 0.5), ("3. Quartal 2026", 0.5), ("39. KW 2024", 0.5),
    ("im Herbst 2025", 0.0), ("ab 2027", 0.0), ("Schuljahr 2025/26", 0.0),
])
def test_how_exact_a_stated_date_is(value: str, precision: float) -> None:
    assert lexicon.date_precision(value) == precision


@pytest.mark.parametrize(("value", "year_like"), [
    ("2025 Fördergelder", True), ("1998 Mitglieder", True),
    ("2.025 Mitglieder", False), ("2025,50 Euro", False), ("350 Plätze", False), ("12.000 Euro", False),
])
def test_a_number_written_like_a_year(value: str, year_like: bool) -> None:
    assert bool(lexicon.BARE_YEAR_NUMBER.match(value)) is year_like


def test_a_text_is_cut_after_a_whole_word() -> None:
    from vorlagen.text import cut_at_word

    assert cut_at_word("Sanierung der Turnhalle", 40) == "Sanierung der Turnhalle"
    assert cut_at_word("Sanierung der Turnhalle am Markt", 18) == "Sanierung der …"


def test_a_proper_name_drops_titles_offices_and_legal_forms() -> None:
    assert lexicon.proper_name("Herrn Stadtrat Dr. Jan Roth") == "Jan Roth"
    assert lexicon.proper_name("Frau Ortschaftsrätin Gül Yilmaz") == "Gül Yilmaz"
    assert lexicon.proper_name("Firma Bauer Tiefbau GmbH & Co. KG") == "Bauer Tiefbau"
    assert lexicon.proper_name("Förderverein Waldbad e.V.") == "Förderverein Waldbad"
    assert lexicon.proper_name("Agentur Konzept AG") == "Agentur Konzept"
