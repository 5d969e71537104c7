"""DynamoDB's limits against DynamoDB Local: what the API accepts at its edges, the table stores.

The largest event the definitions allow (24 metrics on one event type: 96 counters and the
applied mark in one 97-item transaction) and the largest and finest numbers commit and count
exactly once; what the evaluator reads per batch does not grow with closed periods.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from accolade.adapters.dynamo import keys
from accolade.domain.closing import PeriodClose, TenantCloses
from accolade.domain.errors import ConflictError
from accolade.domain.limits import MAX_METRICS_PER_EVENT_TYPE
from accolade.domain.models import Aggregate, Metric
from accolade.domain.periods import TimeRange, period_key, zone
from accolade.services.winners import select_winners
from tests.integration.helpers import batch, http_event, invoke, json_body, with_path
from tests.integration.loop import Loop

MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
PERIODS = ("D2026-11-23", "W2026-W48", "M2026-11", "ALL")


@dataclass
class At:
    moment: datetime

    def now(self) -> datetime:
        return self.moment


def put_metric(loop: Loop, metric_id: str, body: dict[str, Any]) -> dict[str, Any]:
    event = http_event("api/put_metric.json", loop.tenant_id, body=body)
    return dict(invoke(loop.api, with_path(event, "PUT", f"/v1/admin/metrics/{metric_id}")))


def sale(event_id: str, value: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "sale",
        "user_id": "user-1",
        "occurred_at": MONDAY.isoformat(),
        "value": float(value) if "." in value else int(value),
    }


def test_the_largest_event_commits_and_counts_once_however_often_it_is_redelivered(
    loop: Loop,
) -> None:
    metric_ids = [f"m{n:02d}" for n in range(MAX_METRICS_PER_EVENT_TYPE - 1)]
    statuses = [
        put_metric(loop, m, {"event_type": "sale", "aggregate": "count"})["statusCode"]
        for m in metric_ids
    ]
    statuses.append(
        put_metric(loop, "revenue", {"event_type": "sale", "aggregate": "sum"})["statusCode"]
    )
    refused = put_metric(loop, "one-more", {"event_type": "sale", "aggregate": "count"})
    values = ["1000000000000000", "99999.999999999", "0.000000002"]
    loop.post([sale(f"e-{n}", value) for n, value in enumerate(values)])
    records = loop.event_records(3)

    rounds = [invoke(loop.evaluate, batch(records)) for _ in range(3)]

    assert statuses == [200] * MAX_METRICS_PER_EVENT_TYPE
    assert refused["statusCode"] == 422
    assert json_body(refused)["error"]["details"][0]["field"] == "event_type"
    assert rounds == [{"batchItemFailures": []}] * 3
    assert {loop.counter(p, metric=m) for m in metric_ids for p in PERIODS} == {3}
    total = sum(Decimal(v) for v in values)
    assert [loop.counter(p, metric="revenue") for p in PERIODS] == [total] * 4
    assert str(total) == "1000000000100000.000000001"


def test_racing_metric_writes_cannot_both_pass_the_per_type_check(
    loop: Loop, accolade: Any
) -> None:
    config = accolade.config
    seen = config.get_config(loop.tenant_id).metrics_revision
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def write(metric_id: str) -> None:
        start.wait()
        try:
            metric = Metric(metric_id=metric_id, event_type="sale", aggregate=Aggregate.COUNT)
            config.put_metric(loop.tenant_id, metric, expected_revision=seen)
            outcomes.append("stored")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=write, args=(f"m-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["conflict", "stored"]
    assert len(config.get_config(loop.tenant_id).metrics) == 1


def test_closed_periods_do_not_grow_what_evaluation_reads(
    loop: Loop, accolade: Any, dynamodb_client: Any, table_name: str
) -> None:
    put_metric(loop, "sales", {"event_type": "sale", "aggregate": "count"})
    created = invoke(
        loop.api,
        http_event(
            "api/post_achievement.json",
            loop.tenant_id,
            body={"name": "Top seller", "type": "period_top", "metric": "sales", "period": "week"},
        ),
    )
    assert created["statusCode"] == 201, created
    before = _configuration_items(dynamodb_client, table_name, loop.tenant_id)

    granted = 0
    for week in range(4):
        monday = datetime(2026, 11, 2, 9, tzinfo=UTC) + timedelta(weeks=week)
        loop.post([sale(f"w{week}", "1") | {"occurred_at": monday.isoformat()}])
        loop.evaluate_until_done(loop.event_records(week + 1))
        closes = PeriodClose(
            achievement_id=json_body(created)["id"],
            period_key=period_key(TimeRange.WEEK, monday, zone("UTC")),
        )
        result = select_winners(
            TenantCloses(
                tenant_id=loop.tenant_id, as_of=monday + timedelta(weeks=1), closes=(closes,)
            ),
            config=accolade.config,
            users=accolade.users,
            leaderboards=accolade.leaderboards,
            awards=accolade.awards,
            clock=At(monday + timedelta(weeks=1)),
        )
        granted += len(result.granted)

    assert granted == 4
    assert _configuration_items(dynamodb_client, table_name, loop.tenant_id) == before
    slots = dynamodb_client.query(
        TableName=table_name,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.winner_slot_pk(loop.tenant_id)}},
    )
    assert slots["Count"] == 4


def _configuration_items(dynamodb_client: Any, table_name: str, tenant_id: str) -> int:
    answer = dynamodb_client.query(
        TableName=table_name,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.tenant_pk(tenant_id)}},
        Select="COUNT",
    )
    return int(answer["Count"])


@pytest.mark.parametrize("value", ["1e-200", "1e+125"])
def test_numbers_the_table_cannot_store_never_reach_it(
    loop: Loop, dynamodb_client: Any, table_name: str, value: str
) -> None:
    body = {"events": [sale("e-x", "1") | {"value": float(value)}]}

    response = invoke(
        loop.ingest, http_event("ingest_events/post_events.json", loop.tenant_id, body=body)
    )

    assert response["statusCode"] == 422
    stored = dynamodb_client.get_item(
        TableName=table_name,
        Key={
            "PK": {"S": keys.user_pk(loop.tenant_id, body["events"][0]["user_id"])},
            "SK": {"S": keys.event_sk("e-x")},
        },
    )
    assert "Item" not in stored
