"""Small builders for tests: events, metrics and achievements as the seeds describe them, and
the service calls the functions make, wired from a container (of fakes, or of DynamoDB)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from accolade.bootstrap import inject
from accolade.domain.models import Achievement, ActivityEvent, Aggregate, Metric
from accolade.ports import Page
from accolade.services import admin, me
from accolade.services.evaluate import EvaluationResult, StreamedEvent, evaluate_events
from accolade.services.winners import WinnersResult, close_periods, select_winners
from tests.fakes import FakeContainer
from tests.http_events import claims

if TYPE_CHECKING:
    from accolade.bootstrap import Container

T = TypeVar("T")
TENANT = "tenant-a"
OTHER_TENANT = "tenant-b"
ADMIN = claims(TENANT, "root", admin=True)  # the admin of the in-process HTTP API tests


def at(text: str) -> datetime:
    """An aware datetime from ISO text ("2026-11-24T10:00:00Z")."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def activity(
    event_id: str,
    occurred_at: str,
    *,
    type: str = "sale.closed",
    user_id: str = "alice",
    value: float | int | None = None,
    attributes: dict[str, Any] | None = None,
) -> ActivityEvent:
    return ActivityEvent(
        event_id=event_id,
        type=type,
        user_id=user_id,
        occurred_at=at(occurred_at),
        value=None if value is None else Decimal(str(value)),
        attributes=attributes or {},
    )


def metric(
    c: FakeContainer,
    metric_id: str = "sales",
    event_type: str = "sale.closed",
    aggregate: Aggregate = Aggregate.COUNT,
    field: str | None = None,
    tenant_id: str = TENANT,
    **extra: Any,
) -> Metric:
    found = Metric(
        metric_id=metric_id, event_type=event_type, aggregate=aggregate, field=field, **extra
    )
    admin.put_metric(tenant_id, found, config=c.config)
    return found


def achievement(c: FakeContainer, tenant_id: str = TENANT, **definition: Any) -> Achievement:
    return wired(admin.create_achievement, c, tenant_id, definition)


def event_achievement(
    c: FakeContainer, name: str, event_type: str, points: int = 10, **extra: Any
) -> Achievement:
    """A one-level achievement for one kind of event."""
    levels = [{"points": points}]
    return achievement(c, name=name, type="event", event_type=event_type, levels=levels, **extra)


def closer(c: FakeContainer, tenant_id: str = TENANT, **extra: Any) -> Achievement:
    """The seeds' "Closer" family: 5 / 10 / 15 sales in a week."""
    return achievement(
        c,
        tenant_id,
        **{
            "name": "Closer",
            "type": "metric_threshold",
            "metric": "sales",
            "time_range": "week",
            "levels": [
                {"threshold": 5, "points": 50},
                {"threshold": 10, "points": 100, "coins": 2},
                {"threshold": 15, "points": 150, "coins": 3},
            ],
            **extra,
        },
    )


def ingest_and_evaluate(
    c: FakeContainer, events: list[ActivityEvent], tenant_id: str = TENANT
) -> EvaluationResult:
    """What the stream does: store the batch, then evaluate the stored events."""
    c.events.add_new(tenant_id, events)
    return evaluate(c, events, tenant_id)


def wired(service: Callable[..., T], c: Container, *args: Any, **options: Any) -> T:
    """Call a service with the ports of `c` it takes, wired as bootstrap wires them."""
    return inject(service, c)(*args, **options)


def evaluate(
    c: FakeContainer, events: list[ActivityEvent], tenant_id: str = TENANT
) -> EvaluationResult:
    """Evaluate stored events as the stream hands them over: in the order they were stored."""
    streamed = sorted(
        (StreamedEvent(tenant_id, event, c.events.position(tenant_id, event)) for event in events),
        key=lambda s: s.position,
    )
    return wired(evaluate_events, c, streamed)


def my_achievements(
    c: Container, user_id: str = "alice", tenant_id: str = TENANT, **options: Any
) -> Page[me.AchievementView]:
    """What GET /v1/me/achievements runs."""
    return wired(me.my_achievements, c, tenant_id, user_id, **options)


def sales(
    count: int, start: str, *, user_id: str = "alice", prefix: str = "s"
) -> list[ActivityEvent]:
    """``count`` sales, one a minute from ``start``."""
    first = at(start)
    return [
        activity(
            f"{prefix}-{user_id}-{n}",
            (first + timedelta(minutes=n)).isoformat(),
            user_id=user_id,
        )
        for n in range(count)
    ]


def run_winners_job(c: FakeContainer, as_of: datetime) -> WinnersResult:
    """The hourly job at ``as_of``, then each per-tenant message it sent, as the queue hands
    them over (at ``c.clock``'s time)."""
    close_periods(as_of, config=c.config, winners_queue=c.winners_queue)
    total = WinnersResult()
    for work in c.winners_queue.take():
        result = wired(select_winners, c, work)
        total.granted += result.granted
        total.already_chosen += result.already_chosen
        total.no_activity += result.no_activity
        total.not_due += result.not_due
    return total
