"""End-to-end fixtures: the whole local stack from template.yaml, on free ports, in memory.

Tests drive it over HTTP (`api_url` + tokens) and wait for the stream functions with `drain()`.
Schedules do not fire on their own here (a run crossing Monday 00:05 would be flaky): invoke
SelectWinnersFunction through `local_stack.invoke(...)` instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from accolade_local.services import free_port
from accolade_local.stack import LocalStack

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    stack = LocalStack(
        ROOT,
        api_port=free_port(),
        dynamodb_port=free_port(),
        aws_port=free_port(),
        data_dir=tmp_path_factory.mktemp("local-stack"),
        in_memory=True,
        schedules=False,
    )
    with stack:
        yield stack


@pytest.fixture(scope="session")
def api_url(local_stack: LocalStack) -> str:
    return local_stack.api_url


@pytest.fixture
def tenant_id() -> str:
    """A fresh tenant per test: tests never see each other's data."""
    return f"t-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def admin_token(local_stack: LocalStack) -> Callable[..., str]:
    def mint(tenant: str, user: str = "admin-1") -> str:
        return local_stack.token(tenant, user, admin=True)

    return mint


@pytest.fixture(scope="session")
def user_token(local_stack: LocalStack) -> Callable[..., str]:
    def mint(tenant: str, user: str = "user-1") -> str:
        return local_stack.token(tenant, user)

    return mint


@pytest.fixture(scope="session")
def machine_token(local_stack: LocalStack) -> Callable[..., str]:
    def mint(tenant: str, client: str = "ingest-client") -> str:
        return local_stack.token(tenant, client, scopes=("events:write",))

    return mint


@pytest.fixture(scope="session")
def drain(local_stack: LocalStack) -> Callable[..., int]:
    """Wait until every stream record written so far (and those it caused) is processed."""

    def wait(timeout: float = 60.0) -> int:
        return local_stack.drain(timeout)

    return wait
