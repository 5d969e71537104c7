"""Ingest + evaluate against DynamoDB Local: events/second and DynamoDB requests per event.

Ingest goes through ``record_events`` (what POST /v1/events runs); evaluation through the
evaluate_events handler, fed with the table's real stream records, filtered by the template's
filter and cut into batches as Lambda's event source mapping would.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from accolade_local.handlers import LambdaContext, load_handler
from accolade_local.services import DynamoDBLocal, MotoServer, client, free_port, provision
from accolade_local.streams import StreamReader, match_any
from accolade_local.template import LocalNames, Template
from benchmarks.counting import CallAudit, RequestCounter, pynamodb_clients
from benchmarks.naive import NaiveEngine, compare, end_state
from benchmarks.units import UnitMeter, Usage
from benchmarks.workload import Workload, achievement_bodies, generate, metric_bodies

ROOT = Path(__file__).resolve().parents[1]
EVALUATE_FUNCTION = "EvaluateEventsFunction"


@dataclass
class Phase:
    events: int = 0
    seconds: float = 0.0
    requests: Counter[str] = field(default_factory=Counter)
    units: Usage = field(default_factory=Usage)
    invocations: int = 0
    failures: int = 0

    @property
    def per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    @property
    def per_event(self) -> float:
        return sum(self.requests.values()) / self.events if self.events else 0.0

    @property
    def wru_per_event(self) -> float:
        return self.units.total_wru / self.events if self.events else 0.0

    @property
    def rru_per_event(self) -> float:
        return self.units.total_rru / self.events if self.events else 0.0


@dataclass
class RunResult:
    batch_size: int
    users: int
    active_users: int
    ingest: Phase
    evaluate: Phase
    awards: int
    me_requests: Counter[str]  # one GET /v1/me/achievements (the service) for the top user
    audit_calls: int  # every DynamoDB API call seen process-wide (cross-check)
    naive: Phase | None = None  # the naive baseline on the same events (benchmarks/naive.py)
    naive_awards: int = 0

    @property
    def end_to_end(self) -> Phase:
        return Phase(
            events=self.ingest.events,
            seconds=self.ingest.seconds + self.evaluate.seconds,
            requests=self.ingest.requests + self.evaluate.requests,
            units=self.ingest.units + self.evaluate.units,
        )


def _image(record: Mapping[str, Any], attribute: str) -> str | None:
    value = (record["dynamodb"].get("NewImage") or {}).get(attribute) or {}
    found = value.get("S")
    return str(found) if found is not None else None


class Bench:
    """DynamoDB Local + moto, the template's table, and the layer bound to it, in this process."""

    def __init__(self, template: Template) -> None:
        self.template = template
        self.names = LocalNames()
        self._stack = contextlib.ExitStack()
        self.counter = RequestCounter()
        self.meter = UnitMeter()
        self.stream: StreamReader | None = None
        self.filters: list[dict[str, Any]] = []
        self.evaluate: ModuleType | None = None

    def __enter__(self) -> Bench:
        try:
            self._start()
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self._stack.close()

    def _start(self) -> None:
        dynamodb = DynamoDBLocal(free_port()).start()
        self._stack.callback(dynamodb.stop)
        moto = MotoServer(free_port(), account=self.names.account).start()
        self._stack.callback(moto.stop)
        self.backend = dynamodb.name
        provision(self.template, self.names, dynamodb.endpoint, moto.endpoint)
        names = self.names.with_endpoint(moto.endpoint)
        env = {
            "AWS_ENDPOINT_URL_DYNAMODB": dynamodb.endpoint,
            "AWS_ENDPOINT_URL": moto.endpoint,
            "AWS_REGION": names.region,
            "AWS_DEFAULT_REGION": names.region,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "TABLE_NAME": names.table_name(),
            "TOPIC_ARN": names.topic_arn("AwardsTopic"),
            "BUCKET_NAME": names.bucket_name("DocumentsBucket"),
            "POWERTOOLS_SERVICE_NAME": "accolade",
            "POWERTOOLS_METRICS_NAMESPACE": "Accolade",
            "POWERTOOLS_TRACE_DISABLED": "true",
            # One INFO line per batch would be the loudest thing in the output.
            "POWERTOOLS_LOG_LEVEL": "ERROR",
        }
        self._stack.enter_context(_environ(env))
        from accolade import bootstrap

        bootstrap.reset()
        self._stack.callback(bootstrap.reset)
        self.container = bootstrap.container()  # binds every model to the table
        self.counter.attach(pynamodb_clients())
        self._stack.callback(self.counter.detach)
        self.meter.attach(pynamodb_clients())
        self._stack.callback(self.meter.detach)
        self.endpoint = dynamodb.endpoint
        self.aws_endpoint = moto.endpoint
        self.table_name = names.table_name()
        # What each function's environment holds on the local stack (first-invocation runs).
        self.function_envs = {
            spec.code_uri.name: spec.env for spec in self.template.functions(names).values()
        }
        self.local_env = {k: v for k, v in env.items() if k.startswith("AWS_")}
        # The naive baseline's client (metered) and an unmetered one that reads end states.
        self.naive_client = client("dynamodb", dynamodb.endpoint)
        self.counter.attach([self.naive_client])
        self.meter.attach([self.naive_client])
        self.reader = client("dynamodb", dynamodb.endpoint)
        self.evaluate = load_handler("evaluate_events")
        table = client("dynamodb", dynamodb.endpoint).describe_table(TableName=names.table_name())[
            "Table"
        ]
        self.stream = StreamReader(
            client("dynamodbstreams", dynamodb.endpoint), table["LatestStreamArn"]
        )
        self.stream.read()  # start after what provisioning wrote (nothing, on a fresh table)
        mapping = next(
            m for m in self.template.stream_mappings() if m.function_id == EVALUATE_FUNCTION
        )
        self.filters = mapping.filter_patterns

    def setup_tenant(self, tenant_id: str, workload: Workload, achievements: int) -> None:
        from accolade.entrypoints.http import admin_schemas
        from accolade.services import admin

        c = self.container
        for metric_id, body in metric_bodies().items():
            admin.put_metric(
                tenant_id,
                admin_schemas.MetricIn.model_validate(body).to_domain(metric_id),
                config=c.config,
            )
        for body in achievement_bodies(achievements):
            definition = admin_schemas.AchievementIn.model_validate(body).definition()
            admin.create_achievement(
                tenant_id, definition, ports=admin.DefinitionPorts(c.config), clock=c.clock
            )
        for index, user_id in enumerate(workload.users):
            profile = admin_schemas.UserIn.model_validate(
                {"display_name": f"User {index}", "org_id": f"org-{index % 7}", "groups": ["sales"]}
            ).to_domain(user_id)
            admin.put_user(tenant_id, profile, users=c.users)

    def run(
        self,
        *,
        batch_size: int,
        events: int,
        users: int,
        achievements: int = 20,
        naive: bool = True,
    ) -> RunResult:
        from accolade.services.ingest import record_events

        tenant_id = f"bench-{batch_size}-{uuid.uuid4().hex[:8]}"
        workload = generate(events=events, users=users, now=datetime.now(UTC))
        self.setup_tenant(tenant_id, workload, achievements)
        assert self.stream is not None and self.evaluate is not None
        self.stream.read()  # skip the set-up writes

        c = self.container
        ingest = Phase(events=len(workload.events))
        with CallAudit() as audit:
            with self.counter.measure() as requests, self.meter.measure() as units:
                started = time.perf_counter()
                for start in range(0, len(workload.events), batch_size):
                    chunk = workload.events[start : start + batch_size]
                    result = record_events(tenant_id, chunk, store=c.events, clock=c.clock)
                    ingest.invocations += 1
                    ingest.failures += len(chunk) - len(result.accepted)
                ingest.seconds = time.perf_counter() - started
            ingest.requests, ingest.units = requests, units

            records = self._event_records(tenant_id, len(workload.events))
            evaluate = Phase(events=len(records))
            with self.counter.measure() as requests, self.meter.measure() as units:
                started = time.perf_counter()
                for start in range(0, len(records), batch_size):
                    batch = {"Records": records[start : start + batch_size]}
                    response = self.evaluate.lambda_handler(batch, LambdaContext())
                    evaluate.invocations += 1
                    evaluate.failures += len(response.get("batchItemFailures", []))
                evaluate.seconds = time.perf_counter() - started
            evaluate.requests, evaluate.units = requests, units
        awards = sum(
            1
            for r in self.stream.read()
            if r["eventName"] == "INSERT"
            and _image(r, "entity") == "award"
            and _image(r, "tenant_id") == tenant_id
        )
        run = RunResult(
            me_requests=self._me_requests(tenant_id, workload.users[0]),
            batch_size=batch_size,
            users=users,
            active_users=workload.distinct_active_users(),
            ingest=ingest,
            evaluate=evaluate,
            awards=awards,
            audit_calls=audit.calls,
        )
        if naive:
            self._naive(run, tenant_id, workload, achievements)
        return run

    def _naive(self, run: RunResult, tenant_id: str, workload: Workload, achievements: int) -> None:
        """The naive baseline on the same events, in its own tenant; same end state or fail."""
        naive_tenant = f"naive-{run.batch_size}-{uuid.uuid4().hex[:8]}"
        self.setup_tenant(naive_tenant, workload, achievements)
        engine = NaiveEngine(self.naive_client, self.table_name)
        phase = Phase(events=len(workload.events))
        with self.counter.measure() as requests, self.meter.measure() as units:
            started = time.perf_counter()
            for start in range(0, len(workload.events), run.batch_size):
                result = engine.process(
                    naive_tenant, workload.events[start : start + run.batch_size]
                )
                phase.invocations += 1
                phase.failures += result.duplicates
                run.naive_awards += result.awards
            phase.seconds = time.perf_counter() - started
        phase.requests, phase.units = requests, units
        run.naive = phase
        compare(
            end_state(self.reader, self.table_name, tenant_id, workload.users),
            end_state(self.reader, self.table_name, naive_tenant, workload.users),
        )

    def my_achievements(self, tenant_id: str, user_id: str) -> None:
        """What GET /v1/me/achievements runs, for one user."""
        from accolade.bootstrap import inject
        from accolade.services import me

        inject(me.my_achievements, self.container)(tenant_id, user_id)

    def _me_requests(self, tenant_id: str, user_id: str) -> Counter[str]:
        """DynamoDB requests of what GET /v1/me/achievements runs, for one user."""
        with self.counter.measure() as requests:
            self.my_achievements(tenant_id, user_id)
        return requests

    def _event_records(self, tenant_id: str, expected: int, timeout: float = 60) -> list[Any]:
        """The tenant's new event records on the stream, filtered as the mapping filters them."""
        assert self.stream is not None
        found: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while True:
            found += [
                r
                for r in self.stream.read()
                if match_any(self.filters, r) and _image(r, "tenant_id") == tenant_id
            ]
            if len(found) >= expected:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(found)} of {expected} event records on the stream")
            time.sleep(0.05)


