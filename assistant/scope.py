"""The city a question is about ("in Hilden", "das Stuttgarter Amt", "der Stadt München").

A question that names a city is answered only from that city's Vorlagen (metadata ``stadt``), or
from Vorlagen without a known city whose text names it. A city no indexed Vorlage belongs to cannot
be answered: the assistant refuses instead of quoting another city's figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


def _forms(city: str) -> list[str]:
    """Name and adjective forms: Hilden/Hildener, Stuttgart/Stuttgarter, München/Münchner."""
    forms = [city, f"{city}er", f"{city}s"]
    if city.endswith("en"):
        forms.append(f"{city[:-2]}ner")
    return forms


@lru_cache(maxsize=8)
def _pattern(cities: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = sorted(
        ((re.escape(form), city) for city in cities for form in _forms(city)), key=lambda a: -len(a[0])
    )
    return re.compile(r"\b(" + "|".join(form for form, _ in alternatives) + r")\b")


def cities_in(question: str, cities: Iterable[str]) -> list[str]:
    """The known cities a question names, in order of appearance."""
    known = tuple(sorted(set(cities)))
    if not known:
        return []
    form_to_city = {form: city for city in known for form in _forms(city)}
    found: list[str] = []
    for match in _pattern(known).finditer(question):
        city = form_to_city[match.group(1)]
        if city not in found:
            found.append(city)
    return found
