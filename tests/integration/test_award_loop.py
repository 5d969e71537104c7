"""The award loop against DynamoDB Local and moto: the guarantees of DESIGN.md, through the handlers.

Each stream record here is a real one, read from the table's stream after the ingest function
wrote the events; the evaluate / deliver functions get them as Lambda would, as often as a
retrying event source mapping or a racing sandbox would.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from accolade.adapters.dynamo import models
from accolade.adapters.dynamo.awards import DynamoAwardRepository
from tests.http_events import threshold_achievement
from tests.integration.helpers import (
    Throttler,
    batch,
    failed_sequences,
    hooked,
    http_event,
    invoke,
)
from tests.integration.loop import CLOSER_POINTS, Loop, levels, running_sum, sales

THIS_WEEK = "W2026-W48"
LAST_WEEK = "W2026-W47"
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # this week (today is Tuesday 2026-11-24)
LAST_MONDAY = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)


def sequences(records: list[dict[str, Any]]) -> set[str]:
    return {r["dynamodb"]["SequenceNumber"] for r in records}


def test_a_batch_sent_twice_is_stored_once_and_counted_once(loop: Loop) -> None:
    loop.configure_closer()
    events = sales(6, MONDAY)
    ids = [e["id"] for e in events]

    first = loop.post(events)
    again = loop.post(events)
    writes = loop.stream.records(
        loop.tenant_id, entity="event", count=6, event_names=("INSERT", "MODIFY", "REMOVE")
    )
    loop.evaluate_until_done(loop.event_records(6))

    assert first == {"accepted": ids, "duplicates": []}
    assert again == {"accepted": [], "duplicates": ids}
    assert Counter(r["dynamodb"]["Keys"]["SK"]["S"] for r in writes) == {
        f"EVT#{event_id}": 1 for event_id in ids
    }
    assert loop.counter(THIS_WEEK) == 6
    assert levels(loop.awards(), THIS_WEEK) == [1]
    assert loop.wallet().points == CLOSER_POINTS[0]


def test_a_redelivered_stream_batch_counts_and_grants_once(loop: Loop) -> None:
    loop.configure_closer()
    loop.post(sales(12, MONDAY))
    records = loop.event_records(12)

    first = invoke(loop.evaluate, batch(records))
    redelivered = invoke(loop.evaluate, batch(records))

    assert first == redelivered == {"batchItemFailures": []}
    assert loop.counter(THIS_WEEK) == 12
    assert loop.counter("M2026-11") == 12
    assert loop.counter("ALL") == 12
    awards = loop.awards()
    assert levels(awards, THIS_WEEK) == [1, 2]
    assert len(loop.award_records(2)) == 2  # each award written once: no overwrite on redelivery
    assert loop.wallet().points == CLOSER_POINTS[0] + CLOSER_POINTS[1]
    assert [e.points for e in loop.ledger()] == [CLOSER_POINTS[0], CLOSER_POINTS[1]]


DAILY_SELLER = threshold_achievement("Daily seller", "day", threshold=1, points=10)


def test_racing_writers_for_one_user_count_and_grant_exactly_once(
    loop: Loop, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop.configure_closer()
    daily = invoke(
        loop.api, http_event("api/post_achievement.json", loop.tenant_id, body=DAILY_SELLER)
    )
    assert daily["statusCode"] == 201, daily
    days = [datetime(2026, 11, 17 + d, 8, 0, tzinfo=UTC) for d in range(8)]  # Tue W47 .. Tue W48
    for day, start in enumerate(days):
        loop.post(sales(3, start, prefix=f"d{day}"))
    records = loop.event_records(24)
    writers = 8
    # The stream hands one user's records over in order, but one delivery may run next to
    # another of the same records (a duplicate invocation): writer w gets the first w + 1 days,
    # so each event reaches up to eight writers at once, each granting to the same wallet.
    batches = [records[: 3 * (w + 1)] for w in range(writers)]
    errors = loop.race(batches, monkeypatch)

    assert errors == []
    assert loop.counter(LAST_WEEK) == 18
    assert loop.counter(THIS_WEEK) == 6
    assert loop.counter("ALL") == 24
    awards = loop.awards()
    assert levels(awards, LAST_WEEK) == [1, 2, 3]
    assert levels(awards, THIS_WEEK) == [1]
    assert sorted(a.period_key for a in awards if a.period_key.startswith("D")) == [
        f"D{day.date().isoformat()}" for day in days
    ]
    assert len(loop.award_records(12)) == 12  # each award written once, never overwritten
    ledger = loop.ledger()
    assert sorted(e.award_id for e in ledger) == sorted(a.award_id for a in awards)
    assert running_sum(ledger)
    assert loop.wallet().points == sum(a.points for a in awards) == 8 * 10 + sum(CLOSER_POINTS) + 50
    assert loop.wallet().entries == 12


def test_a_crash_between_counters_and_awards_is_redelivered_and_ends_exact(
    loop: Loop, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop.configure_closer()
    loop.post(sales(12, MONDAY, user_id="user-1", prefix="u1"))
    loop.post(sales(5, MONDAY, user_id="user-2", prefix="u2"))
    records = loop.event_records(17)
    grant = DynamoAwardRepository.grant
    crashes = iter([True])

    def crash(*_: Any, **__: Any) -> Any:
        raise ConnectionError("connection reset while writing the awards")

    def grant_crashing_once(self: DynamoAwardRepository, *args: Any, **kwargs: Any) -> Any:
        if next(crashes, False):
            crash()
        return grant(self, *args, **kwargs)

    # Both users' awards in one transaction crash; then user-1's own grant crashes too.
    monkeypatch.setattr(DynamoAwardRepository, "grant_together", crash)
    monkeypatch.setattr(DynamoAwardRepository, "grant", grant_crashing_once)

    crashed = invoke(loop.evaluate, batch(records))
    counted_before_redelivery = loop.counter(THIS_WEEK)
    awards_before_redelivery = loop.awards()
    first_failed = min(
        i
        for i, r in enumerate(records)
        if r["dynamodb"]["SequenceNumber"] in failed_sequences(crashed)
    )
    redelivered = invoke(loop.evaluate, batch(records[first_failed:]))

    assert failed_sequences(crashed) == sequences(records[:12])  # user-1's events, not user-2's
    assert counted_before_redelivery == 12
    assert awards_before_redelivery == []
    assert redelivered == {"batchItemFailures": []}
    assert loop.counter(THIS_WEEK) == 12
    assert levels(loop.awards(), THIS_WEEK) == [1, 2]
    assert loop.wallet().points == CLOSER_POINTS[0] + CLOSER_POINTS[1]
    assert running_sum(loop.ledger())
    assert loop.counter(THIS_WEEK, user_id="user-2") == 5
    assert levels(loop.awards("user-2"), THIS_WEEK) == [1]
    assert len(loop.award_records(3)) == 3


THROTTLED_OPERATIONS = frozenset(
    {"TransactWriteItems", "BatchGetItem", "Query", "GetItem", "PutItem", "UpdateItem"}
)


def dynamodb_clients() -> list[Any]:
    """The botocore clients of every PynamoDB model (each model class has its own)."""
    clients = {
        id(c): c for c in (m._get_connection().connection.client for m in models.ENTITY_MODELS)
    }
    clients.setdefault(id(c := models.Item._get_connection().connection.client), c)
    return list(clients.values())


@pytest.fixture
def quick_sdk_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK's jittered backoff (up to seconds) shortened: the retries still happen."""
    from botocore.retries.standard import ExponentialBackoff

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.01)


