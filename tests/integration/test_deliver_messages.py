"""deliver_messages end to end: award stream record -> inbox message and one SNS publication,
received by the AwardsFeedQueue subscription that template.yaml provisions."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from accolade.ports import InboxQuery
from accolade_local.handlers import load_handler
from tests.integration.helpers import batch, invoke, load_event, retarget
from tests.integration.loop import Loop, sales

MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def feed_messages(sqs: Any, queue_url: str, tenant_id: str, quiet_s: float = 1.0) -> list[Any]:
    """The tenant's messages on the feed queue, read until the queue stays empty ``quiet_s``."""
    found: list[Any] = []
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        received = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            MessageAttributeNames=["All"],
            WaitTimeSeconds=int(quiet_s),
        ).get("Messages", [])
        if not received:
            return found
        for message in received:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            attributes = message.get("MessageAttributes", {})
            if attributes.get("tenant_id", {}).get("StringValue") == tenant_id:
                found.append(message)
    raise TimeoutError("the feed queue kept receiving messages")


def test_an_award_is_announced_once_to_the_inbox_and_the_feed_queue(
    loop: Loop, sqs_client: Any, feed_queue_url: str
) -> None:
    closer = loop.configure_closer()
    loop.post(sales(5, MONDAY))
    loop.evaluate_until_done(loop.event_records(5))
    (award_record,) = loop.award_records(1)
    deliver = load_handler("deliver_messages")
    feed_messages(sqs_client, feed_queue_url, loop.tenant_id, quiet_s=0)

    first = invoke(deliver, batch([award_record]))
    published = feed_messages(sqs_client, feed_queue_url, loop.tenant_id)
    redelivered = invoke(deliver, batch([award_record]))
    published_again = feed_messages(sqs_client, feed_queue_url, loop.tenant_id)

    assert first == redelivered == {"batchItemFailures": []}
    (award,) = loop.awards()
    (message,) = loop.container.inbox.messages(
        loop.tenant_id, "user-1", InboxQuery(limit=100)
    ).items
    assert message.award_id == award.award_id
    assert message.title == "You earned Closer I"
    assert len(published) == 1
    attributes = {k: v["StringValue"] for k, v in published[0]["MessageAttributes"].items()}
    assert attributes == {
        "tenant_id": loop.tenant_id,
        "event_type": "award.granted",
        "achievement_type": "metric_threshold",
        "award_id": award.award_id,
    }
    payload = json.loads(published[0]["Body"])  # raw delivery: the body is the payload itself
    assert payload["award_id"] == award.award_id
    assert payload["achievement_id"] == closer
    assert payload["points"] == 50
    assert published_again == []


def test_the_sample_award_record_is_delivered(
    accolade: Any, sqs_client: Any, feed_queue_url: str, tenant_id: str
) -> None:
    event = retarget(load_event("deliver_messages/award_inserted.json"), tenant_id)
    (record,) = event["Records"]
    award_id = record["dynamodb"]["NewImage"]["award_id"]["S"]

    response = invoke(load_handler("deliver_messages"), event)

    assert response == {"batchItemFailures": []}
    (message,) = accolade.inbox.messages(tenant_id, "user-1", InboxQuery(limit=100)).items
    assert message.award_id == award_id
    (published,) = feed_messages(sqs_client, feed_queue_url, tenant_id)
    assert published["MessageAttributes"]["event_type"]["StringValue"] == "award.granted"
