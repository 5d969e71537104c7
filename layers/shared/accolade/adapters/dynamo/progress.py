"""Counters per (user, metric, period), each event counted once by each counter.

A counter item keeps the stream position of the last event it counted. The stream hands a
user's events over in the order they were stored (they share the user's partition, hence one
shard), and Lambda never hands over an event before those ahead of it in the shard were
evaluated; so an event at or below a counter's position is already in its total, and one above
is not. Writing the new total and the new position in one conditional write makes each counter
exactly-once on its own: no transaction (which bills every item twice) and no per-event mark.

The writes go as PartiQL statements in BatchExecuteStatement, the one batch API whose writes
take conditions (BatchWriteItem's cannot): 25 a request, each billed as a plain write, each
answering on its own. A statement whose condition fails lost a race with another evaluator of
the same events (a duplicate delivery): its counter is read again and only what is still
missing is written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.common import MAX_ATTEMPTS
from accolade.adapters.dynamo.models import CounterItem, Item
from accolade.adapters.dynamo.transact import backoff
from accolade.domain.models import CounterKey
from accolade.domain.rules import standing_order
from accolade.ports import ApplyOutcome, EventDeltas

STATEMENTS_PER_BATCH = 25  # DynamoDB's limit of statements in one BatchExecuteStatement
LOST_RACE = frozenset({"ConditionalCheckFailed", "DuplicateItem"})
RETRYABLE = frozenset(
    {
        "ThrottlingError",
        "ProvisionedThroughputExceeded",
        "RequestLimitExceeded",
        "InternalServerError",
        "TransactionConflict",
    }
)
NEVER = -1  # the position of a counter that counted nothing yet


class _Stored(NamedTuple):
    score: Decimal
    position: int


class _Moves(NamedTuple):
    """What the batch holds for one counter: (position, delta) per event, and whether ranked."""

    steps: tuple[tuple[int, Decimal], ...]
    ranked: bool

    def after(self, position: int) -> list[tuple[int, Decimal]]:
        return [(at, delta) for at, delta in self.steps if at > position]


class DynamoProgressRepository:
    """Counters per (user, metric, period), each event counted once by each counter."""

    def apply(self, tenant_id: str, changes: Sequence[EventDeltas], at: datetime) -> ApplyOutcome:
        outcome = ApplyOutcome()
        moves = _moves(changes)
        pending = set(moves)
        for attempt in range(MAX_ATTEMPTS):
            if not pending:
                break
            if attempt:
                backoff(attempt - 1)
            stored = self._stored(tenant_id, pending)
            writes: dict[CounterKey, tuple[Decimal, dict[str, Any]]] = {}
            for key in sorted(pending):
                old = stored.get(key)
                missing = moves[key].after(old.position if old else NEVER)
                if not missing:  # an earlier delivery counted every one of them
                    outcome.values[key] = old.score if old else Decimal(0)
                    continue
                total = (old.score if old else Decimal(0)) + sum(d for _, d in missing)
                position = max(p for p, _ in missing)
                writes[key] = (total, _statement(tenant_id, key, total, position, at, moves, old))
            pending = set(writes)
            for key, code in _execute({key: write[1] for key, write in writes.items()}).items():
                if code is None:
                    outcome.values[key] = writes[key][0]
                    pending.discard(key)
                elif code not in LOST_RACE and code not in RETRYABLE:
                    raise RuntimeError(f"counter {key} could not be written: {code}")
        outcome.failed = {
            change.event_id for change in changes if any(key in pending for key in change.deltas)
        }
        return outcome

    def counters(self, tenant_id: str, wanted: Iterable[CounterKey]) -> dict[CounterKey, Decimal]:
        return {key: stored.score for key, stored in self._stored(tenant_id, wanted).items()}

    @staticmethod
    def _stored(tenant_id: str, wanted: Iterable[CounterKey]) -> dict[CounterKey, _Stored]:
        by_key = {
            (keys.user_pk(tenant_id, key.user_id), keys.counter_sk(key)): key for key in set(wanted)
        }
        found: dict[CounterKey, _Stored] = {}
        item_keys = list(by_key)
        for item in CounterItem.batch_get(item_keys, consistent_read=True):
            position = int(item.applied_position) if item.applied_position else NEVER
            found[by_key[(item.PK, item.SK)]] = _Stored(item.score, position)
        return found


def _moves(changes: Sequence[EventDeltas]) -> dict[CounterKey, _Moves]:
    steps: dict[CounterKey, list[tuple[int, Decimal]]] = defaultdict(list)
    ranked: set[CounterKey] = set()
    for change in changes:
        for key, delta in change.deltas.items():
            steps[key].append((change.position, delta))
        ranked |= change.ranked
    return {key: _Moves(tuple(its), key in ranked) for key, its in steps.items()}


def _statement(
    tenant_id: str,
    key: CounterKey,
    total: Decimal,
    position: int,
    at: datetime,
    moves: Mapping[CounterKey, _Moves],
    old: _Stored | None,
) -> dict[str, Any]:
    """INSERT a new counter (fails if one appeared meanwhile), or UPDATE the one read, on the
    condition that its position is still the one read. Ranked counters carry their Leaderboard
    keys; unranked ones none (a sparse index: no index write)."""
    table = Item.Meta.table_name
    pk, sk = _s(keys.user_pk(tenant_id, key.user_id)), _s(keys.counter_sk(key))
    values: dict[str, dict[str, str]] = {
        "score": {"N": str(CounterItem.score.serialize(total))},
        "reached_at": _s(at.isoformat()),
        "applied_position": _s(str(position)),
    }
    if moves[key].ranked:
        values["LBPK"] = _s(keys.leaderboard_pk(tenant_id, key.metric_id, key.period_key))
        values["LBSK"] = _s(standing_order(total, at, key.user_id))
    if old is None:
        values |= {
            "PK": pk,
            "SK": sk,
            "entity": _s("counter"),
            "tenant_id": _s(tenant_id),
            "user_id": _s(key.user_id),
            "metric_id": _s(key.metric_id),
            "period_key": _s(key.period_key),
        }
        fields = ", ".join(f"'{name}': ?" for name in values)
        return {
            "Statement": f'INSERT INTO "{table}" VALUE {{{fields}}}',
            "Parameters": [*values.values()],
        }
    sets = " ".join(f'SET "{name}" = ?' for name in values)
    removes = "" if moves[key].ranked else ' REMOVE "LBPK" REMOVE "LBSK"'
    where = '"PK" = ? AND "SK" = ?'
    parameters = [*values.values(), pk, sk]
    if old.position == NEVER:  # written before counters kept positions
        where += ' AND "applied_position" IS MISSING AND "score" = ?'
        parameters.append({"N": str(CounterItem.score.serialize(old.score))})
    else:
        where += ' AND "applied_position" = ?'
        parameters.append(_s(str(old.position)))
    return {
        "Statement": f'UPDATE "{table}" {sets}{removes} WHERE {where}',
        "Parameters": parameters,
    }


def _s(text: str) -> dict[str, str]:
    return {"S": text}


def _execute(statements: Mapping[CounterKey, dict[str, Any]]) -> dict[CounterKey, str | None]:
    """Run the statements 25 a request; each key's error code, or None where it was written."""
    client = Item._get_connection().connection.client
    codes: dict[CounterKey, str | None] = {}
    ordered = list(statements.items())
    for start in range(0, len(ordered), STATEMENTS_PER_BATCH):
        chunk = ordered[start : start + STATEMENTS_PER_BATCH]
        response = client.batch_execute_statement(Statements=[statement for _, statement in chunk])
        for (key, _), answer in zip(chunk, response["Responses"], strict=True):
            codes[key] = answer.get("Error", {}).get("Code")
    return codes
