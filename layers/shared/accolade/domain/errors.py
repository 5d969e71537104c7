"""Domain errors, which the HTTP adapter maps each to one status code, and where a pydantic
error points, told the same way by the services and the HTTP adapter."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

# pydantic ends the location of a union member's error with the member's tag ("int").
UNION_TAG = re.compile(r"^(?:constrained-)?(?:str|int|float|bool|decimal)$|\[")

T = TypeVar("T")


class AccoladeError(Exception):
    """Base of every error the services raise on purpose."""

    code = "error"

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class InvalidInputError(AccoladeError):
    """Input that passed the schema but breaks a rule (names the field)."""

    code = "invalid_input"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", details=[{"field": field, "message": message}])
        self.field = field


class LimitExceededError(InvalidInputError):
    """A create that would take the tenant past one of its caps (``accolade.domain.limits``)."""

    code = "limit_exceeded"


class InvalidCursorError(AccoladeError):
    """A list cursor that is malformed, altered, or made for another tenant, user or filter."""

    code = "invalid_cursor"

    def __init__(self, message: str) -> None:
        super().__init__(f"cursor: {message}", details=[{"field": "cursor", "message": message}])


class NotFoundError(AccoladeError):
    code = "not_found"


def or_not_found(found: T | None, what: str) -> T:
    """``found``, or a NotFoundError saying ``what`` (such as "metric m1") is not found."""
    if found is None:
        raise NotFoundError(f"{what} not found")
    return found


class ConflictError(AccoladeError):
    code = "conflict"


class ForbiddenError(AccoladeError):
    code = "forbidden"


class UnauthorizedError(AccoladeError):
    code = "unauthorized"


def field_path(location: Sequence[Any]) -> str:
    """Where a pydantic error points: ("events", 3, "occurred_at") -> "events[3].occurred_at"."""
    parts = list(location)
    if len(parts) > 1 and isinstance(parts[-1], str) and UNION_TAG.search(parts[-1]):
        parts = parts[:-1]
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else ("." if path else "") + str(part)
    return path


def error_message(error: Mapping[str, Any]) -> str:
    """A pydantic error's message without the "Value error, " it puts before our validators'."""
    return str(error.get("msg", "")).removeprefix("Value error, ")
