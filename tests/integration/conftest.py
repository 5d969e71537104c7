"""Integration fixtures: DynamoDB Local (moto when Java is missing) and the moto server.

Both start once per session on free ports and are provisioned from template.yaml. Tests isolate
by tenant (`tenant_id`), never by table: the table is the one the template defines.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accolade_local.services import (
    DynamoDBLocal,
    MotoServer,
    client,
    free_port,
    provision,
)
from accolade_local.template import LocalNames, Template

REPO_ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def template() -> Template:
    return Template(REPO_ROOT / "template.yaml")


@pytest.fixture(scope="session")
def local_names() -> LocalNames:
    return LocalNames()


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    service = DynamoDBLocal(free_port()).start()
    try:
        yield service.endpoint
    finally:
        service.stop()


@pytest.fixture(scope="session")
def aws_endpoint(local_names: LocalNames) -> Iterator[str]:
    with MotoServer(free_port(), account=local_names.account) as moto:
        yield moto.endpoint


@pytest.fixture(scope="session")
def provisioned(
    template: Template, local_names: LocalNames, dynamodb_endpoint: str, aws_endpoint: str
) -> LocalNames:
    provision(template, local_names, dynamodb_endpoint, aws_endpoint)
    return local_names.with_endpoint(aws_endpoint)


@pytest.fixture(scope="session")
def table_name(provisioned: LocalNames) -> str:
    return provisioned.table_name()


@pytest.fixture(scope="session")
def topic_arn(provisioned: LocalNames) -> str:
    return provisioned.topic_arn("AwardsTopic")


@pytest.fixture(scope="session")
def bucket_name(provisioned: LocalNames) -> str:
    return provisioned.bucket_name("DocumentsBucket")


@pytest.fixture(scope="session")
def aws_env(
    provisioned: LocalNames, dynamodb_endpoint: str, aws_endpoint: str
) -> Iterator[dict[str, str]]:
    """The env a handler sees locally; use it (or mark a module autouse) for code under test."""
    env = {
        "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint,
        "AWS_ENDPOINT_URL": aws_endpoint,
        "AWS_REGION": provisioned.region,
        "AWS_DEFAULT_REGION": provisioned.region,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "TABLE_NAME": provisioned.table_name(),
        "TOPIC_ARN": provisioned.topic_arn("AwardsTopic"),
        "BUCKET_NAME": provisioned.bucket_name("DocumentsBucket"),
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("AWS_PROFILE", raising=False)
        mp.delenv("AWS_SESSION_TOKEN", raising=False)
        for key, value in env.items():
            mp.setenv(key, value)
        yield env


@pytest.fixture
def tenant_id() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def dynamodb_client(dynamodb_endpoint: str, provisioned: LocalNames) -> Any:
    return client("dynamodb", dynamodb_endpoint, provisioned.region)


@pytest.fixture(scope="session")
def sqs_client(aws_endpoint: str, provisioned: LocalNames) -> Any:
    return client("sqs", aws_endpoint, provisioned.region)


# --- the award loop: handlers bound to the test table, and the table's stream ------------------


@pytest.fixture
def accolade(aws_env: dict[str, str], template: Template, provisioned: LocalNames) -> Iterator[Any]:
    """The process container bound to the test table and topic (what a handler's cold start
    builds), with the POWERTOOLS_* settings template.yaml gives the functions."""
    from accolade import observability
    from tests.integration.helpers import cold_start

    powertools = {
        key: value
        for key, value in template.functions(provisioned)["EvaluateEventsFunction"].env.items()
        if key.startswith("POWERTOOLS_") and key != "POWERTOOLS_TRACE_DISABLED"
    }
    with pytest.MonkeyPatch.context() as mp:
        for key, value in powertools.items():
            mp.setenv(key, value)
        # Powertools reads its namespace when the module-level Metrics is created (cold start).
        mp.setattr(observability.metrics, "namespace", powertools["POWERTOOLS_METRICS_NAMESPACE"])
        with cold_start() as built:
            yield built


@pytest.fixture(scope="session")
def stream(dynamodb_endpoint: str, dynamodb_client: Any, table_name: str) -> Any:
    """Every record of the table's stream, read in order (filter by tenant)."""
    from tests.integration.helpers import StreamTail

    arn = dynamodb_client.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
    return StreamTail(client("dynamodbstreams", dynamodb_endpoint), arn)


@pytest.fixture(scope="session")
def stream_filters(template: Template) -> dict[str, list[dict[str, Any]]]:
    """The filter patterns of each stream-triggered function, from template.yaml."""
    return {m.function_id: m.filter_patterns for m in template.stream_mappings()}


@pytest.fixture(scope="session")
def feed_queue_url(provisioned: LocalNames) -> str:
    return provisioned.queue_url("AwardsFeedQueue")


@pytest.fixture
def loop(
    accolade: Any, stream: Any, stream_filters: dict[str, list[dict[str, Any]]], tenant_id: str
) -> Any:
    """The api, ingest and evaluate functions over the test table, for a fresh tenant."""
    from accolade_local.handlers import load_handler
    from tests.integration.loop import Loop

    return Loop(
        tenant_id,
        api=load_handler("api"),
        ingest=load_handler("ingest_events"),
        evaluate=load_handler("evaluate_events"),
        container=accolade,
        stream=stream,
        filters=stream_filters,
    )
