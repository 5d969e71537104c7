"""What every route module shares: the documented registration, the caller of a request and
answers other than a 200."""

from __future__ import annotations

import importlib.util
import inspect
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from accolade.entrypoints.http.auth import Principal, principal_from_event

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
ERROR_REF = {"$ref": "#/components/schemas/HTTPValidationError"}


def documented(
    method: Callable[..., Callable[[F], F]],
    path: str,
    answer: str,
    status: int = 200,
    tag: str | None = None,
    errors: dict[int, str] | None = None,
) -> Callable[[F], F]:
    """Register a route under ``path`` documented by its docstring; ``answer`` describes its
    success (``status``), ``tag`` defaults to the path's first segment; ``errors`` documents
    answers the usual ones do not cover (by status). An admin route's description ends with who
    may call it and its audit log action, read from ``access.ROUTES`` (so the document cannot
    say otherwise than the check does)."""

    def register(route: F) -> F:
        from accolade.entrypoints.http import access  # it imports this module

        summary, _, description = inspect.cleandoc(route.__doc__ or "").partition("\n")
        if path.startswith("/v1/admin/"):
            description += "\n\n" + access.described(access.route_key(method.__name__, path))
        responses: dict[int, Any] = {status: {"description": answer}}
        for code, text in (errors or {}).items():
            responses[code] = {
                "description": text,
                "content": {"application/json": {"schema": ERROR_REF}},
            }
        return method(
            path,
            tags=[tag or path.split("/")[2]],
            summary=summary,
            description=" ".join(description.split()),
            responses=responses,
        )(route)

    return register


def answer(status: int, body: T) -> Response[T]:
    """``body`` as JSON under a status other than 200 (the one ``documented`` declares)."""
    return Response(status_code=status, content_type="application/json", body=body)


def caller_of(router: Router) -> Principal:
    """Who sent the request ``router`` is serving (from the JWT claims the gateway checked)."""
    return principal_from_event(router.current_event.raw_event)


def lazily(name: str) -> ModuleType:
    """Module ``name``, executed on its first attribute access (the standard library's
    LazyLoader): a route's annotations and body name its schemas, and Powertools resolves a
    route's annotations when it first serves it, so a function builds only what it serves."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:  # as an import binds a submodule on its package (find_spec imported it)
        setattr(sys.modules[parent], child, module)
    return module
