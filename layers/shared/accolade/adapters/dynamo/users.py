"""User profiles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.models import (
    UserItem,
)
from accolade.domain.models import (
    UserProfile,
)


class DynamoUserRepository:
    def put_user(self, tenant_id: str, user: UserProfile) -> None:
        doc = user.model_dump(mode="json", exclude={"featured_award_id"})
        _profile(tenant_id, user.user_id).update(
            actions=[*_identity(tenant_id), UserItem.doc.set(doc), UserItem.org_rev.add(1)]
        )

    def set_featured(self, tenant_id: str, user_id: str, award_id: str | None) -> None:
        featured = (
            UserItem.featured_award_id.set(award_id)
            if award_id
            else UserItem.featured_award_id.remove()
        )
        blank = UserProfile(user_id=user_id).model_dump(mode="json", exclude={"featured_award_id"})
        _profile(tenant_id, user_id).update(
            actions=[*_identity(tenant_id), UserItem.doc.set(UserItem.doc | blank), featured]
        )

    def get_users(self, tenant_id: str, user_ids: Iterable[str]) -> dict[str, UserProfile]:
        wanted = [(keys.user_pk(tenant_id, user_id), keys.PROFILE) for user_id in set(user_ids)]
        users: dict[str, UserProfile] = {}
        for item in UserItem.batch_get(wanted):
            featured = {"featured_award_id": item.featured_award_id}
            profile = UserProfile.model_validate(item.doc | featured)
            users[profile.user_id] = profile
        return users


def _profile(tenant_id: str, user_id: str) -> UserItem:
    return UserItem(keys.user_pk(tenant_id, user_id), keys.PROFILE)


def _identity(tenant_id: str) -> list[Any]:
    return [UserItem.entity.set(UserItem), UserItem.tenant_id.set(tenant_id)]


def profile_change_from_record(
    new_image: dict[str, Any], old_image: dict[str, Any] | None
) -> tuple[str, str] | None:
    """The tenant and user of a profile's stream record when its organisation or groups may
    have changed (``org_rev`` moved); None for another change (the featured award)."""
    from accolade.adapters.dynamo.models import Item

    item = Item.from_raw_data(new_image)
    if not isinstance(item, UserItem):
        raise ValueError(f"not a profile record: {item.entity!r}")
    before = Item.from_raw_data(old_image) if old_image else None
    if isinstance(before, UserItem) and before.org_rev == item.org_rev:
        return None
    return item.tenant_id, str(item.doc["user_id"])
