"""Unit fixtures: a fresh container of fakes per test (no AWS, no network)."""

from __future__ import annotations

import pytest

from tests.fakes import FakeContainer


@pytest.fixture
def c() -> FakeContainer:
    return FakeContainer()
