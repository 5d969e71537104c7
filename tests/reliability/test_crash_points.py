"""A crash between any two writes of evaluate or deliver, then a redelivery, ends in the same
state as a run that never crashed."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from accolade.adapters.sns import SnsNotifier
from accolade.bootstrap import Container
from accolade.domain.models import ActivityEvent
from accolade.services import deliver as deliver_service
from accolade.services.ingest import record_events
from accolade_local.handlers import LambdaContext
from tests.reliability.harness import (
    CERTIFIED,
    DEAL,
    FULL,
    OTHER,
    CrashError,
    FeedCollector,
    StreamTap,
    Tally,
    WriteTrap,
    base_monday,
    configure_tenant,
    deliver_until_done,
    hooked,
    load_handler,
    snapshot,
)

USERS = ("ana", "ben", "cho")
pytestmark = pytest.mark.timeout(600 if FULL else 300)


def crash_batch(size: int = 100) -> list[ActivityEvent]:
    """100 events whose evaluation needs several counter requests and a grant."""
    monday = base_monday()
    events = []
    for i in range(size):
        user = USERS[i % 3]
        kind = CERTIFIED if i % 33 == 0 else OTHER if i % 23 == 0 else DEAL
        events.append(
            ActivityEvent(
                event_id=f"e-{i:03d}",  # the same ids in every tenant: award ids compare equal
                type=kind,
                user_id=user,
                occurred_at=monday + timedelta(days=i % 5, minutes=i),
                value=Decimal(i * 7 + 1) / 4 if kind == DEAL else None,
            )
        )
    return events


@dataclass
class Run:
    tenant: str
    records: list[dict[str, Any]]


@dataclass
class Harness:
    container: Container
    tap: StreamTap
    feed: FeedCollector
    dynamodb: Any
    table: str
    evaluate: Callable[..., dict[str, Any]]
    deliver: Callable[..., dict[str, Any]]

    def ingest(self, size: int = 100) -> Run:
        tenant = f"t-{uuid.uuid4().hex[:12]}"
        configure_tenant(self.container, tenant)
        events = crash_batch(size)
        record_events(tenant, events, store=self.container.events, clock=self.container.clock)
        return Run(tenant, self.tap.event_records(tenant, [e.event_id for e in events]))

    def award_records(self, run: Run) -> list[dict[str, Any]]:
        count = snapshot(self.dynamodb, self.table, run.tenant, USERS).award_rows
        return self.tap.award_records(run.tenant, count)

    def end_state(self, run: Run) -> tuple[dict[str, Any], Counter[str]]:
        shot = snapshot(self.dynamodb, self.table, run.tenant, USERS)
        return shot.comparable(), self.feed.published(run.tenant)


@pytest.fixture
def harness(
    container: Container,
    stream_tap: StreamTap,
    awards_feed: FeedCollector,
    dynamodb_client: Any,
    table_name: str,
) -> Harness:
    return Harness(
        container,
        stream_tap,
        awards_feed,
        dynamodb_client,
        table_name,
        load_handler("evaluate_events"),
        load_handler("deliver_messages"),
    )


def _invoke(handler: Callable[..., dict[str, Any]], records: list[dict[str, Any]]) -> None:
    handler({"Records": records}, LambdaContext("crash"))


def test_a_crash_before_each_write_of_an_evaluation_then_a_redelivery_ends_as_no_crash(
    harness: Harness, report: Any
) -> None:
    reference = harness.ingest()
    counting = WriteTrap()
    with counting.active():
        deliver_until_done(harness.evaluate, reference.records)
    deliver_until_done(harness.deliver, harness.award_records(reference))
    expected_state, expected_feed = harness.end_state(reference)
    writes = len(counting.writes)
    # Counter statements (25 a request), then one transaction granting every user's awards.
    assert counting.writes.count("BatchExecuteStatement") >= 2, counting.writes
    assert counting.writes[-1] == "TransactWriteItems", counting.writes

    tally = Tally()
    for k in range(1, writes + 1):
        run = harness.ingest()
        with WriteTrap(crash_at=k).active(), pytest.raises(CrashError):
            _invoke(harness.evaluate, run.records)
        deliver_until_done(harness.evaluate, run.records)
        deliver_until_done(harness.deliver, harness.award_records(run))

        state, feed = harness.end_state(run)
        tally.compare_states(state, expected_state)
        tally.add(feed, expected_feed)
        assert state == expected_state, f"crash before write {k} ({counting.writes[k - 1]})"
        assert feed == expected_feed, f"crash before write {k} ({counting.writes[k - 1]})"

    report(
        crash_points=writes,
        writes=counting.writes,
        events_per_run=len(reference.records),
        awards_per_run=len(expected_feed),
        lost=tally.lost,
        doubled=tally.doubled,
    )


DELIVER_POINTS = ("count", "inbox put", "claim", "publish", "mark")


def delivery_writes() -> list[tuple[str, str]]:
    """The writes delivering an award's record makes, in order: the completion report's count
    (one transaction for its scopes, all time and the award's period, while they fit: a user of
    a few groups), the inbox message with its id item (a transaction), the announcement's claim
    and its mark."""
    return [
        ("count", "TransactWriteItems"),
        ("inbox put", "TransactWriteItems"),
        ("claim", "UpdateItem"),
        ("mark", "UpdateItem"),
    ]


DELIVER_EVENTS = 40  # a dozen awards: enough for a batch, cheap to evaluate four more times


def test_a_crash_at_each_step_of_a_delivery_then_a_redelivery_announces_each_award(
    harness: Harness, report: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Lambda retries a failing batch until the crashed deliverer's lease has run out.
    monkeypatch.setattr(deliver_service, "ANNOUNCE_LEASE", timedelta(seconds=1))
    reference = harness.ingest(DELIVER_EVENTS)
    deliver_until_done(harness.evaluate, reference.records)
    deliver_until_done(harness.deliver, harness.award_records(reference))
    expected_state, expected_feed = harness.end_state(reference)
    notifier = harness.container.notifier
    assert isinstance(notifier, SnsNotifier)
    sns = notifier._client
    outcomes: dict[str, int] = {}
    republished: dict[str, int] = {}
    found = Tally()

    for point in DELIVER_POINTS:
        run = harness.ingest(DELIVER_EVENTS)
        deliver_until_done(harness.evaluate, run.records)
        awards = harness.award_records(run)
        trap: WriteTrap | None = None
        if point == "publish":

            def die(**_: Any) -> None:
                raise CrashError("crashed before publishing")

            crash = hooked([sns], "before-call.sns.Publish", die)
        else:
            writes = delivery_writes()
            number = 1 + [name for name, _ in writes].index(point)  # its first write
            trap = WriteTrap(crash_at=number)
            crash = trap.active()
        with crash, pytest.raises(CrashError):
            _invoke(harness.deliver, awards)
        if trap is not None:
            assert trap.writes == [operation for _, operation in writes][:number]
        tally = deliver_until_done(harness.deliver, awards, retry_delay=0.25, max_invocations=40)
        outcomes[point] = tally.invocations

        state, feed = harness.end_state(run)
        found.compare_states(state, expected_state)
        found.lost += len(set(expected_feed) - set(feed))
        assert state == expected_state, f"crash at {point}"
        assert set(feed) == set(expected_feed), f"crash at {point}: an award was never published"
        doubled = {award_id for award_id, count in feed.items() if count > 1}
        republished[point] = len(doubled)
        if point == "mark":
            # Published but not marked: after the lease the award is published again, with the
            # same award_id (the one repeat deliver.py documents; subscribers dedupe on it).
            assert doubled <= {awards[0]["dynamodb"]["NewImage"]["award_id"]["S"]}
            assert all(count <= 2 for count in feed.values())
        else:
            assert not doubled, f"crash at {point}: published twice {doubled}"

    report(
        crash_points=list(DELIVER_POINTS),
        redelivery_invocations=outcomes,
        awards_per_run=len(expected_feed),
        lost=found.lost,
        republished_same_award_id=republished,
    )
