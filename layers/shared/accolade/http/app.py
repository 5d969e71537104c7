"""Build the Powertools HTTP resolver: routes, error mapping, limits and the OpenAPI document."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, OpenAPI, Schema

from accolade.domain.errors import (
    AccoladeError,
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    UnauthorizedError,
)
from accolade.observability import logger

TITLE = "Accolade API"
VERSION = "1.0.0"
MAX_BODY_BYTES = 256 * 1024
STATUS = {
    InvalidInputError: 422,
    NotFoundError: 404,
    ConflictError: 409,
    ForbiddenError: 403,
    UnauthorizedError: 401,
}

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "array", "items": {"type": "object"}},
            },
        }
    },
}


def error(
    status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> Response[Any]:
    return Response(
        status_code=status,
        content_type="application/json",
        body=json.dumps({"error": {"code": code, "message": message, "details": details or []}}),
    )


def field_path(location: tuple[Any, ...] | list[Any]) -> str:
    """("body", "events", 3, "occurred_at") -> "events[3].occurred_at"."""
    path = ""
    parts = list(location)
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:] or parts
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path or "body"


class AccoladeResolver(APIGatewayHttpResolver):
    """The resolver whose OpenAPI document describes the errors it really answers."""

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPI:
        kwargs.setdefault("title", TITLE)
        kwargs.setdefault("version", VERSION)
        kwargs.setdefault("security_schemes", {"jwt": HTTPBearer(bearerFormat="JWT")})
        kwargs.setdefault("security", [{"jwt": []}])
        schema = super().get_openapi_schema(**kwargs)
        # Powertools documents its own 422 body; ours is the contract's {"error": {...}}.
        components = schema.components
        if components is not None and components.schemas is not None:
            components.schemas["HTTPValidationError"] = Schema.model_validate(ERROR_SCHEMA)
            components.schemas.pop("ValidationError", None)
        return schema


def limit_body(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[Any]:
    body = app.current_event.body or ""
    if len(body.encode()) > MAX_BODY_BYTES:
        return error(413, "payload_too_large", f"body: larger than {MAX_BODY_BYTES} bytes")
    return next_middleware(app)


def build_app(*routers: Router) -> AccoladeResolver:
    app = AccoladeResolver(enable_validation=True)
    app.use([limit_body])
    for router in routers:
        app.include_router(router)

    @app.exception_handler(AccoladeError)
    def _domain_error(exc: AccoladeError) -> Response[Any]:
        return error(STATUS.get(type(exc), 400), exc.code, exc.message, exc.details)

    @app.exception_handler(RequestValidationError)
    def _invalid(exc: RequestValidationError) -> Response[Any]:
        details = [
            {"field": field_path(item.get("loc", ())), "message": str(item.get("msg", ""))}
            for item in exc.errors()
        ]
        first = details[0] if details else {"field": "body", "message": "invalid"}
        return error(422, "validation_error", f"{first['field']}: {first['message']}", details)

    @app.not_found
    def _not_found(_: Exception) -> Response[Any]:
        return error(404, "not_found", "no such route")

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response[Any]:
        logger.exception("unhandled error")
        return error(500, "internal", "something went wrong; it has been logged")

    return app
