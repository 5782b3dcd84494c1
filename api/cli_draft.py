"""``vorlagen draft``: a new Vorlage from a one-line request, a TOML/JSON request file or flags → .md and .docx."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli_context import cli_settings, open_store
from assistant.costs.models import to_date, to_decimal
from assistant.drafting import Drafter, DraftingError, render_docx, render_markdown, understood_items
from assistant.drafting.request import parse_request_line
from assistant.service import AssistantService
from vorlagen.domain import DraftRequest
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


_DECIMAL_FIELDS = {"beratertage_je_jahr", "tagessatz", "sachkosten_je_jahr", "vza"}


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
        request, notes = parse_request_line(text, cities)
        if not request.stellen:
            raise _fail(f"--stelle „{text}“: {' '.join(notes) or 'bitte z. B. „2 Stellen E 12 ab 01.04.2027“ angeben.'}")
        positions += request.stellen
    return positions


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
    beratertage: Annotated[Optional[str], typer.Option(help="Beratertage je Haushaltsjahr, z. B. 120.")] = None,
    tagessatz: Annotated[Optional[str], typer.Option(help="Tagessatz der Beratung in EUR, z. B. 1.200.")] = None,
    sachkosten: Annotated[Optional[str], typer.Option(help="Sachkosten je Haushaltsjahr in EUR.")] = None,
    haushaltsjahr: Annotated[Optional[list[int]], typer.Option(help="Haushaltsjahr (mehrfach), z. B. --haushaltsjahr 2027 --haushaltsjahr 2028.")] = None,
    fakt: Annotated[Optional[list[str]], typer.Option(help="Ein Fakt der Autorin (mehrfach).")] = None,
    abschnitt: Annotated[Optional[list[str]], typer.Option(help="Nur diese Abschnitte (mehrfach), z. B. Beschlussantrag.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Zielordner (Standard: VORLAGEN_DRAFTING__OUTPUT_DIR).")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="Dateiname ohne Endung (Standard: aus dem Betreff).")] = None,
    mode: Annotated[Optional[Mode], typer.Option("--mode", help="Sprachmodell: extractive (keines), local, openai oder auto.")] = None,
    nur_verstehen: Annotated[bool, typer.Option("--nur-verstehen", help="Nur zeigen, was verstanden wurde; nichts entwerfen.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als JSON auf der Standardausgabe.")] = False,
) -> None:
    """Eine neue Vorlage entwerfen: zeigt zuerst, was verstanden wurde, und schreibt dann .md und .docx.

    Kosten rechnen die Kostenwerkzeuge; Stil und zitierte Verweise kommen aus den eingelesenen Vorlagen.
    Beispiel: vorlagen draft "Einrichtung einer Koordinierungsstelle Klimaanpassung zum 01.07.2026 mit 3 Stellen E 11"
    """
    settings = cli_settings(ctx)
    if mode:
        settings = settings.model_copy(update={"llm": settings.llm.model_copy(update={"mode": mode})})
    service = AssistantService(settings, open_store(settings))
    drafter = Drafter(settings, service)
    data: dict[str, Any] = {}
    notes: list[str] = []
    if anfrage is not None:
        data = load_request_file(anfrage)
    if text:
        parsed = drafter.parse(text)
        notes = parsed.notes
        data = {**parsed.request.model_dump(exclude_defaults=True), **data}
    try:
        flags = {
            "betreff": betreff, "vorlagenart": art, "stadt": stadt, "amt": amt, "fakten": fakt, "haushaltsjahre": haushaltsjahr,
            "abschnitte": abschnitt,
            "stellen": _positions(stelle, drafter.cities()) if stelle else None,
            "beratertage_je_jahr": to_decimal(beratertage, "Beratertage") if beratertage else None,
            "tagessatz": to_decimal(tagessatz, "Tagessatz") if tagessatz else None,
            "sachkosten_je_jahr": to_decimal(sachkosten, "Sachkosten") if sachkosten else None,
        }
        data.update({key: value for key, value in flags.items() if value})
        request = DraftRequest.model_validate(data)
    except ValidationError as error:
        raise _fail(german_validation_message(error)) from error
    except ValueError as error:
        raise _fail(str(error)) from error

    console = Console(stderr=as_json)
    table = Table(title="Verstanden", show_header=False)
    for item in understood_items(request):
        table.add_row(item.label, item.value)
    console.print(table)
    for note in notes:
        console.print(f"[yellow]Nicht übernommen:[/yellow] {note}")
    if nur_verstehen:
        if as_json:
            print(json.dumps({"request": request.model_dump(mode="json"), "notes": notes}, ensure_ascii=False, indent=2))
        return

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
        print(json.dumps({"request": request.model_dump(mode="json"), "notes": notes, "draft": result.model_dump(mode="json"),
                          "files": {"markdown": str(markdown_path), "docx": str(docx_path)}}, ensure_ascii=False, indent=2))
        return
    for notice in notices:
        console.print(f"[yellow]Hinweis:[/yellow] {notice}")
    total = result.timings.get("total", 0.0)
    seconds = f"{total:.2f}".replace(".", ",")
    console.print(f"Entwurf ({result.mode}, {seconds} s): {markdown_path} und {docx_path}")
