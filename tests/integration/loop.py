"""The award loop's moving parts for integration tests: a tenant with the seeds' Closer badge,
sales events, and reads of the state the loop leaves behind."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest

from accolade.adapters.dynamo.awards import DynamoAwardRepository
from accolade.bootstrap import Container
from accolade.domain.models import Award, CounterKey, LedgerEntry, Wallet
from accolade.entrypoints.streams import BatchFailed
from accolade_local.handlers import load_handler
from accolade_local.streams import match_any
from tests.integration.helpers import (
    StreamTail,
    batch,
    failed_sequences,
    http_event,
    in_threads,
    invoke,
    json_body,
)

CLOSER_POINTS = (50, 100, 200)  # levels I, II, III of events/api/post_achievement.json


@dataclass
class Loop:
    """Handlers as Lambda runs them, for one tenant, over the test table."""

    tenant_id: str
    api: ModuleType
    ingest: ModuleType
    evaluate: ModuleType
    container: Container
    stream: StreamTail
    filters: dict[str, list[dict[str, Any]]]

    def configure_closer(self) -> str:
        """The seeds' "Closer": sales per week, 5 / 10 / 15 for I / II / III."""
        metric = invoke(self.api, http_event("api/put_metric.json", self.tenant_id))
        assert metric["statusCode"] == 200, metric
        created = invoke(self.api, http_event("api/post_achievement.json", self.tenant_id))
        assert created["statusCode"] == 201, created
        return str(json_body(created)["id"])

    def post(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        """POST /v1/events through the ingest function; the 202 body."""
        body = {"events": events}
        response = invoke(
            self.ingest, http_event("ingest_events/post_events.json", self.tenant_id, body=body)
        )
        assert response["statusCode"] == 202, response
        return dict(json_body(response))

    def event_records(self, count: int) -> list[dict[str, Any]]:
        """The stream records the evaluate mapping delivers for this tenant (its filter applied)."""
        records = self.stream.records(self.tenant_id, entity="event", count=count)
        return [r for r in records if match_any(self.filters["EvaluateEventsFunction"], r)]

    def award_records(self, count: int) -> list[dict[str, Any]]:
        return self.stream.records(
            self.tenant_id, entity="award", count=count, event_names=("INSERT", "MODIFY")
        )

    def evaluate_until_done(
        self, records: list[dict[str, Any]], handler: ModuleType | None = None, rounds: int = 12
    ) -> int:
        """Invoke evaluate as the event source mapping does: retry from the first reported
        failure until the batch succeeds. Returns the number of invocations."""
        pending = records
        for attempt in range(1, rounds + 1):
            try:
                failed = failed_sequences(invoke(handler or self.evaluate, batch(pending)))
            except BatchFailed:
                # Every record failed: the handler raises, a function error Lambda retries whole.
                failed = {r["dynamodb"]["SequenceNumber"] for r in pending}
            if not failed:
                return attempt
            first = min(
                i for i, r in enumerate(pending) if r["dynamodb"]["SequenceNumber"] in failed
            )
            pending = pending[first:]
        raise AssertionError(f"batch still failing after {rounds} invocations")

    # -- state

    def race(
        self, batches: list[list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
    ) -> list[BaseException]:
        """Each batch evaluated by its own writer, all at once; what the writers raised.

        Every writer reads the awards before any writes one: only conditional writes can keep
        the awards unique and the wallet a running sum.
        """
        writers = len(batches)
        handlers = [load_handler("evaluate_events") for _ in range(writers)]
        all_read = threading.Barrier(writers, timeout=10)
        read_awards = DynamoAwardRepository.holdings

        def holdings(self: DynamoAwardRepository, tenant_id: str, wanted: Any) -> Any:
            found = read_awards(self, tenant_id, wanted)
            if not all_read.broken:
                with contextlib.suppress(threading.BrokenBarrierError):
                    all_read.wait()
            return found

        monkeypatch.setattr(DynamoAwardRepository, "holdings", holdings)
        errors: list[BaseException] = []

        def write(index: int) -> None:
            try:
                self.evaluate_until_done(batches[index], handlers[index])
            except BaseException as exc:
                errors.append(exc)

        in_threads(writers, write)
        return errors

    def counter(self, period_key: str, user_id: str = "user-1", metric: str = "sales") -> Decimal:
        key = CounterKey(user_id, metric, period_key)
        return self.container.progress.counters(self.tenant_id, [key]).get(key, Decimal(0))

    def awards(self, user_id: str = "user-1") -> list[Award]:
        return list(self.container.awards.user_awards(self.tenant_id, user_id))

    def wallet(self, user_id: str = "user-1") -> Wallet:
        return self.container.awards.wallet(self.tenant_id, user_id)

    def ledger(self, user_id: str = "user-1") -> list[LedgerEntry]:
        return sorted(
            self.container.awards.ledger(self.tenant_id, user_id, limit=100).items,
            key=lambda e: e.sequence,
        )


def sales(
    count: int, start: datetime, *, user_id: str = "user-1", prefix: str = "sale"
) -> list[dict[str, Any]]:
    """``count`` sales by ``user_id``, ten minutes apart from ``start``."""
    return [
        {
            "id": f"{prefix}-{index:03d}",
            "type": "sale",
            "user_id": user_id,
            "occurred_at": (start + timedelta(minutes=10 * index)).isoformat(),
            "value": 100 + index,
        }
        for index in range(count)
    ]


def levels(awards: list[Award], period_key: str) -> list[int]:
    return sorted(a.level for a in awards if a.period_key == period_key)


def running_sum(entries: list[LedgerEntry]) -> bool:
    total = 0
    for sequence, entry in enumerate(entries, 1):
        total += entry.points
        if entry.sequence != sequence or entry.points_balance != total:
            return False
    return True