def test_throttled_calls_are_retried_and_the_loop_ends_exact(
    loop: Loop, quick_sdk_backoff: None
) -> None:
    loop.configure_closer()
    throttle = Throttler(THROTTLED_OPERATIONS, every=2)
    hooks = [hooked(c, "before-send.dynamodb.*", throttle) for c in dynamodb_clients()]
    for hook in hooks:
        hook.__enter__()
    try:
        accepted = loop.post(sales(12, MONDAY))
        records = loop.event_records(12)
        response = invoke(loop.evaluate, batch(records))
    finally:
        for hook in hooks:
            hook.__exit__(None, None, None)

    assert throttle.injected >= 5
    assert len(accepted["accepted"]) == 12
    assert response == {"batchItemFailures": []}
    assert loop.counter(THIS_WEEK) == 12
    assert levels(loop.awards(), THIS_WEEK) == [1, 2]
    assert loop.wallet().points == CLOSER_POINTS[0] + CLOSER_POINTS[1]


def test_without_sdk_retries_a_throttle_fails_the_batch_and_redelivery_ends_exact(
    loop: Loop, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accolade import bootstrap

    loop.configure_closer()
    loop.post(sales(12, MONDAY))
    records = loop.event_records(12)
    monkeypatch.setattr(models.Item.Meta, "max_retry_attempts", 0)
    bootstrap.reset()
    loop.container = bootstrap.container()
    throttle = Throttler(frozenset({"BatchExecuteStatement"}), every=1, limit=1)  # the counters
    hooks = [hooked(c, "before-send.dynamodb.*", throttle) for c in dynamodb_clients()]
    for hook in hooks:
        hook.__enter__()
    try:
        with pytest.raises(ClientError) as raised:
            invoke(loop.evaluate, batch(records))
    finally:
        for hook in hooks:
            hook.__exit__(None, None, None)
    counted_after_failure = loop.counter(THIS_WEEK)

    redelivered = invoke(loop.evaluate, batch(records))

    assert throttle.injected == 1
    assert raised.value.response["Error"]["Code"] in Throttler.codes
    assert counted_after_failure == 0
    assert redelivered == {"batchItemFailures": []}
    assert loop.counter(THIS_WEEK) == 12
    assert levels(loop.awards(), THIS_WEEK) == [1, 2]


def test_the_seeds_closer_week_grants_levels_reached_and_next_week_starts_again(
    loop: Loop,
) -> None:
    closer = loop.configure_closer()
    loop.post(sales(12, LAST_MONDAY, prefix="w47"))
    loop.post(sales(5, MONDAY, prefix="w48"))
    loop.evaluate_until_done(loop.event_records(17))

    awards = loop.awards()
    assert {a.achievement_id for a in awards} == {closer}
    assert levels(awards, LAST_WEEK) == [1, 2]
    assert levels(awards, THIS_WEEK) == [1]
    assert loop.counter(LAST_WEEK) == 12
    assert loop.counter(THIS_WEEK) == 5
    assert loop.wallet().points == CLOSER_POINTS[0] * 2 + CLOSER_POINTS[1]
