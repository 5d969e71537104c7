"""Winner selection when the whole leaderboard is tied (issue 9, item 4).

10,000 users have the same score on last week's leaderboard of a metric with a weekly
period-winner achievement. Two of them reached it first, at the same moment; the one with the
lower user id must win (DESIGN: highest value, then whoever reached it first, then the lower
user id). Both are picked at random among the 10,000 for each run, so the index order of
equal scores cannot hand them the win by luck.

Counters are written as the layer writes them: one counter goes through the layer's own
write path (``ProgressRepository.apply`` after ``EventRepository.add_new``), and its stored
item is cloned for every user with the user id and ``reached_at`` substituted (BatchWriteItem,
uncounted). The selection runs the select_winners handler with the tenant's WinnersQueue
message (the sample events/select_winners/tenant_closes.json, retargeted), as the hourly
close_periods job sends it; the meter counts its queries (by index) and units; the winner is
read back from the holders.
"""

from __future__ import annotations

import importlib.util
import random
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from benchmarks.throughput import Bench

ROOT = Path(__file__).resolve().parents[1]
TARGET_QUERIES = 1  # leaderboard queries to decide a tie, for 10 users or 100,000


@dataclass(frozen=True)
class TieRun:
    users: int
    queries: Counter[str]  # Query requests by index ("table" for the base table)
    leaderboard_queries: int  # on indexes other than GSI1 (the PERIOD_TOP listing) and the table
    requests: int
    rru: float
    expected: str
    picked: str | None

    @property
    def correct(self) -> bool:
        return self.picked == self.expected


def measure(
    bench: Bench, users: int = 10_000, runs: int = 3, out: Callable[[str], None] = print
) -> list[TieRun]:
    out(f"  tie: {users:,} users tied on last week's top score, {runs} runs ...")
    results = []
    for run in range(runs):
        results.append(_run(bench, users, random.Random(run), out))
    return results


def _run(bench: Bench, users: int, rng: random.Random, out: Callable[[str], None]) -> TieRun:
    from accolade.adapters.dynamo import keys
    from accolade.domain.models import ActivityEvent, CounterKey
    from accolade.domain.periods import TimeRange, period_bounds, zone
    from accolade.domain.rules import closed_period
    from accolade.entrypoints.http import admin_schemas
    from accolade.ports import EventDeltas
    from accolade.services import admin
    from accolade_local.handlers import LambdaContext

    c = bench.container
    tenant_id = f"tie-{uuid.uuid4().hex[:8]}"
    user_ids = [f"u{i:06d}" for i in range(users)]
    # A week closed long enough ago to be past any grace for late events.
    week = closed_period(TimeRange.WEEK, datetime.now(UTC) - timedelta(days=7), zone("UTC"))
    start, _ = period_bounds(week, zone("UTC"))
    with bench.meter.paused():
        admin.put_metric(
            tenant_id,
            admin_schemas.MetricIn.model_validate(
                {"event_type": "login", "aggregate": "count"}
            ).to_domain("logins"),
            config=c.config,
        )
        definition = admin_schemas.AchievementIn.model_validate(
            {
                "name": "Top of the week",
                "type": "period_top",
                "metric": "logins",
                "period": "week",
                "levels": [{"threshold": 1, "points": 100, "coins": 0}],
            }
        ).definition()
        achievement = admin.create_achievement(
            tenant_id, definition, ports=admin.DefinitionPorts(c.config), clock=c.clock
        )
        # One counter through the layer's write path: the template every other one is cloned from.
        template_user, template_at = "template-user", start + timedelta(days=6)
        event = ActivityEvent(
            event_id="tie-template", type="login", user_id=template_user, occurred_at=template_at
        )
        c.events.add_new(tenant_id, [event])
        score = Decimal(5)
        counter = CounterKey(template_user, "logins", week)
        c.progress.apply(
            tenant_id,
            [EventDeltas(event.event_id, 1, {counter: score}, frozenset({counter}))],
            template_at,
        )
        item_key = {
            "PK": {"S": keys.user_pk(tenant_id, template_user)},
            "SK": {"S": keys.counter_sk(counter)},
        }
        template = bench.reader.get_item(
            TableName=bench.table_name, Key=item_key, ConsistentRead=True
        )["Item"]
        bench.reader.delete_item(TableName=bench.table_name, Key=item_key)

        first, second = sorted(rng.sample(range(users), 2))
        earliest = start + timedelta(hours=1)
        order = rng.sample(range(users), users)
        moments = {i: earliest + timedelta(seconds=1 + rank) for rank, i in enumerate(order)}
        moments[first] = moments[second] = earliest
        clones = [
            _clone(template, template_user, template_at, user_ids[i], moments[i])
            for i in range(users)
        ]
        _write_all(bench.reader, bench.table_name, clones)

    handler = _load_select_winners()
    with bench.counter.measure() as requests, bench.meter.measure() as units:
        handler.lambda_handler(
            _message(tenant_id, achievement.achievement_id, week), LambdaContext()
        )
    holders = bench.reader.query(
        TableName=bench.table_name,
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :pk",
        ExpressionAttributeValues={
            ":pk": {"S": keys.achievement_holders_pk(tenant_id, achievement.achievement_id)}
        },
    )["Items"]
    picked = holders[0]["user_id"]["S"] if holders else None
    # Later runs must not see this tenant's period winner in the winners job's listing.
    bench.reader.delete_item(
        TableName=bench.table_name,
        Key={
            "PK": {"S": keys.tenant_pk(tenant_id)},
            "SK": {"S": keys.achievement_sk(achievement.achievement_id)},
        },
    )
    run = TieRun(
        users=users,
        queries=Counter(units.queries),
        leaderboard_queries=sum(
            n for index, n in units.queries.items() if index not in ("GSI1", "table")
        ),
        requests=sum(requests.values()),
        rru=units.total_rru,
        expected=user_ids[first],
        picked=picked,
    )
    verdict = "right" if run.correct else "WRONG"
    out(
        f"    {run.leaderboard_queries} leaderboard queries, {run.rru:g} RRU;"
        f" picked {picked}, expected {run.expected} ({verdict})"
    )
    return run


