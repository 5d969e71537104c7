"""The Leaderboard sort key puts the winner first, and the services read only what they need."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accolade.domain.errors import InvalidInputError, NotFoundError
from accolade.domain.models import CounterKey, UserProfile
from accolade.domain.periods import TimeRange
from accolade.domain.rules import USER_ID_ALPHABET, standing_order
from accolade.services.leaderboards import leaderboard
from tests.fakes import FakeContainer
from tests.unit.builders import (
    TENANT,
    achievement,
    activity,
    at,
    closer,
    evaluate,
    ingest_and_evaluate,
    metric,
    run_winners_job,
)

scores = st.decimals(
    min_value=Decimal("-99999999999999999999999999999.999999999"),
    max_value=Decimal("99999999999999999999999999999.999999999"),
    places=9,
    allow_nan=False,
    allow_infinity=False,
)
moments = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)
user_ids = st.text(USER_ID_ALPHABET, min_size=1, max_size=128)
standings = st.tuples(scores, moments, user_ids)


@settings(deadline=None)  # pure and fast; a loaded CI machine must not make it flaky
@given(st.lists(standings, min_size=2, max_size=30))
def test_descending_sort_key_order_is_the_winner_order(
    rows: list[tuple[Decimal, datetime, str]],
) -> None:
    by_key = sorted(rows, key=lambda r: standing_order(*r), reverse=True)
    # Not (-score, ...): negating a Decimal rounds it to the context's 28 digits.
    by_rule = sorted(sorted(rows, key=lambda r: (r[1], r[2])), key=lambda r: r[0], reverse=True)
    assert by_key == by_rule


@settings(deadline=None)
@given(standings, standings)
def test_equal_sort_keys_mean_equal_standings(
    a: tuple[Decimal, datetime, str], b: tuple[Decimal, datetime, str]
) -> None:
    assert (standing_order(*a) == standing_order(*b)) == (a == b)


def test_the_sort_key_has_a_fixed_width_within_dynamodbs_key_limit() -> None:
    longest = standing_order(
        Decimal("99999999999999999999999999999.999999999"),
        datetime(1970, 1, 1, tzinfo=UTC),
        "z" * 128,
    )
    shortest = standing_order(Decimal(0), datetime(2026, 11, 28, tzinfo=UTC), "a")
    assert len(longest) == len(shortest) == 1 + 38 + 18 + 128


@pytest.mark.parametrize("user_id", ["a b", "ü", "x" * 129])
def test_ids_outside_the_id_alphabet_have_no_sort_key(user_id: str) -> None:
    with pytest.raises(ValueError):
        standing_order(Decimal(1), datetime(2026, 1, 1, tzinfo=UTC), user_id)


def _weekly_winner(c: FakeContainer, **extra: Any) -> None:
    metric(c)
    achievement(c, name="Top seller", type="period_top", metric="sales", period="week", **extra)


def test_the_winner_of_many_tied_users_takes_one_query_of_one_row(c: FakeContainer) -> None:
    _weekly_winner(c)
    start = at("2026-11-24T10:00:00Z")
    users = [f"user-{n:03d}" for n in range(200)]
    for n, user_id in enumerate(reversed(users)):  # the highest id reaches 1 first
        c.clock.set(start + timedelta(seconds=n))
        ingest_and_evaluate(c, [activity(f"e{n}", "2026-11-24T10:00:00Z", user_id=user_id)])
    first = users[-1]
    c.clock.set(at("2026-12-01T00:05:00Z"))

    result = run_winners_job(c, c.clock.now())

    assert [award.user_id for award in result.granted] == [first]
    assert c.leaderboards.queries == [1]


def test_a_tie_reached_at_the_same_moment_goes_to_the_lower_user_id(c: FakeContainer) -> None:
    _weekly_winner(c)
    c.clock.set(at("2026-11-24T10:00:00Z"))
    ingest_and_evaluate(
        c,
        [
            activity("e1", "2026-11-24T10:00:00Z", user_id="bob"),
            activity("e2", "2026-11-24T10:00:00Z", user_id="al"),
            activity("e3", "2026-11-24T10:00:00Z", user_id="alice"),
        ],
    )
    c.clock.set(at("2026-12-01T00:05:00Z"))

    result = run_winners_job(c, c.clock.now())

    assert [award.user_id for award in result.granted] == ["al"]


def test_a_period_winner_needs_its_period_ranked(c: FakeContainer) -> None:
    metric(c, leaderboards=(TimeRange.MONTH,))

    with pytest.raises(InvalidInputError) as raised:
        achievement(c, name="Top", type="period_top", metric="sales", period="week")

    assert raised.value.field == "period"


def test_a_metric_keeps_the_leaderboard_its_period_winners_need(c: FakeContainer) -> None:
    _weekly_winner(c)

    with pytest.raises(InvalidInputError) as raised:
        metric(c, leaderboards=(TimeRange.DAY,))

    assert raised.value.field == "leaderboards"


def test_an_unranked_period_has_no_leaderboard_but_keeps_its_counter(c: FakeContainer) -> None:
    metric(c)  # ranks week, month and all time
    closer(c, time_range="day", levels=[{"threshold": 1, "points": 5}])
    c.clock.set(at("2026-11-24T10:00:00Z"))

    result = ingest_and_evaluate(c, [activity("e1", "2026-11-24T10:00:00Z")])

    assert [award.period_key for award in result.granted] == ["D2026-11-24"]
    day = CounterKey("alice", "sales", "D2026-11-24")
    assert c.progress.counters(TENANT, [day]) == {day: Decimal(1)}
    assert c.leaderboards.standings(TENANT, "sales", "D2026-11-24", 10) == []
    assert len(c.leaderboards.standings(TENANT, "sales", "W2026-W48", 10)) == 1
    with pytest.raises(NotFoundError, match="day"):
        leaderboard(
            TENANT,
            "sales",
            TimeRange.DAY,
            limit=10,
            config=c.config,
            users=c.users,
            leaderboards=c.leaderboards,
            awards=c.awards,
            clock=c.clock,
        )


def test_evaluation_reads_no_counter_its_events_did_not_move(c: FakeContainer) -> None:
    metric(c)
    metric(c, "logins", event_type="user.login")
    closer(c)
    c.clock.set(at("2026-11-24T10:00:00Z"))

    ingest_and_evaluate(
        c,
        [
            activity("e1", "2026-11-24T10:00:00Z", type="user.login"),
            activity("e2", "2026-11-24T10:01:00Z"),
        ],
    )

    assert [keys for keys in c.progress.reads if keys] == []


def test_a_redelivered_event_grants_from_the_totals_apply_found(c: FakeContainer) -> None:
    metric(c)
    closer(c, levels=[{"threshold": 1, "points": 5}])
    c.clock.set(at("2026-11-24T10:00:00Z"))
    events = [activity("e1", "2026-11-24T10:00:00Z")]
    ingest_and_evaluate(c, events)

    again = evaluate(c, events)

    assert again.granted == []
    assert [keys for keys in c.progress.reads if keys] == []
    assert c.progress.counters(TENANT, [CounterKey("alice", "sales", "W2026-W48")]) == {
        CounterKey("alice", "sales", "W2026-W48"): Decimal(1)
    }


def test_with_an_audience_the_first_eligible_row_wins(c: FakeContainer) -> None:
    _weekly_winner(c, audience={"groups": ["sales"]})
    c.users.put_user(TENANT, UserProfile(user_id="zed", groups=("sales",)))
    c.clock.set(at("2026-11-24T10:00:00Z"))
    top = [activity(f"t{n}", "2026-11-24T10:00:00Z", user_id=f"u{n:02d}") for n in range(30)]
    ingest_and_evaluate(c, top)
    ingest_and_evaluate(
        c, [activity(f"x{n}", "2026-11-24T10:00:00Z", user_id=f"u{n:02d}") for n in range(30)]
    )
    ingest_and_evaluate(c, [activity("z1", "2026-11-24T10:00:00Z", user_id="zed")])
    c.clock.set(at("2026-12-01T00:05:00Z"))

    result = run_winners_job(c, c.clock.now())

    assert [award.user_id for award in result.granted] == ["zed"]
    assert c.leaderboards.queries == [25, 100]
