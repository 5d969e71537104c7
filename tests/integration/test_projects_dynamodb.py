"""First activity in a project on DynamoDB Local: the project item's conditional writes keep one
winner per project while evaluators of several users' shards race, the registration among them,
in whichever order they land."""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accolade.domain.projects import FirstActivity, Project
from accolade.ports import HoldersQuery
from accolade_local.handlers import load_handler
from tests.integration.helpers import http_event, invoke, json_body
from tests.integration.loop import Loop

pytestmark = pytest.mark.usefixtures("aws_env")

TRAILBLAZER = "api/post_achievement_trailblazer.json"
SAMPLE_EVENTS = "ingest_events/post_project_events.json"


def first(user_id: str, moment: datetime) -> FirstActivity:
    return FirstActivity(user_id=user_id, event_id=f"e-{user_id}", occurred_at=moment)


def create_trailblazer(loop: Loop) -> str:
    created = invoke(loop.api, http_event(TRAILBLAZER, loop.tenant_id))
    assert created["statusCode"] == 201, created
    return str(json_body(created)["id"])


def trailblazers(loop: Loop, achievement_id: str) -> list[tuple[str, str]]:
    query = HoldersQuery(achievement_id, status=None, now=datetime.now(UTC), limit=100)
    holders = loop.container.awards.holders_page(loop.tenant_id, query).items
    return sorted((award.user_id, award.period_key) for award in holders)


def test_a_claim_before_the_registration_comes_back_with_it(accolade: Any, tenant_id: str) -> None:
    projects = accolade.projects
    created_at = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

    claimed = projects.claim(
        tenant_id, Project(project_id="apollo"), "tb", first("ben", created_at)
    )
    registered = projects.register(tenant_id, "apollo", created_at)
    again = projects.register(tenant_id, "apollo", created_at + timedelta(days=1))
    stale = projects.claim(tenant_id, Project(project_id="apollo"), "tb", first("carl", created_at))
    other = projects.claim(
        tenant_id, Project(project_id="apollo"), "scout", first("carl", created_at)
    )

    assert claimed.created_at is None and claimed.first["tb"].user_id == "ben"
    assert registered.created_at == created_at and registered.first["tb"].user_id == "ben"
    assert again.created_at == created_at
    assert stale == again  # read again: ben's claim stands
    assert other.created_at == created_at and other.version == 2
    assert {a: f.user_id for a, f in other.first.items()} == {"tb": "ben", "scout": "carl"}
    assert projects.projects(tenant_id, ["apollo", "ghost"]) == {"apollo": other}


def test_racing_claims_of_several_achievements_keep_one_first_each(
    accolade: Any, tenant_id: str
) -> None:
    moment = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    start = threading.Barrier(6)

    def claim(user_id: str, achievement_id: str) -> None:
        start.wait()
        accolade.projects.claim(
            tenant_id, Project(project_id="apollo"), achievement_id, first(user_id, moment)
        )

    threads = [
        threading.Thread(target=claim, args=(user, achievement))
        for user in ("ana", "ben", "carl")
        for achievement in ("tb", "scout")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    (stored,) = accolade.projects.projects(tenant_id, ["apollo"]).values()

    assert set(stored.first) == {"tb", "scout"}
    assert stored.version == 2


def test_the_sample_call_wins_trailblazer_once(loop: Loop) -> None:
    achievement_id = create_trailblazer(loop)
    config = loop.container.config
    defined = config.get_achievement(loop.tenant_id, achievement_id)
    assert defined is not None
    # The samples are dated 2026-11-24; the badge counts as enabled before them.
    config.replace_achievement(
        loop.tenant_id,
        defined.model_copy(
            update={"enabled_at": datetime(2026, 11, 24, 8, 0, tzinfo=UTC), "version": 2}
        ),
        expected_version=1,
    )
    posted = invoke(loop.ingest, http_event(SAMPLE_EVENTS, loop.tenant_id))
    assert posted["statusCode"] == 202, posted
    records = loop.event_records(2)

    loop.evaluate_until_done(records)
    loop.evaluate_until_done(records)  # redelivered

    assert trailblazers(loop, achievement_id) == [("user-1", "P:apollo")]
    assert loop.wallet("user-1").points == 100


@pytest.mark.parametrize("round_", range(3))
def test_evaluators_of_several_users_racing_the_registration_make_one_winner(
    loop: Loop, round_: int
) -> None:
    achievement_id = create_trailblazer(loop)
    now = datetime.now(UTC) + timedelta(seconds=1)  # created after the badge was enabled
    projects = ("apollo", "gemini")
    events = [
        {
            "id": f"new-{project}",
            "type": "project.created",
            "user_id": "owner",
            "occurred_at": now.isoformat(),
            "attributes": {"project_id": project},
        }
        for project in projects
    ] + [
        {
            "id": f"call-{user}-{project}",
            "type": "call",
            "user_id": user,
            "occurred_at": (now + timedelta(seconds=n)).isoformat(),
            "attributes": {"project_id": project},
        }
        for n, user in enumerate(("ana", "ben", "carl", "dora"))
        for project in projects
    ]
    loop.post(events)
    by_user: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in loop.event_records(len(events)):
        by_user[record["dynamodb"]["NewImage"]["user_id"]["S"]].append(record)
    # One evaluator per user's shard, the registrations' among them, all started at once.
    start = threading.Barrier(len(by_user))
    errors: list[BaseException] = []

    def evaluate(records: list[dict[str, Any]]) -> None:
        handler = load_handler("evaluate_events")
        try:
            start.wait()
            loop.evaluate_until_done(records, handler)
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=evaluate, args=(r,)) for r in by_user.values()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    found = loop.container.projects.projects(loop.tenant_id, projects)
    winners = trailblazers(loop, achievement_id)

    assert errors == []
    assert sorted(period for _, period in winners) == ["P:apollo", "P:gemini"]
    assert winners == sorted((found[p].first[achievement_id].user_id, f"P:{p}") for p in projects)
    points = {user: loop.wallet(user).points for user in ("ana", "ben", "carl", "dora")}
    assert sum(points.values()) == 100 * len(projects)
