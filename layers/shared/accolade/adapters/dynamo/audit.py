"""The audit log in DynamoDB: entries read off stamped stream records, put once, paged newest
first (``keys.audit_pk``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pynamodb.exceptions import PutError

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.common import conditional_failed, page
from accolade.adapters.dynamo.models import AuditItem, Item, plain
from accolade.domain.acting import Stamp
from accolade.domain.audit import RETENTION, AuditEntry, AuditQuery, entry_of
from accolade.ports import Page


def audit_item(tenant_id: str, entry: AuditEntry) -> AuditItem:
    """The item of an entry, under the key its stamp makes; gone after the retention (TTL)."""
    return AuditItem(
        keys.audit_pk(tenant_id),
        keys.audit_sk(entry.entry_id),
        tenant_id=tenant_id,
        at=entry.at,
        actor_id=entry.actor.user_id,
        action=entry.action,
        target_ids=set(entry.target_ids) or None,
        entry=entry.model_dump(mode="json"),
        expires_at=int((entry.at + RETENTION).timestamp()),
    )


def entry_from_record(record: Mapping[str, Any]) -> tuple[str, AuditEntry] | None:
    """The tenant and audit entry of a stream record whose write carried a new stamp; None for
    a write outside an audited action (no stamp, or the one the item already had)."""
    change = record["dynamodb"]
    new_image, old_image = change.get("NewImage"), change.get("OldImage")
    if not new_image:
        return None  # a deletion: audited ones put their entry in their own transaction
    stamp_text = (new_image.get("audit") or {}).get("S")
    if stamp_text is None or stamp_text == ((old_image or {}).get("audit") or {}).get("S"):
        return None
    after = Item.from_raw_data(dict(new_image))
    before = Item.from_raw_data(dict(old_image)) if old_image else None
    entry = entry_of(
        Stamp.from_json(stamp_text),
        after.entity_name(),
        None if before is None else plain(before),
        plain(after),
    )
    return after.tenant_id, entry


# How many entries one filtered page reads at most (a 1 MB Query page may stop it earlier).
EXAMINED_PER_PAGE = 500


def _matching(query: AuditQuery) -> Any:
    condition = None
    for wanted in (
        AuditItem.actor_id == query.actor if query.actor else None,
        AuditItem.action == query.action if query.action else None,
        AuditItem.target_ids.contains(query.target) if query.target else None,
    ):
        if wanted is not None:
            condition = wanted if condition is None else condition & wanted
    return condition


class DynamoAuditLog:
    def record(self, tenant_id: str, entry: AuditEntry) -> bool:
        """Put ``entry`` once: False when it is there already (a redelivered stream record)."""
        try:
            audit_item(tenant_id, entry).save(condition=AuditItem.PK.does_not_exist())
        except PutError as exc:
            if conditional_failed(exc):
                return False
            raise
        return True

    def entries_page(self, tenant_id: str, query: AuditQuery) -> Page[AuditEntry]:
        """A page of the tenant's entries, newest first. Filtered, one Query examines at most
        EXAMINED_PER_PAGE entries: a filter that matches little answers a short (even empty)
        page and a cursor to go on, never a request that reads the whole log."""
        condition = _matching(query)
        pk = keys.audit_pk(tenant_id)
        if condition is None:
            return page(
                AuditItem,
                pk,
                keys.AUDIT_PREFIX,
                _entry,
                limit=query.limit,
                after=query.after,
                newest_first=True,
            )
        answer = AuditItem._get_connection().query(
            pk,
            range_key_condition=AuditItem.SK.startswith(keys.AUDIT_PREFIX),
            filter_condition=condition,
            limit=EXAMINED_PER_PAGE,
            scan_index_forward=False,
            exclusive_start_key=keys.page_start(pk, keys.AUDIT_PREFIX, query.after),
        )
        found = [AuditItem.from_raw_data(raw) for raw in answer.get("Items", [])]
        if len(found) > query.limit:
            kept = found[: query.limit]
            return Page([_entry(item) for item in kept], kept[-1].SK)
        examined_to = answer.get("LastEvaluatedKey")
        return Page(
            [_entry(item) for item in found], examined_to["SK"]["S"] if examined_to else None
        )


def _entry(item: AuditItem) -> AuditEntry:
    return AuditEntry.model_validate(item.entry)
