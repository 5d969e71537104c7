"""HTTP API (payload format 2.0) events, shaped as API Gateway sends them.

Claims are strings, as the JWT authorizer passes them: roles ["admin"] arrive as "[admin]"; the
verified token itself travels in the Authorization header, as API Gateway forwards it.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping
from typing import Any


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
    found = {"sub": user_id, "tenant_id": tenant_id, "iat": "1700000000", **extra}
    if admin:
        found["roles"] = "[admin]"
    if scope is not None:
        found["scope"] = scope
    return found


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
    query = query or {}
    request_context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "local",
        "domainName": "api.example.com",
        "domainPrefix": "api",
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": "203.0.113.7",
            "userAgent": "pytest",
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": "$default",
        "stage": "$default",
        "time": "24/Nov/2026:10:00:00 +0000",
        "timeEpoch": 1795514400000,
    }
    if claims is not None:
        scopes = claims.get("scope")
        request_context["authorizer"] = {
            "jwt": {"claims": claims, "scopes": scopes.split() if scopes else None}
        }
    headers = {"content-type": "application/json", "host": "api.example.com"}
    if claims is not None:
        headers["authorization"] = bearer(token_claims if token_claims else typed(claims))
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "&".join(f"{k}={v}" for k, v in query.items()),
        "headers": headers,
        "queryStringParameters": query or None,
        "requestContext": request_context,
        "body": text,
        "isBase64Encoded": False,
    }
