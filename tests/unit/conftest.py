"""Unit fixtures: a fresh container of fakes per test (no AWS, no network)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from accolade import bootstrap
from accolade.config import settings
from tests.fakes import FakeContainer


@pytest.fixture
def c() -> FakeContainer:
    return FakeContainer()


@pytest.fixture
def fakes(c: FakeContainer, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeContainer]:
    """The handlers' container replaced by ``c``, as a cold start with the test env builds it."""
    monkeypatch.setenv("TABLE_NAME", "fake-table")
    monkeypatch.setenv("STAGE", "test")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "AccoladeTest")
    settings.cache_clear()
    bootstrap.override(c)
    yield c
    bootstrap.reset()
