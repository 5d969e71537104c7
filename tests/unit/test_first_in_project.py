"""First activity in a project (the sales dashboard's Trailblazer): the first call in a project
created after the achievement was enabled wins it, one winner per project however the calls race,
whichever of the project's registration and the activity is evaluated first; older projects
never award it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from accolade.domain.errors import InvalidInputError
from accolade.domain.models import Achievement, ActivityEvent, Award
from accolade.domain.projects import FirstActivity, Project, project_period
from accolade.services import admin
from accolade_local.handlers import load_handler
from tests.fakes import FakeContainer
from tests.http_events import call as call_api
from tests.http_events import claims, http_event
from tests.unit.builders import (
    TENANT,
    achievement,
    activity,
    at,
    evaluate,
    ingest_and_evaluate,
    my_achievements,
    wired,
)

ENABLED = "2026-11-24T10:00:00Z"  # the fake clock's now: when Trailblazer is created
api = load_handler("api")


@pytest.fixture
def c() -> FakeContainer:
    return FakeContainer()


def trailblazer(c: FakeContainer, **extra: Any) -> Achievement:
    definition: dict[str, Any] = {
        "name": "Trailblazer",
        "type": "first_activity_in_project",
        "activity_types": ["call", "meeting"],
        "levels": [{"points": 100}],
    }
    return achievement(c, **(definition | extra))


def created(project_id: str, occurred_at: str, user_id: str = "olga") -> ActivityEvent:
    return activity(
        f"new-{project_id}-{occurred_at}",
        occurred_at,
        type="project.created",
        user_id=user_id,
        attributes={"project_id": project_id},
    )


def call(user_id: str, project_id: str, occurred_at: str, type: str = "call") -> ActivityEvent:
    return activity(
        f"{type}-{user_id}-{project_id}-{occurred_at}",
        occurred_at,
        type=type,
        user_id=user_id,
        attributes={"project_id": project_id, "minutes": 5},
    )


def winners(c: FakeContainer, achievement_id: str) -> list[tuple[str, str]]:
    return sorted(
        (a.user_id, a.period_key)
        for a in c.awards.all_awards(TENANT)
        if a.achievement_id == achievement_id
    )


def users_of(granted: list[Award]) -> list[str]:
    return [award.user_id for award in granted]


def test_the_first_call_in_a_new_project_wins_trailblazer_and_older_projects_never_do(
    c: FakeContainer,
) -> None:
    badge = trailblazer(c)
    ingest_and_evaluate(c, [created("old", "2026-11-23T15:00:00Z")])
    ingest_and_evaluate(c, [created("apollo", "2026-11-24T10:05:00Z")])

    first = ingest_and_evaluate(c, [call("ben", "apollo", "2026-11-24T10:10:00Z")])
    old = ingest_and_evaluate(c, [call("ben", "old", "2026-11-24T10:11:00Z")])
    later = ingest_and_evaluate(
        c,
        [call("carl", "apollo", "2026-11-24T10:12:00Z"), call("dora", "old", "2026-11-24T10:13Z")],
    )

    assert users_of(first.granted) == ["ben"]
    assert first.granted[0].period_key == project_period("apollo")
    assert first.granted[0].points == 100
    assert old.granted == [] and later.granted == []
    assert winners(c, badge.achievement_id) == [("ben", "P:apollo")]
    assert c.awards.wallet(TENANT, "ben").points == 100
    (shown,) = my_achievements(c, "ben").items
    assert (shown.earned, shown.times_earned, shown.points_earned) == (True, 1, 100)


def test_each_new_project_has_its_own_winner_and_other_activity_types_do_not_count(
    c: FakeContainer,
) -> None:
    badge = trailblazer(c)
    ingest_and_evaluate(
        c, [created("apollo", "2026-11-24T10:01:00Z"), created("gemini", "2026-11-24T10:02:00Z")]
    )

    ingest_and_evaluate(
        c,
        [
            call("ben", "apollo", "2026-11-24T10:03:00Z", type="sale"),  # not an activity type
            activity("no-project", "2026-11-24T10:03:30Z", type="call", user_id="ben"),
            call("carl", "apollo", "2026-11-24T10:04:00Z", type="meeting"),
            call("ben", "gemini", "2026-11-24T10:05:00Z"),
        ],
    )

    assert winners(c, badge.achievement_id) == [("ben", "P:gemini"), ("carl", "P:apollo")]


def test_calls_of_several_users_racing_in_one_batch_make_one_winner_the_earliest(
    c: FakeContainer,
) -> None:
    badge = trailblazer(c)
    ingest_and_evaluate(c, [created("apollo", "2026-11-24T10:05:00Z")])

    result = ingest_and_evaluate(
        c,
        [
            call("carl", "apollo", "2026-11-24T10:12:00Z"),
            call("dora", "apollo", "2026-11-24T10:11:00Z"),
            call("ben", "apollo", "2026-11-24T10:11:00Z"),  # ties with dora: the lower id
            call("ben", "apollo", "2026-11-24T10:15:00Z"),
        ],
    )

    assert users_of(result.granted) == ["ben"]
    assert winners(c, badge.achievement_id) == [("ben", "P:apollo")]


def test_across_batches_the_first_evaluated_keeps_it_and_a_late_earlier_call_does_not_move_it(
    c: FakeContainer,
) -> None:
    badge = trailblazer(c)
    ingest_and_evaluate(c, [created("apollo", "2026-11-24T10:05:00Z")])

    first = ingest_and_evaluate(c, [call("ben", "apollo", "2026-11-24T10:20:00Z")])
    late = ingest_and_evaluate(c, [call("carl", "apollo", "2026-11-24T10:06:00Z")])
    again = evaluate(c, [call("ben", "apollo", "2026-11-24T10:20:00Z")])  # a redelivery

    assert users_of(first.granted) == ["ben"]
    assert late.granted == [] and again.granted == []
    assert winners(c, badge.achievement_id) == [("ben", "P:apollo")]
    assert [e.points for e in c.awards.ledger(TENANT, "ben", limit=10).items] == [100]


def test_two_evaluators_that_read_the_project_before_either_claims_make_one_winner(
    c: FakeContainer,
) -> None:
    badge = trailblazer(c)
    ingest_and_evaluate(c, [created("apollo", "2026-11-24T10:05:00Z")])
    carl = call("carl", "apollo", "2026-11-24T10:06:00Z")
    ben = call("ben", "apollo", "2026-11-24T10:07:00Z")
    c.events.add_new(TENANT, [carl, ben])
    outcomes: dict[str, list[Award]] = {}
    # carl's evaluator has read the project; ben's runs whole before carl's claim is written.
    c.projects.before_claim.append(lambda: outcomes.update(ben=evaluate(c, [ben]).granted))

    outcomes["carl"] = evaluate(c, [carl]).granted

    assert users_of(outcomes["ben"]) == ["ben"] and outcomes["carl"] == []
    assert winners(c, badge.achievement_id) == [("ben", "P:apollo")]


def test_a_call_evaluated_before_the_project_is_registered_wins_when_the_registration_lands(
    c: FakeContainer,
) -> None:
    badge = trailblazer(c)

    before = ingest_and_evaluate(c, [call("ben", "apollo", "2026-11-24T10:06:00Z")])
    other = ingest_and_evaluate(c, [call("carl", "apollo", "2026-11-24T10:07:00Z")])
    registration = ingest_and_evaluate(c, [created("apollo", "2026-11-24T10:05:00Z")])
    after = ingest_and_evaluate(c, [call("dora", "apollo", "2026-11-24T10:08:00Z")])
    redelivered = evaluate(c, [created("apollo", "2026-11-24T10:05:00Z")])

    assert before.granted == other.granted == after.granted == redelivered.granted == []
    assert users_of(registration.granted) == ["ben"]
    assert winners(c, badge.achievement_id) == [("ben", "P:apollo")]


def test_a_call_before_the_registration_of_an_older_project_never_wins(
    c: FakeContainer,
) -> None:
    badge = trailblazer(c)

    ingest_and_evaluate(c, [call("ben", "old", "2026-11-24T10:06:00Z")])
    registration = ingest_and_evaluate(c, [created("old", "2026-11-24T09:59:00Z")])
    later = ingest_and_evaluate(c, [call("carl", "old", "2026-11-24T10:08:00Z")])
    never_registered = ingest_and_evaluate(c, [call("dora", "ghost", "2026-11-24T10:09:00Z")])

    assert registration.granted == later.granted == never_registered.granted == []
    assert winners(c, badge.achievement_id) == []


def test_the_registration_and_the_first_call_in_one_batch_award_it(c: FakeContainer) -> None:
    badge = trailblazer(c)

    result = ingest_and_evaluate(
        c,
        [call("ben", "apollo", "2026-11-24T10:06:00Z"), created("apollo", "2026-11-24T10:05Z")],
    )

    assert users_of(result.granted) == ["ben"]
    assert winners(c, badge.achievement_id) == [("ben", "P:apollo")]


def test_only_projects_created_after_the_last_enable_count(c: FakeContainer) -> None:
    badge = trailblazer(c)
    wired(admin.edit_achievement, c, TENANT, badge.achievement_id, {"enabled": False})
    ingest_and_evaluate(c, [created("while-off", "2026-11-24T10:30:00Z")])
    disabled = ingest_and_evaluate(c, [call("ben", "while-off", "2026-11-24T10:31:00Z")])
    c.clock.set(at("2026-11-24T11:00:00Z"))
    enabled = wired(admin.edit_achievement, c, TENANT, badge.achievement_id, {"enabled": True})
    ingest_and_evaluate(c, [created("fresh", "2026-11-24T11:05:00Z")])

    stale = ingest_and_evaluate(c, [call("carl", "while-off", "2026-11-24T11:10:00Z")])
    fresh = ingest_and_evaluate(c, [call("carl", "fresh", "2026-11-24T11:11:00Z")])

    assert enabled.enabled_at == at("2026-11-24T11:00:00Z")
    assert disabled.granted == stale.granted == []
    assert users_of(fresh.granted) == ["carl"]
    assert winners(c, badge.achievement_id) == [("carl", "P:fresh")]


def test_a_grant_that_fails_reports_the_events_and_the_retry_grants_once(c: FakeContainer) -> None:
    badge = trailblazer(c)
    events = [created("apollo", "2026-11-24T10:05:00Z"), call("ben", "apollo", "2026-11-24T10:06Z")]
    c.events.add_new(TENANT, events)
    c.awards.fail_grants = 1

    failed = evaluate(c, events)
    retried = evaluate(c, events)

    assert {event_id for _, event_id in failed.failed} == {e.event_id for e in events}
    assert users_of(retried.granted) == ["ben"] and not retried.failed
    assert winners(c, badge.achievement_id) == [("ben", "P:apollo")]


def test_the_achievement_records_when_it_was_enabled(c: FakeContainer) -> None:
    on = trailblazer(c)
    c.clock.advance(timedelta(hours=1))
    off = trailblazer(c, enabled=False)

    assert on.enabled_at == at(ENABLED) and on.enabled_since == at(ENABLED)
    assert off.enabled_at is None


@pytest.mark.parametrize("types", [[], [f"type_{n}" for n in range(21)], ["call", "call"]])
def test_activity_types_are_one_to_twenty_event_types(c: FakeContainer, types: list[str]) -> None:
    with pytest.raises(InvalidInputError) as raised:
        achievement(c, name="Trailblazer", type="first_activity_in_project", activity_types=types)

    assert raised.value.field == "activity_types"


def test_a_first_activity_is_an_award_category(c: FakeContainer) -> None:
    with pytest.raises(InvalidInputError) as raised:
        trailblazer(c, category="record", period="month")

    assert raised.value.field == "category"


def test_a_first_activity_has_one_level(c: FakeContainer) -> None:
    with pytest.raises(InvalidInputError) as raised:
        trailblazer(c, levels=[{"threshold": 1}, {"threshold": 2}])

    assert raised.value.field == "levels"


def test_the_api_defines_trailblazer_with_its_activity_types(fakes: FakeContainer) -> None:
    admin_token = claims(TENANT, "root", admin=True)
    body = {
        "name": "Trailblazer",
        "type": "first_activity_in_project",
        "activity_types": ["call"],
        "levels": [{"points": 100}],
    }

    status, created = call_api(
        api, http_event("POST", "/v1/admin/achievements", body=body, claims=admin_token)
    )
    refused = [
        call_api(
            api,
            http_event(
                "POST",
                "/v1/admin/achievements",
                body=body | {"activity_types": types},
                claims=admin_token,
            ),
        )
        for types in ([], [f"t{n}" for n in range(21)], ["Not An Event Type"])
    ]

    assert status == 201
    assert created["activity_types"] == ["call"]
    assert created["enabled_at"] == created["created_at"]
    assert [status for status, _ in refused] == [422, 422, 422]
    assert all("activity_types" in answer["error"]["message"] for _, answer in refused)


def test_the_fake_projects_keep_the_adapters_semantics(c: FakeContainer) -> None:
    # The same steps as tests/integration/test_projects_dynamodb.py runs on DynamoDB Local.
    moment = at("2026-11-24T09:00:00Z")

    def first(user_id: str) -> FirstActivity:
        return FirstActivity(user_id=user_id, event_id=f"e-{user_id}", occurred_at=moment)

    claimed = c.projects.claim(TENANT, Project(project_id="apollo"), "tb", first("ben"))
    registered = c.projects.register(TENANT, "apollo", moment)
    again = c.projects.register(TENANT, "apollo", moment + timedelta(days=1))
    stale = c.projects.claim(TENANT, Project(project_id="apollo"), "tb", first("carl"))
    other = c.projects.claim(TENANT, Project(project_id="apollo"), "scout", first("carl"))

    assert claimed.created_at is None and claimed.first["tb"].user_id == "ben"
    assert registered.created_at == moment and registered.first["tb"].user_id == "ben"
    assert again.created_at == moment
    assert stale == again
    assert other.created_at == moment and other.version == 2
    assert {a: f.user_id for a, f in other.first.items()} == {"tb": "ben", "scout": "carl"}
    assert c.projects.projects(TENANT, ["apollo", "ghost"]) == {"apollo": other}
