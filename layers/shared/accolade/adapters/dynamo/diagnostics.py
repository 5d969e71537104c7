"""The reads of sync, dry run and explain that evaluation does not make: a user's newest events
of a type (GSI1, written with each event), whether a user sent any, and who holds a slot."""

from __future__ import annotations

from collections.abc import Iterable

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.events import event_from_item
from accolade.adapters.dynamo.models import EventItem, WinnerSlotItem
from accolade.domain.models import ActivityEvent, Slot
from accolade.ports import EventWindow


class DynamoDiagnostics:
    def newest_events(
        self, tenant_id: str, user_id: str, window: EventWindow
    ) -> list[ActivityEvent]:
        # [start, end): the bound "{end}#" sorts before every event id stamped at ``end``.
        occurred = EventItem.GSI1SK.between(
            keys.user_events_sk(window.start), keys.user_events_sk(window.end)
        )
        found = EventItem.by_type.query(
            keys.user_events_pk(tenant_id, user_id, window.event_type),
            occurred,
            scan_index_forward=False,
            limit=window.limit,
            page_size=window.limit,
        )
        return [event_from_item(item) for item in found]

    def has_events(self, tenant_id: str, user_id: str) -> bool:
        found = EventItem.query(
            keys.user_pk(tenant_id, user_id),
            EventItem.SK.startswith(keys.EVENT_PREFIX),
            limit=1,
            page_size=1,
            attributes_to_get=["PK", "SK", "entity"],
        )
        return next(iter(found), None) is not None

    def slot_holders(self, tenant_id: str, slots: Iterable[Slot]) -> dict[Slot, str]:
        by_key = {(keys.winner_slot_pk(tenant_id), keys.winner_slot_sk(s)): s for s in set(slots)}
        if not by_key:
            return {}
        return {
            by_key[(item.PK, item.SK)]: item.award_id
            for item in WinnerSlotItem.batch_get(list(by_key), consistent_read=True)
        }
