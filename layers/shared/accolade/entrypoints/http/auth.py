"""Who is calling: the token the HTTP API's JWT authorizer verified, read exactly.

The authorizer hands the handler its claims as strings, rendering an array as ``[a b]``: a role
``"super admin"`` and the roles ``"super"`` and ``"admin"`` look the same there. So roles and
scopes are read from the verified token itself (the ``Authorization`` header is the authorizer's
identity source), after checking that it is the token the authorizer verified.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from accolade.domain.errors import ForbiddenError, UnauthorizedError

ADMIN = "admin"
EVENTS_WRITE = "events:write"
# The id rules the API applies to every id in a path or body: the tenant and user become keys.
ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$")
MAX_TOKEN_CHARS = 16 * 1024  # a Cognito ID token with many groups is about 4 KB
ROLE_CLAIMS = ("roles", "cognito:groups")


class Principal(NamedTuple):
    tenant_id: str
    user_id: str
    roles: frozenset[str]
    scopes: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.roles

    def require_admin(self) -> None:
        if not self.is_admin:
            raise ForbiddenError("this route is for admins")

    def require_role(self, admitted: frozenset[str]) -> None:
        """One of the caller's roles is one of ``admitted``, compared whole (never a substring)."""
        if not self.roles & admitted:
            raise ForbiddenError(f"this route is for the roles {', '.join(sorted(admitted))}")

    def require_scope(self, scope: str, resource_server: str) -> None:
        # Cognito names a resource server's scopes "<identifier>/<scope>"; only ours counts.
        if not {scope, f"{resource_server}/{scope}"} & self.scopes:
            raise ForbiddenError(f"this route needs the {scope} scope")


def _token_claims(headers: Mapping[str, Any]) -> dict[str, Any]:
    """The payload of the bearer token (its signature was checked by the authorizer)."""
    value = next(
        (str(v) for k, v in headers.items() if str(k).lower() == "authorization"), ""
    ).strip()
    token = value[7:].strip() if value[:7].lower() == "bearer " else value
    parts = token.split(".")
    if len(token) > MAX_TOKEN_CHARS or len(parts) != 3:
        raise UnauthorizedError("the request carries no readable bearer token")
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error, RecursionError) as exc:
        raise UnauthorizedError("the request carries no readable bearer token") from exc
    if not isinstance(payload, dict):
        raise UnauthorizedError("the request carries no readable bearer token")
    return payload


def _names(value: Any, claim: str) -> set[str]:
    """A claim holding names: a JSON array of strings, or one string."""
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return set(value)
    raise UnauthorizedError(f"the token's {claim} claim must be a string or an array of strings")


def _rendered(value: Any) -> str:
    """A claim as the authorizer renders it, to compare the token with what it verified."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def principal_from_event(event: Mapping[str, Any]) -> Principal:
    """The caller of an HTTP API (payload 2.0) request; 401 unless the token names a valid tenant
    and user the way the API names ids."""
    jwt = ((event.get("requestContext") or {}).get("authorizer") or {}).get("jwt") or {}
    verified: Mapping[str, Any] = jwt.get("claims") or {}
    claims = _token_claims(event.get("headers") or {})
    for name in ("sub", "iat", "exp", "tenant_id", "custom:tenant_id"):
        if _rendered(claims.get(name)) != _rendered(verified.get(name)):
            raise UnauthorizedError("the bearer token is not the one the authorizer verified")
    tenant_id = claims.get("tenant_id", claims.get("custom:tenant_id"))
    user_id = claims.get("sub")
    if not isinstance(tenant_id, str) or not ID.match(tenant_id):
        raise UnauthorizedError(
            "the token's tenant_id must be an id of 1-128 letters, digits, ._:@-"
        )
    if not isinstance(user_id, str) or not ID.match(user_id):
        raise UnauthorizedError("the token's sub must be an id of 1-128 letters, digits, ._:@-")
    roles: set[str] = set()
    for claim in ROLE_CLAIMS:
        roles |= _names(claims.get(claim), claim)
    scope = claims.get("scope")
    if scope is not None and not isinstance(scope, str):
        raise UnauthorizedError("the token's scope claim must be a space-separated string")
    return Principal(tenant_id, user_id, frozenset(roles), frozenset((scope or "").split()))
