"""What the reliability tests share: a tenant's definitions, the expected-state model, the real
DynamoDB stream, Lambda-like redelivery, botocore fault / crash hooks and a snapshot reader.

The expected state is computed here without the engine's rules module (periods by hand), so a
bug in counting or granting cannot hide behind the code under test.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any, TypeVar, cast

from botocore.awsrequest import AWSResponse

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.models import ENTITY_MODELS, Item
from accolade.bootstrap import Container
from accolade.domain.models import Achievement, ActivityEvent, Metric, TenantSettings
from accolade.services import admin
from accolade_local.handlers import LambdaContext
from accolade_local.handlers import load_handler as load_module
from accolade_local.streams import StreamReader

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]
FULL = os.environ.get("ACCOLADE_SUITE") == "full"

# -- the tenant every test configures -----------------------------------------------------------

DEAL = "deal_closed"
CERTIFIED = "certification_completed"
OTHER = "page_viewed"  # matches no metric and no achievement
CLOSER_LEVELS = ((3, 10), (6, 20), (9, 40))  # (threshold, points): 3 levels per ISO week
CERTIFIED_POINTS = 5
PROJECT_CREATED = "project.created"
CALL = "call"  # activity in a project (with attributes.project_id): Trailblazer's
TRAILBLAZER_POINTS = 7
TRAILBLAZER_ENABLED_DAYS = 2  # enabled two days after base_monday(): older projects exist
KUDOS_POINTS = 3  # a manual achievement, given by hand any number of times


def configure_tenant(c: Container, tenant_id: str) -> None:
    """A count and a sum metric, a Closer-like weekly 3-level threshold, a repeatable event award."""
    now = datetime.now(UTC)
    c.config.put_settings(tenant_id, TenantSettings())
    admin.put_metric(
        tenant_id, Metric(metric_id="deals", event_type=DEAL, aggregate="count"), config=c.config
    )
    admin.put_metric(
        tenant_id, Metric(metric_id="revenue", event_type=DEAL, aggregate="sum"), config=c.config
    )
    c.config.create_achievement(
        tenant_id,
        Achievement.model_validate(
            {
                "achievement_id": "closer",
                "name": "Closer",
                "type": "metric_threshold",
                "metric": "deals",
                "time_range": "week",
                "levels": [{"threshold": t, "points": p} for t, p in CLOSER_LEVELS],
                "created_at": now,
                "updated_at": now,
            }
        ),
    )
    c.config.create_achievement(
        tenant_id,
        Achievement.model_validate(
            {
                "achievement_id": "certified",
                "name": "Certified",
                "type": "event",
                "event_type": CERTIFIED,
                "repeatable": True,
                "levels": [{"threshold": 1, "points": CERTIFIED_POINTS}],
                "created_at": now,
                "updated_at": now,
            }
        ),
    )
    c.config.create_achievement(
        tenant_id,
        Achievement.model_validate(
            {
                "achievement_id": "kudos",
                "name": "Kudos",
                "type": "manual",
                "levels": [{"points": KUDOS_POINTS}],
                "created_at": now,
                "updated_at": now,
            }
        ),
    )
    c.config.create_achievement(
        tenant_id,
        Achievement.model_validate(
            {
                "achievement_id": "trailblazer",
                "name": "Trailblazer",
                "type": "first_activity_in_project",
                "activity_types": [CALL],
                "levels": [{"threshold": 1, "points": TRAILBLAZER_POINTS}],
                "created_at": now,
                "updated_at": now,
                "enabled_at": base_monday() + timedelta(days=TRAILBLAZER_ENABLED_DAYS),
            }
        ),
    )


def base_monday(weeks_back: int = 3) -> datetime:
    """Noon UTC on the Monday ``weeks_back`` ISO weeks ago: every test date is in the past."""
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    return today - timedelta(days=today.weekday() + 7 * weeks_back)


def make_event(
    kind: str, user: str, at: datetime, value: Decimal | None = None, project: str | None = None
) -> ActivityEvent:
    return ActivityEvent(
        event_id=f"e-{uuid.uuid4().hex[:16]}",
        type=kind,
        user_id=user,
        occurred_at=at,
        value=value if kind == DEAL else None,
        attributes={"project_id": project} if project else {},
    )


def random_events(
    rng: random.Random,
    count: int,
    kinds: Sequence[str],
    users: Sequence[str],
    days: int,
    value: Callable[[random.Random], Decimal],
) -> list[ActivityEvent]:
    """``count`` events of random kinds and users, a second apart, over ``days`` from
    base_monday() (deals valued by ``value``)."""
    monday = base_monday()
    return [
        make_event(
            rng.choice(kinds),
            rng.choice(users),
            monday + timedelta(days=rng.randrange(days), seconds=i),
            value(rng),
        )
        for i in range(count)
    ]


# -- the expected state --------------------------------------------------------------------------


def periods(moment: datetime) -> list[str]:
    day = moment.astimezone(UTC)
    iso = day.isocalendar()
    return [
        f"D{day.date().isoformat()}",
        f"W{iso.year}-W{iso.week:02d}",
        f"M{day.year:04d}-{day.month:02d}",
        "ALL",
    ]


@dataclass(frozen=True)
class Expected:
    counters: dict[tuple[str, str, str], Decimal]  # (user, metric, period) -> value
    awards: dict[tuple[str, str, str, int], int]  # (user, achievement, period, level) -> points


def expected_state(events: Iterable[ActivityEvent]) -> Expected:
    """What DynamoDB must hold once each of ``events`` (unique ids) has been evaluated."""
    counters: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    awards: dict[tuple[str, str, str, int], int] = {}
    for event in events:
        if event.type == DEAL:
            for period in periods(event.occurred_at):
                counters[(event.user_id, "deals", period)] += 1
                if event.value is not None:
                    counters[(event.user_id, "revenue", period)] += event.value
        elif event.type == CERTIFIED:
            awards[(event.user_id, "certified", f"E:{event.event_id}", 1)] = CERTIFIED_POINTS
    for (user, metric, period), value in counters.items():
        if metric == "deals" and period.startswith("W"):
            for level, (threshold, points) in enumerate(CLOSER_LEVELS, 1):
                if value >= threshold:
                    awards[(user, "closer", period, level)] = points
    return Expected(dict(counters), awards)


def check_first_in_projects(
    shot: Snapshot,
    events: Iterable[ActivityEvent],
    created: Mapping[str, datetime | None],
    firsts: Mapping[str, str],
    enabled_at: datetime,
) -> dict[tuple[str, str, str, int], int]:
    """Assert Trailblazer's awards, given the evaluated ``events``, each project's stored
    creation time (``created``) and first caller (``firsts``): one per project, to the project's
    first caller, exactly when the project was registered not before ``enabled_at`` and has a
    call. Returns them as expected awards (their winner is the evaluation order's to choose)."""
    registrations: dict[str, set[datetime]] = defaultdict(set)
    callers: dict[str, set[str]] = defaultdict(set)
    for event in events:
        project = str(event.attributes.get("project_id", ""))
        if event.type == PROJECT_CREATED and project:
            registrations[project].add(event.occurred_at)
        elif event.type == CALL and project:
            callers[project].add(event.user_id)
    found = {k: v["points"] for k, v in shot.awards.items() if k[1] == "trailblazer"}
    by_project: dict[str, list[str]] = defaultdict(list)
    for user, _, period, level in found:
        assert period.startswith("P:") and level == 1
        by_project[period.removeprefix("P:")].append(user)
    for project in set(registrations) | set(callers) | set(by_project):
        stored = created.get(project)
        assert (stored is None) == (project not in registrations)
        assert stored is None or stored in registrations[project]  # the first registered stays
        if project in firsts:
            assert firsts[project] in callers[project]
        won = stored is not None and stored >= enabled_at and project in callers
        assert by_project.get(project, []) == ([firsts.get(project)] if won else [])
    assert set(found.values()) <= {TRAILBLAZER_POINTS}
    return found


# -- reading what DynamoDB holds (a plain client: never the hooked ones) -------------------------


@dataclass
class Snapshot:
    counters: dict[tuple[str, str, str], Decimal] = field(default_factory=dict)
    awards: dict[tuple[str, str, str, int], dict[str, Any]] = field(default_factory=dict)
    award_rows: int = 0
    wallets: dict[str, tuple[int, int]] = field(default_factory=dict)  # user -> (points, entries)
    ledgers: dict[str, list[tuple[int, str, int, int]]] = field(default_factory=dict)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)  # message_id -> fields

    def comparable(self) -> dict[str, Any]:
        """Everything but timestamps, for comparing two tenants' end states."""
        return {
            "counters": self.counters,
            "awards": {
                k: (v["award_id"], v["points"], v["status"]) for k, v in self.awards.items()
            },
            "award_rows": self.award_rows,
            "wallets": self.wallets,
            "ledgers": self.ledgers,
            "messages": {
                k: (v["title"], v["body"], v["award_id"], v["announced"])
                for k, v in self.messages.items()
            },
        }


