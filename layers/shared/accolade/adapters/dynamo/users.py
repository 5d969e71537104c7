"""User profiles."""

from __future__ import annotations

from collections.abc import Iterable

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.common import BATCH_GET_LIMIT
from accolade.adapters.dynamo.models import (
    UserItem,
)
from accolade.domain.models import (
    UserProfile,
)


class DynamoUserRepository:
    def put_user(self, tenant_id: str, user: UserProfile) -> None:
        UserItem(
            keys.user_pk(tenant_id, user.user_id),
            keys.PROFILE,
            tenant_id=tenant_id,
            doc=user.model_dump(mode="json"),
        ).save()

    def get_users(self, tenant_id: str, user_ids: Iterable[str]) -> dict[str, UserProfile]:
        wanted = [(keys.user_pk(tenant_id, user_id), keys.PROFILE) for user_id in set(user_ids)]
        users: dict[str, UserProfile] = {}
        for start in range(0, len(wanted), BATCH_GET_LIMIT):
            for item in UserItem.batch_get(wanted[start : start + BATCH_GET_LIMIT]):
                profile = UserProfile.model_validate(item.doc)
                users[profile.user_id] = profile
        return users
