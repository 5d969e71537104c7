"""Fixtures shared by the suites that drive the running local stack (e2e, security).

Each suite's conftest imports them explicitly (`pytest_plugins` is only allowed in the root
conftest). Both suites then share ONE stack per session: the stack is a process-wide singleton,
started by the first suite that asks for it and stopped when the last one is done with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from accolade_local.services import free_port
from accolade_local.stack import LocalStack

__all__ = [
    "Api",
    "Tenant",
    "admin_token",
    "api",
    "api_url",
    "drain",
    "local_stack",
    "machine_token",
    "tenant",
    "tenant_id",
    "user_token",
]

ROOT = Path(__file__).resolve().parents[1]
HTTP_TIMEOUT_S = 30


class _SharedStack:
    stack: LocalStack | None = None
    users = 0


def _acquire(tmp_path_factory: pytest.TempPathFactory) -> LocalStack:
    if _SharedStack.stack is None:
        stack = LocalStack(
            ROOT,
            api_port=free_port(),
            dynamodb_port=free_port(),
            aws_port=free_port(),
            data_dir=tmp_path_factory.mktemp("local-stack"),
            in_memory=True,
            schedules=False,
        )
        _SharedStack.stack = stack.start()
    _SharedStack.users += 1
    return _SharedStack.stack


def _release() -> None:
    _SharedStack.users -= 1
    if _SharedStack.users == 0 and _SharedStack.stack is not None:
        _SharedStack.stack.stop()
        _SharedStack.stack = None


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """template.yaml running on free ports, DynamoDB in memory, schedules off."""
    stack = _acquire(tmp_path_factory)
    try:
        yield stack
    finally:
        _release()


@pytest.fixture(scope="session")
def api_url(local_stack: LocalStack) -> str:
    return local_stack.api_url


@pytest.fixture
def tenant_id() -> str:
    """A fresh tenant per test: tests never see each other's data."""
    return f"t-{uuid.uuid4().hex[:10]}"


@dataclass(frozen=True)
class Tenant:
    """A fresh tenant and the tokens its admins, users and ingest clients send."""

    id: str
    stack: LocalStack

    def admin(self, user: str = "admin-1", **claims: Any) -> str:
        return self.stack.token(self.id, user, admin=True, **claims)

    def user(self, user: str = "user-1", **claims: Any) -> str:
        return self.stack.token(self.id, user, **claims)

    def machine(self, client: str = "ingest-client", **claims: Any) -> str:
        return self.stack.token(self.id, client, scopes=("events:write",), **claims)


@pytest.fixture
def tenant(local_stack: LocalStack, tenant_id: str) -> Tenant:
    return Tenant(tenant_id, local_stack)


@pytest.fixture(scope="session")
def admin_token(local_stack: LocalStack) -> Callable[..., str]:
    def mint(tenant: str, user: str = "admin-1", **kwargs: Any) -> str:
        return local_stack.token(tenant, user, admin=True, **kwargs)

    return mint


@pytest.fixture(scope="session")
def user_token(local_stack: LocalStack) -> Callable[..., str]:
    def mint(tenant: str, user: str = "user-1", **kwargs: Any) -> str:
        return local_stack.token(tenant, user, **kwargs)

    return mint


@pytest.fixture(scope="session")
def machine_token(local_stack: LocalStack) -> Callable[..., str]:
    def mint(tenant: str, client: str = "ingest-client", **kwargs: Any) -> str:
        return local_stack.token(tenant, client, scopes=("events:write",), **kwargs)

    return mint


@pytest.fixture(scope="session")
def drain(local_stack: LocalStack) -> Callable[..., int]:
    """Wait until every stream record written so far (and those it caused) is processed."""

    def wait(timeout: float = 60.0) -> int:
        return local_stack.drain(timeout)

    return wait


@dataclass
class Api:
    """A small HTTP client for the stack's API: `api.get("/v1/me/wallet", token=t)`."""

    base_url: str
    session: requests.Session

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        data: str | bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        return self.session.request(
            method,
            self.base_url + path,
            json=json,
            data=data,
            headers=sent,
            timeout=HTTP_TIMEOUT_S,
        )

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def given_award(self, admin: str, definition: dict[str, Any], user_id: str) -> dict[str, Any]:
        """Create an achievement from ``definition`` and give it to ``user_id`` by hand, both
        as ``admin``; the award answered."""
        created = self.post("/v1/admin/achievements", token=admin, json=definition)
        assert created.status_code == 201, created.text
        given = self.post(
            f"/v1/admin/achievements/{created.json()['id']}/awards",
            token=admin,
            json={"user_id": user_id},
        )
        assert given.status_code == 201, given.text
        return dict(given.json())


@pytest.fixture(scope="session")
def api(api_url: str) -> Iterator[Api]:
    with requests.Session() as session:
        yield Api(api_url, session)
