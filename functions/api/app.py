"""HTTP API: every /v1 route (and the OpenAPI document and Swagger UI)."""

from __future__ import annotations

# First: in Lambda, pauses the garbage collector for the cold start (see accolade.coldstart).
import accolade.coldstart  # noqa: F401

# isort: split
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from accolade.entrypoints.http.app import TITLE, VERSION, build_app, swagger_page
from accolade.entrypoints.http.event_routes import events
from accolade.entrypoints.http.routes import admin_routes, me_routes, system
from accolade.entrypoints.http.routes_audit import audit_routes
from accolade.entrypoints.http.routes_badges import badge_routes
from accolade.entrypoints.http.routes_credentials import credential_routes
from accolade.entrypoints.http.routes_exports import export_routes
from accolade.entrypoints.http.routes_inbox import inbox_routes
from accolade.entrypoints.http.routes_rules import rules_admin_routes, rules_me_routes
from accolade.observability import observed_handler

app = build_app(
    system,
    events,
    admin_routes,
    me_routes,
    rules_admin_routes,
    rules_me_routes,
    badge_routes,
    credential_routes,
    inbox_routes,
    audit_routes,
    export_routes,
)


@app.get("/v1/openapi.json", include_in_schema=False)
@cache  # the routes are fixed once the module is loaded: build the document once per sandbox
def openapi_document() -> Any:
    return app.get_openapi_schema(title=TITLE, version=VERSION).model_dump(
        mode="json", by_alias=True, exclude_none=True
    )


@app.get("/v1/swagger", include_in_schema=False)
def swagger_ui() -> Response[str]:
    return Response(
        status_code=200, content_type="text/html", body=swagger_page(openapi_document())
    )


@observed_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
