"""``GET /v1/search``: Vorlagen about a subject, ranked (Drucksache, Datum, Titel, Gremien, Auszug)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from api.auth import ReadAccess
from api.resources import ServiceDep
from vorlagen.domain import SearchFilters, VorlageHit

router = APIRouter(prefix="/v1", tags=["Suche"], dependencies=[ReadAccess])


@router.get("/search", response_model=list[VorlageHit], summary="Vorlagen zu einem Thema suchen (Rangliste)")
async def search(
    service: ServiceDep,
    q: Annotated[str, Query(min_length=2, max_length=500, description="Thema oder Suchbegriffe.")],
    stadt: Annotated[str | None, Query(description="Nur Vorlagen dieser Stadt.")] = None,
    jahr_von: Annotated[int | None, Query(ge=1900, le=2100, description="Ab diesem Jahr.")] = None,
    jahr_bis: Annotated[int | None, Query(ge=1900, le=2100, description="Bis zu diesem Jahr.")] = None,
    vorlagenart: Annotated[str | None, Query(description="Nur diese Vorlagenart.")] = None,
    k: Annotated[int | None, Query(ge=1, le=100, description="Durchsuchte Abschnitte (Standard: Einstellung).")] = None,
) -> list[VorlageHit]:
    filters = SearchFilters(stadt=stadt, jahr_von=jahr_von, jahr_bis=jahr_bis, vorlagenart=vorlagenart)
    return await run_in_threadpool(service.search, q.strip(), filters, k)
