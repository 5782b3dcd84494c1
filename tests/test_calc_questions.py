"""End to end: calculation questions answered from real passages with exact figures and citations.

Evidence Documents are stand-ins for the retriever's: the real paper text of the question's source
(Karlsruhe OParl paper or seed file), cut into ~1000-character passages with the metadata keys the
retriever supplies (chunk_id, doc_id, source_name, start, end, drucksache, score, …).
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from langchain_core.documents import Document

from assistant.costs.answer import answer_calculation as answer_with_tables
from assistant.costs.parser import plan_calculation
from assistant.costs.tables import CostTables
from vorlagen.domain import Answer
from vorlagen.settings import Settings

TABLES = CostTables.load()
"""The shipped cost tables, loaded once as the service does."""


def answer_calculation(question: str, evidence: list[Document]) -> Answer | None:
    return answer_with_tables(question, evidence, tables=TABLES)


@pytest.fixture(scope="module")
def shared_dir() -> Path:
    path = Settings().shared_dir
    if not (path / "corpus").is_dir():
        pytest.skip(f"Der geteilte Datenordner {path} fehlt (Korpus und Fragen liegen dort).")
    return path


def passages(
    text: str, doc_id: str, source_name: str, drucksache: str | None = None, size: int = 1000, title: str | None = None
) -> list[Document]:
    """Cut ``text`` into passages of about ``size`` characters at line ends, keeping offsets."""
    documents: list[Document] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind("\n", start + size // 2, end)
            end = cut + 1 if cut > 0 else end
        metadata = {"chunk_id": f"{doc_id}#{len(documents)}", "doc_id": doc_id, "source_name": source_name,
                    "start": start, "end": end, "score": 1.0 - 0.01 * len(documents)}
        if drucksache:
            metadata["drucksache"] = drucksache
        if title:
            metadata["title"] = title
        documents.append(Document(page_content=text[start:end], metadata=metadata))
        start = end
    return documents


def karlsruhe_paper(shared_dir: Path, reference: str) -> tuple[str, list[Document]]:
    with gzip.open(shared_dir / "corpus" / "karlsruhe" / "karlsruhe-eval-300.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            paper = json.loads(line)
            if paper.get("reference") == reference:
                text = "\n".join(f.get("text") or "" for f in paper.get("auxiliaryFile") or [])
                return text, passages(text, paper["id"], reference, reference, title=paper.get("name"))
    pytest.fail(f"Vorlage {reference} fehlt im Korpus")


def seed(shared_dir: Path, name: str) -> tuple[str, list[Document]]:
    text = (shared_dir / "corpus" / "seeds" / name).read_text(encoding="utf-8")
    return text, passages(text, name, name)


def assert_citations_verbatim(answer: Answer, texts: dict[str, str], evidence: list[Document]) -> None:
    by_chunk = {doc.metadata["chunk_id"]: doc for doc in evidence}
    for citation in answer.citations:
        assert citation.quote in by_chunk[citation.chunk_id].page_content
        assert texts[citation.doc_id][citation.start : citation.end] == citation.quote
        assert f"[{citation.index}]" in answer.text


def facts_found(answer: Answer, groups: list[list[str]]) -> bool:
    text = re.sub(r"\s+", " ", answer.text).lower()
    return all(any(alt.lower() in text for alt in group) for group in groups)


def test_karlsruhe_calc_questions(shared_dir: Path) -> None:
    questions = [json.loads(line) for line in (shared_dir / "eval" / "karlsruhe_dev.jsonl").read_text().splitlines() if line.strip()]
    calc = [q for q in questions if q["type"] == "calc"]
    assert calc, "keine calc-Fragen im Entwicklungsdatensatz"
    correct = 0
    for item in calc:
        texts: dict[str, str] = {}
        evidence: list[Document] = []
        for reference in item["sources"]:
            text, docs = karlsruhe_paper(shared_dir, reference)
            texts[docs[0].metadata["doc_id"]] = text
            evidence += docs
        answer = answer_calculation(item["question"], evidence)
        assert answer is not None and not answer.refused, item["id"]
        assert answer.mode == "rechner" and answer.calculation
        assert_citations_verbatim(answer, texts, evidence)
        correct += facts_found(answer, item["expected_facts"])
    accuracy = correct / len(calc)
    print(f"\ncalc-Genauigkeit karlsruhe_dev: {correct}/{len(calc)} = {accuracy:.0%}")
    assert accuracy == 1.0


def test_k31_average_price_per_vehicle(shared_dir: Path) -> None:
    text, evidence = karlsruhe_paper(shared_dir, "2024/0039")
    question = ("Was kostet bei der Ersatzbeschaffung der batterieelektrischen Hochdachkombis aus dem "
                "Fahrzeugbeschaffungsprogramm 2022/2023 ein Fahrzeug im Durchschnitt, bezogen auf den "
                "Gesamtauftragswert einschließlich Mehrwertsteuer?")
    answer = answer_calculation(question, evidence)
    assert answer is not None
    assert answer.text.startswith("Ergebnis (Durchschnittlicher Betrag je Fahrzeug): 37.343,63 EUR je Fahrzeug")
    assert "746.872,63 EUR ÷ 20 = 37.343,63 EUR" in answer.text
    assert [c.drucksache for c in answer.citations] == ["2024/0039", "2024/0039"]
    assert "746.872,63 Euro einschließlich Mehrwertsteuer" in answer.citations[0].quote
    assert "20 batterieelektrischen Hochdachkombis" in answer.citations[1].quote
    assert_citations_verbatim(answer, {evidence[0].metadata["doc_id"]: text}, evidence)


def test_stuttgart_cost_per_position_from_evidence(shared_dir: Path) -> None:
    name = "stuttgart_grdrs_862_2021_amtsgruendung_digitalisierung.txt"
    text, evidence = seed(shared_dir, name)
    question = "Wie hoch sind die zusätzlichen Personalaufwendungen je Stelle beim Stuttgarter Amt für Digitalisierung und IT?"
    answer = answer_calculation(question, evidence)
    assert answer is not None and "100.820,00 EUR je Stelle" in answer.text
    assert "756.150,00 EUR ÷ 7,5 Stellen = 100.820,00 EUR" in answer.text
    assert len(answer.citations) == 2
    assert "756.150 EUR / Jahr" in answer.citations[0].quote and "7,5 Stellen" in answer.citations[1].quote
    assert_citations_verbatim(answer, {name: text}, evidence)


def test_wiesbaden_consultant_days_from_evidence(shared_dir: Path) -> None:
    name = "wiesbaden_sachstandsbericht_amt15.txt"
    text, evidence = seed(shared_dir, name)
    answer = answer_calculation("Was kosten die beantragten Beratertage in Wiesbaden zum genannten Tagessatz?", evidence)
    assert answer is not None and "Ergebnis (Beratungskosten): 456.000,00 EUR" in answer.text
    assert "380 Tage × 1.200,00 EUR = 456.000,00 EUR" in answer.text
    assert_citations_verbatim(answer, {name: text}, evidence)
    mixed = answer_calculation("Was kosten 200 und 175 Beratertage zum Tagessatz aus dem Wiesbadener Sachstandsbericht?", evidence)
    assert mixed is not None and "(200 + 175) Tage × 1.200,00 EUR = 450.000,00 EUR" in mixed.text
    assert len(mixed.citations) == 1 and "Tagessatz von ca. 1.200 Euro" in mixed.citations[0].quote
    assert "Beratertage: 200 (aus der Frage)" in mixed.text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Was kosten 380 Beratertage bei einem Tagessatz von 1.200 Euro?", "Ergebnis (Beratungskosten): 456.000,00 EUR"),
        ("Was ergeben 1.426.274 EUR pro Jahr ab 01.07.2024?", "Ergebnis (Anteiliger Jahresbetrag): 713.137,00 EUR"),
        ("Wie hoch ist der Betrag je Stelle, wenn 756.150 EUR auf 7,5 Stellen entfallen?", "100.820,00 EUR je Stelle"),
        ("Wie viele VZÄ sind 10 + 4 + 1 + 0,5 VZÄ zusammen?", "Ergebnis (Summe): 15,5 VZÄ"),
        ("Wie hoch ist die Summe von 300.000, 400.000, 450.000 und 450.000 Euro?", "Ergebnis (Summe): 1.600.000,00 EUR"),
        ("Wie hoch ist die Finanzplanung für 1.426.274 EUR jährlich ab 01.07.2024 bis 2026 mit einer Steigerung von 2,5 %?",
         "Ergebnis (Finanzplanung): 3.673.546,97 EUR"),
        ("Was kosten 2 Stellen E 13 TVöD ab 01.07.2026 ohne Gemeinkosten?", "Ergebnis (Personalkosten):"),
    ],
)
def test_questions_with_their_own_figures(question: str, expected: str) -> None:
    answer = answer_calculation(question, [])
    assert answer is not None and not answer.refused, answer and answer.text
    assert answer.text.startswith(expected) or expected in answer.text
    assert answer.citations == [] and "Rechnung:" in answer.text


def test_personnel_question_shows_table_and_formula() -> None:
    answer = answer_calculation("Was kosten 2 Stellen E 13 TVöD ab 01.07.2026?", [])
    assert answer is not None and not answer.refused
    assert "TVöD-VKA 2026" in answer.text and "KGSt Kosten eines Arbeitsplatzes" in answer.text
    assert "× 6/12" in answer.text and answer.calculation and answer.calculation[0].label == "2026"
    plain = answer_calculation("Was kosten 2 Stellen E 13 TVöD ab 01.07.2026 ohne Sachkosten und ohne Gemeinkosten?", [])
    assert plain is not None and "KGSt" not in plain.text and "Gemeinkosten 20 %" not in plain.text


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("Was kosten -3 Beratertage bei einem Tagessatz von 1.200 Euro?", "muss größer als 0 sein"),
        ("Was kosten 2 Stellen E 19 ab 01.07.2026?", "E 19 ist in den Tabellen"),
        ("Was kosten 2 Stellen E 9a ab 01.07.2031?", "Für das Jahr 2031 liegt keine Personalkostentabelle vor"),
        ("Was ergeben 1.426.274 pro Jahr ab 01.07.2024?", "„1.426.274“ hat keine Einheit"),
        ("Was kosten 380 Beratertage bei einem Tagessatz von 1.200?", "„1.200“ hat keine Einheit"),
        ("Was kosten 2 Stellen E 13?", "Bitte den Beginn angeben"),
    ],
)
def test_bad_input_is_refused_in_german(question: str, message: str) -> None:
    answer = answer_calculation(question, [])
    assert answer is not None and answer.refused and message in answer.text
    assert "Ergebnis" not in answer.text and not answer.calculation


def test_other_questions_are_not_calculations(shared_dir: Path) -> None:
    evidence: list[Document] = []
    for path in sorted((shared_dir / "corpus" / "seeds").glob("*.txt")):
        evidence += seed(shared_dir, path.name)[1]
    questions = []
    for name in ("questions.jsonl", "karlsruhe_dev.jsonl"):
        questions += [json.loads(line) for line in (shared_dir / "eval" / name).read_text().splitlines() if line.strip()]
    for item in questions:
        if item["type"] != "calc":
            assert plan_calculation(item["question"], evidence) is None, item["id"]
