"""The whole loop over HTTP: definitions -> events -> streams -> awards, wallet, inbox and SNS."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.http_events import sales_achievement
from tests.stack_fixtures import Api, Tenant

CLOSER = sales_achievement(
    "Closer", "week", {5: 10, 10: 25, 15: 50}, description="Close deals every week"
)


def _sales(user: str, count: int) -> dict[str, Any]:
    # A few seconds in the past: inside the current ISO week (unless run across Monday 00:00 UTC).
    at = (datetime.now(UTC) - timedelta(seconds=5)).isoformat().replace("+00:00", "Z")
    return {
        "events": [
            {"id": f"sale-{user}-{i}", "type": "sale.closed", "user_id": user, "occurred_at": at}
            for i in range(count)
        ]
    }


def _feed_messages(tenant: Tenant, want: int, timeout: float = 20.0) -> list[Any]:
    """SNS notifications for `tenant` on AwardsFeedQueue (raw delivery), deleted once read."""
    sqs = tenant.stack.client("sqs")
    url = tenant.stack.names.queue_url("AwardsFeedQueue")
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in batch.get("Messages", []):
            body = json.loads(message["Body"])
            if body.get("tenant_id") == tenant.id:
                found.append(body)
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if len(found) >= want:
            # One more short poll: a third message here would be a duplicate publication.
            extra = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            found += [
                json.loads(m["Body"])
                for m in extra.get("Messages", [])
                if json.loads(m["Body"]).get("tenant_id") == tenant.id
            ]
            return found
    return found


def _state(api: Api, token: str) -> dict[str, Any]:
    return {
        "achievements": api.get("/v1/me/achievements", token=token).json(),
        "awards": api.get("/v1/me/awards", token=token).json(),
        "wallet": api.get("/v1/me/wallet", token=token).json(),
        "ledger": api.get("/v1/me/ledger", token=token).json(),
        "messages": api.get("/v1/me/messages", token=token).json(),
    }


def test_twelve_sales_earn_closer_i_and_ii_once_however_often_they_are_sent(
    api: Api, tenant: Tenant, drain: Callable[..., int]
) -> None:
    admin = tenant.admin()
    metric = api.put(
        "/v1/admin/metrics/sales",
        token=admin,
        json={"event_type": "sale.closed", "aggregate": "count"},
    )
    assert metric.status_code == 200
    created = api.post("/v1/admin/achievements", token=admin, json=CLOSER)
    assert created.status_code == 201, created.text
    closer_id = created.json()["id"]
    batch = _sales("ada", 12)

    posted = api.post("/v1/events", token=tenant.machine(), json=batch)
    drain()

    assert posted.status_code == 202
    assert sorted(posted.json()["accepted"]) == sorted(e["id"] for e in batch["events"])
    assert posted.json()["duplicates"] == []
    ada = tenant.user("ada")
    achievements = api.get("/v1/me/achievements", token=ada).json()["items"]
    closer = next(a for a in achievements if a["id"] == closer_id)
    assert closer["earned"] is True
    assert closer["highest_level"] == 2
    assert closer["points_earned"] == 35
    assert closer["progress"]["value"] == 12
    assert closer["progress"]["next_level"] == 3
    assert closer["progress"]["next_threshold"] == 15
    assert closer["progress"]["remaining"] == 3
    awards = api.get("/v1/me/awards", token=ada).json()["items"]
    assert sorted((a["achievement_id"], a["level"], a["points"]) for a in awards) == [
        (closer_id, 1, 10),
        (closer_id, 2, 25),
    ]
    assert api.get("/v1/me/wallet", token=ada).json() == {"points": 35, "coins": 0}
    messages = api.get("/v1/me/messages", token=ada).json()["items"]
    assert [m["type"] for m in messages] == ["achievement", "achievement"]
    assert {m["award_id"] for m in messages} == {a["award_id"] for a in awards}
    published = _feed_messages(tenant, want=2)
    assert sorted((p["achievement_id"], p["level"], p["user_id"]) for p in published) == [
        (closer_id, 1, "ada"),
        (closer_id, 2, "ada"),
    ]
    before = _state(api, ada)

    again = api.post("/v1/events", token=tenant.machine(), json=batch)
    drain()

    assert again.status_code == 202
    assert again.json()["accepted"] == []
    assert sorted(again.json()["duplicates"]) == sorted(e["id"] for e in batch["events"])
    assert _state(api, ada) == before
    assert _feed_messages(tenant, want=1, timeout=3.0) == []
