"""Awards exports: the export items, each job attempt's claim on its item, and the awards read.

The awards of an export are read from GSI1's holders partitions (``T#{tenant}#ACH#{id}``, sorted
by ``awarded_at``), one achievement at a time: the date range narrows the key condition, the
status is a filter. Nothing here scans the table.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.award_records import award_from_item
from accolade.adapters.dynamo.awards import _shown_as
from accolade.adapters.dynamo.common import page, update_if
from accolade.adapters.dynamo.models import AwardItem, ExportItem
from accolade.domain.exports import Export, ExportFilters, ExportStatus
from accolade.domain.models import Award
from accolade.ports import Page

# Awards handed to the job at a time: the users of one page are read in one BatchGetItem (at
# most 100 keys), and memory holds one page whatever the export's size.
AWARDS_PER_PAGE = 100
# Items per Query: a full 1 MB page parses into some 15 MB of Python objects; 300 award items
# (about 300 KB) keep the job's peak low for a few more requests.
QUERY_PAGE_ITEMS = 300


def _export(item: ExportItem) -> Export:
    return Export(
        export_id=item.export_id,
        status=ExportStatus(item.status),
        rows=int(item.rows),
        filters=ExportFilters.model_validate(item.doc),
        created_at=item.created_at,
        requested_by=item.requested_by,
        finished_at=item.finished_at,
        error=item.error,
        attempts=int(item.attempts),
    )


def _key_item(tenant_id: str, export_id: str) -> ExportItem:
    return ExportItem(*keys.export_key(tenant_id, export_id))


def _current(attempt: str) -> Condition:
    current: Condition = (ExportItem.status == ExportStatus.RUNNING.value) & (
        ExportItem.attempt == attempt
    )
    return current


class DynamoExportRepository:
    def create(self, tenant_id: str, export: Export) -> None:
        ExportItem(
            *keys.export_key(tenant_id, export.export_id),
            tenant_id=tenant_id,
            export_id=export.export_id,
            status=export.status.value,
            rows=export.rows,
            doc=export.filters.model_dump(mode="json"),
            created_at=export.created_at,
            requested_by=export.requested_by,
            attempts=0,
        ).save(condition=ExportItem.PK.does_not_exist())

    def get(self, tenant_id: str, export_id: str) -> Export | None:
        try:
            item = ExportItem.get(*keys.export_key(tenant_id, export_id), consistent_read=True)
        except DoesNotExist:
            return None
        return _export(item)

    def exports_page(self, tenant_id: str, *, limit: int, after: str | None) -> Page[Export]:
        return page(
            ExportItem,
            keys.exports_pk(tenant_id),
            keys.EXPORT_PREFIX,
            _export,
            limit=limit,
            after=after,
            newest_first=True,
        )

    def claim(self, tenant_id: str, export_id: str, attempt: str) -> Export | None:
        item = _key_item(tenant_id, export_id)
        actions = [
            ExportItem.rows.set(0),
            ExportItem.attempts.add(1),
            ExportItem.attempt.set(attempt),
        ]
        if not update_if(item, actions, ExportItem.status == ExportStatus.RUNNING.value):
            return None
        return _export(item)  # update() read the item back (ALL_NEW)

    def progress(self, tenant_id: str, export_id: str, attempt: str, rows: int) -> bool:
        actions = [ExportItem.rows.set(rows)]
        return update_if(_key_item(tenant_id, export_id), actions, _current(attempt))

    def finish(self, tenant_id: str, export_id: str, attempt: str, rows: int, at: datetime) -> bool:
        actions = [
            ExportItem.rows.set(rows),
            ExportItem.status.set(ExportStatus.DONE.value),
            ExportItem.finished_at.set(at),
        ]
        return update_if(_key_item(tenant_id, export_id), actions, _current(attempt))

    def fail(self, tenant_id: str, export_id: str, attempt: str, error: str, at: datetime) -> bool:
        actions = [
            ExportItem.status.set(ExportStatus.FAILED.value),
            ExportItem.error.set(error[:1000]),
            ExportItem.finished_at.set(at),
        ]
        return update_if(_key_item(tenant_id, export_id), actions, _current(attempt))

    def award_pages(
        self, tenant_id: str, achievement_ids: Sequence[str], filters: ExportFilters, now: datetime
    ) -> Iterator[list[Award]]:
        for achievement_id in achievement_ids:
            batch: list[Award] = []
            for item in _holders(tenant_id, achievement_id, filters, now):
                batch.append(award_from_item(item))
                if len(batch) == AWARDS_PER_PAGE:
                    yield batch
                    batch = []
            if batch:
                yield batch


def _holders(
    tenant_id: str, achievement_id: str, filters: ExportFilters, now: datetime
) -> Iterator[AwardItem]:
    """The achievement's awards in the date range (key condition) with the status (filter), in
    award order; PynamoDB reads the next 1 MB page only when this one is used up."""
    low, high = keys.holders_bounds(filters.awarded_from, filters.awarded_to)
    in_range: Any = None
    if low is not None and high is not None:
        in_range = AwardItem.GSI1SK.between(low, high)
    elif low is not None:
        in_range = AwardItem.GSI1SK >= low  # noqa: SIM300 - an attribute, not a constant
    elif high is not None:
        in_range = AwardItem.GSI1SK <= high  # noqa: SIM300
    wanted = _shown_as(filters.status, now)
    # The key bounds use awarded_at's text; the filter holds them exactly (stored in UTC).
    if filters.awarded_from is not None:
        wanted = _and(wanted, AwardItem.awarded_at >= filters.awarded_from)
    if filters.awarded_to is not None:
        wanted = _and(wanted, AwardItem.awarded_at <= filters.awarded_to)
    yield from AwardItem.holders.query(
        keys.achievement_holders_pk(tenant_id, achievement_id),
        in_range,
        filter_condition=wanted,
        page_size=QUERY_PAGE_ITEMS,
    )


def _and(left: Condition | None, right: Condition) -> Condition:
    return right if left is None else left & right


def export_of_image(image: dict[str, Any]) -> tuple[str, str]:
    """The tenant and export id of an export item's stream image."""
    from accolade.adapters.dynamo.models import Item

    item = Item.from_raw_data(image)
    if not isinstance(item, ExportItem):
        raise ValueError(f"not an export record: {item.entity!r}")
    return item.tenant_id, item.export_id