def snapshot(dynamodb: Any, table: str, tenant_id: str, users: Iterable[str]) -> Snapshot:
    shot = Snapshot()
    for user in sorted(set(users)):
        ledger: list[tuple[int, str, int, int]] = []
        pages = dynamodb.get_paginator("query").paginate(
            TableName=table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": f"T#{tenant_id}#U#{user}"}},
            ConsistentRead=True,
        )
        for page in pages:
            for raw in page["Items"]:
                # The discriminator makes each item its entity's subclass: read as Any.
                kind, item = raw["entity"]["S"], cast(Any, Item.from_raw_data(raw))
                if kind == "counter":
                    shot.counters[(user, item.metric_id, item.period_key)] = item.score
                elif kind == "award":
                    shot.award_rows += 1
                    key = (user, item.achievement_id, item.period_key, int(item.level))
                    shot.awards[key] = {
                        "award_id": item.award_id,
                        "points": int(item.points),
                        "status": item.status,
                    }
                elif kind == "wallet":
                    shot.wallets[user] = (int(item.points), int(item.entries))
                elif kind == "ledger":
                    ledger.append(
                        (
                            keys.ledger_sequence(item.SK),
                            item.award_id,
                            int(item.points),
                            int(item.points_balance),
                        )
                    )
                elif kind == "message":
                    shot.messages[item.message_id] = {
                        "title": item.title,
                        "body": item.body,
                        "award_id": item.award_id,
                        "announced": item.announced_at is not None,
                    }
        if ledger:
            shot.ledgers[user] = sorted(ledger)
    return shot


