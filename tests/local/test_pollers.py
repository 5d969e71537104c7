"""Stream pollers against DynamoDB Local: Lambda's event source mapping semantics."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from accolade_local import services
from accolade_local.runtime import FunctionError
from accolade_local.streams import CheckpointStore, StreamPoller
from accolade_local.template import StreamMapping

EVENTS_ONLY = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"entity": {"S": ["event"]}}}}


@pytest.fixture(scope="module")
def dynamodb_endpoint() -> Iterator[str]:
    service = services.DynamoDBLocal(services.free_port()).start()
    yield service.endpoint
    service.stop()


@dataclass
class Table:
    name: str
    stream_arn: str
    client: Any
    streams: Any

    def put(self, pk: str, entity: str = "event", **extra: str) -> None:
        item = {"PK": {"S": pk}, "SK": {"S": "#"}, "entity": {"S": entity}}
        item.update({k: {"S": v} for k, v in extra.items()})
        self.client.put_item(TableName=self.name, Item=item)

    def put_each(self, pks: str) -> None:
        """One event item per letter, in order."""
        for pk in pks:
            self.put(pk)


@pytest.fixture
def table(dynamodb_endpoint: str) -> Table:
    client = services.client("dynamodb", dynamodb_endpoint)
    name = f"t-{uuid.uuid4().hex[:8]}"
    created = client.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return Table(
        name,
        created["TableDescription"]["LatestStreamArn"],
        client,
        services.client("dynamodbstreams", dynamodb_endpoint),
    )


@dataclass
class FakeFunction:
    """In-process stand-in for FunctionWorkers: records batches, fails as told."""

    behaviour: Callable[[list[str]], Any] = lambda pks: None
    batches: list[list[str]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    function_id: str = "FakeFunction"

    def invoke(self, event: Any, timeout: float | None = None) -> Any:
        pks = [r["dynamodb"]["Keys"]["PK"]["S"] for r in event["Records"]]
        self.batches.append(pks)
        self.events.append(event)
        return self.behaviour(pks)


def _mapping(**overrides: Any) -> StreamMapping:
    base = StreamMapping(
        function_id="FakeFunction",
        event_name="Stream",
        table_id="Table",
        batch_size=100,
        batching_window_s=0,
        bisect=False,
        max_retries=2,
        report_batch_item_failures=True,
    )
    return replace(base, **overrides)


def _poller(
    table: Table,
    function: FakeFunction,
    mapping: StreamMapping,
    *,
    checkpoints: CheckpointStore | None = None,
    failures: list[dict[str, Any]] | None = None,
) -> StreamPoller:
    return StreamPoller(
        mapping,
        function,
        table.streams,
        table.stream_arn,
        checkpoints=checkpoints,
        on_failure=failures.append if failures is not None else None,
        function_arn="arn:aws:lambda:us-east-1:000000000000:function:fake",
        poll_interval_s=0.05,
        retry_delay_s=0,
    )


def _seq_of(function: FakeFunction, pk: str) -> str:
    for event in function.events:
        for record in event["Records"]:
            if record["dynamodb"]["Keys"]["PK"]["S"] == pk:
                return str(record["dynamodb"]["SequenceNumber"])
    raise AssertionError(pk)


def test_records_arrive_as_lambda_delivers_them(table: Table) -> None:
    function = FakeFunction()
    table.put("a", extra="x")
    table.client.update_item(
        TableName=table.name,
        Key={"PK": {"S": "a"}, "SK": {"S": "#"}},
        UpdateExpression="SET extra = :v",
        ExpressionAttributeValues={":v": {"S": "y"}},
    )

    processed = _poller(table, function, _mapping()).drain(30)

    insert, modify = function.events[0]["Records"]
    assert processed == len(function.events[0]["Records"]) == 2  # the put, the update
    assert insert["eventName"] == "INSERT"
    assert modify["eventName"] == "MODIFY"
    assert insert["eventSource"] == "aws:dynamodb"
    assert insert["eventSourceARN"] == table.stream_arn
    assert insert["awsRegion"]
    assert insert["eventID"]
    assert insert["eventVersion"]
    dynamodb = modify["dynamodb"]
    assert dynamodb["Keys"] == {"PK": {"S": "a"}, "SK": {"S": "#"}}
    assert dynamodb["OldImage"]["extra"] == {"S": "x"}
    assert dynamodb["NewImage"]["extra"] == {"S": "y"}
    assert dynamodb["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert isinstance(dynamodb["ApproximateCreationDateTime"], int)
    assert isinstance(dynamodb["SizeBytes"], int)
    assert int(dynamodb["SequenceNumber"]) > int(insert["dynamodb"]["SequenceNumber"])


def test_records_not_matching_the_filter_are_skipped(table: Table) -> None:
    function = FakeFunction()
    written = {"e1": "event", "award-1": "award", "e2": "event"}
    for pk, entity in written.items():
        table.put(pk, entity=entity)

    processed = _poller(table, function, _mapping(filter_patterns=[EVENTS_ONLY])).drain()

    assert processed == len(written)
    assert function.batches == [[pk for pk, entity in written.items() if entity == "event"]]


def test_batches_hold_at_most_batch_size_records(table: Table) -> None:
    function = FakeFunction()
    table.put_each("abcde")

    _poller(table, function, _mapping(batch_size=2)).drain()

    assert function.batches == [["a", "b"], ["c", "d"], ["e"]]


def test_a_reported_item_failure_is_retried_from_that_record(table: Table) -> None:
    failed_once = threading.Event()
    function: FakeFunction  # made below, from this behaviour

    def fail_b_once(pks: list[str]) -> dict[str, Any]:
        if "b" in pks and not failed_once.is_set():
            failed_once.set()
            return {"batchItemFailures": [{"itemIdentifier": _seq_of(function, "b")}]}
        return {"batchItemFailures": []}

    function = FakeFunction(fail_b_once)
    table.put_each("abc")

    _poller(table, function, _mapping()).drain()

    assert function.batches == [["a", "b", "c"], ["b", "c"]]


def test_an_unknown_item_identifier_fails_the_whole_batch(table: Table) -> None:
    calls = iter([{"batchItemFailures": [{"itemIdentifier": ""}]}, None])
    function = FakeFunction(lambda pks: next(calls))
    table.put_each("ab")

    _poller(table, function, _mapping()).drain()

    assert function.batches == [["a", "b"], ["a", "b"]]


def test_bisect_isolates_the_poison_record_and_sends_it_to_the_on_failure_queue(
    table: Table,
) -> None:
    def poison(pks: list[str]) -> None:
        if "c" in pks:
            raise FunctionError({"errorType": "ValueError", "errorMessage": "poison"})

    function = FakeFunction(poison)
    failures: list[dict[str, Any]] = []
    table.put_each("abcd")

    retries = 2
    _poller(table, function, _mapping(bisect=True, max_retries=retries), failures=failures).drain()

    halving, isolated = [["a", "b", "c", "d"], ["a", "b"], ["c", "d"]], ["c"]
    assert function.batches == [*halving, *[isolated] * (1 + retries), ["d"]]
    (message,) = failures
    info = message["DDBStreamBatchInfo"]
    assert info["batchSize"] == len(isolated)
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == _seq_of(function, "c")
    assert info["streamArn"] == table.stream_arn
    assert info["shardId"]
    assert message["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert message["requestContext"]["approximateInvokeCount"] == 1 + retries
    assert message["requestContext"]["functionArn"].endswith(":function:fake")
    assert message["responseContext"]["functionError"] == "Unhandled"
    assert message["version"] == "1.0"


def test_without_bisect_the_batch_is_retried_then_dead_lettered_whole(table: Table) -> None:
    def always(pks: list[str]) -> None:
        raise FunctionError({"errorType": "Boom", "errorMessage": "down"})

    function = FakeFunction(always)
    failures: list[dict[str, Any]] = []
    table.put_each("ab")
    retries = 1
    poller = _poller(table, function, _mapping(max_retries=retries), failures=failures)

    poller.drain()
    table.put("c")
    poller.drain()

    assert function.batches == [["a", "b"]] * (1 + retries) + [["c"]] * (1 + retries)
    assert [m["DDBStreamBatchInfo"]["batchSize"] for m in failures] == [len("ab"), len("c")]


def test_a_restart_resumes_from_the_checkpoint(table: Table, tmp_path: Path) -> None:
    path = tmp_path / "checkpoints.json"
    first = FakeFunction()
    table.put_each("ab")
    _poller(table, first, _mapping(), checkpoints=CheckpointStore(path)).drain()

    table.put("c")
    second = FakeFunction()
    _poller(table, second, _mapping(), checkpoints=CheckpointStore(path)).drain()

    assert first.batches == [["a", "b"]]
    assert second.batches == [["c"]]


def test_drain_waits_for_records_written_while_the_poller_runs(table: Table) -> None:
    function = FakeFunction()
    poller = _poller(table, function, _mapping(batching_window_s=0.3)).start()
    try:
        poller.drain(30)
        table.put_each("xyz")

        poller.drain(30)
    finally:
        poller.stop()

    assert [pk for batch in function.batches for pk in batch] == ["x", "y", "z"]
