"""Reliability fixtures: DynamoDB Local + moto (the integration fixtures, reused), the real
adapters bound through the environment, the table's stream, the awards feed, a report, and
the local stack the e2e and security suites share (tests/stack_fixtures.py).

ACCOLADE_SUITE=full (`make test-reliability`) runs the long form; otherwise a reduced form runs
in `make test`. Each test reports what it ran; the figures are printed in the terminal summary
and written to tests/reliability/.last-run.json so the README can quote them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from accolade.bootstrap import Container
from accolade_local.services import client
from accolade_local.template import LocalNames
from tests.integration.conftest import (
    aws_endpoint,
    aws_env,
    dynamodb_client,
    dynamodb_endpoint,
    local_names,
    provisioned,
    sqs_client,
    table_name,
    template,
    topic_arn,
)
from tests.integration.helpers import cold_start
from tests.reliability.harness import FULL, FeedCollector, StreamTap
from tests.stack_fixtures import local_stack

__all__ = [
    "aws_endpoint",
    "aws_env",
    "dynamodb_client",
    "dynamodb_endpoint",
    "local_names",
    "local_stack",
    "provisioned",
    "sqs_client",
    "table_name",
    "template",
    "topic_arn",
]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SUMMARY_FILE = HERE / ".last-run.json"
_results: dict[str, dict[str, Any]] = {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.integration)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def suite() -> str:
    return "full" if FULL else "reduced"


@pytest.fixture
def report(request: pytest.FixtureRequest, suite: str) -> Callable[..., None]:
    """Record one test's figures (examples, faults injected, events checked, lost, doubled)."""

    def record(**figures: Any) -> None:
        entry = {"suite": suite, **figures}
        _results[request.node.name] = entry
        print(f"\n[reliability] {request.node.name}: {_line(entry)}")

    return record


def _line(entry: dict[str, Any]) -> str:
    return ", ".join(f"{key} {value}" for key, value in entry.items() if key != "suite")


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if not _results:
        return
    terminalreporter.section(f"reliability ({'full' if FULL else 'reduced'} suite)")
    for name, entry in _results.items():
        terminalreporter.write_line(f"{name}: {_line(entry)}")
    payload = {
        "suite": "full" if FULL else "reduced",
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tests": _results,
    }
    SUMMARY_FILE.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    terminalreporter.write_line(f"figures written to {SUMMARY_FILE.relative_to(ROOT)}")


@pytest.fixture
def container(aws_env: dict[str, str]) -> Iterator[Container]:
    """The real adapters, built from the environment as a cold start would."""
    with cold_start() as built:
        yield built


@pytest.fixture(scope="session")
def stream_tap(dynamodb_endpoint: str, provisioned: LocalNames, table_name: str) -> StreamTap:
    ddb = client("dynamodb", dynamodb_endpoint, provisioned.region)
    arn = ddb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
    return StreamTap(client("dynamodbstreams", dynamodb_endpoint, provisioned.region), arn)


@pytest.fixture(scope="session")
def awards_feed(sqs_client: Any, provisioned: LocalNames) -> FeedCollector:
    return FeedCollector(sqs_client, provisioned.queue_url("AwardsFeedQueue"))
