"""Liveness (``/healthz``) and readiness (``/readyz``: index and model status)."""

from __future__ import annotations

import httpx
from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.resources import Resources, ResourcesDep
from api.schemas import ComponentStatus, ReadyResponse
from vorlagen.settings import Settings

router = APIRouter(tags=["Betrieb"])


@router.get("/healthz", summary="Lebt der Prozess?")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def index_status(resources: Resources) -> ComponentStatus:
    if resources.store is None:
        return ComponentStatus(ok=False, detail=" ".join(resources.startup_errors) or "Der Index ist nicht geöffnet.")
    try:
        resources.store.ping()
        chunks = resources.store.count_chunks()
        documents = len(resources.store.documents())
    except Exception as error:  # noqa: BLE001 - any failure here means: not ready
        return ComponentStatus(ok=False, detail=f"Der Index ist nicht erreichbar: {error}")
    if resources.service is None:
        return ComponentStatus(ok=False, detail=" ".join(resources.startup_errors), data={"chunks": chunks})
    detail = f"{documents} Dokumente, {chunks} Abschnitte im Index."
    if chunks == 0:
        detail = "Der Index ist leer: bitte Dokumente hochladen oder mit „vorlagen ingest“ einlesen."
    return ComponentStatus(ok=True, detail=detail, data={"documents": documents, "chunks": chunks})


def model_status(settings: Settings, timeout_s: float = 3.0) -> ComponentStatus:
    """Is the configured answer model usable? A configured model server must answer."""
    llm = settings.llm
    mode = llm.mode
    data = {"mode": mode}
    if mode == "extractive":
        return ComponentStatus(ok=True, detail="Extraktiver Modus: kein Sprachmodell nötig.", data=data)
    if llm.base_url and mode in ("openai", "auto"):
        url = llm.base_url.rstrip("/") + "/models"
        headers = {"Authorization": f"Bearer {llm.api_key.get_secret_value()}"} if llm.api_key else {}
        try:
            response = httpx.get(url, headers=headers, timeout=timeout_s)
            reachable = response.status_code < 500
        except httpx.HTTPError as error:
            reachable, reason = False, str(error)
        else:
            reason = f"HTTP {response.status_code}"
        if reachable:
            return ComponentStatus(ok=True, detail=f"Modellserver {llm.base_url} erreichbar.", data=data)
        if mode == "openai":
            return ComponentStatus(ok=False, detail=f"Der Modellserver {llm.base_url} ist nicht erreichbar ({reason}).", data=data)
        return ComponentStatus(
            ok=True, detail=f"Modellserver {llm.base_url} nicht erreichbar ({reason}); Antworten extraktiv.", data=data
        )
    model_file = llm.model_dir / llm.local_model_file
    if mode == "local" and not model_file.exists():
        return ComponentStatus(ok=False, detail=f"Das lokale Modell {model_file} fehlt.", data=data)
    if model_file.exists():
        return ComponentStatus(ok=True, detail=f"Lokales Modell {model_file.name} vorhanden.", data=data)
    return ComponentStatus(ok=True, detail="Kein Sprachmodell eingerichtet; Antworten extraktiv.", data=data)


@router.get("/readyz", response_model=ReadyResponse, summary="Bereit? (Index und Modell)",
            responses={503: {"model": ReadyResponse, "description": "Nicht bereit"}})
async def readyz(resources: ResourcesDep) -> JSONResponse:
    index = await run_in_threadpool(index_status, resources)
    model = await run_in_threadpool(model_status, resources.settings)
    ready = index.ok and model.ok
    body = ReadyResponse(status="bereit" if ready else "nicht bereit", index=index, model=model)
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if ready else 503)
