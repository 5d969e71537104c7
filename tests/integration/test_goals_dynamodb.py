"""Personal goals on DynamoDB Local: a goal_reached award exists once per goal and period however
the stream redelivers or races, and a user's goals item keeps its cap against racing writers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from accolade.adapters.dynamo.goals import DynamoGoalRepository
from accolade.bootstrap import inject
from accolade.domain.models import Award, Goal
from accolade.domain.periods import TimeRange
from accolade.services import admin, goals
from tests.integration.helpers import batch, http_event, invoke, json_body
from tests.integration.loop import Loop, running_sum, sales

MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
DAILY = goals.GoalSetting(metric="sales", period=TimeRange.DAY, target=Decimal(3))


def with_goal(loop: Loop, goal_id: str = "daily", setting: goals.GoalSetting = DAILY) -> str:
    """The seeds' Closer metric, a goal_reached achievement worth 20 points, and user-1's goal."""
    loop.configure_closer()
    created = admin.create_achievement(
        loop.tenant_id,
        {"name": "Goal getter", "type": "goal_reached", "levels": [{"points": 20}]},
        ports=admin.DefinitionPorts(loop.container.config),
        clock=loop.container.clock,
    )
    inject(goals.set_goal, loop.container)(
        loop.tenant_id, "user-1", goal_id, setting, set_by="user-1"
    )
    return created.achievement_id


def goal_awards(loop: Loop, achievement_id: str) -> list[Award]:
    return sorted(
        (a for a in loop.awards() if a.achievement_id == achievement_id),
        key=lambda a: a.period_key,
    )


def test_a_redelivered_batch_grants_a_reached_goal_once(loop: Loop) -> None:
    achievement_id = with_goal(loop)
    loop.post(sales(5, MONDAY))
    records = loop.event_records(5)

    first = invoke(loop.evaluate, batch(records))
    redelivered = invoke(loop.evaluate, batch(records))
    again_from_the_third = invoke(loop.evaluate, batch(records[2:]))

    assert first == redelivered == again_from_the_third == {"batchItemFailures": []}
    found = goal_awards(loop, achievement_id)
    assert [a.period_key for a in found] == ["D2026-11-23#daily"]
    goal_records = [
        r
        for r in loop.award_records(len(loop.awards()))
        if r["dynamodb"]["NewImage"]["achievement_id"]["S"] == achievement_id
    ]
    assert len(goal_records) == 1  # written once, never overwritten
    assert running_sum(loop.ledger())


def test_evaluators_racing_on_overlapping_deliveries_grant_each_goal_and_period_once(
    loop: Loop, monkeypatch: pytest.MonkeyPatch
) -> None:
    achievement_id = with_goal(loop)
    days = [datetime(2026, 11, 23 + d, 8, 0, tzinfo=UTC) for d in range(3)]
    for day, start in enumerate(days):
        loop.post(sales(3, start, prefix=f"d{day}"))
    records = loop.event_records(9)
    writers = 6
    # Writer w gets the first days up to w % 3: each day's events reach several writers at once.
    batches = [records[: 3 * (w % 3 + 1)] for w in range(writers)]
    errors = loop.race(batches, monkeypatch)

    assert errors == []
    assert [a.period_key for a in goal_awards(loop, achievement_id)] == [
        f"D{day.date().isoformat()}#daily" for day in days
    ]
    ledger = loop.ledger()
    assert sorted(e.award_id for e in ledger) == sorted(a.award_id for a in loop.awards())
    assert running_sum(ledger)
    assert loop.wallet().points == sum(a.points for a in loop.awards())


def test_the_goal_sample_is_stored_and_read_with_its_progress(loop: Loop) -> None:
    loop.configure_closer()
    earlier = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    today = 2 if earlier.date() == datetime.now(UTC).date() else 0  # the tenant's zone is UTC
    loop.post(sales(2, earlier))
    loop.evaluate_until_done(loop.event_records(2))

    put = invoke(loop.api, http_event("api/put_my_goal.json", loop.tenant_id))
    found = loop.container.goals.goals_of(loop.tenant_id, ["user-1"])["user-1"]

    assert put["statusCode"] == 200, put
    assert [(g.goal_id, g.target) for g in found] == [("daily-sales", Decimal(3))]
    assert (json_body(put)["value"], json_body(put)["reached"]) == (today, False)


def goal(goal_id: str, user_id: str = "ana") -> Goal:
    return Goal(
        user_id=user_id,
        goal_id=goal_id,
        metric="sales",
        period=TimeRange.WEEK,
        target=Decimal("2.5"),
        set_by="admin",
        updated_at=MONDAY,
    )


@pytest.mark.usefixtures("aws_env", "accolade")
def test_racing_writers_never_pass_a_users_cap_nor_lose_a_goal(tenant_id: str) -> None:
    repository = DynamoGoalRepository()
    start = threading.Barrier(8)
    stored: list[bool] = []

    def put(n: int) -> None:
        start.wait()
        stored.append(repository.put_goal(tenant_id, goal(f"g{n}"), cap=5))

    threads = [threading.Thread(target=put, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    found = repository.goals_of(tenant_id, ["ana", "ben"])

    assert sorted(stored) == [False] * 3 + [True] * 5
    assert set(found) == {"ana"} and len(found["ana"]) == 5
    assert found["ana"][0].target == Decimal("2.5")


@pytest.mark.usefixtures("aws_env", "accolade")
def test_goals_are_replaced_and_deleted_and_the_last_delete_leaves_no_item(tenant_id: str) -> None:
    repository = DynamoGoalRepository()

    repository.put_goal(tenant_id, goal("a"))
    repository.put_goal(tenant_id, goal("b"))
    replaced = repository.put_goal(tenant_id, goal("a").model_copy(update={"target": Decimal(9)}))
    targets = {g.goal_id: g.target for g in repository.goals_of(tenant_id, ["ana"])["ana"]}
    deleted = [repository.delete_goal(tenant_id, "ana", g) for g in ("a", "a", "b")]

    assert replaced is True
    assert targets == {"a": Decimal(9), "b": Decimal("2.5")}
    assert deleted == [True, False, True]
    assert repository.goals_of(tenant_id, ["ana"]) == {}
