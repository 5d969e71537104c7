"""The payloads in events/ drive the handlers they are for (the same files `accolade local invoke`
and `sam local invoke` take), retargeted to a fresh tenant."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from accolade.domain.closing import TenantCloses
from accolade.domain.models import CounterKey
from accolade_local.handlers import load_handler
from accolade_local.pollers import with_context
from accolade_local.streams import match_any
from accolade_local.template import LocalNames, Template
from tests.integration.helpers import (
    EVENTS,
    batch,
    http_event,
    invoke,
    json_body,
    load_event,
    retarget,
)

ADMIN_REQUESTS = [
    ("api/put_settings.json", 200),
    ("api/put_user.json", 200),
    ("api/put_metric.json", 200),
    ("api/post_achievement.json", 201),
]


def test_every_sample_is_listed_in_the_readme() -> None:
    readme = (EVENTS / "README.md").read_text(encoding="utf-8")
    samples = sorted(str(p.relative_to(EVENTS)) for p in EVENTS.rglob("*.json"))

    assert [s for s in samples if f"`{s}`" not in readme] == []


def test_health_answers_without_a_token(aws_env: dict[str, str]) -> None:
    response = invoke(load_handler("api"), load_event("api/health.json"))

    assert response["statusCode"] == 200
    assert json_body(response)["status"] == "ok"


def test_admin_samples_are_accepted_in_order(accolade: Any, tenant_id: str) -> None:
    api = load_handler("api")

    statuses = [
        invoke(api, http_event(sample, tenant_id))["statusCode"] for sample, _ in ADMIN_REQUESTS
    ]

    assert statuses == [status for _, status in ADMIN_REQUESTS]
    assert accolade.config.get_config(tenant_id).settings.timezone == "Europe/Berlin"
    assert accolade.users.get_users(tenant_id, ["user-1"])["user-1"].groups == ("sales", "emea")


def test_me_achievements_shows_the_closer_the_samples_configure(
    accolade: Any, tenant_id: str
) -> None:
    api = load_handler("api")
    for sample, _ in ADMIN_REQUESTS:
        invoke(api, http_event(sample, tenant_id))

    response = invoke(api, http_event("api/me_achievements.json", tenant_id))
    everything = invoke(
        api,
        {
            **http_event("api/me_achievements.json", tenant_id),
            "rawQueryString": "",
            "queryStringParameters": None,
        },
    )

    assert response["statusCode"] == 200
    assert json_body(response)["items"] == []  # status=completed: nothing earned yet
    assert [item["name"] for item in json_body(everything)["items"]] == ["Closer"]


def test_the_sample_batch_is_accepted_then_reported_as_duplicates(
    accolade: Any, tenant_id: str
) -> None:
    ingest = load_handler("ingest_events")
    ids = [e["id"] for e in json_body(load_event("ingest_events/post_events.json"))["events"]]

    first = invoke(ingest, http_event("ingest_events/post_events.json", tenant_id))
    again = invoke(ingest, http_event("ingest_events/post_events.json", tenant_id))

    assert (first["statusCode"], json_body(first)) == (202, {"accepted": ids, "duplicates": []})
    assert (again["statusCode"], json_body(again)) == (202, {"accepted": [], "duplicates": ids})


def test_the_invalid_sample_is_refused_naming_the_field_and_nothing_is_stored(
    accolade: Any, tenant_id: str, dynamodb_client: Any, table_name: str
) -> None:
    response = invoke(
        load_handler("ingest_events"),
        http_event("ingest_events/post_events_invalid.json", tenant_id),
    )

    assert response["statusCode"] == 422
    error = json_body(response)["error"]
    assert "events[1].occurred_at" in error["message"] + str(error["details"])
    stored = dynamodb_client.get_item(
        TableName=table_name,
        Key={"PK": {"S": f"T#{tenant_id}#U#user-1"}, "SK": {"S": "EVT#evt-2026-11-23-0101"}},
    )
    assert "Item" not in stored


def test_the_sample_stream_batch_passes_the_evaluate_filter_and_counts_once(
    accolade: Any,
    tenant_id: str,
    dynamodb_client: Any,
    table_name: str,
    stream_filters: dict[str, Any],
) -> None:
    event = retarget(load_event("evaluate_events/stream_batch.json"), tenant_id)
    api, evaluate = load_handler("api"), load_handler("evaluate_events")
    invoke(api, http_event("api/put_metric.json", tenant_id))
    for record in event["Records"]:  # the items the records announce, as the ingest wrote them
        dynamodb_client.put_item(TableName=table_name, Item=record["dynamodb"]["NewImage"])

    first = invoke(evaluate, event)
    redelivered = invoke(evaluate, event)

    assert all(match_any(stream_filters["EvaluateEventsFunction"], r) for r in event["Records"])
    assert first == redelivered == {"batchItemFailures": []}
    sales = CounterKey("user-1", "sales", "W2026-W48")
    assert accolade.progress.counters(tenant_id, [sales]) == {sales: Decimal(2)}


def test_the_sample_award_record_passes_the_deliver_filter(stream_filters: dict[str, Any]) -> None:
    (record,) = load_event("deliver_messages/award_inserted.json")["Records"]

    assert match_any(stream_filters["DeliverMessagesFunction"], record)
    assert not match_any(stream_filters["EvaluateEventsFunction"], record)


def test_the_hourly_sample_is_the_schedules_input_as_scheduler_fills_it_in(
    template: Template,
) -> None:
    (schedule,) = [s for s in template.schedules() if s.event_name == "HourlyClose"]
    sample = load_event("close_periods/hourly.json")

    filled = with_context(schedule.input, {"aws.scheduler.scheduled-time": sample["as_of"]})

    assert filled == sample


def test_the_winners_sample_is_a_message_of_the_winners_queue() -> None:
    (record,) = load_event("select_winners/tenant_closes.json")["Records"]

    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == LocalNames().queue_arn("WinnersQueue")
    assert TenantCloses.model_validate_json(record["body"]).tenant_id == "demo"


def test_samples_are_lambda_shaped() -> None:
    stream_batch = load_event("evaluate_events/stream_batch.json")

    assert len(stream_batch["Records"]) == 3
    assert {r["eventName"] for r in stream_batch["Records"]} == {"INSERT"}
    assert [r["dynamodb"]["NewImage"]["entity"]["S"] for r in stream_batch["Records"]] == [
        "event"
    ] * 3
    assert batch(stream_batch["Records"]) == stream_batch
