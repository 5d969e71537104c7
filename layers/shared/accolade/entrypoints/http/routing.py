"""What every route module shares: the documented registration and the caller of a request."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler.api_gateway import Router

from accolade.entrypoints.http.auth import Principal, principal_from_event

F = TypeVar("F", bound=Callable[..., Any])


def documented(
    method: Callable[..., Callable[[F], F]],
    path: str,
    answer: str,
    status: int = 200,
    tag: str | None = None,
) -> Callable[[F], F]:
    """Register a route under ``path`` documented by its docstring; ``answer`` describes its
    success (``status``), ``tag`` defaults to the path's first segment."""

    def register(route: F) -> F:
        summary, _, description = inspect.cleandoc(route.__doc__ or "").partition("\n")
        return method(
            path,
            tags=[tag or path.split("/")[2]],
            summary=summary,
            description=" ".join(description.split()),
            responses={status: {"description": answer}},
        )(route)

    return register


def caller_of(router: Router) -> Principal:
    """Who sent the request ``router`` is serving (from the JWT claims the gateway checked)."""
    return principal_from_event(router.current_event.raw_event)
