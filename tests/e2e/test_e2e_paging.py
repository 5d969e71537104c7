"""Lists over the running local stack: repeatable awards page through awards, ledger and inbox;
a cursor works only for the caller and list it was made for."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.stack_fixtures import Api, Tenant

TASK = {
    "name": "Task done",
    "type": "event",
    "event_type": "task.done",
    "repeatable": True,
    "levels": [{"points": 5}],
}


def walk(api: Api, path: str, token: str, limit: int) -> list[list[dict[str, Any]]]:
    pages: list[list[dict[str, Any]]] = []
    query = f"?limit={limit}"
    while True:
        response = api.get(path + query, token=token)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["items"])
        if body["next_cursor"] is None:
            return pages
        query = f"?limit={limit}&cursor={body['next_cursor']}"


def test_repeatable_awards_page_through_awards_ledger_and_inbox(
    api: Api, tenant: Tenant, drain: Callable[..., int]
) -> None:
    created = api.post("/v1/admin/achievements", token=tenant.admin(), json=TASK)
    assert created.status_code == 201, created.text
    at = datetime.now(UTC) - timedelta(seconds=5)
    tasks = {
        "events": [
            {
                "id": f"task-{n}",
                "type": "task.done",
                "user_id": "ada",
                "occurred_at": (at + timedelta(milliseconds=n)).isoformat(),
            }
            for n in range(5)
        ]
    }
    assert api.post("/v1/events", token=tenant.machine(), json=tasks).status_code == 202
    drain()
    ada, bob = tenant.user("ada"), tenant.user("bob")

    awards = walk(api, "/v1/me/awards", ada, limit=2)
    ledger = walk(api, "/v1/me/ledger", ada, limit=2)
    inbox = walk(api, "/v1/me/messages", ada, limit=2)

    assert [len(page) for page in awards] == [2, 2, 1]
    award_ids = [a["award_id"] for page in awards for a in page]
    assert sorted(a["period_key"] for page in awards for a in page) == [
        f"E:task-{n}" for n in range(5)
    ]
    assert [e["sequence"] for page in ledger for e in page] == [1, 2, 3, 4, 5]
    assert [e["points_balance"] for page in ledger for e in page] == [5, 10, 15, 20, 25]
    messages = [m for page in inbox for m in page]
    assert sorted(m["award_id"] for m in messages) == sorted(award_ids)
    created_at = [m["created_at"] for m in messages]
    assert created_at == sorted(created_at, reverse=True)

    first = api.get("/v1/me/awards?limit=2", token=ada).json()
    as_bob = api.get(f"/v1/me/awards?limit=2&cursor={first['next_cursor']}", token=bob)
    as_ledger = api.get(f"/v1/me/ledger?limit=2&cursor={first['next_cursor']}", token=ada)
    assert (as_bob.status_code, as_ledger.status_code) == (400, 400)
    assert as_bob.json()["error"]["code"] == "invalid_cursor"
    assert as_bob.json()["error"]["message"].startswith("cursor: ")
