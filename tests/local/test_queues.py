"""Queue pollers against moto's SQS: Lambda's event source mapping for a queue."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto import mock_aws

from accolade_local.pollers import QueuePoller
from accolade_local.runtime import FunctionError
from accolade_local.template import QueueMapping

MAPPING = QueueMapping(
    function_id="SelectWinnersFunction",
    event_name="ClosedPeriods",
    queue_id="WinnersQueue",
    batch_size=10,
    report_batch_item_failures=True,
)
QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:winners"


@dataclass
class Function:
    """Fails the bodies in ``failing`` (reported), or everything with ``error``."""

    failing: set[str] = field(default_factory=set)
    error: bool = False
    batches: list[list[dict[str, Any]]] = field(default_factory=list)
    function_id: str = "SelectWinnersFunction"

    def invoke(self, event: Any, timeout: float | None = None) -> Any:
        self.batches.append(event["Records"])
        if self.error:
            raise FunctionError({"errorType": "Boom", "errorMessage": "down"})
        failed = [r["messageId"] for r in event["Records"] if r["body"] in self.failing]
        return {"batchItemFailures": [{"itemIdentifier": i} for i in failed]}


@dataclass
class Queues:
    sqs: Any
    url: str
    dead_letters: str


@pytest.fixture
def queues() -> Iterator[Queues]:
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        dlq = sqs.create_queue(QueueName="winners-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])
        redrive = {"deadLetterTargetArn": dlq_arn["Attributes"]["QueueArn"], "maxReceiveCount": 2}
        url = sqs.create_queue(
            QueueName="winners", Attributes={"RedrivePolicy": json.dumps(redrive)}
        )["QueueUrl"]
        yield Queues(sqs, url, dlq)


def _poller(queues: Queues, function: Function) -> QueuePoller:
    return QueuePoller(MAPPING, function, queues.sqs, queues.url, QUEUE_ARN, retry_delay_s=0)


def _send(queues: Queues, *bodies: str) -> None:
    for body in bodies:
        queues.sqs.send_message(QueueUrl=queues.url, MessageBody=body)


def _count(queues: Queues, url: str) -> int:
    attributes = queues.sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(v) for v in attributes.values())


def test_a_batch_arrives_in_lambdas_sqs_shape_and_is_deleted_when_handled(
    queues: Queues,
) -> None:
    function = Function()
    _send(queues, "a", "b")

    handled = _poller(queues, function).drain(timeout=10)

    assert handled == 2
    records = [r for batch in function.batches for r in batch]
    assert sorted(r["body"] for r in records) == ["a", "b"]
    assert {r["eventSource"] for r in records} == {"aws:sqs"}
    assert {r["eventSourceARN"] for r in records} == {QUEUE_ARN}
    assert all(r["attributes"]["ApproximateReceiveCount"] == "1" for r in records)
    assert _count(queues, queues.url) == 0


def test_only_the_reported_failures_come_back_then_go_to_the_dead_letter_queue(
    queues: Queues,
) -> None:
    function = Function(failing={"bad"})
    _send(queues, "good", "bad")
    poller = _poller(queues, function)

    for _ in range(4):  # maxReceiveCount 2: received twice, then redriven
        poller.tick()
        time.sleep(0.05)

    bodies = [[r["body"] for r in batch] for batch in function.batches]
    assert sorted(bodies[0]) == ["bad", "good"]
    assert bodies[1:] == [["bad"]]
    assert _count(queues, queues.url) == 0
    dead = queues.sqs.receive_message(QueueUrl=queues.dead_letters)["Messages"]
    assert [m["Body"] for m in dead] == ["bad"]


def test_a_function_error_keeps_the_whole_batch(queues: Queues) -> None:
    function = Function(error=True)
    _send(queues, "a")
    poller = _poller(queues, function)

    poller.tick()
    function.error = False
    time.sleep(0.05)
    poller.tick()

    assert [[r["body"] for r in batch] for batch in function.batches] == [["a"], ["a"]]
    assert function.batches[1][0]["attributes"]["ApproximateReceiveCount"] == "2"
    assert _count(queues, queues.url) == 0


def test_drain_returns_while_the_running_poller_long_polls_an_empty_queue(
    queues: Queues,
) -> None:
    function = Function()
    poller = _poller(queues, function).start()
    try:
        _send(queues, "a")

        poller.drain(timeout=10)
        idle = poller.drain(timeout=10)
    finally:
        poller.stop()

    assert idle == 0
    assert [[r["body"] for r in batch] for batch in function.batches] == [["a"]]
    assert _count(queues, queues.url) == 0
