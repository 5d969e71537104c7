"""streams.process_each_record: a stream batch handled a record at a time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from accolade.bootstrap import Container
from accolade.entrypoints.streams import BatchFailed, Record, message_id, process_each_record
from accolade_local.handlers import LambdaContext
from tests.fakes import FakeContainer

BATCH = Path(__file__).resolve().parents[2] / "events" / "deliver_messages" / "award_inserted.json"

pytestmark = pytest.mark.usefixtures("fakes")


def batch() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(BATCH.read_text())
    return loaded


def test_each_record_gets_its_raw_image_and_the_container(fakes: FakeContainer) -> None:
    seen: list[tuple[Record, Container]] = []

    response = process_each_record(
        batch(), LambdaContext(), lambda record, c: seen.append((record, c))
    )

    assert response == {"batchItemFailures": []}
    assert [record for record, _ in seen] == batch()["Records"]
    assert all(c is fakes for _, c in seen)


def test_a_record_that_raises_is_reported_for_retry() -> None:
    first = batch()["Records"][0]
    second = {**first, "dynamodb": {**first["dynamodb"], "SequenceNumber": "222"}}

    def fail_second(record: Record, c: Container) -> None:
        if record["dynamodb"]["SequenceNumber"] == "222":
            raise RuntimeError("boom")

    response = process_each_record({"Records": [first, second]}, LambdaContext(), fail_second)

    assert response == {"batchItemFailures": [{"itemIdentifier": "222"}]}


def test_a_batch_whose_every_record_raises_fails_the_invocation() -> None:
    # Lambda then retries the batch whole (a function error), as for a crash.
    def fail(record: Record, c: Container) -> None:
        raise RuntimeError("boom")

    with pytest.raises(BatchFailed):
        process_each_record(batch(), LambdaContext(), fail)


def test_queue_messages_are_reported_by_their_message_id() -> None:
    messages = [{"messageId": "m-1", "body": "{}"}, {"messageId": "m-2", "body": "{}"}]

    def fail_first(record: Record, c: Container) -> None:
        if record["messageId"] == "m-1":
            raise RuntimeError("boom")

    response = process_each_record({"Records": messages}, LambdaContext(), fail_first, message_id)

    assert response == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
