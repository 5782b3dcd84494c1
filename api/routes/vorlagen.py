"""``GET /v1/vorlagen/{id}/verlauf``: what became of a Vorlage – its consultations with the recorded results,
the papers linked to it, oldest first (the ``DecisionChain`` the answers to „Wie wurde über … entschieden?“
show)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.concurrency import run_in_threadpool

from api.auth import ReadAccess
from api.resources import ServiceDep
from vorlagen.decision import DecisionChain

router = APIRouter(prefix="/v1/vorlagen", tags=["Vorlagen"], dependencies=[ReadAccess])


@router.get(
    "/{vorlage_id:path}/verlauf",
    response_model=DecisionChain,
    summary="Verlauf einer Vorlage: Beratungen, erfasste Ergebnisse, verknüpfte Vorlagen (älteste zuerst)",
    description="`vorlage_id`: die Kennung (bei OParl-Vorlagen die OParl-ID) oder die Drucksachennummer, z. B. `2025/0228`.",
    responses={404: {"description": "Keine solche Vorlage im Index"}, 409: {"description": "Drucksachennummer mehrdeutig"}},
)
async def verlauf(vorlage_id: str, service: ServiceDep) -> DecisionChain:
    chain = await run_in_threadpool(service.decisions.chain, vorlage_id)
    if chain is not None:
        return chain
    found = await run_in_threadpool(service.store.find_doc_ids, vorlage_id)
    if len(found) > 1:
        raise HTTPException(409, f"„{vorlage_id}“ passt auf {len(found)} Vorlagen ({', '.join(found)}); bitte die Kennung angeben.")
    raise HTTPException(404, f"Keine Vorlage mit der Kennung oder Drucksachennummer „{vorlage_id}“ im Index.")
