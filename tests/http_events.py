"""HTTP API (payload format 2.0) events, shaped as API Gateway sends them.

Claims are strings, as the JWT authorizer passes them: roles ["admin"] arrive as "[admin]".
"""

from __future__ import annotations

import json
import uuid
from typing import Any


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
) -> dict[str, Any]:
    """An HTTP API payload 2.0 event; without claims there is no authorizer block (Auth NONE)."""
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
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "&".join(f"{k}={v}" for k, v in query.items()),
        "headers": {"content-type": "application/json", "host": "api.example.com"},
        "queryStringParameters": query or None,
        "requestContext": request_context,
        "body": text,
        "isBase64Encoded": False,
    }
