"""bootstrap.inject: a service called with the container's ports it names."""

from __future__ import annotations

from typing import Any

from accolade.bootstrap import inject
from tests.fakes import FakeClock, FakeContainer


def takes(events: list[str], *, config: Any, clock: Any, limit: int = 1) -> dict[str, Any]:
    return {"events": events, "config": config, "clock": clock, "limit": limit}


def test_binds_the_keyword_only_ports_it_names(c: FakeContainer) -> None:
    called = inject(takes, c)(["e1"], limit=5)

    assert called == {"events": ["e1"], "config": c.config, "clock": c.clock, "limit": 5}


def test_a_positional_parameter_named_like_a_port_stays_the_callers(c: FakeContainer) -> None:
    called = inject(takes, c)(events=["e2"])

    assert called["events"] == ["e2"]


def test_a_port_passed_by_the_caller_wins(c: FakeContainer) -> None:
    other = FakeClock()

    called = inject(takes, c)([], clock=other)

    assert called["clock"] is other
