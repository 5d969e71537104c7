"""Load on the running local stack: concurrent HTTP clients post events, the pollers evaluate
them, and every counter and award comes out exact."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests

from accolade.bootstrap import Container
from accolade.domain.models import ActivityEvent
from accolade_local.stack import LocalStack
from tests.integration.helpers import cold_start
from tests.reliability.harness import (
    CERTIFIED,
    DEAL,
    FULL,
    OTHER,
    Tally,
    check_against,
    configure_tenant,
    expected_state,
    random_events,
    snapshot,
)

EVENTS = 20_000 if FULL else 2_000
CLIENTS = 4
BATCH = 100
USERS = [f"rep-{i:03d}" for i in range(50 if FULL else 10)]
KINDS = (*[DEAL] * 97, CERTIFIED, OTHER, OTHER)
pytestmark = pytest.mark.timeout(2400 if FULL else 300)


@pytest.fixture
def stack_container(local_stack: LocalStack) -> Iterator[Container]:
    """The real adapters bound to the stack's DynamoDB, for set-up and for reading the result."""
    env = {
        "TABLE_NAME": local_stack.names.table_name(),
        "TOPIC_ARN": local_stack.names.topic_arn("AwardsTopic"),
        "AWS_ENDPOINT_URL_DYNAMODB": local_stack.dynamodb_endpoint,
        "AWS_ENDPOINT_URL": local_stack.aws_endpoint,
        "AWS_REGION": local_stack.names.region,
        "AWS_DEFAULT_REGION": local_stack.names.region,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
    }
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        with cold_start() as built:
            yield built


def _body(event: ActivityEvent) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": event.event_id,
        "type": event.type,
        "user_id": event.user_id,
        "occurred_at": event.occurred_at.isoformat(),
    }
    if event.value is not None:
        body["value"] = int(event.value)
    return body


def test_concurrent_clients_on_the_local_stack_lose_and_double_nothing(
    local_stack: LocalStack, stack_container: Container, report: Any
) -> None:
    tenant = f"t-{uuid.uuid4().hex[:12]}"
    configure_tenant(stack_container, tenant)
    events = random_events(
        random.Random(20_000),
        EVENTS,
        KINDS,
        USERS,
        days=21 if FULL else 7,
        value=lambda r: Decimal(r.randrange(1, 5_000)),
    )
    chunks = [events[i : i + BATCH] for i in range(0, len(events), BATCH)]
    token = local_stack.token(tenant, "load-client", scopes=("events:write",))
    accepted: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client(mine: list[list[ActivityEvent]]) -> None:
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {token}"
            for chunk in mine:
                for _ in range(5):  # a client retries a 5xx with the same batch
                    response = session.post(
                        f"{local_stack.api_url}/v1/events",
                        json={"events": [_body(e) for e in chunk]},
                        timeout=60,
                    )
                    if response.status_code < 500:
                        break
                with lock:
                    if response.status_code == 202:
                        body = response.json()
                        accepted.extend(body["accepted"] + body["duplicates"])
                    else:
                        failures.append(f"{response.status_code} {response.text[:200]}")

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(chunks[i::CLIENTS],)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)
    posted = time.monotonic() - started
    local_stack.drain(timeout=900 if FULL else 240)
    drained = time.monotonic() - started

    assert failures == []
    assert sorted(accepted) == sorted(e.event_id for e in events)
    expected = expected_state(events)
    shot = snapshot(local_stack.client("dynamodb"), local_stack.names.table_name(), tenant, USERS)
    tally = Tally()
    facts = check_against(shot, expected, tally)
    report(
        events=len(events),
        clients=CLIENTS,
        awards=len(expected.awards),
        ingest_events_per_s=round(len(events) / posted),
        end_to_end_events_per_s=round(len(events) / drained),
        seconds=round(drained, 1),
        facts_checked=facts,
        lost=tally.lost,
        doubled=tally.doubled,
    )
