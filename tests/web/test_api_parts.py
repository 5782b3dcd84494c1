"""The API's pure parts: follow-up rule, upload checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import HTTPException

from api.conversation import is_follow_up, retrieval_query
from api.upload import check_file_type, safe_filename


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Und wie viel kostet das?", True),
        ("Wann wurde dies beschlossen?", True),
        ("Und in Wiesbaden?", True),
        ("Wie viele Stellen werden zum Stellenplan 2022 für das neue Amt geschaffen?", False),
        ("Welche Abteilungen des Haupt- und Personalamts in Stuttgart sind betroffen?", False),
    ],
)
def test_follow_up_detection(question: str, expected: bool) -> None:
    assert is_follow_up(question) is expected


def test_retrieval_query_combines_only_follow_ups() -> None:
    previous = ["Wie viele Stellen schafft Stuttgart für das Amt für Digitalisierung?"]
    assert retrieval_query(previous, "Und wie viel kostet das?") == f"{previous[0]} Und wie viel kostet das?"
    standalone = "Welche Beratungsfirma begleitet die Gründung des Amts in Stuttgart?"
    assert retrieval_query(previous, standalone) == standalone
    assert retrieval_query([], "Und wie viel kostet das?") == "Und wie viel kostet das?"
    assert retrieval_query(previous, "Und das?", turns=0) == "Und das?"


def test_file_type_checks(shared_dir: Path) -> None:
    pdf = next((shared_dir / "corpus" / "real" / "pdf").glob("*.pdf")).read_bytes()[:8192]
    html = next((shared_dir / "corpus" / "real" / "html").glob("*.html")).read_bytes()[:8192]
    assert check_file_type("a.PDF", pdf) == "PDF"
    assert check_file_type("a.htm", html) == "HTML"
    for name, head, status in [("a.pdf", html, 415), ("a.txt", pdf, 415), ("a.docx", pdf, 415), ("ohne", html, 415)]:
        with pytest.raises(HTTPException) as raised:
            check_file_type(name, head)
        assert raised.value.status_code == status


def test_safe_filename_removes_folders() -> None:
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Temp\\Vorlage Nr. 1 (Entwurf).pdf") == "Vorlage Nr. 1 _Entwurf_.pdf"
    assert safe_filename("Begründung–Änderung.txt") == "Begründung_Änderung.txt"
    assert safe_filename("...") == "upload"
