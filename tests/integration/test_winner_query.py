"""The Leaderboard index sorts in winner order: one Query of one row picks the winner of a tie."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from accolade.adapters.dynamo import models
from accolade.bootstrap import inject
from accolade.domain.closing import TenantCloses
from accolade.domain.models import ActivityEvent, Aggregate, CounterKey, Metric, TenantSettings
from accolade.ports import EventDeltas
from accolade.services import admin
from accolade.services.winners import close_periods, select_winners
from tests.integration.helpers import hooked

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


class ListQueue:
    def __init__(self) -> None:
        self.sent: list[TenantCloses] = []

    def send(self, work: Sequence[TenantCloses]) -> None:
        self.sent.extend(work)


def handed_over(accolade: Any, tenant_id: str, as_of: datetime) -> list[TenantCloses]:
    """What the hourly job at ``as_of`` hands over for ``tenant_id`` (the table is shared)."""
    queue = ListQueue()
    close_periods(as_of, config=accolade.config, winners_queue=queue)
    return [work for work in queue.sent if work.tenant_id == tenant_id]


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


def _weekly_top_logins(accolade: Any, tenant_id: str) -> None:
    """A logins metric and a weekly period_top achievement on it, made on MONDAY."""
    admin.put_metric(
        tenant_id,
        Metric(metric_id="logins", event_type="login", aggregate=Aggregate.COUNT),
        config=accolade.config,
    )
    admin.create_achievement(
        tenant_id,
        {"name": "Top", "type": "period_top", "metric": "logins", "period": "week"},
        ports=admin.DefinitionPorts(accolade.config),
        clock=At(MONDAY),
    )


def test_one_query_of_one_row_picks_the_winner_of_a_thousand_users_tied(
    accolade: Any, tenant_id: str
) -> None:
    _weekly_top_logins(accolade, tenant_id)
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

    (work,) = handed_over(accolade, tenant_id, MONDAY + timedelta(weeks=1))

    with queries() as sent:
        result = inject(select_winners, accolade)(work, clock=At(MONDAY + timedelta(weeks=1)))

    assert [award.user_id for award in result.granted] == [expected]
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


def test_the_listing_reads_each_tenants_zone_and_grace_from_the_index(
    accolade: Any, tenant_id: str
) -> None:
    admin.put_settings(
        tenant_id,
        TenantSettings(timezone="America/Los_Angeles", winners_grace_hours=3),
        config=accolade.config,
    )
    _weekly_top_logins(accolade, tenant_id)
    # Monday 30 November 00:00 in Los Angeles is 08:00 UTC; three hours of grace: 11:00.
    held = handed_over(accolade, tenant_id, datetime(2026, 11, 30, 10, tzinfo=UTC))
    due = handed_over(accolade, tenant_id, datetime(2026, 11, 30, 11, tzinfo=UTC))

    (listed,) = [t for t in accolade.config.period_top_tenants() if t.tenant_id == tenant_id]
    assert listed.settings.winners_grace_hours == 3
    assert held == []
    assert [[c.period_key for c in work.closes] for work in due] == [["W2026-W48"]]
