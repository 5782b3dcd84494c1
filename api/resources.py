"""What the app builds once at start-up (in the lifespan) and hands to endpoints via ``Depends``."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from langchain_core.tools import BaseTool

from api.repository import ApiRepository
from assistant.costs.tools import cost_tools
from assistant.service import AssistantService
from ingest.pipeline import Ingestor
from vorlagen.settings import Settings
from vorlagen.store import VorlagenStore

logger = logging.getLogger(__name__)


class ServiceUnavailable(Exception):
    """Store, index or model server cannot be reached: answered with 503 and this German message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Resources:
    settings: Settings
    repository: ApiRepository
    tools: dict[str, BaseTool]
    ingest_executor: ThreadPoolExecutor
    store: VorlagenStore | None = None
    service: AssistantService | None = None
    ingestor: Ingestor | None = None
    startup_errors: list[str] = field(default_factory=list)

    @property
    def upload_dir(self) -> Path:
        return self.settings.api.upload_dir or self.settings.data_dir / "uploads"

    def close(self) -> None:
        self.ingest_executor.shutdown(wait=True, cancel_futures=True)
        if self.store is not None:
            self.store.close()


def chat_db_path(settings: Settings) -> Path:
    return settings.api.chat_db or settings.data_dir / "api.sqlite3"


def default_tools(settings: Settings) -> list[BaseTool]:
    """The cost tools of ``assistant.costs`` (``/v1/calc/{tool}``)."""
    return list(cost_tools(settings))


def build_resources(settings: Settings, tools: list[BaseTool] | None = None) -> Resources:
    """Build store, service and ingestor; a failure is recorded (``/readyz`` reports it) instead of
    stopping the server, so an operator sees *why* it is not ready."""
    resources = Resources(
        settings=settings,
        repository=ApiRepository(chat_db_path(settings)),
        tools={tool.name: tool for tool in (tools if tools is not None else default_tools(settings))},
        ingest_executor=ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest"),
    )
    try:
        resources.store = VorlagenStore(settings)
    except Exception as error:  # noqa: BLE001 - reported by /readyz and every 503
        logger.exception("Index konnte nicht geöffnet werden")
        resources.startup_errors.append(f"Der Index ist nicht erreichbar: {error}")
        return resources
    try:
        resources.service = AssistantService(settings, resources.store)
    except Exception as error:  # noqa: BLE001
        logger.exception("Assistent konnte nicht gestartet werden")
        resources.startup_errors.append(f"Der Assistent konnte nicht gestartet werden: {error}")
    try:
        resources.ingestor = Ingestor(settings, resources.store)
    except Exception as error:  # noqa: BLE001
        logger.exception("Einlesen nicht verfügbar")
        resources.startup_errors.append(f"Das Einlesen von Dokumenten ist nicht verfügbar: {error}")
    return resources


def get_resources(request: Request) -> Resources:
    return request.app.state.resources


def get_settings_dep(request: Request) -> Settings:
    """The one route to the settings in the API: those the resources were built with."""
    return get_resources(request).settings


def get_repository(request: Request) -> ApiRepository:
    return get_resources(request).repository


def _unavailable(resources: Resources, what: str) -> ServiceUnavailable:
    reason = " ".join(resources.startup_errors) or "unbekannter Grund"
    return ServiceUnavailable(f"{what} ist derzeit nicht verfügbar. {reason}")


def get_store(request: Request) -> VorlagenStore:
    resources = get_resources(request)
    if resources.store is None:
        raise _unavailable(resources, "Der Dokumentenindex")
    return resources.store


def get_service(request: Request) -> AssistantService:
    resources = get_resources(request)
    if resources.service is None:
        raise _unavailable(resources, "Der Assistent")
    return resources.service


def get_ingestor(request: Request) -> Ingestor:
    resources = get_resources(request)
    if resources.ingestor is None:
        raise _unavailable(resources, "Das Einlesen von Dokumenten")
    return resources.ingestor


ResourcesDep = Annotated[Resources, Depends(get_resources)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
RepositoryDep = Annotated[ApiRepository, Depends(get_repository)]
StoreDep = Annotated[VorlagenStore, Depends(get_store)]
ServiceDep = Annotated[AssistantService, Depends(get_service)]
IngestorDep = Annotated[Ingestor, Depends(get_ingestor)]
