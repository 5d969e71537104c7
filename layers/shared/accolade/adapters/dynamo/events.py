"""Activity events: stored once per (user, id) (conditional puts in transactions), in the user's
partition so that the stream hands each user's events to the evaluator in order."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.common import MAX_ATTEMPTS, fields_of, stored
from accolade.adapters.dynamo.models import (
    EventItem,
    Item,
)
from accolade.adapters.dynamo.transact import MAX_ITEMS, Transaction, backoff, commit
from accolade.domain.errors import ConflictError
from accolade.domain.models import (
    ActivityEvent,
)
from accolade.ports import (
    Clock,
)


def event_item(tenant_id: str, event: ActivityEvent, received_at: datetime) -> EventItem:
    return EventItem(
        keys.user_pk(tenant_id, event.user_id),
        keys.event_sk(event.event_id),
        tenant_id=tenant_id,
        fingerprint=event.fingerprint(),
        received_at=received_at,
        GSI1PK=keys.user_events_pk(tenant_id, event.user_id, event.type),
        GSI1SK=keys.user_events_sk(event.occurred_at, event.event_id),
        **stored(
            event, occurred_at=event.occurred_at.isoformat(), attributes=event.attributes or None
        ),
    )


def event_from_item(item: EventItem) -> ActivityEvent:
    occurred_at = datetime.fromisoformat(item.occurred_at)
    return fields_of(ActivityEvent, item, occurred_at=occurred_at, attributes=item.attributes or {})


class DynamoEventRepository:
    """Events are written with conditional puts in transactions: one request per 100 events."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def add_new(self, tenant_id: str, events: Sequence[ActivityEvent]) -> set[str]:
        existing: set[str] = set()
        received_at = self._clock.now()
        for start in range(0, len(events), MAX_ITEMS):
            pending = list(events[start : start + MAX_ITEMS])
            for attempt in range(MAX_ATTEMPTS):
                if not pending:
                    break
                transaction = Transaction()
                for event in pending:
                    transaction.put(
                        event.event_id,
                        event_item(tenant_id, event, received_at),
                        EventItem.PK.does_not_exist(),
                    )
                cancelled = commit(transaction)
                if cancelled is None:
                    break
                # Cancelled: nothing of this chunk is stored. Compare before retrying the rest.
                taken = {str(label) for label in cancelled.failed_conditions}
                self._refuse_conflicts(tenant_id, [e for e in pending if e.event_id in taken])
                existing |= taken
                pending = [event for event in pending if event.event_id not in existing]
                if cancelled.retryable:
                    backoff(attempt)
            else:
                raise RuntimeError("events could not be stored: too many transaction conflicts")
        return existing

    def _refuse_conflicts(self, tenant_id: str, events: Sequence[ActivityEvent]) -> None:
        stored = self.fingerprints(tenant_id, events)
        conflicts = sorted(e.event_id for e in events if stored.get(e.event_id) != e.fingerprint())
        if conflicts:
            raise ConflictError(
                "events with these ids were already received with a different payload",
                details=[{"field": "id", "id": event_id} for event_id in conflicts],
            )

    @staticmethod
    def fingerprints(tenant_id: str, events: Iterable[ActivityEvent]) -> dict[str, str]:
        wanted = list(
            {(keys.user_pk(tenant_id, e.user_id), keys.event_sk(e.event_id)) for e in events}
        )
        found: dict[str, str] = {}
        for item in EventItem.batch_get(wanted, consistent_read=True):
            found[item.event_id] = item.fingerprint
        return found


def event_from_image(image: dict[str, Any]) -> tuple[str, ActivityEvent]:
    item = Item.from_raw_data(image)
    if not isinstance(item, EventItem):
        raise ValueError(f"not an event record: {item.entity!r}")
    return item.tenant_id, event_from_item(item)
