"""End-to-end fixtures: the whole local stack from template.yaml, on free ports, in memory.

Tests drive it over HTTP (`api` / `api_url` + tokens) and wait for the stream functions with
`drain()`. Schedules do not fire on their own here (a run crossing Monday 00:05 would be flaky):
invoke ClosePeriodsFunction with the `as_of` of our choosing through `local_stack.invoke(...)`
instead, then `drain()` (WinnersQueue and the streams). The fixtures live in
tests/stack_fixtures.py so the security suite shares the same stack in one session.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.stack_fixtures import *  # noqa: F403  (its fixtures, found by name)

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.e2e)
