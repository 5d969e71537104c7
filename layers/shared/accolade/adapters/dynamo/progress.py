"""Counters per (user, metric, period), moved exactly once per event."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
from accolade.domain.rules import standing_order
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
        # The sort key of the Leaderboard index holds the score, which an ADD cannot compute:
        # read the counters, SET their new totals under the condition that they are still what
        # was read. A concurrent writer fails that condition; only then read again.
        before = self.counters(tenant_id, {key for change in pending for key in change.deltas})
        for attempt in range(MAX_ATTEMPTS):
            transaction, after = _counter_transaction(tenant_id, pending, at, before)
            cancelled = commit(transaction)
            if cancelled is None:
                outcome.applied |= {change.event_id for change in pending}
                outcome.values.update(after)
                return
            marks = [label for label in cancelled.failed_conditions if isinstance(label, tuple)]
            already = {str(label[1]) for label in marks if label[0] == "E"}
            moved_meanwhile = any(label[0] == "C" for label in marks)
            outcome.already_applied |= already
            # Read after those events were applied: their totals, so the evaluator reads none.
            outcome.values.update(
                (key, before[key])
                for change in pending
                if change.event_id in already
                for key in change.deltas
                if key in before
            )
            pending = [change for change in pending if change.event_id not in already]
            if not pending:
                return
            if moved_meanwhile:
                backoff(attempt)
                wanted = {key for change in pending for key in change.deltas}
                before = self.counters(tenant_id, wanted)
            elif cancelled.retryable:
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
    tenant_id: str,
    changes: Sequence[EventDeltas],
    at: datetime,
    before: Mapping[CounterKey, Decimal],
) -> tuple[Transaction, dict[CounterKey, Decimal]]:
    transaction = Transaction()
    totals: dict[CounterKey, Decimal] = {}
    ranked: set[CounterKey] = set()
    for change in changes:
        transaction.update(
            ("E", change.event_id),
            EventItem(keys.event_pk(tenant_id, change.event_id), keys.EVENT),
            [EventItem.applied.set(True)],
            EventItem.PK.exists() & EventItem.applied.does_not_exist(),
        )
        for key, delta in change.deltas.items():
            totals[key] = totals.get(key, Decimal(0)) + delta
        ranked |= change.ranked
    after: dict[CounterKey, Decimal] = {}
    for key, delta in sorted(totals.items()):
        old = before.get(key)
        new = after[key] = (old or Decimal(0)) + delta
        actions = [
            CounterItem.score.set(new),
            CounterItem.entity.set(CounterItem),
            CounterItem.tenant_id.set(tenant_id),
            CounterItem.user_id.set(key.user_id),
            CounterItem.metric_id.set(key.metric_id),
            CounterItem.period_key.set(key.period_key),
            CounterItem.reached_at.set(at.isoformat()),
        ]
        if key in ranked:
            lbpk = keys.leaderboard_pk(tenant_id, key.metric_id, key.period_key)
            actions += [
                CounterItem.LBPK.set(lbpk),
                CounterItem.LBSK.set(standing_order(new, at, key.user_id)),
            ]
        else:  # an unranked period: no index attributes, so no index write (a sparse index)
            actions += [CounterItem.LBPK.remove(), CounterItem.LBSK.remove()]
        transaction.update(
            ("C", key),
            CounterItem(keys.user_pk(tenant_id, key.user_id), keys.counter_sk(key)),
            actions,
            CounterItem.score.does_not_exist() if old is None else CounterItem.score == old,
        )
    return transaction, after
