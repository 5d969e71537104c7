"""bootstrap.inject: a service called with the container's ports it names."""

from __future__ import annotations

from typing import Any, NamedTuple

from accolade.bootstrap import inject
from tests.fakes import FakeClock, FakeContainer


def takes(events: list[str], *, config: Any, clock: Any, limit: int = 1) -> dict[str, Any]:
    return {"events": events, "config": config, "clock": clock, "limit": limit}


class Catalog(NamedTuple):
    config: Any
    badges: Any = None


class NotPorts(NamedTuple):
    config: Any
    colour: str = "red"


def grouped(*, ports: Catalog, clock: Any, other: NotPorts | None = None) -> dict[str, Any]:
    return {"ports": ports, "clock": clock, "other": other}


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


def test_binds_a_group_of_ports_built_of_the_containers(c: FakeContainer) -> None:
    called = inject(grouped, c)()

    assert called == {"ports": Catalog(c.config, c.badges), "clock": c.clock, "other": None}


def test_a_group_with_a_field_that_is_no_port_is_left_to_the_caller(
    c: FakeContainer,
) -> None:
    other = NotPorts(config=None)

    assert inject(grouped, c)(other=other)["other"] is other
