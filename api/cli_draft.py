"""``vorlagen draft``: a new Vorlage from a one-line request, a TOML/JSON request file or flags → .md and .docx."""

from __future__ import annotations

import json
import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli_context import cli_settings, open_store
from assistant.costs.models import to_date, to_decimal
from assistant.drafting import Drafter, DraftingError, UnassignedFigure, render_docx, render_markdown, understood_items
from assistant.drafting.request import parse_request_line
from assistant.drafting.understood import UNASSIGNED_LABEL
from assistant.service import AssistantService
from vorlagen.domain import DraftRequest, DraftYearValue
from vorlagen.validation import german_validation_message

Mode = Literal["extractive", "local", "openai", "auto"]


def _err() -> Console:
    return Console(stderr=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    _err().print(f"[bold red]Fehler:[/bold red] {message}")
    return typer.Exit(code)


def load_request_file(path: Path) -> dict[str, Any]:
    """A request from TOML or JSON; German dates (TT.MM.JJJJ) and numbers („1.200“) are accepted."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
        return _german_values(data)
    except (OSError, tomllib.TOMLDecodeError, json.JSONDecodeError, ValueError) as error:
        raise _fail(f"Die Anfragedatei {path} ist nicht lesbar: {error}") from error


_DECIMAL_FIELDS = {"beratertage_je_jahr", "tagessatz", "sachkosten_je_jahr", "vza", "wert", "betrag"}
UNASSIGNED_EXIT = 3


def _german_values(data: Any, field: str = "") -> Any:
    if isinstance(data, dict):
        return {key: _german_values(value, key) for key, value in data.items()}
    if isinstance(data, list):
        return [_german_values(value, field) for value in data]
    if isinstance(data, str) and field in _DECIMAL_FIELDS:
        return to_decimal(data, field)
    if isinstance(data, str) and re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", data.strip()):
        return to_date(data, "Datum")
    return data


def _positions(texts: list[str], cities: frozenset[str]) -> list[Any]:
    positions = []
    for text in texts:
        request, notes, unassigned = parse_request_line(text, cities)
        problems = [f"„{u.text}“: {u.grund}" for u in unassigned]
        if not request.stellen or problems:
            raise _fail(f"--stelle „{text}“: {'; '.join(problems + notes) or 'bitte z. B. „2 Stellen E 12 ab 01.04.2027“ angeben.'}")
        positions += request.stellen
    return positions


def _per_year(text: str | None, label: str) -> tuple[Decimal | None, list[DraftYearValue]]:
    """``120`` (every year) or ``2027=40,2028=25`` (per year)."""
    if not text:
        return None, []
    if not re.search(r"[=:]", text):
        return to_decimal(text, label), []
    values = []
    for part in re.split(r"[;,]\s*(?=\d{4}\s*[=:])", text):
        year, _, value = re.split(r"\s*([=:])\s*", part.strip(), maxsplit=1)
        values.append(DraftYearValue(jahr=int(year), wert=to_decimal(value, f"{label} {year}")))
    return None, values


def draft(
    ctx: typer.Context,
    text: Annotated[Optional[str], typer.Argument(help="Das Vorhaben in einer Zeile, z. B. „Einrichtung einer "
                                                  "Koordinierungsstelle Klimaanpassung zum 01.04.2027 mit 2 Stellen E 12“.",
                                                  show_default=False)] = None,
    anfrage: Annotated[Optional[Path], typer.Option("--anfrage", help="Anfrage als TOML- oder JSON-Datei (Felder wie DraftRequest).",
                                                    metavar="DATEI")] = None,
    betreff: Annotated[Optional[str], typer.Option(help="Betreff der Vorlage.")] = None,
    art: Annotated[Optional[str], typer.Option(help="Vorlagenart, z. B. Beschlussvorlage, Mitteilungsvorlage.")] = None,
    stadt: Annotated[Optional[str], typer.Option(help="Stadt (Stilvorlagen derselben Stadt zuerst).")] = None,
    amt: Annotated[Optional[str], typer.Option(help="Federführendes Amt oder Referat.")] = None,
    stelle: Annotated[Optional[list[str]], typer.Option(help="Stellen, z. B. „2 Stellen E 12 ab 01.04.2027 bis 31.03.2029“ (mehrfach).")] = None,
    beratertage: Annotated[Optional[str], typer.Option(help="Beratertage in jedem Haushaltsjahr (z. B. 120) oder je Jahr "
                                                       "(z. B. „2027=40,2028=25“).")] = None,
    tagessatz: Annotated[Optional[str], typer.Option(help="Tagessatz der Beratung in EUR, z. B. 1.200.")] = None,
    sachkosten: Annotated[Optional[str], typer.Option(help="Sachkosten in EUR in jedem Haushaltsjahr (z. B. 15.000) oder je "
                                                      "Jahr (z. B. „2027=50.000,2028=30.000“).")] = None,
    haushaltsjahr: Annotated[Optional[list[int]], typer.Option(help="Haushaltsjahr (mehrfach), z. B. --haushaltsjahr 2027 --haushaltsjahr 2028.")] = None,
    fakt: Annotated[Optional[list[str]], typer.Option(help="Ein Fakt der Autorin (mehrfach).")] = None,
    abschnitt: Annotated[Optional[list[str]], typer.Option(help="Nur diese Abschnitte (mehrfach), z. B. Beschlussantrag.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Zielordner (Standard: VORLAGEN_DRAFTING__OUTPUT_DIR).")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="Dateiname ohne Endung (Standard: aus dem Betreff).")] = None,
    mode: Annotated[Optional[Mode], typer.Option("--mode", help="Sprachmodell: extractive (keines), local, openai oder auto.")] = None,
    nur_verstehen: Annotated[bool, typer.Option("--nur-verstehen", help="Nur zeigen, was verstanden wurde; nichts entwerfen.")] = False,
    trotzdem: Annotated[bool, typer.Option("--trotzdem", help="Auch entwerfen, wenn Zahlen der Anfrage keinem Feld zugeordnet "
                                           "sind (sonst Exit-Code 3).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als JSON auf der Standardausgabe.")] = False,
) -> None:
    """Eine neue Vorlage entwerfen: zeigt zuerst, was verstanden wurde, und schreibt dann .md und .docx.

    Kosten rechnen die Kostenwerkzeuge; Stil und zitierte Verweise kommen aus den eingelesenen Vorlagen.
    Jede Zahl der Anfrage landet in einem Feld oder wird als „nicht zugeordnet“ gezeigt; dann entsteht kein
    Entwurf (Exit-Code 3), außer mit --trotzdem.
    Beispiel: vorlagen draft "Einrichtung einer Koordinierungsstelle Klimaanpassung zum 01.07.2026 mit 3 Stellen E 11"
    """
    settings = cli_settings(ctx)
    if mode:
        settings = settings.model_copy(update={"llm": settings.llm.model_copy(update={"mode": mode})})
    service = AssistantService(settings, open_store(settings))
    drafter = Drafter(settings, service)
    data: dict[str, Any] = {}
    notes: list[str] = []
    unassigned: list[UnassignedFigure] = []
    if anfrage is not None:
        data = load_request_file(anfrage)
    if text:
        try:
            parsed = drafter.parse(text)
        except ValidationError as error:
            raise _fail("Aus dem Text ließ sich keine Anfrage bilden: " + german_validation_message(error)) from error
        notes, unassigned = parsed.notes, parsed.unassigned
        data = {**parsed.request.model_dump(exclude_defaults=True), **data}
    try:
        days_every, days_per_year = _per_year(beratertage, "Beratertage")
        material_every, material_per_year = _per_year(sachkosten, "Sachkosten")
        flags = {
            "betreff": betreff, "vorlagenart": art, "stadt": stadt, "amt": amt, "fakten": fakt, "haushaltsjahre": haushaltsjahr,
            "abschnitte": abschnitt,
            "stellen": _positions(stelle, drafter.cities()) if stelle else None,
            "beratertage_je_jahr": days_every, "beratertage_nach_jahr": days_per_year,
            "tagessatz": to_decimal(tagessatz, "Tagessatz") if tagessatz else None,
            "sachkosten_je_jahr": material_every, "sachkosten_nach_jahr": material_per_year,
        }
        data.update({key: value for key, value in flags.items() if value})
        if beratertage:
            data.pop("beratertage_nach_jahr" if days_every is not None else "beratertage_je_jahr", None)
        if sachkosten:
            data.pop("sachkosten_nach_jahr" if material_every is not None else "sachkosten_je_jahr", None)
        request = DraftRequest.model_validate(data)
    except ValidationError as error:
        raise _fail(german_validation_message(error)) from error
    except ValueError as error:
        raise _fail(str(error)) from error

    console = Console(stderr=as_json)
    table = Table(title="Verstanden", show_header=False)
    for item in understood_items(request, unassigned):
        style = "bold red" if item.label == UNASSIGNED_LABEL else None
        table.add_row(item.label, item.value, style=style)
    console.print(table)
    for note in notes:
        console.print(f"[yellow]Annahme beim Lesen:[/yellow] {note}")
    understood_json = {"request": request.model_dump(mode="json"), "notes": notes,
                       "unassigned": [u.model_dump() for u in unassigned]}
    if nur_verstehen:
        if as_json:
            print(json.dumps(understood_json, ensure_ascii=False, indent=2))
        return
    if unassigned and not trotzdem:
        if as_json:
            print(json.dumps(understood_json, ensure_ascii=False, indent=2))
        _err().print(
            f"[bold red]Nicht zugeordnet:[/bold red] {len(unassigned)} Angabe(n) der Anfrage ("
            + "; ".join(f"„{u.text}“" for u in unassigned)
            + ") sind keinem Feld zugeordnet. Bitte die Anfrage genauer fassen (z. B. „2027 40 Beratertage, 2028 25 "
            "Beratertage“) oder mit --trotzdem ohne diese Angaben entwerfen."
        )
        raise typer.Exit(UNASSIGNED_EXIT)

    result = None
    with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=as_json) as progress:
        task = progress.add_task("Abschnitte", total=len(request.abschnitte))
        try:
            for event in drafter.events(request):
                if event.type == "section" and event.section is not None:
                    progress.update(task, advance=1, description=f"Abschnitt „{event.section.name}“ fertig")
                elif event.type == "draft":
                    result = event.draft
        except DraftingError as error:
            raise _fail(str(error)) from error
    assert result is not None
    target = out or settings.drafting.output_dir
    target.mkdir(parents=True, exist_ok=True)
    stem = name or re.sub(r"[^\wÄÖÜäöüß-]+", "_", f"Entwurf_{request.betreff}")[:80].strip("_")
    markdown_path, docx_path = target / f"{stem}.md", target / f"{stem}.docx"
    markdown_path.write_text(render_markdown(result), encoding="utf-8")
    docx_path.write_bytes(render_docx(result))
    notices = [*result.notices, *(f"{s.name}: {n}" for s in result.sections for n in s.notices)]
    if as_json:
        print(json.dumps({**understood_json, "draft": result.model_dump(mode="json"),
                          "files": {"markdown": str(markdown_path), "docx": str(docx_path)}}, ensure_ascii=False, indent=2))
        return
    for notice in notices:
        console.print(f"[yellow]Hinweis:[/yellow] {notice}")
    total = result.timings.get("total", 0.0)
    seconds = f"{total:.2f}".replace(".", ",")
    console.print(f"Entwurf ({result.mode}, {seconds} s): {markdown_path} und {docx_path}")
