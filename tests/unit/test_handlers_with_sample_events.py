"""The sample payloads in events/ drive the real handlers, with a container of fakes."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from accolade.domain.models import CounterKey
from accolade_local.handlers import LambdaContext, load_handler
from tests.fakes import FakeContainer

EVENTS = Path(__file__).resolve().parents[2] / "events"
DEMO = "demo"

api = load_handler("api")
ingest = load_handler("ingest_events")
evaluate = load_handler("evaluate_events")
deliver = load_handler("deliver_messages")


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
    assert [m.user_id for m in fakes.inbox.messages(DEMO, "user-1", limit=100).items] == ["user-1"]
