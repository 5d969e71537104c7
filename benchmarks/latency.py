"""GET /v1/me/achievements latency through the local stack (gateway, JWT check, api worker,
DynamoDB Local), for a user with progress and awards in a tenant of 50 achievements."""

from __future__ import annotations

import http.client
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from accolade_local.services import free_port
from accolade_local.stack import LocalStack
from benchmarks.workload import achievement_bodies, generate, metric_bodies

ROOT = Path(__file__).resolve().parents[1]
TENANT = "bench"
USER = "user-0000"  # the most active user of the Zipf workload


@dataclass(frozen=True)
class Latency:
    requests: int
    achievements: int
    user_awards: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    body_bytes: int


class Client:
    """One keep-alive HTTP/1.1 connection to the local API (reopened if the server closes it)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method: str, path: str, token: str, body: Any = None) -> tuple[int, bytes]:
        headers = {"Authorization": f"Bearer {token}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            try:
                self._conn.request(method, path, body=data, headers=headers)
                response = self._conn.getresponse()
                payload = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self._reopen()
                return response.status, payload
            except (http.client.HTTPException, ConnectionError):
                self._reopen()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _reopen(self) -> None:
        self._conn.close()
        self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def close(self) -> None:
        self._conn.close()


def _check(status: int, payload: bytes, what: str) -> Any:
    if status >= 300:
        raise RuntimeError(f"{what}: HTTP {status} {payload[:500]!r}")
    return json.loads(payload) if payload else None


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))
    return ordered[index]


def measure(
    *,
    requests: int = 300,
    warmup: int = 30,
    achievements: int = 50,
    events: int = 1500,
    users: int = 50,
    out: Callable[[str], None] = print,
) -> Latency:
    out(
        f"  latency: local stack, {achievements} achievements, {events} events, then {requests} GETs ..."
    )
    with tempfile.TemporaryDirectory(prefix="accolade-bench-") as data_dir:
        stack = LocalStack(
            ROOT,
            api_port=free_port(),
            dynamodb_port=free_port(),
            aws_port=free_port(),
            data_dir=Path(data_dir),
            in_memory=True,
            schedules=False,
        )
        with stack:
            client = Client(stack.api_port)
            try:
                return _run(stack, client, requests, warmup, achievements, events, users)
            finally:
                client.close()


def _run(
    stack: LocalStack,
    client: Client,
    requests: int,
    warmup: int,
    achievements: int,
    events: int,
    users: int,
) -> Latency:
    admin = stack.token(TENANT, "admin-1", admin=True)
    machine = stack.token(TENANT, "ingest", scopes=("events:write",))
    user = stack.token(TENANT, USER)
    for metric_id, body in metric_bodies().items():
        _check(*client.call("PUT", f"/v1/admin/metrics/{metric_id}", admin, body), "metric")
    for body in achievement_bodies(achievements):
        _check(*client.call("POST", "/v1/admin/achievements", admin, body), "achievement")
    _check(
        *client.call("PUT", f"/v1/admin/users/{USER}", admin, {"display_name": "Bench User"}),
        "user",
    )
    workload = generate(events=events, users=users, now=datetime.now(UTC), prefix="lat")
    payload = [
        {
            "id": e.event_id,
            "type": e.type,
            "user_id": e.user_id,
            "occurred_at": e.occurred_at.isoformat(),
            **({"value": float(e.value)} if e.value is not None else {}),
            "attributes": e.attributes,
        }
        for e in workload.events
    ]
    for start in range(0, len(payload), 100):
        _check(
            *client.call("POST", "/v1/events", machine, {"events": payload[start : start + 100]}),
            "events",
        )
    stack.drain(timeout=300)
    awards = _check(*client.call("GET", "/v1/me/awards", user), "awards")
    held = len(awards["items"])

    path = "/v1/me/achievements"
    for _ in range(warmup):
        _check(*client.call("GET", path, user), "warm-up")
    samples: list[float] = []
    size, listed = 0, None
    for _ in range(requests):
        started = time.perf_counter()
        status, answer = client.call("GET", path, user)
        samples.append((time.perf_counter() - started) * 1000)
        listed = _check(status, answer, path)
        size = len(answer)
    count = len(listed["items"]) if listed else 0
    return Latency(
        requests=requests,
        achievements=count,
        user_awards=held,
        p50_ms=statistics.median(samples),
        p90_ms=_percentile(samples, 0.90),
        p99_ms=_percentile(samples, 0.99),
        max_ms=max(samples),
        body_bytes=size,
    )
