"""Build the Powertools HTTP resolver: routes, error mapping, limits and the OpenAPI document."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.utilities.typing import LambdaContext

from accolade.domain import acting
from accolade.domain.errors import (
    AccoladeError,
    ConflictError,
    ForbiddenError,
    InvalidCursorError,
    InvalidInputError,
    LimitExceededError,
    NotFoundError,
    UnauthorizedError,
    error_message,
    field_path,
)
from accolade.domain.limits import MAX_JSON_DEPTH
from accolade.entrypoints.http import jsonbody
from accolade.entrypoints.http.routing import ERROR_REF
from accolade.observability import logger

if TYPE_CHECKING:
    # Imported where the document is made: building Powertools' OpenAPI models costs a cold
    # start more than anything else in the HTTP layer, and serving a route never needs them.
    from aws_lambda_powertools.event_handler.openapi.models import OpenAPI

TITLE = "Accolade API"
VERSION = "1.0.0"
MAX_BODY_BYTES = 256 * 1024
STATUS = {
    InvalidCursorError: 400,
    InvalidInputError: 422,
    LimitExceededError: 422,
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


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> str:
    """The contract's error document: {"error": {"code", "message", "details"}}."""
    return json.dumps({"error": {"code": code, "message": message, "details": details or []}})


def error(
    status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> Response[Any]:
    return Response(
        status_code=status, content_type="application/json", body=error_body(code, message, details)
    )


REQUEST_PARTS = ("body", "query", "path", "header")


def request_field(location: tuple[Any, ...] | list[Any]) -> str:
    """("body", "events", 3, "occurred_at") -> "events[3].occurred_at"."""
    parts = list(location)
    if parts and parts[0] in REQUEST_PARTS:
        parts = parts[1:] or parts
    return field_path(parts) or "body"


PUBLIC_TAGS = frozenset({"system", "verify", "badges"})  # routes answered without a token
GATEWAY_401: dict[str, Any] = {
    "description": "No valid token (answered by the API's JWT authorizer)",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["message"],
                "properties": {"message": {"type": "string"}},
            }
        }
    },
}
ERROR_DESCRIPTIONS = {
    400: "Not JSON within the limits (nesting, numbers), or a cursor that is not this list's",
    403: "The caller lacks the role or scope",
    404: "No such resource in the caller's tenant",
    409: "Conflicts with what is stored",
    413: "Body larger than 256 KiB",
    415: "Body is not application/json",
}


def document_errors(schema: OpenAPI) -> None:
    """Document the errors each operation really answers; Powertools lists only 2xx and 422."""
    for path, item in (schema.paths or {}).items():
        for method in ("get", "put", "post", "patch", "delete"):
            operation = getattr(item, method, None)
            if operation is None:
                continue
            tags = set(operation.tags or ())
            statuses: set[int] = set()
            if tags & {"admin", "events"}:
                statuses.add(403)
            if "{" in path:
                statuses.add(404)
            if any(getattr(p, "name", None) == "cursor" for p in operation.parameters or ()):
                statuses.add(400)
            if operation.requestBody is not None:
                statuses |= {400, 413, 415}
            if method in ("post", "patch"):
                statuses.add(409)
            responses = operation.responses if operation.responses is not None else {}
            if tags & PUBLIC_TAGS:
                operation.security = []  # public: no token (Powertools drops an empty list)
            else:
                responses.setdefault(401, GATEWAY_401)
            for status in sorted(statuses):
                responses.setdefault(
                    status,
                    {
                        "description": ERROR_DESCRIPTIONS[status],
                        "content": {"application/json": {"schema": ERROR_REF}},
                    },
                )
            operation.responses = responses


class AccoladeResolver(APIGatewayHttpResolver):
    """The resolver whose OpenAPI document describes the errors it really answers."""

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPI:
        from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Schema

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
            # Its only use: it would point at the ValidationError just removed.
            components.schemas.pop("ResponseValidationError", None)
        document_errors(schema)
        return schema

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        # Checked before routing: Powertools' validation would otherwise parse a form body.
        problem = body_problem(event)
        if problem is not None:
            status, code, message = problem
            return {
                "statusCode": status,
                "headers": {"Content-Type": "application/json"},
                "body": error_body(code, message),
                "isBase64Encoded": False,
            }
        try:
            return super().resolve(event, context)
        finally:
            acting.end()  # an admin route's stamp ends with its request (routes._admin)


def body_problem(event: Mapping[str, Any]) -> tuple[int, str, str] | None:
    """Bodies are JSON of at most 256 KiB; a form or other media type is refused, not guessed."""
    body = event.get("body") or ""
    if len(body.encode()) > MAX_BODY_BYTES:
        return 413, "payload_too_large", f"body: larger than {MAX_BODY_BYTES} bytes"
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if body and media_type and media_type != "application/json":
        return 415, "unsupported_media_type", "content-type: send the body as application/json"
    if body and event.get("isBase64Encoded"):
        # Powertools decodes base64 bodies as UTF-8 and would fail with a 500 on other bytes.
        try:
            body = base64.b64decode(body, validate=True).decode("utf-8")
        except ValueError:
            return 422, "validation_error", "body: must be UTF-8 encoded JSON"
    if body:
        return json_problem(body)
    return None


def json_problem(text: str) -> tuple[int, str, str] | None:
    """JSON that parses within our limits: no NaN/Infinity, integers of at most 4,300 digits
    (Python's own cap, which would otherwise raise inside the router), nesting of at most 32."""
    try:
        document = jsonbody.parse(text)
    except RecursionError:
        return 400, "invalid_json", f"body: nested deeper than {MAX_JSON_DEPTH} levels"
    except ValueError as exc:
        return 400, "invalid_json", f"body: not valid JSON ({str(exc).split(':')[0]})"
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            return 400, "invalid_json", f"body: nested deeper than {MAX_JSON_DEPTH} levels"
        children = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        )
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return None


def build_app(*routers: Router) -> AccoladeResolver:
    app = AccoladeResolver(enable_validation=True, json_body_deserializer=jsonbody.parse)
    for router in routers:
        app.include_router(router)

    @app.exception_handler(AccoladeError)
    def _domain_error(exc: AccoladeError) -> Response[Any]:
        return error(STATUS.get(type(exc), 400), exc.code, exc.message, exc.details)

    @app.exception_handler(RequestValidationError)
    def _invalid(exc: RequestValidationError) -> Response[Any]:
        details = [
            {
                "field": request_field(item.get("loc", ())),
                "message": error_message(item),
            }
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


def swagger_page(document: Any) -> str:
    """Swagger UI over ``document``. Powertools' ``enable_swagger`` imports its OpenAPI models
    when the module loads, a third of a cold start of every request; here they load when the
    page is asked for."""
    from aws_lambda_powertools.event_handler.openapi import swagger_ui as ui

    assets = Path(ui.__file__).parent
    return ui.generate_swagger_html(
        json.dumps(document).replace("</", "<\\/"),  # no "</script>" inside the page's script
        (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
        (assets / "swagger-ui.min.css").read_text(encoding="utf-8"),
        "",
        None,
    )
