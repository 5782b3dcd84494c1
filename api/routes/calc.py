"""Deterministic calculations: ``POST /v1/calc/{tool}`` dispatches to the cost tools by name."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Body, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from langchain_core.tools import BaseTool
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


def _result(value: Any) -> Any:
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
            arguments = schema.model_validate(body).model_dump()
        except ValidationError as error:
            return invalid_body(error)
    else:
        arguments = body
    try:
        output = await run_in_threadpool(selected.invoke, arguments)
    except ValueError as error:  # the tools raise German ValueErrors for inputs they cannot compute
        return JSONResponse({"detail": str(error)}, status_code=422)
    return CalcResponse(tool=tool, result=_result(output))
