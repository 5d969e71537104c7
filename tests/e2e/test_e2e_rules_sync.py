"""Sync Progress, dry run and explain over HTTP on the local stack: an achievement enabled after
the user passed its threshold is explained as due, dry-run as due, and granted by one sync (and
announced like any award), a second sync granting nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tests.stack_fixtures import Api, Tenant

CLOSER = {
    "name": "Closer",
    "type": "metric_threshold",
    "metric": "sales",
    "time_range": "all_time",  # all time: the test does not depend on the day it runs
    "levels": [{"threshold": 5, "points": 10}, {"threshold": 10, "points": 25}],
    "enabled": False,
}


def test_sync_progress_grants_what_enabling_late_left_due(
    api: Api, tenant: Tenant, drain: Callable[..., int]
) -> None:
    admin, ada = tenant.admin(), tenant.user("ada")
    api.put(
        "/v1/admin/metrics/sales",
        token=admin,
        json={"event_type": "sale.closed", "aggregate": "count"},
    )
    closer = api.post("/v1/admin/achievements", token=admin, json=CLOSER).json()["id"]
    at = (datetime.now(UTC) - timedelta(seconds=5)).isoformat().replace("+00:00", "Z")
    sales = [
        {"id": f"s-{n}", "type": "sale.closed", "user_id": "ada", "occurred_at": at}
        for n in range(6)
    ]
    assert api.post("/v1/events", token=tenant.machine(), json={"events": sales}).status_code == 202
    drain()
    api.patch(f"/v1/admin/achievements/{closer}", token=admin, json={"enabled": True})
    explain = f"/v1/admin/users/ada/achievements/{closer}/explain"

    due = api.get(explain, token=admin).json()
    dry = api.post(
        "/v1/admin/achievements/simulate",
        token=admin,
        json={"achievement_id": closer, "user_ids": ["ada"]},
    ).json()
    synced = api.post("/v1/me/sync", token=ada)
    drain()
    again = api.post("/v1/me/sync", token=ada).json()
    granted = api.get(explain, token=admin).json()

    assert (due["granted"], due["reason"], due["value"], due["thresholds"]) == (
        False,
        "due",
        6,
        [5, 10],
    )
    assert len(due["events"]) == 6
    assert dry == {
        "would_grant": [
            {"user_id": "ada", "level": 1, "period_key": "ALL", "points": 10, "coins": 0}
        ]
    }
    assert synced.status_code == 200, synced.text
    assert [(a["level"], a["points"]) for a in synced.json()["granted"]] == [(1, 10)]
    assert again == {"granted": []}
    assert (granted["granted"], granted["reason"], granted["definition_version"]) == (
        True,
        "granted",
        2,
    )
    assert api.get("/v1/me/wallet", token=ada).json() == {"points": 10, "coins": 0}
    messages = api.get("/v1/me/messages", token=ada).json()["items"]
    assert [m["type"] for m in messages] == ["achievement"]
