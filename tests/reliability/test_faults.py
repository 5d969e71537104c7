"""Throttles, 5xx and failed publishes on the way: with Lambda's retries nothing is lost or doubled."""

from __future__ import annotations

import random
import time
import uuid
from decimal import Decimal
from typing import Any

import pytest
from botocore.retries.standard import ExponentialBackoff

from accolade.adapters.sns import SnsNotifier
from accolade.bootstrap import Container
from accolade.services.ingest import record_events
from tests.reliability.harness import (
    CERTIFIED,
    DEAL,
    FULL,
    OTHER,
    Delivery,
    FaultPlan,
    FeedCollector,
    StreamTap,
    batches,
    check_against,
    configure_tenant,
    deliver_until_done,
    expected_state,
    load_handler,
    random_events,
    snapshot,
)

EVENTS = 1000 if FULL else 120
USERS = [f"user-{i:02d}" for i in range(8 if FULL else 3)]
KINDS = (DEAL, DEAL, DEAL, DEAL, CERTIFIED, OTHER)
CLIENT_RETRIES = 20
# The reduced suite keeps botocore's retry logic but shortens its sleeps (a throttle's first
# backoff averages 0.5 s); the full suite sleeps as the SDK does against AWS.
BACKOFF_SCALE = 1.0 if FULL else 0.1
pytestmark = pytest.mark.timeout(1800 if FULL else 300)


@pytest.fixture(autouse=True)
def _backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    delay = ExponentialBackoff.delay_amount
    monkeypatch.setattr(
        ExponentialBackoff,
        "delay_amount",
        lambda self, context: delay(self, context) * BACKOFF_SCALE,
    )


def test_faults_on_dynamodb_and_sns_lose_and_double_nothing(
    container: Container,
    stream_tap: StreamTap,
    awards_feed: FeedCollector,
    dynamodb_client: Any,
    table_name: str,
    report: Any,
) -> None:
    tenant = f"t-{uuid.uuid4().hex[:12]}"
    configure_tenant(container, tenant)
    rng = random.Random(2026)
    events = random_events(
        rng, EVENTS, KINDS, USERS, days=17, value=lambda r: Decimal(r.randrange(1, 1_000_000)) / 100
    )
    evaluate, deliver = load_handler("evaluate_events"), load_handler("deliver_messages")
    plan = FaultPlan(rate=0.10, sns_rate=0.20)
    client_retries = 0
    evaluation, delivery = Delivery(), Delivery()
    started = time.monotonic()

    notifier = container.notifier
    assert isinstance(notifier, SnsNotifier)
    with plan.active(notifier._client):
        for chunk in batches(events, 100):
            for _ in range(CLIENT_RETRIES):
                try:
                    result = record_events(
                        tenant, chunk, store=container.events, clock=container.clock
                    )
                except Exception:
                    client_retries += 1  # a 5xx to the client, which sends the batch again
                    continue
                assert sorted(result.accepted + result.duplicates) == sorted(
                    e.event_id for e in chunk
                )
                break
            else:
                raise AssertionError("ingestion never succeeded")
        records = stream_tap.event_records(tenant, [e.event_id for e in events])
        for batch in batches(records, 100):
            deliver_until_done(evaluate, batch, tally=evaluation)
        deliver_until_done(evaluate, rng.choice(batches(records, 100)), tally=evaluation)

        # Delivery already fails at the handler through SNS; its DynamoDB faults stay SDK-level.
        plan.exhausting = False
        expected = expected_state(events)
        award_records = stream_tap.award_records(tenant, len(expected.awards))
        for batch in batches(award_records, 100):
            deliver_until_done(deliver, batch, tally=delivery)
        deliver_until_done(deliver, rng.choice(batches(award_records, 100)), tally=delivery)

    elapsed = time.monotonic() - started
    shot = snapshot(dynamodb_client, table_name, tenant, USERS)
    facts = check_against(shot, expected)
    award_ids = {award["award_id"] for award in shot.awards.values()}
    assert set(shot.messages) == award_ids
    assert all(message["announced"] for message in shot.messages.values())
    published = awards_feed.published(tenant)
    assert dict(published) == dict.fromkeys(award_ids, 1)

    assert plan.injected["sns.Publish"] > 0
    assert plan.injected["retries exhausted"] > 0
    assert client_retries > 0  # the ingest client saw a 5xx and sent its batch again
    assert evaluation.invocations > len(batches(records, 100)) + 1  # the handler saw failures
    assert sum(plan.injected.values()) - plan.injected["sns.Publish"] > 0
    report(
        events=len(events),
        awards=len(award_ids),
        dynamodb_requests=plan.requests,
        faults_injected=dict(plan.injected),
        client_retries=client_retries,
        evaluate_invocations=evaluation.invocations,
        evaluate_function_errors=evaluation.function_errors,
        deliver_invocations=delivery.invocations,
        facts_checked=facts + len(published) + len(shot.messages),
        lost=len(award_ids - set(published)),
        doubled=sum(count - 1 for count in published.values()),
        backoff_scale=BACKOFF_SCALE,
        seconds=round(elapsed, 1),
    )
