"""Courses over HTTP on the local stack: a blended, invoice-gated course whose payment comes
last awards once (inbox and award list), and an admin's fail revokes it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.stack_fixtures import Api, Tenant


def _event(event_id: str, type_: str, **attributes: Any) -> dict[str, Any]:
    at = (datetime.now(UTC) - timedelta(seconds=5)).isoformat().replace("+00:00", "Z")
    return {
        "id": event_id,
        "type": type_,
        "user_id": "ada",
        "occurred_at": at,
        "attributes": {"course_event_id": "cpr-1", **attributes},
    }


def test_a_blended_course_paid_last_awards_once_and_a_fail_revokes_it(
    api: Api, tenant: Tenant, drain: Callable[..., int]
) -> None:
    admin, machine, ada = tenant.admin(), tenant.machine(), tenant.user("ada")
    course = {"name": "Basic Life Support", "type": "course_completion", "levels": [{"points": 5}]}
    created = api.post("/v1/admin/achievements", token=admin, json=course)
    assert created.status_code == 201, created.text
    bls = created.json()["id"]
    template = {
        "name": "CPR",
        "code": "CPR",
        "delivery": "blended",
        "achievements": [{"achievement_id": bls}],
        "completion_threshold": 80,
        "invoice_required": True,
    }
    assert api.put("/v1/admin/course-templates/cpr", token=admin, json=template).ok
    event = {
        "template_id": "cpr",
        "name": "CPR 1",
        "starts_at": "2026-11-24T09:00:00Z",
        "sessions": [{"session_id": "day-1"}, {"session_id": "social", "optional": True}],
    }
    assert api.put("/v1/admin/course-events/cpr-1", token=admin, json=event).ok
    learning = [
        _event("reg", "course.registered"),
        _event("prog", "elearning.progress", completion=90, passed=True),
        _event("day-1", "session.attended", session_id="day-1"),
    ]

    assert api.post("/v1/events", token=machine, json={"events": learning}).status_code == 202
    drain()
    assert api.get("/v1/me/awards", token=ada).json()["items"] == []
    paid = {"events": [_event("paid", "invoice.paid")]}
    assert api.post("/v1/events", token=machine, json=paid).status_code == 202
    assert api.post("/v1/events", token=machine, json=paid).json()["duplicates"] == ["paid"]
    drain()

    awards = api.get("/v1/me/awards", token=ada).json()["items"]
    assert [(a["achievement_id"], a["period_key"], a["points"]) for a in awards] == [
        (bls, "C:cpr-1", 5)
    ]
    messages = api.get("/v1/me/messages", token=ada).json()["items"]
    assert [m["award_id"] for m in messages] == [awards[0]["award_id"]]
    results = api.get("/v1/admin/course-events/cpr-1/results", token=admin).json()
    (learner,) = results["items"]
    assert learner["complete"] is True and learner["achievements"][0]["status"] == "active"

    failed = {"results": [{"user_id": "ada", "achievement_id": bls, "outcome": "fail"}]}
    answered = api.put("/v1/admin/course-events/cpr-1/results", token=admin, json=failed)
    drain()

    assert answered.status_code == 200, answered.text
    assert answered.json()["revoked"] == [awards[0]["award_id"]]
    assert api.get("/v1/me/awards", token=ada).json()["items"] == []
    assert api.get("/v1/me/wallet", token=ada).json()["points"] == 0
