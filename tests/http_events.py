"""HTTP API (payload format 2.0) events, built by the gateway's own builder (accolade_local.payload).

Claims are strings, as the JWT authorizer passes them: roles ["admin"] arrive as "[admin]".
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from accolade_local.payload import http_event as build_event
from accolade_local.tokens import to_apigw_claims


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
) -> dict[str, Any]:
    """An HTTP API payload 2.0 event; without claims there is no authorizer block (Auth NONE)."""
    text = raw_body if raw_body is not None else (None if body is None else json.dumps(body))
    return build_event(
        method,
        path,
        query=urlencode(query or {}),
        headers=[("content-type", "application/json"), ("host", "api.example.com")],
        body=text,
        claims=claims,
        domain_name="api.example.com",
    )
