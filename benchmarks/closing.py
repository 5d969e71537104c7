"""Closing periods for many tenants (issue 10): what the hourly job and each tenant cost.

`python -m benchmarks.closing --tenants 1000` (not yet a section of `make bench`): on DynamoDB
Local, N tenants in five zones each with a weekly period-winner achievement and one counter on
last week's leaderboard; then the hourly job (`close_periods`) at an ``as_of`` when every zone's
week has closed, with a queue that only collects its messages, and each tenant's message
through `select_winners`, then a second run. DynamoDB requests are counted on the client.
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


def measure(tenants: int) -> dict[str, float]:
    from accolade_local.services import client, free_port, start_dynamodb
    from accolade_local.template import load_template

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    service = start_dynamodb(free_port())
    try:
        table = load_template(ROOT / "template.yaml").table().create_table_kwargs("closing")
        client("dynamodb", service.endpoint, "us-east-1").create_table(**table)
        return _measure(tenants, service.endpoint)
    finally:
        service.stop()


def _measure(tenants: int, endpoint: str) -> dict[str, float]:
    from accolade.adapters.dynamo import models
    from accolade.bootstrap import AwsContainer
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
        admin.create_achievement(tenant_id, definition, config=c.config, clock=c.clock)
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
            result = select_winners(
                item,
                config=c.config,
                users=c.users,
                leaderboards=c.leaderboards,
                awards=c.awards,
                clock=_At(),
            )
            seconds.append(time.perf_counter() - begun)
            requests.append(sum(calls.values()))
            granted += len(result.granted)
        return seconds, requests, granted

    first_s, first_requests, granted = each()
    again_s, again_requests, regranted = each()
    return {
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


def render(figures: dict[str, float]) -> str:
    n = int(figures["tenants"])
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
        ]
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.closing", description=__doc__)
    parser.add_argument("--tenants", type=int, default=1000)
    args = parser.parse_args(argv)
    print(render(measure(args.tenants)))


if __name__ == "__main__":
    main()
