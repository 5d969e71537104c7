"""Custom badges: one item each in the tenant's badge partition; its status settles once."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist, PutError

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.common import conditional_failed, page, update_if
from accolade.adapters.dynamo.models import CustomBadgeItem
from accolade.domain.badges import ABANDONED_AFTER, BadgeStatus, CustomBadge
from accolade.domain.errors import ConflictError
from accolade.ports import Page


def _badge(item: CustomBadgeItem) -> CustomBadge:
    return CustomBadge.model_validate(item.doc)


def _item(tenant_id: str, badge_id: str) -> CustomBadgeItem:
    return CustomBadgeItem(keys.badges_pk(tenant_id), keys.badge_sk(badge_id))


class DynamoBadgeRepository:
    def add_badge(self, tenant_id: str, badge: CustomBadge) -> None:
        item = _item(tenant_id, badge.badge_id)
        item.tenant_id = tenant_id
        item.doc = badge.model_dump(mode="json")
        item.status = badge.status.value
        item.expires_at = badge.uploads_expire_at + ABANDONED_AFTER
        try:
            item.save(condition=CustomBadgeItem.PK.does_not_exist())
        except PutError as exc:
            if conditional_failed(exc):
                raise ConflictError(f"badge {badge.badge_id} exists already") from exc
            raise

    def get_badge(self, tenant_id: str, badge_id: str) -> CustomBadge | None:
        try:
            item = CustomBadgeItem.get(
                keys.badges_pk(tenant_id), keys.badge_sk(badge_id), consistent_read=True
            )
        except DoesNotExist:
            return None
        return _badge(item)

    def badges_page(self, tenant_id: str, *, limit: int, after: str | None) -> Page[CustomBadge]:
        return page(
            CustomBadgeItem,
            keys.badges_pk(tenant_id),
            keys.BADGE_PREFIX,
            _badge,
            limit=limit,
            after=after,
        )

    def settle_badge(self, tenant_id: str, badge: CustomBadge) -> bool:
        item = _item(tenant_id, badge.badge_id)
        return update_if(
            item,
            [
                CustomBadgeItem.doc.set(badge.model_dump(mode="json")),
                CustomBadgeItem.status.set(badge.status.value),
                CustomBadgeItem.expires_at.remove(),  # settled: kept
            ],
            CustomBadgeItem.status == BadgeStatus.PENDING.value,
        )
