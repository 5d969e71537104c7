"""Closing periods (issue 10): what the hourly job and each tenant cost, and whether a
tenant's winners cost more with more users.

`make bench` (section `closing`), or `python -m benchmarks.closing --tenants 1000`: on DynamoDB
Local, N tenants in five zones each with a weekly period-winner achievement and one counter on
last week's leaderboard; then the hourly job (`close_periods`) at an ``as_of`` when every zone's
week has closed, with a queue that only collects its messages, and each tenant's message
through `select_winners`, then a second run. Then one tenant with 10 active users and one with
10,000 (a counter each on last week's leaderboard), each closed by its message. DynamoDB
requests are counted on the client.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ZONES = ("Pacific/Auckland", "America/Los_Angeles", "UTC", "Asia/Kolkata", "Europe/Berlin")
WEEK = "W2026-W48"
# Every zone's week 48 has closed, plus an hour of grace, within the 24 hours before this.
AS_OF = datetime(2026, 11, 30, 11, tzinfo=UTC)
SQS_BATCH = 10


class _At:
    def now(self) -> datetime:
        return AS_OF + timedelta(minutes=2)


class _Collect:
    """The winners queue, collecting: SendMessageBatch requests are counted, not sent."""

    def __init__(self) -> None:
        self.sent: list[Any] = []
        self.requests = 0

    def send(self, work: Sequence[Any]) -> None:
        self.sent.extend(work)
        self.requests += -(-len(work) // SQS_BATCH)


def measure(tenants: int, sizes: Sequence[int] = (10, 10_000)) -> dict[str, float]:
    from accolade_local.services import DynamoDBLocal, client, free_port
    from accolade_local.template import Template

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    service = DynamoDBLocal(free_port()).start()
    try:
        table = Template(ROOT / "template.yaml").table().create_table_kwargs("closing")
        client("dynamodb", service.endpoint, "us-east-1").create_table(**table)
        return _measure(tenants, service.endpoint, sizes)
    finally:
        service.stop()


def _measure(tenants: int, endpoint: str, sizes: Sequence[int]) -> dict[str, float]:
    from accolade.adapters.dynamo import models
    from accolade.bootstrap import AwsContainer, inject
    from accolade.config import Settings
    from accolade.domain.models import ActivityEvent, Aggregate, CounterKey, Metric, TenantSettings
    from accolade.ports import EventDeltas
    from accolade.services import admin
    from accolade.services.winners import close_periods, select_winners

    c = AwsContainer(Settings(table_name="closing", dynamodb_endpoint=endpoint))
    calls = Counter[str]()
    metric = Metric(metric_id="calls", event_type="call", aggregate=Aggregate.COUNT)
    definition = {"name": "Speedy", "type": "period_top", "metric": "calls", "period": "week"}
    moment = datetime(2026, 11, 26, 10, tzinfo=UTC)
    counter = CounterKey("u1", "calls", WEEK)
    for n in range(tenants):
        tenant_id = f"closing-{n:05d}"
        settings = TenantSettings(timezone=ZONES[n % len(ZONES)])
        admin.put_settings(tenant_id, settings, config=c.config)
        admin.put_metric(tenant_id, metric, config=c.config)
        admin.create_achievement(
            tenant_id, definition, ports=admin.DefinitionPorts(c.config), clock=c.clock
        )
        event = ActivityEvent(event_id="e1", type="call", user_id="u1", occurred_at=moment)
        c.events.add_new(tenant_id, [event])
        change = EventDeltas("e1", 1, {counter: Decimal(1)}, frozenset({counter}))
        c.progress.apply(tenant_id, [change], moment)

    dynamodb = models.Item._get_connection().connection.client
    dynamodb.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.update([model.name])
    )
    queue = _Collect()
    started = time.perf_counter()
    work = close_periods(AS_OF, config=c.config, winners_queue=queue)
    job_s = time.perf_counter() - started
    job_requests = sum(calls.values())

    def each() -> tuple[list[float], list[int], int]:
        seconds, requests, granted = [], [], 0
        for item in work:
            calls.clear()
            begun = time.perf_counter()
            result = inject(select_winners, c)(item, clock=_At())
            seconds.append(time.perf_counter() - begun)
            requests.append(sum(calls.values()))
            granted += len(result.granted)
        return seconds, requests, granted

    first_s, first_requests, granted = each()
    again_s, again_requests, regranted = each()
    by_size = _by_size(c, sizes, metric, definition, moment, work, calls)
    return by_size | {
        "tenants": tenants,
        "due": len(work),
        "job_dynamodb_requests": job_requests,
        "job_sqs_requests": queue.requests,
        "job_ms": job_s * 1000,
        "tenant_requests": statistics.median(first_requests),
        "tenant_ms": statistics.median(first_s) * 1000,
        "granted": granted,
        "again_requests": statistics.median(again_requests),
        "again_ms": statistics.median(again_s) * 1000,
        "regranted": regranted,
    }


def _by_size(
    c: Any,
    sizes: Sequence[int],
    metric: Any,
    definition: dict[str, Any],
    moment: datetime,
    work: Sequence[Any],
    calls: Counter[str],
) -> dict[str, float]:
    """One tenant per size with that many users on last week's leaderboard, closed by its
    message: the requests and time of its winners."""
    from accolade.bootstrap import inject
    from accolade.domain.models import CounterKey, TenantSettings
    from accolade.ports import EventDeltas
    from accolade.services import admin
    from accolade.services.winners import close_periods, select_winners

    by_size: dict[str, float] = {}
    for size in sizes:
        tenant_id = f"users-{size}"
        admin.put_settings(tenant_id, TenantSettings(), config=c.config)
        admin.put_metric(tenant_id, metric, config=c.config)
        admin.create_achievement(
            tenant_id, definition, ports=admin.DefinitionPorts(c.config), clock=c.clock
        )
        changes = []
        for n in range(size):
            key = CounterKey(f"u{n:05d}", "calls", WEEK)
            changes.append(EventDeltas(f"e{n}", n, {key: Decimal(1 + n % 97)}, frozenset({key})))
        c.progress.apply(tenant_id, changes, moment)
        listed = close_periods(AS_OF, config=c.config, winners_queue=_Collect())
        item = next(w for w in [*listed, *work] if w.tenant_id == tenant_id)
        calls.clear()
        begun = time.perf_counter()
        result = inject(select_winners, c)(item, clock=_At())
        by_size[f"size_{size}_requests"] = sum(calls.values())
        by_size[f"size_{size}_ms"] = (time.perf_counter() - begun) * 1000
        by_size[f"size_{size}_granted"] = len(result.granted)
    return by_size


def render(figures: dict[str, float]) -> str:
    n = int(figures["tenants"])
    sizes = sorted(
        int(k.split("_")[1]) for k in figures if k.endswith("_requests") and k[:5] == "size_"
    )
    by_size = [
        f"| {size:,} | {int(figures[f'size_{size}_requests'])} | "
        f"{figures[f'size_{size}_ms']:.1f} ms | {int(figures[f'size_{size}_granted'])} |"
        for size in sizes
    ]
    return "\n".join(
        [
            f"**Closing week 48 for {n:,} tenants in 5 zones** (DynamoDB Local; SQS not sent)",
            "",
            "| step | DynamoDB requests | SQS requests | time |",
            "| --- | ---: | ---: | ---: |",
            f"| hourly job: {int(figures['due']):,} tenants due | "
            f"{int(figures['job_dynamodb_requests'])} | {int(figures['job_sqs_requests'])} | "
            f"{figures['job_ms']:.0f} ms |",
            f"| one tenant's message, first run ({int(figures['granted']):,} granted) | "
            f"{figures['tenant_requests']:g} (median) | 0 | {figures['tenant_ms']:.1f} ms (median) |",
            f"| the same again ({int(figures['regranted'])} granted) | "
            f"{figures['again_requests']:g} (median) | 0 | {figures['again_ms']:.1f} ms (median) |",
            "",
            "**Weekly winners of one tenant by active users** (its message through "
            "`select_winners`; the winner is one Limit-1 query of the Leaderboard index)",
            "",
            "| active users | DynamoDB requests | time | granted |",
            "| ---: | ---: | ---: | ---: |",
            *by_size,
        ]
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.closing", description=__doc__)
    parser.add_argument("--tenants", type=int, default=1000)
    args = parser.parse_args(argv)
    print(render(measure(args.tenants)))


if __name__ == "__main__":
    main()
