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
