"""Counters are written by PartiQL statements that DynamoDB answers one by one: a statement
throttled on its own is written again, and one that stays throttled fails only its events."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from accolade.adapters.dynamo import models
from accolade.adapters.dynamo.common import MAX_ATTEMPTS
from tests.integration.helpers import batch, failed_sequences, hooked, invoke
from tests.integration.loop import Loop, sales
from tests.integration.test_award_loop import MONDAY, THIS_WEEK

THROTTLED = {"Code": "ThrottlingError", "Message": "Throughput exceeds the current capacity"}


@dataclass
class StatementThrottle:
    """Holds back the first statement of the next ``requests`` BatchExecuteStatement requests
    (never sent) and answers it as DynamoDB answers a statement throttled on its own."""

    requests: int
    held: list[str] = field(default_factory=list)
    _pending: bool = False
    _nothing_left: bool = False

    def before(self, params: dict[str, Any], **_: Any) -> None:
        self._pending = self.requests > 0
        if self._pending:
            self.requests -= 1
            self.held.append(params["Statements"].pop(0)["Statement"])
            self._nothing_left = not params["Statements"]

    def instead(self, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        """A request whose only statement was held back is not sent (DynamoDB refuses an empty
        one): it is answered with no responses, before the held one is put in."""
        if self._pending and self._nothing_left:
            return AWSResponse("https://dynamodb", 200, {}, None), {"Responses": []}
        return None

    def after(self, parsed: dict[str, Any], **_: Any) -> None:
        if self._pending:
            parsed["Responses"].insert(0, {"Error": dict(THROTTLED)})

    @contextmanager
    def active(self) -> Iterator[None]:
        client = models.Item._get_connection().connection.client
        name = "dynamodb.BatchExecuteStatement"
        with (
            hooked(client, f"before-parameter-build.{name}", self.before),
            hooked(client, f"before-call.{name}", self.instead),
            hooked(client, f"after-call.{name}", self.after),
        ):
            yield


@pytest.fixture
def closer(loop: Loop) -> Loop:
    loop.configure_closer()
    loop.post(sales(6, MONDAY))
    return loop


def test_a_statement_throttled_on_its_own_is_written_again(closer: Loop) -> None:
    throttle = StatementThrottle(requests=1)

    with throttle.active():
        answer = invoke(closer.evaluate, batch(closer.event_records(6)))

    assert len(throttle.held) == 1
    assert answer == {"batchItemFailures": []}
    for period in (THIS_WEEK, "ALL"):
        assert closer.counter(period) == 6


def test_a_statement_throttled_every_time_fails_its_events_and_the_retry_ends_exact(
    closer: Loop,
) -> None:
    records = closer.event_records(6)
    throttle = StatementThrottle(requests=MAX_ATTEMPTS)

    with throttle.active():
        answer = invoke(closer.evaluate, batch(records))
    counted = [closer.counter(period) for period in (THIS_WEEK, "ALL")]
    closer.evaluate_until_done(records)

    assert len(throttle.held) == MAX_ATTEMPTS
    assert failed_sequences(answer) == {r["dynamodb"]["SequenceNumber"] for r in records}
    assert sorted(counted) == [0, 6]  # the held-back counter only
    for period in (THIS_WEEK, "ALL"):
        assert closer.counter(period) == 6
