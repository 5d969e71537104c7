"""RecordEvents: accept a batch of activity, store each new event once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import NamedTuple

from accolade.domain.course_events import course_event_problem
from accolade.domain.errors import InvalidInputError
from accolade.domain.models import ActivityEvent
from accolade.ports import Clock, EventRepository

MAX_FUTURE = timedelta(minutes=5)


class IngestResult(NamedTuple):
    accepted: list[str]
    duplicates: list[str]


def record_events(
    tenant_id: str, events: Sequence[ActivityEvent], *, store: EventRepository, clock: Clock
) -> IngestResult:
    """Store the new events of a batch; the same id again is a duplicate, with another payload a 409."""
    _validate(events, clock)
    unique = _unique_in_batch(events)
    existing = store.add_new(tenant_id, unique)
    accepted: list[str] = []
    duplicates: list[str] = []
    for event in events:
        # A second copy within the batch is a duplicate too, like one sent in an earlier request.
        is_new = event.event_id not in existing and event.event_id not in accepted
        (accepted if is_new else duplicates).append(event.event_id)
    return IngestResult(accepted=accepted, duplicates=duplicates)


def _validate(events: Sequence[ActivityEvent], clock: Clock) -> None:
    latest = clock.now() + MAX_FUTURE
    for index, event in enumerate(events):
        if event.occurred_at > latest:
            raise InvalidInputError(
                f"events[{index}].occurred_at", "is more than 5 minutes in the future"
            )
        if problem := course_event_problem(event):
            attribute, message = problem
            raise InvalidInputError(f"events[{index}].attributes.{attribute}", message)


def _unique_in_batch(events: Sequence[ActivityEvent]) -> list[ActivityEvent]:
    seen: dict[str, ActivityEvent] = {}
    for index, event in enumerate(events):
        first = seen.setdefault(event.event_id, event)
        if first is not event and first.fingerprint() != event.fingerprint():
            raise InvalidInputError(
                f"events[{index}].id", "appears twice in the batch with different payloads"
            )
    return list(seen.values())
