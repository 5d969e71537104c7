"""Helpers for integration tests: handlers as Lambda loads them, sample events, the table's stream."""

from __future__ import annotations

import copy
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from botocore.awsrequest import AWSResponse

from accolade import bootstrap
from accolade.bootstrap import Container
from accolade.domain.models import Achievement, AchievementType, Award, AwardKey
from accolade_local.handlers import LambdaContext
from accolade_local.streams import StreamReader
from tests.http_events import sync_token

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"
SAMPLE_TENANT = "demo"  # the tenant of every payload in events/ (the local stack's demo tenant)
AT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@contextmanager
def cold_start() -> Iterator[Container]:
    """The process container, built from the environment as a cold start builds it; forgotten
    on leaving, so that the next test builds its own."""
    bootstrap.reset()
    try:
        yield bootstrap.container()
    finally:
        bootstrap.reset()


def task_achievement(n: int) -> Achievement:
    """Event achievement a-NNN, for task.done events."""
    return Achievement(
        achievement_id=f"a-{n:03d}",
        name=f"Task {n}",
        type=AchievementType.EVENT,
        event_type="task.done",
        created_at=AT,
        updated_at=AT,
    )


def event_award(
    user_id: str, achievement_id: str, period: str, level: int, points: int = 10, **extra: Any
) -> Award:
    """An award of an event achievement, granted ``level`` minutes after AT."""
    return Award(
        award_id=AwardKey(user_id, achievement_id, period, level).award_id,
        user_id=user_id,
        achievement_id=achievement_id,
        achievement_type=AchievementType.EVENT,
        achievement_version=1,
        level=level,
        period_key=period,
        awarded_at=AT + timedelta(minutes=level),
        points=points,
        **extra,
    )


def in_threads(count: int, target: Callable[[int], None]) -> None:
    """``target(i)`` for each i below ``count``, each in a thread of its own; back when all have
    ended (waiting a minute at most for each)."""
    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


def invoke(handler: ModuleType, event: Mapping[str, Any]) -> Any:
    return handler.lambda_handler(copy.deepcopy(dict(event)), LambdaContext())


def load_event(relative: str) -> Any:
    """A payload of events/, as `sam local invoke --event` would read it."""
    return json.loads((EVENTS / relative).read_text(encoding="utf-8"))


def retarget(value: Any, tenant_id: str, old: str = SAMPLE_TENANT) -> Any:
    """The same payload for another tenant: claims, tenant_id attributes and T#<tenant> keys."""
    if isinstance(value, Mapping):
        return {key: retarget(item, tenant_id, old) for key, item in value.items()}
    if isinstance(value, list):
        return [retarget(item, tenant_id, old) for item in value]
    if isinstance(value, str):
        if value == old:
            return tenant_id
        if value == f"T#{old}" or value.startswith(f"T#{old}#"):
            return f"T#{tenant_id}" + value[len(f"T#{old}") :]
    return value


def http_event(
    relative: str,
    tenant_id: str,
    *,
    body: Any = None,
    sub: str | None = None,
) -> dict[str, Any]:
    """An HTTP API request of events/api or events/ingest_events, for ``tenant_id``."""
    event: dict[str, Any] = retarget(load_event(relative), tenant_id)
    if body is not None:
        event["body"] = json.dumps(body)
    if sub is not None:
        event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] = sub
    return sync_token(event)


def with_path(event: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    """The same request sent to another route (the API function serves ANY /v1/{proxy+})."""
    event = copy.deepcopy(event)
    event["rawPath"] = path
    event["requestContext"]["http"].update(method=method, path=path)
    event["requestContext"]["routeKey"] = event["routeKey"] = "ANY /v1/{proxy+}"
    event["pathParameters"] = {"proxy": path.removeprefix("/v1/")}
    event["rawQueryString"] = ""
    event.pop("queryStringParameters", None)
    return event


def json_body(response: Mapping[str, Any]) -> Any:
    return json.loads(response["body"])


def failed_sequences(response: Mapping[str, Any] | None) -> set[str]:
    return {str(f["itemIdentifier"]) for f in (response or {}).get("batchItemFailures", [])}


# --- the table's stream -------------------------------------------------------------------------


class StreamTail:
    """Reads the table's stream once, in order, and keeps every record (as Lambda delivers it).

    Tests share the table, so each asks for its own tenant's records; a wait has a deadline.
    """

    def __init__(self, streams: Any, stream_arn: str) -> None:
        self._reader = StreamReader(streams, stream_arn)
        self._records: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def _read(self) -> None:
        self._records += self._reader.read()

    def records(
        self,
        tenant_id: str,
        *,
        entity: str,
        count: int,
        event_names: Iterable[str] = ("INSERT",),
        timeout: float = 15.0,
    ) -> list[dict[str, Any]]:
        """The tenant's first ``count`` records of ``entity`` (waiting for them), in stream order."""
        names = set(event_names)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                self._read()
                found = [
                    record
                    for record in self._records
                    if record["eventName"] in names and _image_of(record, "tenant_id") == tenant_id
                    if _image_of(record, "entity") == entity
                ]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(found)} of {count} {entity} records of {tenant_id}")
            time.sleep(0.05)

    def of_tenant(self, tenant_id: str) -> list[dict[str, Any]]:
        """Every record of the tenant read so far (reading what arrived), in stream order."""
        with self._lock:
            self._read()
            return [r for r in self._records if _image_of(r, "tenant_id") == tenant_id]


def _image_of(record: Mapping[str, Any], attribute: str) -> str | None:
    image = record["dynamodb"].get("NewImage") or record["dynamodb"].get("OldImage") or {}
    value = image.get(attribute) or {}
    return value.get("S")


def batch(records: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A DynamoDB stream event as Lambda invokes a function with it."""
    return {"Records": [copy.deepcopy(dict(record)) for record in records]}


# --- faults ---------------------------------------------------------------------------------------


class _Body:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self) -> Iterator[bytes]:
        yield self._data


def throttled_response(code: str, url: str = "https://dynamodb.local/") -> AWSResponse:
    """What DynamoDB answers a throttled request: HTTP 400 with the error code in __type."""
    body = json.dumps(
        {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": "Rate exceeded"}
    ).encode()
    headers = {"x-amzn-RequestId": str(uuid.uuid4()), "Content-Type": "application/x-amz-json-1.0"}
    return AWSResponse(url, 400, headers, _Body(body))


@dataclass
class Throttler:
    """Answers chosen DynamoDB requests with a throttling error before they are sent.

    Hooked on botocore's ``before-send`` event, below the SDK's retry handler: a throttled
    request is retried by the SDK exactly as a real throttled one would be.
    """

    operations: frozenset[str]
    every: int = 2  # throttle 1 request in ``every`` of those operations
    limit: int = 1_000
    codes: tuple[str, ...] = ("ProvisionedThroughputExceededException", "ThrottlingException")
    injected: int = 0
    seen: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: Any, event_name: str, **_: Any) -> AWSResponse | None:
        operation = event_name.rsplit(".", 1)[-1]
        if operation not in self.operations:
            return None
        with self._lock:
            self.seen += 1
            if self.injected >= self.limit or self.seen % self.every != 1 % self.every:
                return None
            self.injected += 1
            code = self.codes[self.injected % len(self.codes)]
        return throttled_response(code, getattr(request, "url", "https://dynamodb.local/"))


@contextmanager
def hooked(client: Any, event: str, handler: Callable[..., Any]) -> Iterator[None]:
    """Register a botocore event handler on one client for the duration of the block."""
    client.meta.events.register(event, handler)
    try:
        yield
    finally:
        client.meta.events.unregister(event, handler)
