"""Evaluation with the seeds' own examples: counters move once, awards exist once per key."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accolade.domain.models import Aggregate, AwardKey, CounterKey, TenantSettings, UserProfile
from accolade.domain.rules import levels_reached
from accolade.services import admin
from tests.fakes import FakeContainer
from tests.unit.builders import (
    TENANT,
    achievement,
    activity,
    closer,
    evaluate,
    ingest_and_evaluate,
    metric,
    sales,
)


def granted_levels(c: FakeContainer, user_id: str = "alice") -> list[tuple[str, str, int]]:
    return sorted(
        (a.achievement_id, a.period_key, a.level) for a in c.awards.user_awards(TENANT, user_id)
    )


def test_twelve_sales_in_a_week_grant_closer_one_and_two_only(c: FakeContainer) -> None:
    metric(c)
    family = closer(c)

    result = ingest_and_evaluate(c, sales(12, "2026-11-24T08:00:00Z"))

    assert sorted(a.level for a in result.granted) == [1, 2]
    assert granted_levels(c) == [
        (family.achievement_id, "W2026-W48", 1),
        (family.achievement_id, "W2026-W48", 2),
    ]
    assert c.progress.counters(TENANT, [CounterKey("alice", "sales", "W2026-W48")]) == {
        CounterKey("alice", "sales", "W2026-W48"): Decimal(12)
    }
    assert c.awards.wallet(TENANT, "alice").points == 150


@pytest.mark.parametrize(
    ("sold", "levels"), [(4, []), (5, [1]), (12, [1, 2]), (15, [1, 2, 3]), (40, [1, 2, 3])]
)
def test_reaching_level_k_means_every_level_up_to_k(
    c: FakeContainer, sold: int, levels: list[int]
) -> None:
    metric(c)

    assert levels_reached(closer(c), Decimal(sold)) == levels


def test_the_next_week_starts_again_and_grants_level_one_at_five(c: FakeContainer) -> None:
    metric(c)
    family = closer(c)
    ingest_and_evaluate(c, sales(12, "2026-11-24T08:00:00Z"))

    c.clock.set(c.clock.now().replace(day=30))
    four = ingest_and_evaluate(c, sales(4, "2026-11-30T08:00:00Z", prefix="next"))
    fifth = ingest_and_evaluate(c, [activity("next-5", "2026-11-30T09:00:00Z")])

    assert four.granted == []
    assert [(a.period_key, a.level) for a in fifth.granted] == [("W2026-W49", 1)]
    assert granted_levels(c) == [
        (family.achievement_id, "W2026-W48", 1),
        (family.achievement_id, "W2026-W48", 2),
        (family.achievement_id, "W2026-W49", 1),
    ]


def test_the_week_of_an_event_is_the_tenants_week(c: FakeContainer) -> None:
    admin.put_settings(TENANT, TenantSettings(timezone="Europe/Berlin"), config=c.config)
    metric(c)
    closer(c)
    sunday_late = sales(5, "2026-11-29T23:30:00Z")  # Monday 00:30 in Berlin

    result = ingest_and_evaluate(c, sunday_late)

    assert [(a.period_key, a.level) for a in result.granted] == [("W2026-W49", 1)]


def test_a_task_achievement_credits_its_points_with_a_ledger_entry(c: FakeContainer) -> None:
    task = achievement(
        c,
        name="Certified",
        type="event",
        event_type="certification.completed",
        levels=[{"threshold": 1, "points": 200}],
    )

    result = ingest_and_evaluate(
        c, [activity("cert-1", "2026-11-24T09:00:00Z", type="certification.completed")]
    )

    assert [(a.achievement_id, a.points) for a in result.granted] == [(task.achievement_id, 200)]
    assert c.awards.wallet(TENANT, "alice").points == 200
    [entry] = c.awards.ledger(TENANT, "alice", limit=100).items
    assert (entry.award_id, entry.points, entry.points_balance, entry.sequence) == (
        result.granted[0].award_id,
        200,
        200,
        1,
    )


def test_a_task_pays_once_unless_it_is_repeatable(c: FakeContainer) -> None:
    once = achievement(
        c, name="Email sent", type="event", event_type="email.sent", levels=[{"points": 10}]
    )
    repeatable = achievement(
        c,
        name="Email sent again",
        type="event",
        event_type="email.sent",
        repeatable=True,
        levels=[{"points": 5}],
    )
    emails = [activity(f"mail-{n}", "2026-11-24T09:00:00Z", type="email.sent") for n in range(3)]

    ingest_and_evaluate(c, emails[:2])
    ingest_and_evaluate(c, emails[2:])

    held = c.awards.user_awards(TENANT, "alice")
    assert sum(a.achievement_id == once.achievement_id for a in held) == 1
    assert sum(a.achievement_id == repeatable.achievement_id for a in held) == 3
    assert c.awards.wallet(TENANT, "alice").points == 10 + 3 * 5
    ledger = c.awards.ledger(TENANT, "alice", limit=100).items
    assert [e.sequence for e in ledger] == [1, 2, 3, 4]
    assert [e.points_balance for e in ledger] == running_sum([e.points for e in ledger])
    assert ledger[-1].points_balance == 25


def running_sum(values: list[int]) -> list[int]:
    total, sums = 0, []
    for value in values:
        total += value
        sums.append(total)
    return sums


def _launch_week(c: FakeContainer, **window: str) -> None:
    achievement(c, name="Launch week", type="event", event_type="email.sent", **window)


def test_an_event_before_effective_from_does_not_count(c: FakeContainer) -> None:
    _launch_week(c, effective_from="2026-11-24T00:00:00Z", effective_to="2026-12-01T00:00:00Z")

    early = ingest_and_evaluate(c, [activity("e-1", "2026-11-23T23:59:59Z", type="email.sent")])
    inside = ingest_and_evaluate(c, [activity("e-2", "2026-11-24T00:00:00Z", type="email.sent")])

    assert early.granted == []
    assert [a.event_id for a in inside.granted] == ["e-2"]


def test_an_event_after_effective_to_does_not_count(c: FakeContainer) -> None:
    _launch_week(c, effective_to="2026-11-24T00:00:00Z")

    late = ingest_and_evaluate(c, [activity("e-1", "2026-11-24T00:00:00Z", type="email.sent")])

    assert late.granted == []


def test_a_disabled_achievement_grants_nothing_and_keeps_what_was_earned(
    c: FakeContainer,
) -> None:
    metric(c)
    family = closer(c)
    ingest_and_evaluate(c, sales(5, "2026-11-24T08:00:00Z"))
    earned = c.awards.user_awards(TENANT, "alice")

    admin.edit_achievement(
        TENANT,
        family.achievement_id,
        {"enabled": False},
        ports=admin.DefinitionPorts(c.config),
        clock=c.clock,
    )
    later = ingest_and_evaluate(c, sales(10, "2026-11-24T09:00:00Z", prefix="later"))

    assert later.granted == []
    assert c.awards.user_awards(TENANT, "alice") == earned
    assert [a.level for a in earned] == [1]
    assert c.awards.wallet(TENANT, "alice").points == 50


def test_audience_groups_limit_who_earns(c: FakeContainer) -> None:
    c.users.put_user(TENANT, UserProfile(user_id="alice", groups=("sales-emea",)))
    c.users.put_user(TENANT, UserProfile(user_id="bob", groups=("support",)))
    achievement(
        c,
        name="EMEA task",
        type="event",
        event_type="email.sent",
        audience={"groups": ["sales-emea"]},
    )

    result = ingest_and_evaluate(
        c,
        [
            activity("a-1", "2026-11-24T09:00:00Z", type="email.sent", user_id="alice"),
            activity("b-1", "2026-11-24T09:00:00Z", type="email.sent", user_id="bob"),
            activity("n-1", "2026-11-24T09:00:00Z", type="email.sent", user_id="nobody"),
        ],
    )

    assert [a.user_id for a in result.granted] == ["alice"]


def test_coins_are_granted_only_when_the_tenant_has_coins_on(c: FakeContainer) -> None:
    metric(c)
    closer(c)
    ingest_and_evaluate(c, sales(10, "2026-11-24T08:00:00Z"))
    assert c.awards.wallet(TENANT, "alice").coins == 0

    admin.put_settings(TENANT, TenantSettings(features={"coins": True}), config=c.config)
    ingest_and_evaluate(c, sales(15, "2026-11-24T08:00:00Z", user_id="bob"))

    assert c.awards.wallet(TENANT, "bob").coins == 2 + 3
    assert [a.coins for a in c.awards.user_awards(TENANT, "alice")] == [0, 0]
    assert c.awards.ledger(TENANT, "bob", limit=100).items[-1].coins_balance == 5


def test_sum_metrics_read_value_or_an_attribute(c: FakeContainer) -> None:
    metric(c, "revenue", "sale.closed", Aggregate.SUM)
    metric(c, "commission", "sale.closed", Aggregate.SUM, field="commission")
    ingest_and_evaluate(
        c,
        [
            activity("s-1", "2026-11-24T08:00:00Z", value=120.5, attributes={"commission": 12}),
            activity("s-2", "2026-11-24T08:01:00Z", value=79.5, attributes={"commission": 8.25}),
            activity("s-3", "2026-11-24T08:02:00Z", attributes={"commission": "n/a"}),
        ],
    )

    week = [
        CounterKey("alice", "revenue", "W2026-W48"),
        CounterKey("alice", "commission", "M2026-11"),
    ]
    assert c.progress.counters(TENANT, week) == {
        week[0]: Decimal("200.0"),
        week[1]: Decimal("20.25"),
    }


def test_a_redelivered_batch_grants_nothing_twice_and_counts_once(c: FakeContainer) -> None:
    metric(c)
    closer(c)
    achievement(c, name="Every sale", type="event", event_type="sale.closed", repeatable=True)
    batch = sales(12, "2026-11-24T08:00:00Z")

    first = ingest_and_evaluate(c, batch)
    again = evaluate(c, batch)
    shuffled = evaluate(c, list(reversed(batch)))

    assert len(first.granted) == 2 + 12
    assert again.granted == [] and shuffled.granted == []
    assert len(c.awards.user_awards(TENANT, "alice")) == 14
    key = CounterKey("alice", "sales", "ALL")
    assert c.progress.counters(TENANT, [key]) == {key: Decimal(12)}
    assert c.awards.wallet(TENANT, "alice").points == 150


def test_an_award_that_failed_to_be_written_is_granted_when_the_batch_comes_back(
    c: FakeContainer,
) -> None:
    metric(c)
    closer(c)
    batch = sales(5, "2026-11-24T08:00:00Z")
    c.awards.fail_grants = 1

    failed = ingest_and_evaluate(c, batch)
    retried = evaluate(c, batch)

    assert failed.granted == []
    assert failed.failed == {(TENANT, event.event_id) for event in batch}
    assert [a.level for a in retried.granted] == [1]
    key = CounterKey("alice", "sales", "W2026-W48")
    assert c.progress.counters(TENANT, [key]) == {key: Decimal(5)}


def test_award_ids_round_trip_to_their_key() -> None:
    key = AwardKey("alice", "ach-1", "W2026-W48", 2)

    assert AwardKey.from_award_id(key.award_id) == key
