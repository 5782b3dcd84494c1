"""``vorlagen calc …``: the cost tools on the command line (German number input, rich output)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from assistant.costs.models import (
    AnteiligInput,
    BeratungskostenInput,
    BeratungsPosten,
    CostError,
    CostResult,
    FinanzplanungInput,
    Operand,
    PersonalkostenInput,
    Position,
    RechneInput,
)
from assistant.costs.quantities import parse_quantities
from assistant.costs.tables import CostTables
from assistant.costs.arithmetic import format_amount, rechne
from assistant.costs.tools import anteilig, beratungskosten, finanzplanung, personalkosten
from api.cli_context import cli_settings
from vorlagen.validation import german_validation_message

calc_app = typer.Typer(
    help="Kosten exakt berechnen (Personal-, Beratungskosten, anteilige Beträge, Finanzplanung, Rechnungen). "
    "Zahlen im deutschen Format, z. B. 1.200 oder 7,5; Daten als TT.MM.JJJJ.",
    no_args_is_help=True,
)


def _console() -> Console:
    return Console()


def _show(result: CostResult) -> None:
    console = _console()
    console.print(f"[bold]Ergebnis:[/bold] {format_amount(result.total, result.unit or None)}")
    if result.rows:
        table = Table(show_header=True, header_style="bold")
        table.add_column("Jahr / Posten")
        table.add_column("Betrag", justify="right")
        table.add_column("Rechnung")
        for row in result.rows:
            table.add_row(row.label, format_amount(row.amount, result.unit or None), row.formula)
        console.print(table)
    console.print(Panel(result.formula, title="Formel", expand=False))
    if result.table:
        console.print(f"[bold]Kostentabellen:[/bold] {result.table}")
    for notice in result.notices:
        console.print(f"[yellow]Hinweis:[/yellow] {notice}")


def _fail(message: str) -> typer.Exit:
    _console().print(f"[red]Fehler:[/red] {message}")
    return typer.Exit(code=1)


def _run(build, compute) -> None:  # type: ignore[no-untyped-def]
    try:
        _show(compute(build()))
    except ValidationError as exc:
        raise _fail(german_validation_message(exc)) from None
    except CostError as exc:
        raise _fail(str(exc)) from None
    except ValueError as exc:
        raise _fail(str(exc)) from None


def _position(text: str) -> Position:
    """``"1,5 VZÄ E 13 ab 01.07.2027"`` -> Position (parsed with the German quantity parser)."""
    found = parse_quantities(text)
    amount = next((q for q in found if q.kind in ("stellen", "zahl")), None)
    group = next((q for q in found if q.kind == "gruppe"), None)
    start = next((q for q in found if q.kind == "datum"), None)
    missing = [name for name, value in (("VZÄ", amount), ("Gruppe", group), ("Beginn", start)) if value is None]
    if missing:
        raise ValueError(
            f"Stelle „{text}“: es fehlt {', '.join(missing)} (Beispiel: \"1,5 VZÄ E 13 ab 01.07.2027\")."
        )
    return Position(vza=amount.value, group=group.group, start=start.when)  # type: ignore[union-attr]


@calc_app.command("personalkosten")
def personalkosten_command(
    ctx: typer.Context,
    stellen: Annotated[
        list[str],
        typer.Argument(help="Stellen als Text, je Stelle: VZÄ, Gruppe, Beginn, z. B. \"1,5 VZÄ E 13 ab 01.07.2027\" "
                       "oder \"0,5 VZÄ A12/E11 ab 01.01.2026\"."),
    ],
    bis_jahr: Annotated[int | None, typer.Option("--bis-jahr", help="Letztes Jahr der Aufstellung.")] = None,
    ohne_arbeitsplatz: Annotated[
        bool, typer.Option("--ohne-arbeitsplatz", help="Ohne Sachkosten des Arbeitsplatzes.")
    ] = False,
    ohne_gemeinkosten: Annotated[bool, typer.Option("--ohne-gemeinkosten", help="Ohne Gemeinkostenzuschlag.")] = False,
    tabellen: Annotated[
        Path | None, typer.Option("--tabellen", help="Ordner mit eigenen Kostentabellen (TOML).")
    ] = None,
) -> None:
    """Personalkosten neuer Stellen je Jahr; im ersten Jahr anteilig ab Beginn (angebrochene Monate voll)."""

    def build() -> PersonalkostenInput:
        return PersonalkostenInput(
            positions=[_position(text) for text in stellen],
            end_year=bis_jahr,
            include_workplace=not ohne_arbeitsplatz,
            include_overhead=not ohne_gemeinkosten,
        )

    def compute(data: PersonalkostenInput) -> CostResult:
        tables = CostTables.load(tabellen) if tabellen else CostTables.from_settings(cli_settings(ctx))
        return personalkosten(data, tables)

    _run(build, compute)


@calc_app.command("beratungskosten")
def beratungskosten_command(
    tage: Annotated[list[str], typer.Option("--tage", help="Beratertage, mehrfach möglich: --tage 200 --tage 175.")],
    tagessatz: Annotated[str, typer.Option("--tagessatz", help="Tagessatz in EUR, z. B. 1.200.")],
    jahr: Annotated[int | None, typer.Option("--jahr", help="Haushaltsjahr (optional).")] = None,
) -> None:
    """Beratungskosten: Beratertage × Tagessatz (z. B. (200 + 175) × 1.200 EUR = 450.000 EUR)."""
    _run(
        lambda: BeratungskostenInput(items=[BeratungsPosten(days=d, day_rate=tagessatz, year=jahr) for d in tage]),
        beratungskosten,
    )


@calc_app.command("anteilig")
def anteilig_command(
    jahresbetrag: Annotated[str, typer.Argument(help="Jahresbetrag in EUR, z. B. 1.426.274.")],
    monate: Annotated[int | None, typer.Option("--monate", help="Zahl der Monate (1–12).")] = None,
    ab: Annotated[str | None, typer.Option("--ab", help="Beginn, z. B. 01.07.2024 (bis Jahresende).")] = None,
) -> None:
    """Anteil eines Jahresbetrags für einen Teil des Jahres: Betrag × Monate / 12."""
    _run(lambda: AnteiligInput(annual_amount=jahresbetrag, months=monate, start=ab), anteilig)


@calc_app.command("finanzplanung")
def finanzplanung_command(
    jahresbetrag: Annotated[str, typer.Argument(help="Jahresbetrag in EUR, z. B. 1.426.274.")],
    ab: Annotated[str, typer.Option("--ab", help="Beginn, z. B. 01.07.2024 (erstes Jahr anteilig).")],
    bis: Annotated[int, typer.Option("--bis", help="Letztes Jahr, z. B. 2027.")],
    steigerung: Annotated[str, typer.Option("--steigerung", help="Jährliche Steigerung in Prozent, z. B. 2,5.")] = "0",
) -> None:
    """Mehrjährige Finanzplanung: erstes Jahr anteilig, danach volle Jahre, optional mit jährlicher Steigerung."""
    _run(
        lambda: FinanzplanungInput(annual_amount=jahresbetrag, start=ab, end_year=bis, increase_percent=steigerung),
        finanzplanung,
    )


_OPERATIONS = {"summe": "summe", "differenz": "differenz", "je-einheit": "je_einheit", "anteil": "anteil"}


@calc_app.command("rechne")
def rechne_command(
    operation: Annotated[str, typer.Argument(help="summe | differenz | je-einheit | anteil")],
    werte: Annotated[
        list[str],
        typer.Argument(help="Werte im deutschen Format, optional mit Einheit: 756.150 EUR, 7,5 Stellen."),
    ],
    einheit: Annotated[
        str | None, typer.Option("--einheit", help="Einheit der Werte ohne eigene Einheit, z. B. EUR oder VZÄ.")
    ] = None,
    je: Annotated[str | None, typer.Option("--je", help="Bezugseinheit bei je-einheit, z. B. Stelle.")] = None,
) -> None:
    """Summe, Differenz, Wert je Einheit oder Anteil (z. B. rechne je-einheit \"756.150 EUR\" \"7,5 Stellen\")."""
    if operation not in _OPERATIONS:
        raise _fail(f"Unbekannte Rechenart „{operation}“; möglich: {', '.join(_OPERATIONS)}.")

    kind = _OPERATIONS[operation]

    def operand(index: int, text: str) -> Operand:
        parts = text.strip().split(maxsplit=1)
        unit = parts[1] if len(parts) > 1 else None
        is_divisor = kind == "je_einheit" and index == len(werte) - 1
        if unit is None and einheit and not is_divisor:
            unit = einheit
        return Operand(value=parts[0] if parts else text, unit=unit)

    _run(
        lambda: RechneInput(
            operation=kind,  # type: ignore[arg-type]
            operands=[operand(index, text) for index, text in enumerate(werte)],
            per_unit_label=je,
        ),
        rechne,
    )
