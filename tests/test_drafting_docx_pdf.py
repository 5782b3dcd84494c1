"""The .docx of a draft opens in LibreOffice: converted to PDF headless, the finance table is intact (each row on
one line with every amount unbroken in the order of the years, the projected years marked „Annahme“).

Needs LibreOffice (``make system-deps`` installs ``libreoffice-writer-nogui``); skipped with that reason
when ``soffice`` is missing. The PDF is read with pypdf."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from assistant.drafting import Drafter, render_docx
from vorlagen.domain import DraftPosition, DraftRequest, DraftYearValue
from vorlagen.formatting import format_number
from vorlagen.settings import Settings

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) fehlt – make system-deps installiert libreoffice-writer-nogui")
def test_docx_converts_to_pdf_with_the_finance_table_intact(tmp_path: Path) -> None:
    request = DraftRequest(
        betreff="Einrichtung einer Einheit Digitale Verwaltung", stadt="Karlsruhe", datum=date(2026, 12, 6),
        stellen=[DraftPosition(anzahl=3, gruppe="E 11", ab=date(2027, 7, 1), befristet_bis=date(2029, 6, 30)),
                 DraftPosition(anzahl=1, gruppe="E 13", ab=date(2027, 7, 1))],
        beratertage_nach_jahr=[DraftYearValue(jahr=2027, wert=Decimal(40)), DraftYearValue(jahr=2028, wert=Decimal(25))],
        tagessatz=Decimal(1200),
    )
    draft = Drafter(Settings()).draft(request, use_model=False)
    assert draft.cost_table is not None and draft.cost_table.assumed_years() == [2028, 2029]
    source = tmp_path / "entwurf.docx"
    source.write_bytes(render_docx(draft))
    profile = (tmp_path / "profil").as_uri()
    completed = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=240, check=False,
    )
    pdf = tmp_path / "entwurf.pdf"
    assert completed.returncode == 0 and pdf.is_file(), completed.stderr
    lines = [line for page in PdfReader(pdf).pages for line in page.extract_text(extraction_mode="layout").splitlines()]
    head = next(index for index, line in enumerate(lines) if re.search(r"Kostenart\s+2027\s+2028\s+2029\s+Summe", line))
    assert re.search(r"\(EUR\)\s+\(Annahme\)\s+\(Annahme\)", lines[head + 1])  # the projected years marked
    for row in draft.cost_table.rows:
        # one line per row: its label, then every amount (to the cent, unbroken) in the order of the years
        amounts = [format_number(amount, 2) for amount in [*row.amounts, row.total] if amount is not None]
        assert len(amounts) == len(draft.cost_table.years) + 1
        pattern = re.escape(row.label.split()[0]) + r".*?" + r"\s+".join(re.escape(a) for a in amounts) + r"\s*$"
        assert any(re.search(pattern, line) for line in lines[head:]), (row.label, amounts)
