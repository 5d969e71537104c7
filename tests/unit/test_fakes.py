"""The fakes keep the invariants their DynamoDB adapters enforce with conditions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from accolade.domain.errors import ConflictError
from accolade.domain.models import AchievementType, Award, AwardKey, CounterKey, Message, Slot
from accolade.ports import EventDeltas
from tests.fakes import FakeContainer
from tests.unit.builders import OTHER_TENANT, TENANT, activity


def award(level: int, points: int = 10, coins: int = 0, user_id: str = "alice") -> Award:
    key = AwardKey(user_id, "ach-1", "W2026-W48", level)
    return Award(
        award_id=key.award_id,
        user_id=user_id,
        achievement_id="ach-1",
        achievement_type=AchievementType.METRIC_THRESHOLD,
        achievement_version=1,
        level=level,
        period_key="W2026-W48",
        awarded_at=activity("x", "2026-11-24T10:00:00Z").occurred_at,
        points=points,
        coins=coins,
    )


def test_an_award_key_is_granted_once_even_without_a_prior_read(c: FakeContainer) -> None:
    first = c.awards.grant(TENANT, "alice", [award(1, points=50)])
    racing = c.awards.grant(TENANT, "alice", [award(1, points=50), award(2, points=100)])

    assert [a.level for a in first] == [1]
    assert [a.level for a in racing] == [2]
    assert c.awards.wallet(TENANT, "alice").points == 150
    assert [
        (e.sequence, e.points_balance) for e in c.awards.ledger(TENANT, "alice", limit=100).items
    ] == [
        (1, 50),
        (2, 150),
    ]


def test_awards_without_points_or_coins_write_no_ledger_entry(c: FakeContainer) -> None:
    c.awards.grant(TENANT, "alice", [award(1, points=0)])

    assert c.awards.ledger(TENANT, "alice", limit=100).items == []
    assert c.awards.wallet(TENANT, "alice").entries == 0


def test_a_winner_slot_is_taken_once_whoever_the_user(c: FakeContainer) -> None:
    slot = Slot("ach-1", "W2026-W48")
    first = c.awards.grant(TENANT, "alice", [award(1)], slot=slot)
    second = c.awards.grant(TENANT, "bob", [award(1, user_id="bob")], slot=slot)

    assert (len(first), second) == (1, [])
    assert c.awards.user_awards(TENANT, "bob") == []


def test_the_same_award_twice_in_one_grant_is_refused_like_dynamodb(c: FakeContainer) -> None:
    with pytest.raises(ValueError, match="twice"):
        c.awards.grant(TENANT, "alice", [award(1), award(1)])


def test_an_event_batch_with_a_conflict_stores_none_of_it(c: FakeContainer) -> None:
    c.events.add_new(TENANT, [activity("e-1", "2026-11-24T09:00:00Z", value=1)])

    with pytest.raises(ConflictError):
        c.events.add_new(
            TENANT,
            [
                activity("e-2", "2026-11-24T09:00:00Z"),
                activity("e-1", "2026-11-24T09:00:00Z", value=2),
            ],
        )

    assert [e.event_id for e in c.events.stored(TENANT)] == ["e-1"]
    assert c.events.add_new(TENANT, [activity("e-1", "2026-11-24T09:00:00Z", value=1)]) == {"e-1"}


def test_a_counter_counts_each_position_once_and_per_tenant(c: FakeContainer) -> None:
    key = CounterKey("alice", "sales", "ALL")
    first, second = (
        EventDeltas("e-1", 7, {key: Decimal(3)}),
        EventDeltas("e-2", 9, {key: Decimal(4)}),
    )
    now = c.clock.now()

    counted = c.progress.apply(TENANT, [first], now)
    redelivered = c.progress.apply(TENANT, [first, second], now)
    again = c.progress.apply(TENANT, [first, second], now)
    other_tenant = c.progress.apply(OTHER_TENANT, [first], now)

    assert [o.values[key] for o in (counted, redelivered, again)] == [3, 7, 7]
    assert other_tenant.values[key] == 3
    assert c.progress.counters(TENANT, [key]) == {key: Decimal(7)}


def test_a_message_is_added_once_and_announced_once(c: FakeContainer) -> None:
    message = Message(
        message_id="m-1",
        user_id="alice",
        type="achievement",
        title="t",
        body="b",
        created_at=c.clock.now(),
    )
    lease = c.clock.now() + timedelta(seconds=60)

    assert (c.inbox.add(TENANT, message), c.inbox.add(TENANT, message)) == (True, False)
    assert c.inbox.claim_announcement(TENANT, message, lease) is True
    c.inbox.mark_announced(TENANT, message, c.clock.now())
    c.clock.advance(timedelta(hours=1))
    assert c.inbox.claim_announcement(TENANT, message, lease) is False
    assert c.inbox.claim_announcement(OTHER_TENANT, message, lease) is False