@dataclass
class Tally:
    """Facts found short of the model (lost) or past it (doubled), counted across checks."""

    lost: int = 0
    doubled: int = 0

    def add(self, actual: Mapping[Any, Any], expected: Mapping[Any, Any]) -> None:
        """Compare two maps of facts: a missing or smaller value is lost, an extra or larger
        one doubled, another value both (one fact replaced by another)."""
        for key, value in expected.items():
            found = actual.get(key)
            if found is None:
                self.lost += 1
            elif found != value:
                numeric = isinstance(value, int | Decimal) and isinstance(found, int | Decimal)
                self.lost += int(not numeric or found < value)
                self.doubled += int(not numeric or found > value)
        self.doubled += sum(1 for key in actual if key not in expected)

    def compare_states(self, actual: Mapping[str, Any], expected: Mapping[str, Any]) -> None:
        """Two comparable end states (Snapshot.comparable()), section by section."""
        for section, value in expected.items():
            if isinstance(value, Mapping):
                self.add(actual[section], value)
            else:
                self.add({section: actual[section]}, {section: value})


def check_against(
    shot: Snapshot,
    expected: Expected,
    tally: Tally | None = None,
    revoked: frozenset[str] = frozenset(),
) -> int:
    """Assert the snapshot holds exactly what the model expects, the ``revoked`` award ids
    revoked and no other; the number of facts checked.

    ``tally`` counts what was lost or doubled before the assertions stop the test."""
    if tally is not None:
        tally.add(shot.counters, expected.counters)
        tally.add({k: v["points"] for k, v in shot.awards.items()}, expected.awards)
        tally.doubled += shot.award_rows - len(shot.awards)
    assert shot.counters == expected.counters
    assert shot.award_rows == len(shot.awards)
    assert {k: v["points"] for k, v in shot.awards.items()} == expected.awards
    statuses = {v["award_id"]: v["status"] for v in shot.awards.values()}
    assert {a for a, status in statuses.items() if status == "revoked"} == set(revoked)
    return len(expected.counters) + len(expected.awards) + check_wallets(shot)


