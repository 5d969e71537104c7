"""GET /v1/me/achievements for a user holding few awards and one holding many (issue 9, item 2).

The page lists every achievement with the user's progress: what it reads should not grow with
the user's history. Two users of one tenant (the benchmark's 20 achievements) hold 100 and
5,000 awards of the repeatable event achievement, granted through the layer's own award
repository (award + ledger entry + wallet, as evaluation grants them). The service the route
runs (``accolade.services.me.my_achievements``) is timed in-process against DynamoDB Local,
after one warm-up call; the unit meter gives its requests and RRU.
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from benchmarks.workload import Workload

if TYPE_CHECKING:
    from benchmarks.throughput import Bench

TARGET_RATIO = 1.5  # p50 with 5,000 awards / p50 with 100


@dataclass(frozen=True)
class PageTiming:
    awards: int
    runs: int
    p50_ms: float
    max_ms: float
    requests: int
    rru: float


def measure(
    bench: Bench,
    holdings: Sequence[int] = (100, 5000),
    runs: int = 15,
    out: Callable[[str], None] = print,
) -> list[PageTiming]:
    from accolade.domain.models import AwardKey
    from accolade.domain.rules import AwardIntent

    c = bench.container
    tenant_id = f"page-{uuid.uuid4().hex[:8]}"
    users = [f"holder-{n}" for n in holdings]
    out(
        f"  awards page: users holding {', '.join(map(str, holdings))} awards, {runs} calls each ..."
    )
    with bench.meter.paused():
        bench.setup_tenant(tenant_id, Workload(users, []), 20)
        config = c.config.get_config(tenant_id)
        kudos = next(a for a in config.achievements if a.repeatable)
        now = datetime.now(UTC)
        for user_id, count in zip(users, holdings, strict=True):
            awards = [
                AwardIntent(
                    AwardKey(user_id, kudos.achievement_id, f"E:page-{i:06d}", 1), kudos, None
                ).to_award(now, coins_enabled=False)
                for i in range(count)
            ]
            c.awards.grant(tenant_id, user_id, awards)

    def call(user_id: str) -> None:
        bench.my_achievements(tenant_id, user_id)

    timings: list[PageTiming] = []
    for user_id, count in zip(users, holdings, strict=True):
        with bench.counter.measure() as requests, bench.meter.measure() as units:
            call(user_id)  # warm-up, and the one whose requests and units are reported
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            call(user_id)
            samples.append((time.perf_counter() - started) * 1000)
        timings.append(
            PageTiming(
                count,
                runs,
                statistics.median(samples),
                max(samples),
                sum(requests.values()),
                units.total_rru,
            )
        )
        out(f"    {count:,} awards: p50 {timings[-1].p50_ms:.1f} ms, {units.total_rru:g} RRU")
    return timings
