"""Liveness (``/healthz``) and readiness (``/readyz``: index and model status)."""

from __future__ import annotations

import httpx
from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import SecretStr

from api.resources import Resources, ResourcesDep
from api.schemas import ComponentStatus, ModeOption, ReadyResponse
from assistant.llm import answer_mode, llama_cpp_available, plan_mode
from assistant.model_install import model_path
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


def _reachable(url: str, api_key: SecretStr | None, timeout_s: float) -> tuple[bool, str]:
    headers = {"Authorization": f"Bearer {api_key.get_secret_value()}"} if api_key else {}
    try:
        response = httpx.get(url.rstrip("/") + "/models", headers=headers, timeout=timeout_s)
    except httpx.HTTPError as error:
        return False, str(error)
    return response.status_code < 500, f"HTTP {response.status_code}"


LOCAL_MODEL_HINT = (
    "hinzufügen mit „make llm“ (installiert llama-cpp-python, das einmal etwa 10 Minuten kompiliert, und das "
    "Modell, etwa 1 GB; ohne make: pip install -e '.[local-llm]' und „vorlagen models install“)"
)


def mode_options(settings: Settings) -> list[ModeOption]:
    """Which answer modes this installation can use, and how to add the missing ones (loads nothing)."""
    path = model_path(settings)
    missing = [what for what, there in (("Modelldatei", path.is_file()), ("llama-cpp-python", llama_cpp_available()))
               if not there]
    local = (f"Qwen2.5-Coder-1.5B-Instruct ({path.name}) über llama.cpp." if not missing
             else f"Fehlt: {' und '.join(missing)}; {LOCAL_MODEL_HINT}.")
    server = settings.llm.base_url
    return [
        ModeOption(mode="extractive", available=True, detail="Ohne Sprachmodell: Werte und Zitate aus den Vorlagen; immer verfügbar."),
        ModeOption(mode="local", available=not missing, detail=local),
        ModeOption(mode="openai", available=bool(server),
                   detail=f"OpenAI-kompatibler Server {server}." if server
                   else "Kein Server eingestellt (VORLAGEN_LLM__BASE_URL, …__MODEL, …__API_KEY)."),
    ]


def model_status(settings: Settings, timeout_s: float = 3.0) -> ComponentStatus:
    """Is the answer model usable? Decided by the answerer's own ``answer_mode`` (one copy of the
    decision, the one ``AssistantService`` follows); a configured model server must answer, a local
    model needs its file and llama.cpp."""
    llm = settings.llm
    plan = answer_mode(settings)
    data = {"mode": llm.mode, "answer_mode": plan.mode, "draft_mode": plan_mode(settings).mode,
            "available_modes": [option.mode for option in mode_options(settings) if option.available]}
    if plan.mode == "openai":
        reachable, reason = _reachable(llm.base_url or "", llm.api_key, timeout_s)
        if reachable:
            return ComponentStatus(ok=True, detail=f"Modellserver {llm.base_url} erreichbar.", data=data)
        if llm.mode == "openai":
            return ComponentStatus(ok=False, detail=f"Der Modellserver {llm.base_url} ist nicht erreichbar ({reason}).", data=data)
        return ComponentStatus(
            ok=True, detail=f"Modellserver {llm.base_url} nicht erreichbar ({reason}); Antworten extraktiv.", data=data
        )
    if plan.mode == "local":
        return ComponentStatus(ok=True, detail=f"Lokales Modell {model_path(settings).name} mit llama.cpp bereit.", data=data)
    if llm.mode == "extractive":
        return ComponentStatus(ok=True, detail="Extraktiver Modus: kein Sprachmodell nötig.", data=data)
    if plan.notice:  # an explicit mode that cannot work (local without model or llama.cpp, openai without URL)
        return ComponentStatus(ok=False, detail=plan.notice, data=data)
    local = plan_mode(settings.model_copy(update={"llm": llm.model_copy(update={"mode": "local"})}))
    why = f" ({local.notice.split(';')[0]})" if local.notice else ""
    if not llm.auto_uses_model:  # auto answers extractively: the model did not beat it (docs/quality.md)
        local_state = (f" {local.notice.split(';')[0]}." if local.notice
                       else " Das lokale Modell ist installiert; mit VORLAGEN_LLM__MODE=local wählt es mit.")
        return ComponentStatus(
            ok=True, data=data,
            detail="Modus auto: Antworten extraktiv (ein Sprachmodell nutzt auto nur mit "
                   "VORLAGEN_LLM__AUTO_USES_MODEL=true)." + local_state,
        )
    return ComponentStatus(ok=True, detail=f"Kein Sprachmodell verfügbar{why}; Antworten extraktiv.", data=data)


@router.get("/readyz", response_model=ReadyResponse, summary="Bereit? (Index und Modell)",
            responses={503: {"model": ReadyResponse, "description": "Nicht bereit"}})
async def readyz(resources: ResourcesDep) -> JSONResponse:
    index = await run_in_threadpool(index_status, resources)
    model = await run_in_threadpool(model_status, resources.settings)
    ready = index.ok and model.ok
    body = ReadyResponse(status="bereit" if ready else "nicht bereit", index=index, model=model,
                         modes=mode_options(resources.settings))
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if ready else 503)
