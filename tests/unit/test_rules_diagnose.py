"""Sync, dry run and explain with fakes: the services, and their routes in process."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from accolade.domain.diagnosis import Reason
from accolade.domain.models import CounterKey, UserProfile
from accolade.domain.periods import TimeRange
from accolade.services import admin, diagnose, goals
from accolade_local.handlers import load_handler
from tests.fakes import FakeContainer
from tests.http_events import call, claims, http_event, sale, threshold_achievement
from tests.unit.builders import (
    ADMIN,
    OTHER_TENANT,
    TENANT,
    achievement,
    closer,
    evaluate,
    ingest_and_evaluate,
    metric,
    sales,
    wired,
)

api = load_handler("api")
USER = claims(TENANT, "alice")


def _award_facts(awards: list[Any]) -> list[tuple[str, str, str, int, int, int]]:
    return sorted(
        (a.user_id, a.achievement_id, a.period_key, a.level, a.points, a.coins) for a in awards
    )


def test_sync_grants_what_an_achievement_enabled_mid_week_would_have_granted() -> None:
    events = sales(12, "2026-11-23T09:00:00Z")  # Monday of W48: 12 sales against 5/10/15
    late, early = FakeContainer(), FakeContainer()
    for c in (late, early):
        metric(c)
    enabled_late = closer(late, enabled=False)
    ingest_and_evaluate(late, events)
    wired(admin.edit_achievement, late, TENANT, enabled_late.achievement_id, {"enabled": True})
    enabled_early = closer(early)
    evaluated = ingest_and_evaluate(early, events).granted

    synced = wired(diagnose.sync_user, late, TENANT, "alice")
    again = wired(diagnose.sync_user, late, TENANT, "alice")

    assert [(a.level, a.period_key) for a in synced] == [(1, "W2026-W48"), (2, "W2026-W48")]
    assert again == []
    renamed = [a.model_copy(update={"achievement_id": "closer"}) for a in synced]
    expected = [a.model_copy(update={"achievement_id": "closer"}) for a in evaluated]
    assert _award_facts(renamed) == _award_facts(expected)
    assert late.awards.wallet(TENANT, "alice") == early.awards.wallet(TENANT, "alice")
    assert enabled_early.levels == enabled_late.levels


# An admin's sync of a user (POST /v1/admin/users/{id}/sync) grants what the user's own does.
@pytest.mark.parametrize("sync", [diagnose.sync_user, diagnose.sync_known_user])
def test_sync_grants_a_goal_reached_before_its_achievement_was_enabled(sync: Any) -> None:
    events = sales(4, "2026-11-24T08:00:00Z")  # today: alice's daily goal of 3 is reached
    late, early = FakeContainer(), FakeContainer()
    for c in (late, early):
        metric(c)
        setting = goals.GoalSetting(metric="sales", period=TimeRange.DAY, target=Decimal(3))
        wired(goals.set_goal, c, TENANT, "alice", "daily", setting, set_by="alice")
    goal = achievement(late, name="Goal getter", type="goal_reached", enabled=False)
    ingest_and_evaluate(late, events)
    wired(admin.edit_achievement, late, TENANT, goal.achievement_id, {"enabled": True})
    achievement(early, name="Goal getter", type="goal_reached")
    evaluated = ingest_and_evaluate(early, events).granted

    synced = wired(sync, late, TENANT, "alice")

    assert [a.period_key for a in synced] == ["D2026-11-24#daily"]
    assert [a.period_key for a in evaluated] == ["D2026-11-24#daily"]
    assert wired(sync, late, TENANT, "alice") == []


def test_sync_grants_nothing_for_a_disabled_achievement_nor_outside_the_audience(
    c: FakeContainer,
) -> None:
    metric(c)
    closer(c, enabled=False)
    closer(c, name="Closer (partners)", audience={"groups": ["partners"]})
    c.users.put_user(TENANT, UserProfile(user_id="alice", groups=("staff",)))
    ingest_and_evaluate(c, sales(6, "2026-11-23T09:00:00Z"))

    assert wired(diagnose.sync_user, c, TENANT, "alice") == []
    assert c.awards.all_awards(TENANT) == []


def test_a_dry_run_of_sample_events_starts_from_the_stored_counters(c: FakeContainer) -> None:
    metric(c)
    ingest_and_evaluate(c, sales(4, "2026-11-23T09:00:00Z"))
    definition = threshold_achievement("Closer", "week", 5, 50)

    found = wired(
        diagnose.simulate,
        c,
        TENANT,
        definition=definition,
        events=sales(1, "2026-11-24T09:00:00Z", prefix="sample"),
    )

    assert found == [diagnose.WouldGrant("alice", 1, "W2026-W48", 50, 0)]
    assert c.awards.all_awards(TENANT) == []
    week = CounterKey("alice", "sales", "W2026-W48")
    assert c.progress.counters(TENANT, [week]) == {week: 4}


def test_explain_says_due_once_reached_while_disabled_then_enabled(c: FakeContainer) -> None:
    metric(c)
    found = closer(c, enabled=False)
    ingest_and_evaluate(c, sales(6, "2026-11-23T09:00:00Z"))
    disabled = wired(diagnose.explain, c, TENANT, "alice", found.achievement_id)
    wired(admin.edit_achievement, c, TENANT, found.achievement_id, {"enabled": True})

    due = wired(diagnose.explain, c, TENANT, "alice", found.achievement_id)
    wired(diagnose.sync_user, c, TENANT, "alice")
    granted = wired(diagnose.explain, c, TENANT, "alice", found.achievement_id)

    assert (disabled.granted, disabled.reason) == (False, Reason.DISABLED)
    assert (due.granted, due.reason, due.definition_version) == (False, Reason.DUE, 2)
    assert (granted.granted, granted.reason, granted.value) == (True, Reason.GRANTED, Decimal(6))
    assert granted.period_key == "W2026-W48"
    assert [e.event_id for e in granted.events] == [f"s-alice-{n}" for n in range(5, -1, -1)]


def test_explain_names_the_newest_events_of_the_window_only(c: FakeContainer) -> None:
    metric(c)
    found = closer(c)
    last_week = sales(3, "2026-11-20T09:00:00Z", prefix="old")
    ingest_and_evaluate(c, last_week + sales(25, "2026-11-23T09:00:00Z"))

    explained = wired(diagnose.explain, c, TENANT, "alice", found.achievement_id)

    assert len(explained.events) == diagnose.EXPLAIN_EVENTS
    assert explained.events[0].event_id == "s-alice-24"
    assert all(e.occurred_at.isoformat() >= "2026-11-23" for e in explained.events)
    assert explained.value == 25


def _post(path: str, body: Any = None, who: dict[str, str] = ADMIN) -> tuple[int, Any]:
    return call(api, http_event("POST", path, body=body, claims=who))


def _field_of(answer: tuple[int, Any]) -> str:
    status, body = answer
    assert status == 422, body
    return str(body["error"]["details"][0]["field"])


@pytest.mark.usefixtures("fakes")
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"user_ids": ["alice"]}, "definition"),
        ({"achievement_id": "a", "definition": {"name": "X", "type": "manual"}}, "definition"),
        ({"achievement_id": "a"}, "events"),
        ({"achievement_id": "a", "user_ids": ["alice"], "events": [sale()]}, "events"),
        ({"achievement_id": "a", "user_ids": []}, "user_ids"),
        ({"achievement_id": "a", "user_ids": [f"u{n}" for n in range(101)]}, "user_ids"),
        ({"achievement_id": "a", "events": [sale(f"e{n}") for n in range(101)]}, "events"),
        (
            {"achievement_id": "a", "events": [sale(occurred_at="yesterday")]},
            "events[0].occurred_at",
        ),
        ({"achievement_id": "a b", "user_ids": ["alice"]}, "achievement_id"),
        ({"definition": {"name": "X", "type": "nope"}, "user_ids": ["alice"]}, "definition.type"),
        (
            {"definition": {"name": "X", "type": "metric_threshold"}, "user_ids": ["alice"]},
            "definition.metric",
        ),
        (
            {"definition": threshold_achievement("X", "week", 5, 1), "user_ids": ["alice"]},
            "definition.metric",  # no metric "sales" in this tenant
        ),
    ],
)
def test_a_dry_run_refuses_bad_input_naming_the_field(body: dict[str, Any], field: str) -> None:
    assert _field_of(_post("/v1/admin/achievements/simulate", body)) == field


def test_the_routes_are_for_admins_and_a_users_sync_is_theirs(fakes: FakeContainer) -> None:
    metric(fakes)
    closer(fakes, enabled=False)
    ingest_and_evaluate(fakes, sales(6, "2026-11-23T09:00:00Z"))
    for found in fakes.config.get_config(TENANT).achievements:
        wired(admin.edit_achievement, fakes, TENANT, found.achievement_id, {"enabled": True})

    refused = [
        _post("/v1/admin/users/alice/sync", who=USER)[0],
        _post("/v1/admin/achievements/simulate", {}, who=USER)[0],
        call(api, http_event("GET", "/v1/admin/users/alice/achievements/x/explain", claims=USER))[
            0
        ],
    ]
    status, body = _post("/v1/me/sync", who=USER)

    assert refused == [403, 403, 403]
    assert status == 200
    assert [(a["user_id"], a["level"], a["points"]) for a in body["granted"]] == [("alice", 1, 50)]
    assert _post("/v1/me/sync", who=USER) == (200, {"granted": []})


@pytest.mark.usefixtures("fakes")
def test_unknown_users_and_achievements_are_404(fakes: FakeContainer) -> None:
    metric(fakes)
    mine = closer(fakes)
    metric(fakes, tenant_id=OTHER_TENANT)
    theirs = closer(fakes, tenant_id=OTHER_TENANT)
    ingest_and_evaluate(fakes, sales(1, "2026-11-23T09:00:00Z"))
    ingest_and_evaluate(fakes, sales(1, "2026-11-23T09:00:00Z", user_id="bob"), OTHER_TENANT)

    def explain(user_id: str, achievement_id: str) -> int:
        path = f"/v1/admin/users/{user_id}/achievements/{achievement_id}/explain"
        return call(api, http_event("GET", path, claims=ADMIN))[0]

    assert explain("alice", mine.achievement_id) == 200
    assert explain("nobody", mine.achievement_id) == 404
    assert explain("bob", mine.achievement_id) == 404  # bob is another tenant's user
    assert explain("alice", theirs.achievement_id) == 404
    assert _post("/v1/admin/users/nobody/sync")[0] == 404
    assert _post("/v1/admin/users/bob/sync")[0] == 404
    assert _post("/v1/admin/users/alice/sync") == (200, {"granted": []})
    unknown = {"achievement_id": theirs.achievement_id, "user_ids": ["alice"]}
    assert _post("/v1/admin/achievements/simulate", unknown)[0] == 404


@pytest.mark.usefixtures("fakes")
def test_a_dry_run_over_users_answers_who_would_get_what(fakes: FakeContainer) -> None:
    metric(fakes)
    saved = closer(fakes, enabled=False)
    evaluate_all = sales(11, "2026-11-23T09:00:00Z") + sales(
        6, "2026-11-23T09:00:00Z", user_id="bob"
    )
    fakes.events.add_new(TENANT, evaluate_all)
    evaluate(fakes, evaluate_all)

    status, body = _post(
        "/v1/admin/achievements/simulate",
        {"achievement_id": saved.achievement_id, "user_ids": ["alice", "bob", "carol"]},
    )

    assert status == 200
    assert body == {
        "would_grant": [
            {"user_id": "alice", "level": 1, "period_key": "W2026-W48", "points": 50, "coins": 0},
            {"user_id": "alice", "level": 2, "period_key": "W2026-W48", "points": 100, "coins": 0},
            {"user_id": "bob", "level": 1, "period_key": "W2026-W48", "points": 50, "coins": 0},
        ]
    }
    assert fakes.awards.all_awards(TENANT) == []
