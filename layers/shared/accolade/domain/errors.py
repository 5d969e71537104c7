"""Domain errors; the HTTP adapter maps each to one status code."""

from __future__ import annotations

from typing import Any


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


class ConflictError(AccoladeError):
    code = "conflict"


class ForbiddenError(AccoladeError):
    code = "forbidden"


class UnauthorizedError(AccoladeError):
    code = "unauthorized"
