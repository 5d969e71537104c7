"""HTTP API (payload format 2.0) events, built by the gateway's own builder (accolade_local.gateway).

Claims are strings, as the JWT authorizer passes them: roles ["admin"] arrive as "[admin]"; the
verified token itself travels in the Authorization header, as API Gateway forwards it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from accolade_local.gateway import http_event as build_event
from accolade_local.handlers import LambdaContext
from accolade_local.tokens import to_apigw_claims

# Everything GET /v1/verify tells anyone holding an identifier: nothing private (no user id,
# e-mail, group or note). One list for the in-process and the local-stack tests.
VERIFICATION_FIELDS = frozenset(
    {"status", "identifier", "achievement", "holder", "issued_at", "valid_until"}
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def bearer(token_claims: Mapping[str, Any]) -> str:
    """An Authorization header value carrying ``token_claims`` (signature checked upstream)."""
    header = _b64(json.dumps({"alg": "RS256", "kid": "local"}).encode())
    return f"Bearer {header}.{_b64(json.dumps(dict(token_claims)).encode())}.c2lnbmF0dXJl"


def typed(claims: Mapping[str, str]) -> dict[str, Any]:
    """Back from the authorizer's rendering to token claims (arrays of simple names only)."""
    return {
        key: value[1:-1].split() if value.startswith("[") and value.endswith("]") else value
        for key, value in claims.items()
    }


def sync_token(event: dict[str, Any]) -> dict[str, Any]:
    """Make the event's bearer token carry the claims its authorizer block shows."""
    jwt = ((event.get("requestContext") or {}).get("authorizer") or {}).get("jwt") or {}
    if jwt.get("claims"):
        event.setdefault("headers", {})["authorization"] = bearer(typed(jwt["claims"]))
    return event


def claims(
    tenant_id: str = "tenant-a",
    user_id: str = "user-1",
    *,
    admin: bool = False,
    scope: str | None = None,
    **extra: str,
) -> dict[str, str]:
    """JWT claims the way the authorizer forwards them: every value a string."""
    found: dict[str, Any] = {"sub": user_id, "tenant_id": tenant_id, "iat": 1700000000, **extra}
    if admin:
        found["roles"] = ["admin"]
    if scope is not None:
        found["scope"] = scope
    return to_apigw_claims(found)


def http_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    raw_body: str | None = None,
    claims: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    token_claims: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An HTTP API payload 2.0 event; without claims there is no authorizer block (Auth NONE).

    The bearer token carries ``token_claims`` when given (a token with exotic claims), else the
    claims the authorizer block shows.
    """
    text = raw_body if raw_body is not None else (None if body is None else json.dumps(body))
    headers = [("content-type", "application/json"), ("host", "api.example.com")]
    if claims is not None:
        headers.append(("authorization", bearer(token_claims if token_claims else typed(claims))))
    return build_event(
        method,
        path,
        query=urlencode(query or {}),
        headers=headers,
        body=text,
        claims=claims,
        domain_name="api.example.com",
    )


def call(handler: Any, event: dict[str, Any]) -> tuple[int, Any]:
    """The status and decoded JSON body of a handler module's answer to ``event``."""
    response = handler.lambda_handler(event, LambdaContext())
    body = response.get("body")
    return response["statusCode"], json.loads(body) if body else None


def sale(event_id: str = "e-1", **fields: Any) -> dict[str, Any]:
    """A sale.closed event as a client posts it to /v1/events."""
    return {
        "id": event_id,
        "type": "sale.closed",
        "user_id": "alice",
        "occurred_at": "2026-11-24T09:00:00Z",
        **fields,
    }


def threshold_achievement(
    name: str, time_range: str, threshold: int, points: int
) -> dict[str, Any]:
    """The body creating a one-level achievement on the sales metric."""
    return sales_achievement(name, time_range, {threshold: points})


def sales_achievement(
    name: str, time_range: str, points_at: Mapping[int, int], **fields: Any
) -> dict[str, Any]:
    """The body creating an achievement on the sales metric, a level per threshold (in order)
    worth the points ``points_at`` gives it; ``fields`` add the rest (description, badge)."""
    levels = [{"threshold": threshold, "points": points} for threshold, points in points_at.items()]
    return {
        "name": name,
        "type": "metric_threshold",
        "metric": "sales",
        "time_range": time_range,
        "levels": levels,
        **fields,
    }
