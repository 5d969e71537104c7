"""An event touches only the achievements it can move: its metric's thresholds and its own
event type's achievements, whatever else the tenant has defined."""

from __future__ import annotations

from decimal import Decimal

from accolade.domain.periods import zone
from accolade.domain.rules import counters_to_read, plan_awards
from tests.fakes import FakeContainer
from tests.unit.builders import TENANT, achievement, activity, closer, metric


def crowded(c: FakeContainer, others: int = 200) -> None:
    """Closer (sales) and Attendee (webinar.joined) among ``others`` unrelated definitions."""
    metric(c)
    metric(c, "calls", event_type="call.made")
    closer(c)
    achievement(
        c, name="Attendee", type="event", event_type="webinar.joined", levels=[{"points": 10}]
    )
    for n in range(others):
        achievement(
            c,
            name=f"Caller {n}",
            type="metric_threshold",
            metric="calls",
            time_range="day",
            levels=[{"threshold": n + 1}],
        )


def test_the_index_gives_an_event_only_the_achievements_of_its_type(c: FakeContainer) -> None:
    crowded(c)
    index = c.config.get_config(TENANT).index

    assert [a.name for a in index.moved_by(activity("s-1", "2026-11-24T08:00:00Z"))] == ["Closer"]
    assert [
        a.name
        for a in index.moved_by(activity("w-1", "2026-11-24T08:00:00Z", type="webinar.joined"))
    ] == ["Attendee"]
    assert index.moved_by(activity("x-1", "2026-11-24T08:00:00Z", type="unknown")) == ()


def test_a_sale_reads_one_counter_and_plans_like_the_full_list(c: FakeContainer) -> None:
    crowded(c)
    tenant = c.config.get_config(TENANT)
    tz = zone(tenant.settings.timezone)
    sale = [activity("s-1", "2026-11-24T08:00:00Z")]

    needed = counters_to_read(sale, tenant.index, {}, tz)
    values = dict.fromkeys(needed, Decimal(5))

    assert [key.metric_id for key in needed] == ["sales"]
    assert plan_awards(sale, tenant.index, {}, values, tz) == plan_awards(
        sale, tenant.achievements, {}, values, tz
    )


def test_the_index_is_built_once_per_configuration(c: FakeContainer) -> None:
    crowded(c, others=3)
    tenant = c.config.get_config(TENANT)

    assert tenant.index is tenant.index
