"""A TransactWriteItems helper that remembers which of our items each cancellation reason is for.

PynamoDB sends condition checks, deletes, puts and updates in that order, whatever order they were
added in; DynamoDB answers cancellation reasons in request order. This keeps the two aligned.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Collection, Hashable
from typing import Any, NamedTuple

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from accolade.adapters.dynamo.common import MAX_ATTEMPTS
from accolade.adapters.dynamo.models import AuditItem, Item, plain
from accolade.domain import acting

MAX_ITEMS = 100  # DynamoDB's limit of items in one TransactWriteItems
CONDITION_FAILED = "ConditionalCheckFailed"
RETRYABLE_REASONS = frozenset(
    {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}
)


class Transaction:
    """The writes of one TransactWriteItems, each under a label its cancellation reason is
    reported by. (A plain class: a dataclass's generated methods cost a cold start half a
    millisecond, and every handler that writes loads this one.)"""

    def __init__(self) -> None:
        self.puts: list[tuple[Hashable, Model, Condition | None]] = []
        self.updates: list[tuple[Hashable, Model, list[Any], Condition | None]] = []
        self.deletes: list[tuple[Hashable, Model, Condition | None]] = []
        self.checks: list[tuple[Hashable, Model, Condition]] = []
        self.entries: list[AuditItem | None] = []  # of audited deletions

    def put(self, label: Hashable, model: Model, condition: Condition | None = None) -> None:
        self.puts.append((label, model, condition))

    def update(
        self, label: Hashable, model: Model, actions: list[Any], condition: Condition | None = None
    ) -> None:
        self.updates.append((label, model, actions, condition))

    def delete(self, label: Hashable, model: Model, condition: Condition | None = None) -> None:
        self.deletes.append((label, model, condition))

    def check(self, label: Hashable, model: Model, condition: Condition) -> None:
        """A ConditionCheck: the transaction commits only while ``model``'s item meets it."""
        self.checks.append((label, model, condition))

    def extend(self, other: Transaction) -> None:
        """Add another transaction's items. Labels may then repeat: a combined transaction is
        committed or not as a whole, and its cancellation reasons are not read item by item."""
        self.puts += other.puts
        self.updates += other.updates
        self.deletes += other.deletes
        self.checks += other.checks

    def __len__(self) -> int:
        return len(self.puts) + len(self.updates) + len(self.deletes) + len(self.checks)

    def labels(self) -> list[Hashable]:
        """In the order PynamoDB sends them: condition checks, deletes, puts (the audit entries
        of deletions last), updates."""
        entries: list[Hashable] = ["audit" for entry in self.entries if entry is not None]
        return (
            [c[0] for c in self.checks]
            + [d[0] for d in self.deletes]
            + [p[0] for p in self.puts]
            + entries
            + [u[0] for u in self.updates]
        )

    def commit(self) -> None:
        """Commit once; raises TransactWriteError. The token makes SDK retries idempotent."""
        connection = Item._get_connection().connection
        with TransactWrite(connection=connection, client_request_token=str(uuid.uuid4())) as tx:
            for _, model, check in self.checks:
                item: Any = model  # every item of the table is keyed PK, SK
                tx.condition_check(type(model), item.PK, item.SK, condition=check)
            for _, model, condition in self.deletes:
                tx.delete(model, condition=condition)
            for _, model, condition in self.puts:
                stamp = _stamp_of(model)
                if stamp is not None and isinstance(model, Item):
                    model.audit = stamp.to_json()
                tx.save(model, condition=condition)
            self.entries = [_deletion_entry(model) for _, model, _ in self.deletes]
            for entry in self.entries:
                if entry is not None:
                    tx.save(entry, condition=AuditItem.PK.does_not_exist())
            for _, model, actions, condition in self.updates:
                stamp = _stamp_of(model)
                stamped = [] if stamp is None else [Item.audit.set(stamp.to_json())]
                tx.update(
                    model,
                    actions=[*actions, *stamped],
                    condition=condition,
                    add_version_condition=False,
                )


def _stamp_of(model: Model) -> acting.Stamp | None:
    """The stamp of a write of ``model`` now (domain.acting): None outside an audited action."""
    return acting.stamp_for(model.entity_name()) if isinstance(model, Item) else None


def _deletion_entry(model: Model) -> AuditItem | None:
    """An audited deletion's entry, put in the deletion's transaction (its stream record has no
    new image to carry a stamp); the before is what ``model`` holds."""
    stamp = _stamp_of(model)
    if stamp is None or not isinstance(model, Item):
        return None
    from accolade.adapters.dynamo.audit import audit_item
    from accolade.domain.audit import entry_of

    return audit_item(model.tenant_id, entry_of(stamp, model.entity_name(), plain(model), None))


class Cancelled(NamedTuple):
    """Labels whose condition failed, and whether anything else (a conflict) cancelled it."""

    failed_conditions: set[Hashable]
    retryable: bool


def commit(transaction: Transaction) -> Cancelled | None:
    """Commit; None on success, else what cancelled it. Other errors propagate."""
    try:
        transaction.commit()
    except TransactWriteError as exc:
        if exc.cause_response_code != "TransactionCanceledException":
            raise
        failed: set[Hashable] = set()
        retryable = False
        for label, reason in zip(transaction.labels(), exc.cancellation_reasons, strict=False):
            if reason is None or reason.code in ("None", None):
                continue
            if reason.code == CONDITION_FAILED:
                failed.add(label)
            elif reason.code in RETRYABLE_REASONS:
                retryable = True
            else:
                raise
        return Cancelled(failed, retryable or not failed)
    return None


def backoff(attempt: int, sleep: Callable[[float], None] = time.sleep) -> None:
    sleep(min(0.05 * 2**attempt, 1.0))


def commit_retrying(
    build: Callable[[], Transaction], failing: str, final: Collection[Hashable] | None = None
) -> Cancelled | None:
    """Commit the transaction ``build`` makes, made anew after a backoff while what cancelled it
    may pass on another try: a conflict, a throttle, or a failed condition not in ``final`` (a
    lock on what ``build`` reads again). None when committed; the cancellation when a condition
    in ``final`` (any, when None) failed; RuntimeError saying ``failing`` after MAX_ATTEMPTS."""
    for attempt in range(MAX_ATTEMPTS):
        cancelled = commit(build())
        if cancelled is None:
            return None
        failed = cancelled.failed_conditions
        if failed if final is None else failed.intersection(final):
            return cancelled
        backoff(attempt)
    raise RuntimeError(f"{failing}: too many conflicts")
