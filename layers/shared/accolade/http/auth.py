"""Who is calling: claims placed by the HTTP API's JWT authorizer (strings, arrays as "[a b]")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from accolade.domain.errors import ForbiddenError, UnauthorizedError

ADMIN = "admin"
EVENTS_WRITE = "events:write"


@dataclass(frozen=True)
class Principal:
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

    def require_scope(self, scope: str) -> None:
        # Cognito names resource-server scopes "<server>/<scope>".
        if not any(s == scope or s.endswith(f"/{scope}") for s in self.scopes):
            raise ForbiddenError(f"this route needs the {scope} scope")


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1].replace(",", " ")
    return [part.strip("\"' ") for part in text.split() if part.strip("\"' ")]


def principal_from_event(event: Mapping[str, Any]) -> Principal:
    """The caller of an HTTP API (payload 2.0) request; 401 when the authorizer gave no identity."""
    jwt = ((event.get("requestContext") or {}).get("authorizer") or {}).get("jwt") or {}
    claims: Mapping[str, Any] = jwt.get("claims") or {}
    tenant_id = claims.get("tenant_id") or claims.get("custom:tenant_id")
    user_id = claims.get("sub")
    if not tenant_id or not user_id:
        raise UnauthorizedError("the token carries no tenant_id or sub")
    roles = _as_list(claims.get("roles")) + _as_list(claims.get("cognito:groups"))
    scopes = _as_list(jwt.get("scopes")) + _as_list(claims.get("scope"))
    return Principal(str(tenant_id), str(user_id), frozenset(roles), frozenset(scopes))