def check_wallets(shot: Snapshot) -> int:
    """Wallet points = sum of the points of awards not revoked; the ledger is a running sum with
    one entry per award that pays, and one more taking it back for each revoked."""
    checked = 0
    points_by_user: dict[str, int] = defaultdict(int)
    paid: dict[str, list[str]] = defaultdict(list)
    for (user, *_), award in shot.awards.items():
        revoked = award["status"] == "revoked"
        points_by_user[user] += 0 if revoked else award["points"]
        if award["points"]:
            paid[user] += [award["award_id"]] * (2 if revoked else 1)
    for user in set(points_by_user) | set(shot.wallets) | set(shot.ledgers):
        ledger = shot.ledgers.get(user, [])
        points, entries = shot.wallets.get(user, (0, 0))
        assert points == points_by_user[user], f"wallet of {user}"
        assert entries == len(ledger), f"ledger length of {user}"
        assert sorted(entry[1] for entry in ledger) == sorted(paid[user]), f"ledger of {user}"
        balance = 0
        for position, (sequence, _, delta, running) in enumerate(ledger, 1):
            balance += delta
            assert (sequence, running) == (position, balance), f"ledger of {user} at {sequence}"
        assert balance == points
        checked += 1 + len(ledger)
    return checked


# -- the real DynamoDB stream --------------------------------------------------------------------


