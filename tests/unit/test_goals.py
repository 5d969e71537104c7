"""Personal goals through the HTTP API in process, and the goal_reached awards they earn (the
seeds: a personal goal reached grants every time, once per goal and period)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from accolade.domain.limits import MAX_GOALS_PER_USER
from accolade.domain.models import TenantSettings
from accolade_local.handlers import load_handler
from tests.fakes import FakeContainer
from tests.http_events import call, claims, http_event
from tests.unit.builders import (
    ADMIN,
    TENANT,
    achievement,
    evaluate,
    ingest_and_evaluate,
    metric,
    sales,
)

api = load_handler("api")
ALICE, BOB = claims(TENANT, "alice"), claims(TENANT, "bob")
DAILY = {"metric": "sales", "period": "day", "target": 3}

pytestmark = pytest.mark.usefixtures("fakes")


def request(method: str, path: str, who: dict[str, str], body: Any = None) -> tuple[int, Any]:
    return call(api, http_event(method, path, body=body, claims=who))


def goal_reached(c: FakeContainer, **extra: Any) -> str:
    found = achievement(
        c, name="Goal getter", type="goal_reached", levels=[{"points": 20}], **extra
    )
    return found.achievement_id


def goal_awards(c: FakeContainer) -> list[tuple[str, str]]:
    return sorted((a.user_id, a.period_key) for a in c.awards.all_awards(TENANT))


def test_a_user_sets_reads_and_deletes_their_goal_with_the_current_periods_progress(
    fakes: FakeContainer,
) -> None:
    metric(fakes)

    put = request("PUT", "/v1/me/goals/daily-sales", ALICE, DAILY)
    ingest_and_evaluate(fakes, sales(2, "2026-11-24T08:00:00Z"))
    short = request("GET", "/v1/me/goals", ALICE)[1]["items"]
    ingest_and_evaluate(fakes, sales(1, "2026-11-24T09:00:00Z", prefix="t"))
    reached = request("GET", "/v1/me/goals", ALICE)[1]["items"]
    bobs = request("GET", "/v1/me/goals", BOB)[1]["items"]
    deleted = request("DELETE", "/v1/me/goals/daily-sales", ALICE)
    after = request("GET", "/v1/me/goals", ALICE)[1]["items"]
    again = request("DELETE", "/v1/me/goals/daily-sales", ALICE)

    assert put[0] == 200, put
    assert put[1] | {"updated_at": None} == {
        "goal_id": "daily-sales",
        "user_id": "alice",
        "metric": "sales",
        "period": "day",
        "target": 3,
        "period_key": "D2026-11-24",
        "value": 0,
        "reached": False,
        "set_by": "alice",
        "updated_at": None,
    }
    assert [(g["value"], g["reached"]) for g in short] == [(2, False)]
    assert [(g["value"], g["reached"]) for g in reached] == [(3, True)]
    assert bobs == []
    assert deleted == (204, None)
    assert after == []
    assert again[0] == 404


def test_a_goal_reached_grants_once_per_goal_and_period_and_again_the_next_period(
    fakes: FakeContainer,
) -> None:
    metric(fakes)
    goal_reached(fakes)
    request("PUT", "/v1/me/goals/daily", ALICE, DAILY)
    request("PUT", "/v1/me/goals/weekly", ALICE, {**DAILY, "period": "week", "target": 20})
    monday = sales(5, "2026-11-23T08:00:00Z")

    ingest_and_evaluate(fakes, monday)
    evaluate(fakes, monday)  # the stream delivers the batch again
    ingest_and_evaluate(fakes, sales(2, "2026-11-24T08:00:00Z", prefix="t"))  # short of 3
    ingest_and_evaluate(fakes, sales(1, "2026-11-24T09:00:00Z", prefix="u"))
    ingest_and_evaluate(fakes, sales(4, "2026-11-25T08:00:00Z", prefix="v"))

    assert goal_awards(fakes) == [
        ("alice", "D2026-11-23#daily"),
        ("alice", "D2026-11-24#daily"),
        ("alice", "D2026-11-25#daily"),
    ]
    assert request("GET", "/v1/me/wallet", ALICE)[1]["points"] == 60
    ingest_and_evaluate(fakes, sales(10, "2026-11-26T08:00:00Z", prefix="w"))  # week: 22
    assert ("alice", "W2026-W48#weekly") in goal_awards(fakes)


def test_an_achievement_on_a_metric_grants_only_for_goals_on_it_and_a_disabled_one_none(
    fakes: FakeContainer,
) -> None:
    metric(fakes)
    metric(fakes, "calls", "call.made")
    goal_reached(fakes, metric="calls")
    achievement(fakes, name="Off", type="goal_reached", enabled=False)  # would take any metric
    request("PUT", "/v1/me/goals/daily", ALICE, DAILY)

    ingest_and_evaluate(fakes, sales(5, "2026-11-24T08:00:00Z"))

    assert goal_awards(fakes) == []


def test_goals_are_read_only_for_users_whose_moved_metrics_a_live_goal_achievement_watches(
    fakes: FakeContainer, monkeypatch: pytest.MonkeyPatch
) -> None:
    metric(fakes)
    metric(fakes, "calls", "call.made")
    request("PUT", "/v1/me/goals/daily", ALICE, DAILY)
    asked: list[set[str]] = []
    read = fakes.goals.goals_of

    def goals_of(tenant_id: str, user_ids: Any) -> Any:
        asked.append(set(user_ids))
        return read(tenant_id, user_ids)

    monkeypatch.setattr(fakes.goals, "goals_of", goals_of)

    ingest_and_evaluate(fakes, sales(3, "2026-11-24T08:00:00Z"))  # no goal_reached achievement
    goal_reached(fakes, metric="calls")
    ingest_and_evaluate(fakes, sales(3, "2026-11-24T09:00:00Z", prefix="t"))  # not watched
    goal_reached(fakes, metric="sales")
    both = sales(1, "2026-11-24T10:00:00Z", prefix="u")
    both += sales(1, "2026-11-24T10:00:00Z", user_id="bob", prefix="u")
    ingest_and_evaluate(fakes, both)

    assert asked == [{"alice", "bob"}]  # one read for the batch's users
    assert goal_awards(fakes) == [("alice", "D2026-11-24#daily")]


def test_a_late_event_reaches_the_goal_of_its_own_period(fakes: FakeContainer) -> None:
    metric(fakes)
    goal_reached(fakes)
    request("PUT", "/v1/me/goals/daily", ALICE, DAILY)
    ingest_and_evaluate(fakes, sales(2, "2026-11-23T08:00:00Z"))
    ingest_and_evaluate(fakes, sales(2, "2026-11-24T08:00:00Z", prefix="t"))

    ingest_and_evaluate(fakes, sales(1, "2026-11-23T20:00:00Z", prefix="late"))

    assert goal_awards(fakes) == [("alice", "D2026-11-23#daily")]


def test_an_admin_sets_a_users_goal_and_a_user_cannot_set_anyone_elses(
    fakes: FakeContainer,
) -> None:
    metric(fakes)
    goal_reached(fakes)
    path = "/v1/admin/users/bob/goals/quota"

    by_alice = request("PUT", path, ALICE, DAILY)
    by_admin = request("PUT", path, ADMIN, DAILY)
    bobs = request("GET", "/v1/me/goals", BOB)[1]["items"]
    listed_by_alice = request("GET", "/v1/admin/users/bob/goals", ALICE)
    listed = request("GET", "/v1/admin/users/bob/goals", ADMIN)[1]["items"]
    ingest_and_evaluate(fakes, sales(3, "2026-11-24T08:00:00Z", user_id="bob"))
    deleted_by_alice = request("DELETE", path, ALICE)
    deleted = request("DELETE", path, ADMIN)

    assert by_alice[0] == 403
    assert by_admin[0] == 200 and by_admin[1]["set_by"] == "root"
    assert [(g["goal_id"], g["user_id"], g["set_by"]) for g in bobs] == [("quota", "bob", "root")]
    assert listed_by_alice[0] == 403
    assert [g["goal_id"] for g in listed] == ["quota"]
    assert goal_awards(fakes) == [("bob", "D2026-11-24#quota")]
    assert deleted_by_alice[0] == 403
    assert deleted[0] == 204
    assert fakes.goals.goals_of(TENANT, ["bob"]) == {}
    assert request("GET", "/v1/admin/users/bob/goals", ADMIN)[0] == 404  # no profile, no goal


def test_a_goal_is_read_in_the_tenants_time_zone(fakes: FakeContainer) -> None:
    fakes.config.put_settings(TENANT, TenantSettings(timezone="Pacific/Auckland"))
    metric(fakes)

    _, goal = request("PUT", "/v1/me/goals/daily", ALICE, DAILY)

    assert goal["period_key"] == "D2026-11-24"  # 10:00 UTC is 23:00 in Auckland
    fakes.clock.advance(timedelta(hours=1))
    assert request("GET", "/v1/me/goals", ALICE)[1]["items"][0]["period_key"] == "D2026-11-25"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**DAILY, "metric": "nope"}, "metric"),
        ({**DAILY, "metric": "bad metric"}, "metric"),
        ({**DAILY, "target": 0}, "target"),
        ({**DAILY, "target": -1}, "target"),
        ({**DAILY, "target": 1e16}, "target"),
        ({**DAILY, "target": 0.0000000001}, "target"),
        ({**DAILY, "target": "3"}, "target"),
        ({**DAILY, "target": True}, "target"),
        ({**DAILY, "period": "year"}, "period"),
        ({**DAILY, "period": "all_time"}, "period"),
        ({"period": "day", "target": 3}, "metric"),
        ({**DAILY, "colour": "red"}, "colour"),
    ],
)
def test_a_goal_that_breaks_a_rule_is_422_naming_the_field_and_stores_nothing(
    fakes: FakeContainer, body: dict[str, Any], field: str
) -> None:
    metric(fakes)

    status, answer = request("PUT", "/v1/me/goals/g", ALICE, body)

    assert status == 422, answer
    assert field in [detail["field"] for detail in answer["error"]["details"]], answer
    assert fakes.goals.goals_of(TENANT, ["alice"]) == {}


def test_a_user_has_at_most_the_capped_number_of_goals_and_may_still_replace_one(
    fakes: FakeContainer,
) -> None:
    metric(fakes)
    for n in range(MAX_GOALS_PER_USER):
        assert request("PUT", f"/v1/me/goals/g{n}", ALICE, DAILY)[0] == 200

    over = request("PUT", "/v1/me/goals/one-more", ALICE, DAILY)
    replaced = request("PUT", "/v1/me/goals/g0", ALICE, {**DAILY, "target": 7})

    assert over[0] == 422
    assert [d["field"] for d in over[1]["error"]["details"]] == ["goal_id"]
    assert replaced[0] == 200 and replaced[1]["target"] == 7
    assert len(request("GET", "/v1/me/goals", ALICE)[1]["items"]) == MAX_GOALS_PER_USER
