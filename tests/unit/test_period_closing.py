"""Period winners in each tenant's own zone: the hourly job at ``as_of`` hands every tenant whose
week or month closed (plus its grace) to its own invocation, which grants each winner once."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from accolade.domain.closing import CATCH_UP, PeriodClose, TenantCloses, due_period
from accolade.domain.models import CounterKey, TenantSettings
from accolade.domain.periods import TimeRange, zone
from accolade.services import admin
from accolade.services.winners import close_periods, select_winners
from tests.fakes import FakeContainer
from tests.unit.builders import (
    activity,
    at,
    ingest_and_evaluate,
    metric,
    run_winners_job,
    wired,
)

AUCKLAND, LOS_ANGELES = "kiwi-sales", "la-sales"
HOUR = timedelta(hours=1)


def _tenant(
    c: FakeContainer, tenant_id: str, timezone: str, period: str = "week", **settings: Any
) -> str:
    admin.put_settings(tenant_id, TenantSettings(timezone=timezone, **settings), config=c.config)
    metric(c, tenant_id=tenant_id)
    created = wired(
        admin.create_achievement,
        c,
        tenant_id,
        {"name": "Speedy Gonzales", "type": "period_top", "metric": "sales", "period": period},
    )
    return created.achievement_id


def _sale(c: FakeContainer, tenant_id: str, event_id: str, when: str, user_id: str) -> None:
    c.clock.set(at(when))
    ingest_and_evaluate(c, [activity(event_id, when, user_id=user_id)], tenant_id)


def _hourly(c: FakeContainer, start: datetime, end: datetime) -> dict[str, datetime]:
    """Run the job every hour from ``start`` to ``end``: when each tenant got its winner."""
    first: dict[str, datetime] = {}
    moment = start
    while moment <= end:
        c.clock.set(moment + timedelta(minutes=2))  # Scheduler and the queue take a moment
        for award in run_winners_job(c, moment).granted:
            first.setdefault(award.user_id, moment)
        moment += HOUR
    return first


# --- the domain rule ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timezone", "closable"),
    [
        ("Pacific/Auckland", "2026-11-29T12:00:00Z"),  # Monday 00:00 NZDT (UTC+13), + 1 h
        ("America/Los_Angeles", "2026-11-30T09:00:00Z"),  # Monday 00:00 PST (UTC-8), + 1 h
        ("Asia/Kathmandu", "2026-11-29T19:15:00Z"),  # UTC+5:45: due at the 20:00 run
    ],
)
def test_a_week_is_due_from_its_local_monday_plus_grace_for_the_catch_up_window(
    timezone: str, closable: str
) -> None:
    tz, grace, moment = zone(timezone), HOUR, at(closable)

    before = due_period(TimeRange.WEEK, tz, grace, moment - timedelta(seconds=1), CATCH_UP)
    due = due_period(TimeRange.WEEK, tz, grace, moment, CATCH_UP)
    last = due_period(TimeRange.WEEK, tz, grace, moment + CATCH_UP - timedelta(seconds=1), CATCH_UP)
    after = due_period(TimeRange.WEEK, tz, grace, moment + CATCH_UP, CATCH_UP)

    assert (before, due, last, after) == (None, "W2026-W48", "W2026-W48", None)


def test_a_week_spanning_a_month_end_and_a_dst_change_closes_at_its_local_midnight() -> None:
    # Mon 26 Oct - Sun 1 Nov 2026: October ends on Saturday, Los Angeles falls back on Sunday,
    # so the week ends at Monday 00:00 PST = 08:00 UTC, not 07:00 (PDT).
    tz = zone("America/Los_Angeles")

    at_7 = due_period(TimeRange.WEEK, tz, timedelta(0), at("2026-11-02T07:59:59Z"), CATCH_UP)
    at_8 = due_period(TimeRange.WEEK, tz, timedelta(0), at("2026-11-02T08:00:00Z"), CATCH_UP)
    october = due_period(TimeRange.MONTH, tz, timedelta(0), at("2026-11-01T07:00:00Z"), CATCH_UP)

    assert (at_7, at_8, october) == (None, "W2026-W44", "M2026-10")


def test_a_grace_holds_the_close_back_for_that_many_hours() -> None:
    tz, end = zone("UTC"), at("2026-11-30T00:00:00Z")

    held = due_period(TimeRange.WEEK, tz, timedelta(hours=72), end + timedelta(hours=71), CATCH_UP)
    due = due_period(TimeRange.WEEK, tz, timedelta(hours=72), end + timedelta(hours=72), CATCH_UP)
    no_grace = due_period(TimeRange.WEEK, tz, timedelta(0), end, CATCH_UP)

    assert (held, due, no_grace) == (None, "W2026-W48", "W2026-W48")


@pytest.mark.parametrize("hours", [-1, 73])
def test_a_grace_outside_0_to_72_hours_is_refused(hours: int) -> None:
    with pytest.raises(ValueError, match="winners_grace_hours"):
        TenantSettings(winners_grace_hours=hours)


def test_a_period_key_that_is_not_a_week_or_a_month_is_refused() -> None:
    with pytest.raises(ValueError, match="period_key"):
        PeriodClose(achievement_id="a", period_key="D2026-11-30")


# --- the job ---------------------------------------------------------------------------------


def test_auckland_and_los_angeles_each_get_winners_within_the_hour_after_their_monday(
    c: FakeContainer,
) -> None:
    _tenant(c, AUCKLAND, "Pacific/Auckland")
    _tenant(c, LOS_ANGELES, "America/Los_Angeles")
    _sale(c, AUCKLAND, "k1", "2026-11-27T01:00:00Z", "kiri")
    _sale(c, LOS_ANGELES, "l1", "2026-11-27T01:00:00Z", "lupe")

    granted = _hourly(c, at("2026-11-29T00:00:00Z"), at("2026-11-30T12:00:00Z"))

    # Monday 00:00 local + 1 h grace, at the first hourly run from then: and not an hour before.
    assert granted == {"kiri": at("2026-11-29T12:00:00Z"), "lupe": at("2026-11-30T09:00:00Z")}
    awards = c.awards.all_awards(AUCKLAND) + c.awards.all_awards(LOS_ANGELES)
    assert [a.period_key for a in awards] == ["W2026-W48", "W2026-W48"]


def test_a_month_closes_at_the_first_local_midnight_of_the_next_plus_grace(
    c: FakeContainer,
) -> None:
    _tenant(c, AUCKLAND, "Pacific/Auckland", period="month")
    _sale(c, AUCKLAND, "k1", "2026-11-10T01:00:00Z", "kiri")

    granted = _hourly(c, at("2026-11-30T00:00:00Z"), at("2026-12-01T00:00:00Z"))

    # 1 December 00:00 NZDT is 30 November 11:00 UTC; an hour of grace.
    assert granted == {"kiri": at("2026-11-30T12:00:00Z")}
    assert [a.period_key for a in c.awards.all_awards(AUCKLAND)] == ["M2026-11"]


def test_each_tenant_is_handed_over_on_its_own(c: FakeContainer) -> None:
    for n in range(3):
        _tenant(c, f"t{n}", "UTC")

    work = close_periods(at("2026-11-30T01:00:00Z"), config=c.config, winners_queue=c.winners_queue)

    assert [w.tenant_id for w in c.winners_queue.sent] == ["t0", "t1", "t2"]
    assert [[close.period_key for close in w.closes] for w in work] == [["W2026-W48"]] * 3


def test_the_week_of_a_dst_change_and_a_month_end_counts_its_last_local_hour(
    c: FakeContainer,
) -> None:
    _tenant(c, LOS_ANGELES, "America/Los_Angeles", winners_grace_hours=0)
    _sale(c, LOS_ANGELES, "a1", "2026-10-26T08:00:00Z", "ana")  # Monday 01:00 PDT
    # Sunday 1 Nov 23:30 PST, after the clocks fell back: still that week, and November's.
    _sale(c, LOS_ANGELES, "b1", "2026-11-02T07:30:00Z", "ben")
    _sale(c, LOS_ANGELES, "b2", "2026-11-02T07:31:00Z", "ben")

    granted = _hourly(c, at("2026-11-02T06:00:00Z"), at("2026-11-02T10:00:00Z"))

    assert granted == {"ben": at("2026-11-02T08:00:00Z")}
    assert [a.period_key for a in c.awards.all_awards(LOS_ANGELES)] == ["W2026-W44"]


def test_the_job_run_twice_grants_nothing_twice(c: FakeContainer) -> None:
    _tenant(c, AUCKLAND, "Pacific/Auckland")
    _sale(c, AUCKLAND, "k1", "2026-11-27T01:00:00Z", "kiri")
    c.clock.set(at("2026-11-29T12:01:00Z"))

    first = run_winners_job(c, at("2026-11-29T12:00:00Z"))
    again = run_winners_job(c, at("2026-11-29T12:00:00Z"))
    next_hour = run_winners_job(c, at("2026-11-29T13:00:00Z"))

    assert [a.user_id for a in first.granted] == ["kiri"]
    assert (again.granted, again.already_chosen) == ([], 1)
    assert (next_hour.granted, next_hour.already_chosen) == ([], 1)
    assert len(c.awards.all_awards(AUCKLAND)) == 1


def test_a_run_that_never_came_is_made_good_by_a_later_one(c: FakeContainer) -> None:
    _tenant(c, LOS_ANGELES, "America/Los_Angeles")
    _sale(c, LOS_ANGELES, "l1", "2026-11-27T01:00:00Z", "lupe")
    c.clock.set(at("2026-11-30T20:00:00Z"))

    late = run_winners_job(c, at("2026-11-30T20:00:00Z"))  # 09:00 to 19:00 never ran

    assert [a.user_id for a in late.granted] == ["lupe"]


def test_a_retry_delivered_late_does_the_work_of_its_as_of(c: FakeContainer) -> None:
    _tenant(c, AUCKLAND, "Pacific/Auckland")
    _sale(c, AUCKLAND, "k1", "2026-11-27T01:00:00Z", "kiri")
    c.clock.set(at("2026-11-29T13:30:00Z"))  # the 11:00 run, retried two and a half hours late

    early = run_winners_job(c, at("2026-11-29T11:00:00Z"))

    assert (early.granted, c.winners_queue.sent) == ([], [])


def test_a_message_for_a_period_still_in_its_grace_waits(c: FakeContainer) -> None:
    achievement_id = _tenant(c, AUCKLAND, "Pacific/Auckland", winners_grace_hours=3)
    _sale(c, AUCKLAND, "k1", "2026-11-27T01:00:00Z", "kiri")
    c.clock.set(at("2026-11-29T12:00:00Z"))  # Monday 01:00 in Auckland: two hours of grace left
    work = TenantCloses(
        tenant_id=AUCKLAND,
        as_of=c.clock.now(),
        closes=(PeriodClose(achievement_id=achievement_id, period_key="W2026-W48"),),
    )

    result = wired(select_winners, c, work)

    assert (result.granted, result.not_due) == ([], 1)


def test_late_events_count_but_never_move_the_chosen_winner(c: FakeContainer) -> None:
    _tenant(c, AUCKLAND, "Pacific/Auckland")
    _sale(c, AUCKLAND, "k1", "2026-11-27T01:00:00Z", "kiri")
    c.clock.set(at("2026-11-29T12:01:00Z"))
    run_winners_job(c, at("2026-11-29T12:00:00Z"))
    late = [
        activity(f"late-{n}", "2026-11-28T01:00:00Z", user_id="mere") for n in range(5)
    ]  # in the closed week, arriving after its close
    c.clock.set(at("2026-11-29T12:30:00Z"))
    ingest_and_evaluate(c, late, AUCKLAND)

    again = run_winners_job(c, at("2026-11-29T13:00:00Z"))

    assert again.granted == []
    assert [a.user_id for a in c.awards.all_awards(AUCKLAND)] == ["kiri"]
    counter = CounterKey("mere", "sales", "W2026-W48")
    assert c.progress.counters(AUCKLAND, [counter]) == {counter: Decimal(5)}


def test_a_tie_goes_to_who_reached_the_score_first(c: FakeContainer) -> None:
    _tenant(c, LOS_ANGELES, "America/Los_Angeles")
    _sale(c, LOS_ANGELES, "z1", "2026-11-26T01:00:00Z", "zoe")
    _sale(c, LOS_ANGELES, "a1", "2026-11-26T02:00:00Z", "abe")
    c.clock.set(at("2026-11-30T09:00:00Z"))

    result = run_winners_job(c, at("2026-11-30T09:00:00Z"))

    assert [a.user_id for a in result.granted] == ["zoe"]


def test_a_disabled_achievement_is_not_handed_over(c: FakeContainer) -> None:
    achievement_id = _tenant(c, AUCKLAND, "Pacific/Auckland")
    wired(admin.edit_achievement, c, AUCKLAND, achievement_id, {"enabled": False})

    work = close_periods(at("2026-11-29T12:00:00Z"), config=c.config, winners_queue=c.winners_queue)

    assert work == []


def test_an_achievement_disabled_after_the_listing_is_not_granted(c: FakeContainer) -> None:
    achievement_id = _tenant(c, AUCKLAND, "Pacific/Auckland")
    _sale(c, AUCKLAND, "k1", "2026-11-27T01:00:00Z", "kiri")
    c.clock.set(at("2026-11-29T12:01:00Z"))
    (work,) = close_periods(
        at("2026-11-29T12:00:00Z"), config=c.config, winners_queue=c.winners_queue
    )
    wired(admin.edit_achievement, c, AUCKLAND, achievement_id, {"enabled": False})

    result = wired(select_winners, c, work)

    assert result.granted == []
    assert c.awards.all_awards(AUCKLAND) == []