def _message(tenant_id: str, achievement_id: str, week: str) -> dict[str, Any]:
    """The sample WinnersQueue message, for this tenant's week."""
    import json

    from accolade.domain.closing import PeriodClose, TenantCloses

    event: dict[str, Any] = json.loads(
        (ROOT / "events" / "select_winners" / "tenant_closes.json").read_text(encoding="utf-8")
    )
    close = PeriodClose(achievement_id=achievement_id, period_key=week)
    work = TenantCloses(tenant_id=tenant_id, as_of=datetime.now(UTC), closes=(close,))
    event["Records"][0]["body"] = work.model_dump_json()
    return event


def _load_select_winners() -> ModuleType:
    """functions/select_winners/app.py as its own module. Registered in sys.modules before it
    runs, as Lambda's import does: its pydantic event model resolves its postponed annotations
    through the module (accolade_local.handlers.load_handler does not register it)."""
    path = ROOT / "functions" / "select_winners" / "app.py"
    name = f"bench_select_winners_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _clone(
    template: Mapping[str, Any], user: str, at: datetime, new_user: str, new_at: datetime
) -> dict[str, Any]:
    """The template counter for another user reached at another moment."""
    from accolade.domain.rules import standing_order

    old_at, replaced = at.isoformat(), False

    def swap(value: Any) -> Any:
        nonlocal replaced
        if isinstance(value, dict):
            if "S" in value:
                text = str(value["S"])
                if old_at in text:
                    replaced = True
                return {"S": text.replace(user, new_user).replace(old_at, new_at.isoformat())}
            return {k: swap(v) for k, v in value.items()}
        return value

    clone = {name: swap(value) for name, value in template.items()}
    if "LBSK" in template:  # the Leaderboard sort key encodes the user and the moment
        clone["LBSK"] = {"S": standing_order(Decimal(template["score"]["N"]), new_at, new_user)}
    if not replaced:
        raise RuntimeError(
            "the counter item no longer stores reached_at as an ISO string: update benchmarks/ties.py"
        )
    return clone


def _write_all(client: Any, table: str, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), 25):
        request: dict[str, Any] = {
            table: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        }
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