class StreamTap:
    """Reads the table's stream incrementally (all shards) into Lambda-shaped records."""

    def __init__(self, streams: Any, stream_arn: str) -> None:
        self._reader = StreamReader(streams, stream_arn)
        self._lock = threading.Lock()
        self.events: dict[tuple[str, str], dict[str, Any]] = {}  # (tenant, event_id) -> INSERT
        self.awards: dict[str, list[dict[str, Any]]] = defaultdict(list)  # tenant -> INSERTs

    def poll(self) -> None:
        with self._lock:
            for record in self._reader.read():
                self._keep(record)

    def _keep(self, record: dict[str, Any]) -> None:
        if record["eventName"] != "INSERT":
            return
        image = record["dynamodb"]["NewImage"]
        entity, tenant = image["entity"]["S"], image["tenant_id"]["S"]
        if entity == "event":
            self.events[(tenant, image["event_id"]["S"])] = record
        elif entity == "award":
            self.awards[tenant].append(record)

    def event_records(
        self, tenant_id: str, event_ids: Sequence[str], timeout: float = 20.0
    ) -> list[dict[str, Any]]:
        """The INSERT records of these events, in stream order, once all have arrived."""
        deadline = time.monotonic() + timeout
        while True:
            self.poll()
            missing = [e for e in event_ids if (tenant_id, e) not in self.events]
            if not missing:
                records = [self.events[(tenant_id, e)] for e in event_ids]
                return sorted(records, key=sequence_of)
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(missing)} event records never reached the stream")
            time.sleep(0.05)

    def award_records(
        self, tenant_id: str, count: int, timeout: float = 20.0
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            self.poll()
            records = self.awards.get(tenant_id, [])
            if len(records) >= count:
                assert len(records) == count, "more award INSERTs than awards"
                return sorted(records, key=sequence_of)
            if time.monotonic() > deadline:
                raise TimeoutError(f"{count - len(records)} award records never reached the stream")
            time.sleep(0.05)


def sequence_of(record: dict[str, Any]) -> int:
    return int(record["dynamodb"]["SequenceNumber"])


def batches(records: Sequence[T], size: int = 100) -> list[list[T]]:
    return [list(records[i : i + size]) for i in range(0, len(records), size)]


# -- Lambda: handlers, context, redelivery -------------------------------------------------------


def load_handler(function: str) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """A fresh copy of the handler (its own batch processor, like its own sandbox)."""
    handler: Callable[[dict[str, Any], Any], dict[str, Any]] = load_module(function).lambda_handler
    return handler


@dataclass
class Delivery:
    invocations: int = 0
    retried_records: int = 0
    function_errors: int = 0


def deliver_until_done(
    handler: Callable[[dict[str, Any], Any], dict[str, Any]],
    records: Sequence[dict[str, Any]],
    *,
    max_invocations: int = 60,
    retry_delay: float = 0.0,
    tally: Delivery | None = None,
) -> Delivery:
    """Lambda's stream retries: a function error retries the batch, a partial batch response
    retries from the first failed record, until the batch succeeds."""
    tally = tally or Delivery()
    pending = list(records)
    while pending:
        if tally.invocations >= max_invocations:
            raise AssertionError(f"batch still failing after {tally.invocations} invocations")
        tally.invocations += 1
        try:
            response = handler({"Records": pending}, LambdaContext(function_name="reliability"))
        except Exception:
            tally.function_errors += 1
            time.sleep(retry_delay)
            continue
        failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        if not failed:
            return tally
        first = min(i for i, r in enumerate(pending) if r["dynamodb"]["SequenceNumber"] in failed)
        pending = pending[first:]
        tally.retried_records += len(pending)
        time.sleep(retry_delay)
    return tally


# -- botocore hooks: faults and crashes ----------------------------------------------------------


class CrashError(BaseException):
    """The process dies here: a BaseException, so no handler's `except Exception` survives it."""


WRITES = frozenset(
    {
        "TransactWriteItems",
        "BatchExecuteStatement",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
    }
)


def dynamodb_clients() -> list[Any]:
    """The botocore clients PynamoDB uses (one per model class, each with its own hooks)."""
    clients: dict[int, Any] = {}
    every: tuple[type[Item], ...] = (Item, *ENTITY_MODELS)
    for model in every:
        client = model._get_connection().connection.client
        clients[id(client)] = client
    return list(clients.values())


@contextmanager
def hooked(clients: Iterable[Any], event: str, handler: Callable[..., Any]) -> Iterator[None]:
    clients = list(clients)
    unique = f"reliability-{uuid.uuid4().hex}"
    for client in clients:
        client.meta.events.register_first(event, handler, unique_id=unique)
    try:
        yield
    finally:
        for client in clients:
            client.meta.events.unregister(event, unique_id=unique)


class _Raw(BytesIO):
    def stream(self, **_: Any) -> Iterator[bytes]:
        contents = self.read()
        while contents:
            yield contents
            contents = self.read()


DYNAMODB_FAULTS = (
    (
        400,
        "ProvisionedThroughputExceededException",
        "The level of configured provisioned throughput for the table was exceeded.",
    ),
    (400, "ThrottlingException", "Rate of requests exceeds the allowed throughput."),
    (500, "InternalServerError", "Internal server error"),
)


def dynamodb_error(status: int, code: str, message: str, url: str) -> AWSResponse:
    body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": message})
    headers = {"x-amzn-RequestId": uuid.uuid4().hex, "Content-Type": "application/x-amz-json-1.0"}
    return AWSResponse(url, status, headers, _Raw(body.encode()))


@dataclass
class FaultPlan:
    """Answers ~rate of the DynamoDB requests with a throttle or a 5xx (botocore then retries as
    it would against AWS), fails ~exhausted_rate of DynamoDB calls as if every retry had been
    throttled, and ~sns_rate of SNS publishes after the SDK's own retries.

    Exhausted calls are drawn at random: a fixed period (every 10th call) fails the same call of a
    redelivery that makes the same calls every time, forever, which throttling never does."""

    rate: float = 0.10
    exhausted_rate: float = 0.10  # calls whose every SDK attempt is throttled: handlers see it
    exhausting: bool = True  # switched off for phases where the SDK-level faults suffice
    sns_rate: float = 0.20
    seed: int = 7
    injected: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    calls: int = 0
    publishes: int = 0

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()

    def on_dynamodb_send(self, request: Any, **_: Any) -> AWSResponse | None:
        with self._lock:
            self.requests += 1
            if self._random.random() >= self.rate:
                return None
            status, code, message = self._random.choice(DYNAMODB_FAULTS)
            self.injected[code] += 1
        return dynamodb_error(status, code, message, request.url)

    def on_dynamodb_call(self, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        with self._lock:
            if not self.exhausting:
                return None
            self.calls += 1
            # The first call (an ingest) always: the client must see a 5xx and send again.
            if self.calls > 1 and self._random.random() >= self.exhausted_rate:
                return None
            self.injected["retries exhausted"] += 1
        error = {
            "Error": {"Code": "ProvisionedThroughputExceededException", "Message": "injected"},
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }
        return AWSResponse("https://dynamodb", 400, {}, _Raw(b"")), error

    def on_sns_publish(self, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        with self._lock:
            self.publishes += 1
            if self._random.random() >= self.sns_rate:
                return None
            self.injected["sns.Publish"] += 1
        error = {
            "Error": {"Code": "InternalError", "Message": "injected", "Type": "Receiver"},
            "ResponseMetadata": {"HTTPStatusCode": 500},
        }
        return AWSResponse("https://sns", 500, {}, _Raw(b"")), error

    @contextmanager
    def active(self, sns_client: Any) -> Iterator[None]:
        with (
            hooked(dynamodb_clients(), "before-send.dynamodb.*", self.on_dynamodb_send),
            hooked(dynamodb_clients(), "before-call.dynamodb.*", self.on_dynamodb_call),
            hooked([sns_client], "before-call.sns.Publish", self.on_sns_publish),
        ):
            yield


@dataclass
class WriteTrap:
    """Counts DynamoDB writes; with ``crash_at`` = k, the k-th write never leaves the process."""

    crash_at: int | None = None
    writes: list[str] = field(default_factory=list)

    def on_send(self, request: Any, **_: Any) -> None:
        target = request.headers.get("X-Amz-Target", b"")
        operation = (target.decode() if isinstance(target, bytes) else target).rpartition(".")[2]
        if operation not in WRITES:
            return
        self.writes.append(operation)
        if self.crash_at == len(self.writes):
            raise CrashError(f"crashed before write {len(self.writes)} ({operation})")

    @contextmanager
    def active(self) -> Iterator[None]:
        with hooked(dynamodb_clients(), "before-send.dynamodb.*", self.on_send):
            yield


# -- the awards feed (SQS subscribed to the topic, raw delivery) ---------------------------------


class FeedCollector:
    """Drains AwardsFeedQueue once for the whole session and sorts publications by tenant."""

    def __init__(self, sqs: Any, queue_url: str) -> None:
        self.sqs, self.queue_url = sqs, queue_url
        self.by_tenant: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._lock = threading.Lock()

    def drain(self) -> None:
        with self._lock:
            empty = 0
            while empty < 2:
                response = self.sqs.receive_message(
                    QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
                )
                messages = response.get("Messages", [])
                if not messages:
                    empty += 1
                    continue
                empty = 0
                for message in messages:
                    payload = json.loads(message["Body"])
                    self.by_tenant[payload["tenant_id"]].append(payload)
                self.sqs.delete_message_batch(
                    QueueUrl=self.queue_url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                        for i, m in enumerate(messages)
                    ],
                )

    def published(self, tenant_id: str) -> Counter[str]:
        """How many times each award_id of the tenant was published."""
        self.drain()
        return Counter(payload["award_id"] for payload in self.by_tenant.get(tenant_id, []))
