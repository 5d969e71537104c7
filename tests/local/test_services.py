from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accolade_local.services import (
    DynamoDBLocal,
    MotoServer,
    PortInUseError,
    client,
    ensure_port_free,
    free_port,
    function_workers,
    provision,
)
from accolade_local.template import LocalNames, Template

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_ensure_port_free_names_the_service_and_the_option() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUseError) as error:
            ensure_port_free(port, "HTTP API", "--api-port")
    assert str(error.value) == (
        f"port {port} is in use (HTTP API): stop the other process or pass --api-port"
    )
    ensure_port_free(port, "HTTP API")


def test_free_port_is_free() -> None:
    ensure_port_free(free_port(), "test")


@pytest.fixture(scope="module")
def template() -> Template:
    return Template(REPO_ROOT / "template.yaml")


@pytest.fixture(scope="module")
def stack(template: Template) -> Iterator[tuple[str, str]]:
    with DynamoDBLocal(free_port()) as dynamodb, MotoServer(free_port()) as moto:
        provision(template, LocalNames(), dynamodb.endpoint, moto.endpoint)
        yield dynamodb.endpoint, moto.endpoint


def test_provision_creates_the_table_with_indexes_stream_and_ttl(
    template: Template, stack: tuple[str, str]
) -> None:
    dynamodb_endpoint, moto_endpoint = stack
    provision(template, LocalNames(), dynamodb_endpoint, moto_endpoint)  # idempotent
    dynamodb = client("dynamodb", dynamodb_endpoint)
    table = dynamodb.describe_table(TableName="accolade-local-Table")["Table"]
    assert {i["IndexName"] for i in table["GlobalSecondaryIndexes"]} == {"GSI1", "Leaderboard"}
    assert table["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": template.table().properties["StreamSpecification"]["StreamViewType"],
    }
    assert table["LatestStreamArn"]
    ttl = dynamodb.describe_time_to_live(TableName="accolade-local-Table")
    assert ttl["TimeToLiveDescription"]["AttributeName"] == "expires_at"


def test_table_stream_delivers_records(stack: tuple[str, str]) -> None:
    dynamodb_endpoint, _ = stack
    dynamodb = client("dynamodb", dynamodb_endpoint)
    streams = client("dynamodbstreams", dynamodb_endpoint)
    item = {"PK": {"S": "T#stream"}, "SK": {"S": "E#1"}, "entity": {"S": "event"}}
    dynamodb.put_item(TableName="accolade-local-Table", Item=item)
    arn = dynamodb.describe_table(TableName="accolade-local-Table")["Table"]["LatestStreamArn"]
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records += streams.get_records(ShardIterator=iterator)["Records"]
    assert any(r["dynamodb"].get("NewImage") == item for r in records)


def test_provision_creates_topic_queues_subscription_bucket(stack: tuple[str, str]) -> None:
    _, moto_endpoint = stack
    names = LocalNames(aws_endpoint=moto_endpoint)
    sns, sqs, s3 = (client(s, moto_endpoint) for s in ("sns", "sqs", "s3"))
    topic_arn = names.topic_arn("AwardsTopic")
    assert topic_arn in {t["TopicArn"] for t in sns.list_topics()["Topics"]}
    queue_urls = set(sqs.list_queues()["QueueUrls"])
    for queue in (
        "AwardsFeedQueue",
        "AwardsFeedDeadLetterQueue",
        "StreamFailuresQueue",
        "SchedulerDeadLetterQueue",
    ):
        assert names.queue_url(queue) in queue_urls
    (subscription,) = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    assert subscription["Endpoint"] == names.queue_arn("AwardsFeedQueue")
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription["SubscriptionArn"])[
        "Attributes"
    ]
    assert attributes["RawMessageDelivery"] == "true"
    assert names.queue_arn("AwardsFeedDeadLetterQueue") in attributes["RedrivePolicy"]
    assert "accolade-local-documentsbucket" in {b["Name"] for b in s3.list_buckets()["Buckets"]}

    sns.publish(TopicArn=topic_arn, Message='{"award": "first-steps"}')
    received = sqs.receive_message(QueueUrl=names.queue_url("AwardsFeedQueue"), WaitTimeSeconds=2)
    assert received["Messages"][0]["Body"] == '{"award": "first-steps"}'


def test_function_workers_env(template: Template) -> None:
    names = LocalNames(aws_endpoint="http://moto:2")
    spec = template.functions(names)["IngestEventsFunction"]

    env = function_workers(spec, names, "http://ddb:1").env

    assert env.items() >= spec.env.items()
    assert env["AWS_ENDPOINT_URL_DYNAMODB"] == "http://ddb:1"
    assert env["AWS_ENDPOINT_URL"] == "http://moto:2"
    assert env["AWS_REGION"] == names.region
    assert env["AWS_ACCESS_KEY_ID"] == env["AWS_SECRET_ACCESS_KEY"] == "local"
    assert env["POWERTOOLS_TRACE_DISABLED"] == "true"


def test_dynamodb_local_persists_under_data_dir(template: Template, tmp_path: Path) -> None:
    port = free_port()
    with DynamoDBLocal(port, tmp_path / "db") as dynamodb:
        client("dynamodb", dynamodb.endpoint).create_table(
            **template.table().create_table_kwargs("persisted")
        )
    with DynamoDBLocal(port, tmp_path / "db") as dynamodb:
        assert "persisted" in client("dynamodb", dynamodb.endpoint).list_tables()["TableNames"]


def test_stop_ends_the_process() -> None:
    dynamodb = DynamoDBLocal(free_port()).start()
    pid = dynamodb.process.pid if dynamodb.process else None
    assert pid is not None
    dynamodb.stop()

    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_moto_stands_in_for_dynamodb_with_streams(template: Template) -> None:
    with MotoServer(free_port()) as moto:
        provision(template, LocalNames(), moto.endpoint, moto.endpoint)
        table = client("dynamodb", moto.endpoint).describe_table(TableName="accolade-local-Table")
    assert table["Table"]["LatestStreamArn"]
    assert {i["IndexName"] for i in table["Table"]["GlobalSecondaryIndexes"]} == {
        "GSI1",
        "Leaderboard",
    }
