"""Expiring-soon notices through the local stack: a Basic Life Support award given over HTTP, the
daily SendExpiryNoticesFunction invoked at ``as_of`` moments of our choosing (again, and after
the expiry is edited), the learner's inbox read over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from tests.stack_fixtures import Api, Tenant

BLS = {
    "name": "Basic Life Support",
    "type": "manual",
    "validity": {"amount": 5, "unit": "year"},
}


def test_an_expiring_award_is_told_once_and_again_for_its_edited_date(
    api: Api, tenant: Tenant, drain: Callable[..., int]
) -> None:
    admin = tenant.admin()
    created = api.post("/v1/admin/achievements", token=admin, json=BLS)
    bls = created.json()["id"]
    given = api.post(
        f"/v1/admin/achievements/{bls}/awards",
        token=admin,
        json={"user_id": "nurse-1", "valid_from": "2021-12-10T09:00:00Z"},
    )
    award_id = given.json()["award_id"]
    drain()

    def notices(as_of: str) -> None:
        tenant.stack.invoke("SendExpiryNoticesFunction", {"as_of": as_of})

    def told() -> list[str]:
        inbox = api.get("/v1/me/messages", token=tenant.user("nurse-1")).json()
        return [m["message_id"] for m in inbox["items"] if m["type"] == "expiring_soon"]

    notices("2026-11-01T06:00:00Z")  # 39 days ahead: outside the default 30
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(notices, ["2026-11-30T06:00:00Z"] * 2 + ["2026-12-01T06:00:00Z"]))
    notices("2026-11-30T06:00:00Z")  # a replay
    drain()
    once = told()

    edited = api.patch(
        f"/v1/admin/awards/{award_id}", token=admin, json={"valid_until": "2027-03-01T00:00:00Z"}
    )
    notices("2026-12-02T06:00:00Z")
    notices("2027-02-15T06:00:00Z")
    notices("2027-02-16T06:00:00Z")
    drain()

    assert (created.status_code, given.status_code, edited.status_code) == (201, 201, 200)
    assert given.json()["valid_until"] == "2026-12-10T09:00:00Z"
    assert once == [f"{award_id}.expiring.20261210T090000000000"]
    assert sorted(told()) == sorted([*once, f"{award_id}.expiring.20270301T000000000000"])
