"""RecordEvents: each event stored once; bad or conflicting batches store nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accolade.domain.errors import ConflictError, InvalidInputError
from accolade.domain.models import ActivityEvent
from accolade.services.ingest import IngestResult, record_events
from tests.fakes import FakeContainer
from tests.unit.builders import OTHER_TENANT, TENANT, activity


def record(c: FakeContainer, events: list[ActivityEvent], tenant_id: str = TENANT) -> IngestResult:
    return record_events(tenant_id, events, store=c.events, clock=c.clock)


def test_a_resent_event_is_a_duplicate_and_stored_once(c: FakeContainer) -> None:
    first = record(c, [activity("e-1", "2026-11-24T09:00:00Z")])
    again = record(
        c, [activity("e-1", "2026-11-24T09:00:00Z"), activity("e-2", "2026-11-24T09:01:00Z")]
    )

    assert (first.accepted, first.duplicates) == (["e-1"], [])
    assert (again.accepted, again.duplicates) == (["e-2"], ["e-1"])
    assert [e.event_id for e in c.events.stored(TENANT)] == ["e-1", "e-2"]


def test_the_same_id_twice_in_one_batch_with_the_same_payload_is_one_event(
    c: FakeContainer,
) -> None:
    result = record(
        c, [activity("e-1", "2026-11-24T09:00:00Z"), activity("e-1", "2026-11-24T09:00:00Z")]
    )

    assert result.accepted == ["e-1"]
    assert len(c.events.stored(TENANT)) == 1


def test_same_id_with_another_payload_is_a_conflict_and_nothing_is_stored(
    c: FakeContainer,
) -> None:
    record(c, [activity("e-1", "2026-11-24T09:00:00Z", value=1)])

    with pytest.raises(ConflictError) as raised:
        record(
            c,
            [
                activity("e-2", "2026-11-24T09:01:00Z"),
                activity("e-1", "2026-11-24T09:00:00Z", value=2),
            ],
        )

    assert raised.value.details == [{"field": "id", "id": "e-1"}]
    assert [e.event_id for e in c.events.stored(TENANT)] == ["e-1"]
    assert c.events.stored(TENANT)[0].value == 1


def test_same_id_twice_in_a_batch_with_different_payloads_names_the_second(
    c: FakeContainer,
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        record(
            c,
            [
                activity("e-0", "2026-11-24T09:00:00Z"),
                activity("e-1", "2026-11-24T09:00:00Z"),
                activity("e-1", "2026-11-24T09:00:00Z", user_id="bob"),
            ],
        )

    assert raised.value.field == "events[2].id"
    assert c.events.stored(TENANT) == []


def test_an_event_more_than_five_minutes_ahead_is_refused(c: FakeContainer) -> None:
    now = c.clock.now()
    soon = activity("ok", (now + timedelta(minutes=5)).isoformat())
    too_far = activity("late", (now + timedelta(minutes=5, seconds=1)).isoformat())

    with pytest.raises(InvalidInputError) as raised:
        record(c, [soon, too_far])

    assert raised.value.field == "events[1].occurred_at"
    assert c.events.stored(TENANT) == []
    assert record(c, [soon]).accepted == ["ok"]


def test_tenants_do_not_share_event_ids(c: FakeContainer) -> None:
    record(c, [activity("e-1", "2026-11-24T09:00:00Z", value=1)])

    other = record(c, [activity("e-1", "2026-11-24T09:00:00Z", value=2)], OTHER_TENANT)

    assert other.accepted == ["e-1"]
    assert c.events.stored(OTHER_TENANT)[0].value == 2
