"""The Leaderboard index sorts in winner order: one Query of one row picks the winner of a tie."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from accolade.adapters.dynamo import models
from accolade.domain.models import ActivityEvent, Aggregate, CounterKey, Metric
from accolade.ports import EventDeltas
from accolade.services import admin
from tests.integration.helpers import hooked
from tests.unit.builders import close_week

pytestmark = pytest.mark.usefixtures("aws_env")

MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
WEEK = "W2026-W48"
USERS = 1_000
ARRIVALS = 10  # the tied users reach the top score in 10 moments


@dataclass
class At:
    moment: datetime

    def now(self) -> datetime:
        return self.moment


@contextmanager
def queries() -> Iterator[list[dict[str, Any]]]:
    """The parameters of every Query sent inside the block."""
    sent: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        sent.append(dict(params))

    # Every entity shares one connection: its client sees every Query.
    clients = {id(c): c for c in [models.Item._get_connection().connection.client]}
    with ExitStack() as stack:
        for client in clients.values():
            stack.enter_context(hooked(client, "provide-client-params.dynamodb.Query", record))
        yield sent


def test_one_query_of_one_row_picks_the_winner_of_a_thousand_users_tied(
    accolade: Any, tenant_id: str
) -> None:
    admin.put_metric(
        tenant_id,
        Metric(metric_id="logins", event_type="login", aggregate=Aggregate.COUNT),
        config=accolade.config,
    )
    admin.create_achievement(
        tenant_id,
        {"name": "Top", "type": "period_top", "metric": "logins", "period": "week"},
        config=accolade.config,
        clock=At(MONDAY),
    )
    users = [f"user-{n:04d}" for n in range(USERS)]
    random.Random(9).shuffle(users)
    per_moment = USERS // ARRIVALS
    for arrival in range(ARRIVALS):
        group = users[arrival * per_moment : (arrival + 1) * per_moment]
        events = [
            ActivityEvent(event_id=f"e-{u}", type="login", user_id=u, occurred_at=MONDAY)
            for u in group
        ]
        accolade.events.add_new(tenant_id, events)
        changes = []
        for position, event in enumerate(events):
            counter = CounterKey(event.user_id, "logins", WEEK)
            changes.append(
                EventDeltas(event.event_id, position, {counter: Decimal(5)}, frozenset({counter}))
            )
        outcome = accolade.progress.apply(tenant_id, changes, MONDAY + timedelta(minutes=arrival))
        assert not outcome.failed and len(outcome.values) == len(group)
    first_to_arrive = users[:per_moment]
    expected = min(first_to_arrive)
    assert expected != min(users)  # the lowest id of all reached the score later

    with queries() as sent:
        result = close_week(accolade, clock=At(MONDAY + timedelta(weeks=1)))

    # The table is shared with other tests' tenants, whose winners the job also visits.
    assert [award.user_id for award in result.granted if award.user_id in users] == [expected]
    ours = f"T#{tenant_id}#LB#"
    leaderboard_queries = [
        q
        for q in sent
        if q.get("IndexName") == "Leaderboard"
        and any(v.get("S", "").startswith(ours) for v in q["ExpressionAttributeValues"].values())
    ]
    assert len(leaderboard_queries) == 1
    assert leaderboard_queries[0]["Limit"] == 1
    assert leaderboard_queries[0]["ScanIndexForward"] is False