@contextlib.contextmanager
def _environ(values: Mapping[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in (*values, "AWS_PROFILE", "AWS_SESSION_TOKEN")}
    os.environ.pop("AWS_PROFILE", None)
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_throughput(
    bench: Bench,
    runs: list[tuple[int, int]],
    *,
    users: int,
    achievements: int = 20,
    naive: bool = True,
    out: Any = print,
) -> list[RunResult]:
    """One run per (batch size, events); each on its own tenant of the bench's table."""
    results: list[RunResult] = []
    for batch_size, events in runs:
        out(f"  throughput: batch {batch_size}, {events} events, {users} users ...")
        result = bench.run(
            batch_size=batch_size,
            events=events,
            users=users,
            achievements=achievements,
            naive=naive,
        )
        e2e = result.end_to_end
        out(
            f"    ingest {result.ingest.per_second:,.0f} ev/s {result.ingest.per_event:.3f} req/ev;"
            f" evaluate {result.evaluate.per_second:,.0f} ev/s {result.evaluate.per_event:.3f} req/ev;"
            f" {e2e.wru_per_event:.2f} WRU/ev {e2e.rru_per_event:.2f} RRU/ev"
            f" ({result.ingest.seconds:.0f} s + {result.evaluate.seconds:.0f} s)"
        )
        if result.naive is not None:
            out(
                f"    naive: {result.naive.wru_per_event:.2f} WRU/ev"
                f" {result.naive.rru_per_event:.2f} RRU/ev {result.naive.per_event:.2f} req/ev"
                f" in {result.naive.seconds:.0f} s (same end state: counters, awards, wallets)"
            )
        results.append(result)
    return results


def open_bench() -> Bench:
    return Bench(Template(ROOT / "template.yaml"))
