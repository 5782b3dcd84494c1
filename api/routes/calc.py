"""Deterministic calculations: ``POST /v1/calc/{tool}`` dispatches to the cost tools by name."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Body, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool, ToolException
from pydantic import BaseModel, ValidationError

from api.auth import ReadAccess
from api.errors import invalid_body
from api.resources import ResourcesDep
from api.schemas import CalcResponse, ToolInfo

router = APIRouter(prefix="/v1/calc", tags=["Berechnungen"], dependencies=[ReadAccess])


def _schema(tool: BaseTool) -> dict[str, Any]:
    schema = tool.args_schema
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return schema.model_json_schema()
    return dict(schema or {})


def _jsonable(value: Any) -> Any:
    """Tool output as JSON; money (Decimal) as exact strings, never as floats."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return jsonable_encoder(value, custom_encoder={Decimal: str})


@router.get("", response_model=list[ToolInfo], summary="Verfügbare Rechenwerkzeuge")
async def list_tools(resources: ResourcesDep) -> list[ToolInfo]:
    return [ToolInfo(name=name, description=tool.description, args_schema=_schema(tool)) for name, tool in resources.tools.items()]


@router.post("/{tool}", response_model=CalcResponse, summary="Rechenwerkzeug ausführen",
             responses={404: {"description": "Unbekanntes Werkzeug"}, 422: {"description": "Ungültige Eingaben"}})
async def run_tool(tool: str, resources: ResourcesDep, body: dict[str, Any] = Body(default_factory=dict)) -> Any:
    selected = resources.tools.get(tool)
    if selected is None:
        known = ", ".join(sorted(resources.tools)) or "keine"
        raise HTTPException(404, f"Unbekanntes Rechenwerkzeug „{tool}“. Verfügbar: {known}.")
    schema = selected.args_schema
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        try:
            schema.model_validate(body)
        except ValidationError as error:
            return invalid_body(error)
    arguments = body
    # invoked as a tool call: the reply carries the German text (content) and, for tools with
    # response_format="content_and_artifact", the structured result (artifact)
    call = {"type": "tool_call", "name": selected.name, "args": arguments, "id": f"api-{uuid.uuid4().hex}"}
    try:
        message: ToolMessage = await run_in_threadpool(selected.invoke, call)
    except (ValueError, ToolException) as error:  # tools raise German messages for inputs they cannot compute
        return JSONResponse({"detail": str(error)}, status_code=422)
    if message.status == "error":
        return JSONResponse({"detail": str(message.content)}, status_code=422)
    result = message.artifact if message.artifact is not None else message.content
    return CalcResponse(tool=tool, text=str(message.content), result=_jsonable(result))
