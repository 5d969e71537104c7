"""Counters per (user, metric, period), moved exactly once per event."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.common import BATCH_GET_LIMIT, MAX_ATTEMPTS
from accolade.adapters.dynamo.models import (
    CounterItem,
    EventItem,
)
from accolade.adapters.dynamo.transact import MAX_ITEMS, Transaction, backoff, commit
from accolade.domain.models import (
    CounterKey,
)
from accolade.ports import (
    ApplyOutcome,
    EventDeltas,
)


class DynamoProgressRepository:
    """Counters per (user, metric, period), moved exactly once per event."""

    def apply(self, tenant_id: str, changes: Sequence[EventDeltas], at: datetime) -> ApplyOutcome:
        outcome = ApplyOutcome()
        for chunk in _pack(changes):
            self._apply_chunk(tenant_id, chunk, at, outcome)
        return outcome

    def _apply_chunk(
        self, tenant_id: str, chunk: list[EventDeltas], at: datetime, outcome: ApplyOutcome
    ) -> None:
        pending = chunk
        for attempt in range(MAX_ATTEMPTS):
            transaction = _counter_transaction(tenant_id, pending, at)
            cancelled = commit(transaction)
            if cancelled is None:
                outcome.applied |= {change.event_id for change in pending}
                return
            marks = [label for label in cancelled.failed_conditions if isinstance(label, tuple)]
            already = {str(label[1]) for label in marks if label[0] == "E"}
            outcome.already_applied |= already
            pending = [change for change in pending if change.event_id not in already]
            if not pending:
                return
            if cancelled.retryable:
                backoff(attempt)
        outcome.failed |= {change.event_id for change in pending}

    def counters(self, tenant_id: str, wanted: Iterable[CounterKey]) -> dict[CounterKey, Decimal]:
        by_key = {
            (keys.user_pk(tenant_id, key.user_id), keys.counter_sk(key)): key for key in set(wanted)
        }
        found: dict[CounterKey, Decimal] = {}
        item_keys = list(by_key)
        for start in range(0, len(item_keys), BATCH_GET_LIMIT):
            for item in CounterItem.batch_get(
                item_keys[start : start + BATCH_GET_LIMIT], consistent_read=True
            ):
                found[by_key[(item.PK, item.SK)]] = item.score
        return found


def _pack(changes: Sequence[EventDeltas]) -> list[list[EventDeltas]]:
    """Group events into transactions of at most 100 items: one mark per event + its counters."""
    chunks: list[list[EventDeltas]] = []
    current: list[EventDeltas] = []
    counters: set[CounterKey] = set()
    for change in changes:
        extra = set(change.deltas) - counters
        if current and len(current) + len(counters) + 1 + len(extra) > MAX_ITEMS:
            chunks.append(current)
            current, counters, extra = [], set(), set(change.deltas)
        current.append(change)
        counters |= extra
    if current:
        chunks.append(current)
    return chunks


def _counter_transaction(
    tenant_id: str, changes: Sequence[EventDeltas], at: datetime
) -> Transaction:
    transaction = Transaction()
    totals: dict[CounterKey, Decimal] = {}
    for change in changes:
        transaction.update(
            ("E", change.event_id),
            EventItem(keys.event_pk(tenant_id, change.event_id), keys.EVENT),
            [EventItem.applied.set(True)],
            EventItem.PK.exists() & EventItem.applied.does_not_exist(),
        )
        for key, delta in change.deltas.items():
            totals[key] = totals.get(key, Decimal(0)) + delta
    for key, delta in sorted(totals.items()):
        transaction.update(
            ("C", key),
            CounterItem(keys.user_pk(tenant_id, key.user_id), keys.counter_sk(key)),
            [
                CounterItem.score.add(delta),
                CounterItem.entity.set(CounterItem),
                CounterItem.tenant_id.set(tenant_id),
                CounterItem.user_id.set(key.user_id),
                CounterItem.metric_id.set(key.metric_id),
                CounterItem.period_key.set(key.period_key),
                CounterItem.LBPK.set(keys.leaderboard_pk(tenant_id, key.metric_id, key.period_key)),
                CounterItem.reached_at.set(at.isoformat()),
            ],
        )
    return transaction
