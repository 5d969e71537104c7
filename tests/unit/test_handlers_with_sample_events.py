"""The sample payloads in events/ drive the real handlers, with a container of fakes."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from accolade.domain.closing import TenantCloses
from accolade.domain.models import (
    Achievement,
    AchievementType,
    Category,
    CounterKey,
    Level,
)
from accolade.domain.periods import TimeRange
from accolade.ports import InboxQuery
from accolade.services import admin
from accolade_local.handlers import LambdaContext, load_handler
from tests.fakes import FakeContainer
from tests.unit.builders import activity, at, ingest_and_evaluate, metric, wired

EVENTS = Path(__file__).resolve().parents[2] / "events"
DEMO = "demo"

FUNCTIONS = ("api", "ingest_events", "evaluate_events", "deliver_messages", "close_periods")
api, ingest, evaluate, deliver, close_periods = map(load_handler, FUNCTIONS)
select_winners = load_handler("select_winners")


def sample(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return loaded


def invoke(handler: Any, name: str) -> dict[str, Any]:
    response: dict[str, Any] = handler.lambda_handler(sample(name), LambdaContext())
    return response


def body(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


pytestmark = pytest.mark.usefixtures("fakes")


def test_sample_requests_of_the_api(fakes: FakeContainer) -> None:
    health = invoke(api, "api/health.json")
    put_settings = invoke(api, "api/put_settings.json")
    put_metric = invoke(api, "api/put_metric.json")
    created = invoke(api, "api/post_achievement.json")
    mine = invoke(api, "api/me_achievements.json")
    goal = invoke(api, "api/put_my_goal.json")

    assert health["statusCode"] == 200
    assert put_settings["statusCode"] == 200
    assert fakes.config.get_config(DEMO).settings.timezone == "Europe/Berlin"
    assert (put_metric["statusCode"], created["statusCode"]) == (200, 201)
    assert body(created)["name"] == "Closer"
    assert (mine["statusCode"], body(mine)) == (200, {"items": [], "next_cursor": None})
    assert goal["statusCode"] == 200
    assert (body(goal)["user_id"], body(goal)["target"]) == ("user-1", 3)


def test_sample_events_are_ingested_then_counted_from_their_stream_batch(
    fakes: FakeContainer,
) -> None:
    invoke(api, "api/put_metric.json")

    accepted = invoke(ingest, "ingest_events/post_events.json")
    evaluated = invoke(evaluate, "evaluate_events/stream_batch.json")
    redelivered = invoke(evaluate, "evaluate_events/stream_batch.json")

    assert accepted["statusCode"] == 202
    assert len(body(accepted)["accepted"]) == 3
    assert evaluated == redelivered == {"batchItemFailures": []}
    key = CounterKey("user-1", "sales", "ALL")
    assert fakes.progress.counters(DEMO, [key]) == {key: Decimal(2)}


def test_the_invalid_sample_is_422_naming_the_field(fakes: FakeContainer) -> None:
    response = invoke(ingest, "ingest_events/post_events_invalid.json")

    assert response["statusCode"] == 422
    fields = [detail["field"] for detail in body(response)["error"]["details"]]
    assert "events[1].occurred_at" in fields
    assert fakes.events.stored(DEMO) == []


def test_the_sample_award_record_is_announced_once(fakes: FakeContainer) -> None:
    first = invoke(deliver, "deliver_messages/award_inserted.json")
    again = invoke(deliver, "deliver_messages/award_inserted.json")

    assert first == again == {"batchItemFailures": []}
    [publication] = fakes.notifier.publications
    assert publication.attributes["tenant_id"] == DEMO
    assert [
        m.user_id for m in fakes.inbox.messages(DEMO, "user-1", InboxQuery(limit=100)).items
    ] == ["user-1"]


def test_the_hourly_sample_queues_the_tenant_whose_message_grants_its_winner_once(
    fakes: FakeContainer,
) -> None:
    metric(fakes, tenant_id=DEMO)
    speedy = wired(
        admin.create_achievement,
        fakes,
        DEMO,
        {"name": "Speedy Gonzales", "type": "period_top", "metric": "sales", "period": "week"},
    )
    ingest_and_evaluate(fakes, [activity("s1", "2026-11-26T10:00:00Z", user_id="user-1")], DEMO)
    fakes.clock.set(at("2026-11-30T09:01:00Z"))
    message = sample("select_winners/tenant_closes.json")
    (record,) = message["Records"]
    record["body"] = record["body"].replace("speedy-gonzales", speedy.achievement_id)

    closing = invoke(close_periods, "close_periods/hourly.json")
    (queued,) = fakes.winners_queue.take()
    first = select_winners.lambda_handler(message, LambdaContext())
    again = select_winners.lambda_handler(message, LambdaContext())

    assert closing == {"as_of": "2026-11-30T09:00:00+00:00", "tenants": 1, "closes": 1}
    assert TenantCloses.model_validate_json(record["body"]) == queued
    assert first == again == {"batchItemFailures": []}
    assert [(a.user_id, a.period_key) for a in fakes.awards.all_awards(DEMO)] == [
        ("user-1", "W2026-W48")
    ]


def test_an_unreadable_winners_message_alone_is_reported_failed(fakes: FakeContainer) -> None:
    message = sample("select_winners/tenant_closes.json")
    (good,) = message["Records"]
    bad = {**good, "messageId": "unreadable", "body": "{}"}

    response = select_winners.lambda_handler({"Records": [good, bad]}, LambdaContext())

    # Retried until the queue's redrive moves it to WinnersDeadLetterQueue.
    assert response == {"batchItemFailures": [{"itemIdentifier": "unreadable"}]}


def test_sample_requests_give_feature_and_revoke_an_award_by_hand(fakes: FakeContainer) -> None:
    now = fakes.clock.now()
    fakes.config.create_achievement(
        DEMO,
        Achievement(
            achievement_id="employee-of-the-month",
            name="Employee of the Month",
            type=AchievementType.MANUAL,
            category=Category.RECORD,
            period=TimeRange.MONTH,
            levels=(Level(points=500),),
            created_at=now,
            updated_at=now,
        ),
    )

    given = invoke(api, "api/give_award.json")
    featured = invoke(api, "api/put_featured_award.json")
    revoked = invoke(api, "api/revoke_award.json")
    announced = invoke(deliver, "deliver_messages/award_revoked.json")

    assert (given["statusCode"], body(given)["note"]) == (201, "Closed the Acme renewal")
    assert featured["statusCode"] == 200
    assert (revoked["statusCode"], body(revoked)["status"]) == (200, "revoked")
    assert announced == {"batchItemFailures": []}
    assert [p.payload["type"] for p in fakes.notifier.publications] == ["award.revoked"]
