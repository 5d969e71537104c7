"""Period winners through the local stack: the hourly ClosePeriodsFunction at an ``as_of`` of our
choosing, the WinnersQueue and its SelectWinnersFunction poller, awards read over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from accolade_local.stack import LocalStack
from tests.stack_fixtures import Api

SPEEDY = {"name": "Speedy Gonzales", "type": "period_top", "metric": "calls", "period": "week"}


def _tenant(api: Api, token: str, timezone: str) -> str:
    settings = api.put("/v1/admin/settings", token=token, json={"timezone": timezone})
    metric = api.put(
        "/v1/admin/metrics/calls", token=token, json={"event_type": "call", "aggregate": "count"}
    )
    created = api.post("/v1/admin/achievements", token=token, json=SPEEDY)
    assert (settings.status_code, metric.status_code, created.status_code) == (200, 200, 201)
    return str(created.json()["id"])


def _calls(user: str, count: int, at: str, prefix: str = "c") -> dict[str, Any]:
    return {
        "events": [
            {"id": f"{prefix}-{user}-{n}", "type": "call", "user_id": user, "occurred_at": at}
            for n in range(count)
        ]
    }


def _weeks_won(api: Api, token: str, achievement_id: str) -> list[str]:
    awards = api.get("/v1/me/awards", token=token).json()["items"]
    return [a["period_key"] for a in awards if a["achievement_id"] == achievement_id]


def test_each_tenant_gets_its_winner_in_the_hour_after_its_own_monday_exactly_once(
    api: Api,
    local_stack: LocalStack,
    tenant_id: str,
    admin_token: Callable[..., str],
    machine_token: Callable[..., str],
    user_token: Callable[..., str],
    drain: Callable[..., int],
) -> None:
    kiwi, angeleno = f"{tenant_id}-akl", f"{tenant_id}-lax"
    kiwi_speedy = _tenant(api, admin_token(kiwi), "Pacific/Auckland")
    la_speedy = _tenant(api, admin_token(angeleno), "America/Los_Angeles")
    # Week 45 of 2026 (2-8 November): Auckland's ends at 11:00 UTC on Sunday the 8th, Los
    # Angeles' at 08:00 UTC on Monday the 9th; an hour of grace each.
    for tenant in (kiwi, angeleno):
        for batch in (
            _calls("ana", 3, "2026-11-05T10:00:00Z"),
            _calls("bo", 2, "2026-11-05T11:00:00Z"),
        ):
            posted = api.post("/v1/events", token=machine_token(tenant), json=batch)
            assert posted.status_code == 202
    drain()

    def close(as_of: str) -> None:
        local_stack.invoke("ClosePeriodsFunction", {"as_of": as_of})
        drain()

    def won(tenant: str, user: str, achievement_id: str) -> list[str]:
        return _weeks_won(api, user_token(tenant, user), achievement_id)

    close("2026-11-08T11:00:00Z")
    assert won(kiwi, "ana", kiwi_speedy) == []  # Auckland's Monday 00:00, still in its grace

    close("2026-11-08T12:00:00Z")
    assert won(kiwi, "ana", kiwi_speedy) == ["W2026-W45"]
    assert won(angeleno, "ana", la_speedy) == []

    close("2026-11-09T08:00:00Z")
    assert won(angeleno, "ana", la_speedy) == []

    # Late calls of bo in the closed week count, but never move the chosen winner.
    late = _calls("bo", 5, "2026-11-06T09:00:00Z", prefix="late")
    assert api.post("/v1/events", token=machine_token(kiwi), json=late).status_code == 202
    drain()
    close("2026-11-09T09:00:00Z")
    close("2026-11-09T09:00:00Z")  # the same hour again: a retry or a replay
    close("2026-11-09T10:00:00Z")

    assert won(angeleno, "ana", la_speedy) == ["W2026-W45"]
    assert won(kiwi, "ana", kiwi_speedy) == ["W2026-W45"]
    assert won(kiwi, "bo", kiwi_speedy) == won(angeleno, "bo", la_speedy) == []
