"""The inbox, which doubles as the announcement outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.common import conditional_failed, fields_of, user_page
from accolade.adapters.dynamo.models import Item, MessageItem
from accolade.domain.models import (
    Message,
)
from accolade.ports import (
    AnnouncementLeasedError,
    Clock,
    Page,
)


def message_item(tenant_id: str, message: Message) -> MessageItem:
    fields = message.model_dump() | {"data": message.data or None}  # stored by the same names
    return MessageItem(
        keys.user_pk(tenant_id, message.user_id),
        keys.message_sk(message.created_at, message.message_id),
        tenant_id=tenant_id,
        **fields,
    )


def _message(item: MessageItem) -> Message:
    return fields_of(Message, item, data=item.data or {})


def message_from_image(image: dict[str, Any]) -> tuple[str, Message]:
    """The tenant and message of a stream record's image."""
    item = Item.from_raw_data(image)
    if not isinstance(item, MessageItem):
        raise ValueError(f"not a message record: {item.entity!r}")
    return item.tenant_id, _message(item)


class DynamoInboxRepository:
    """The inbox message doubles as the announcement outbox (a lease, then a mark)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def add(self, tenant_id: str, message: Message) -> bool:
        item = message_item(tenant_id, message)
        try:
            item.save(condition=MessageItem.PK.does_not_exist())
        except PutError as exc:
            if conditional_failed(exc):
                return False
            raise
        return True

    @staticmethod
    def _key(tenant_id: str, message: Message) -> MessageItem:
        return MessageItem(
            keys.user_pk(tenant_id, message.user_id),
            keys.message_sk(message.created_at, message.message_id),
        )

    def claim_announcement(self, tenant_id: str, message: Message, lease_until: datetime) -> bool:
        now = self._clock.now()
        try:
            self._key(tenant_id, message).update(
                actions=[MessageItem.announcing_until.set(lease_until)],
                condition=MessageItem.PK.exists()
                & MessageItem.announced_at.does_not_exist()
                & (
                    MessageItem.announcing_until.does_not_exist()
                    | (MessageItem.announcing_until < now)
                ),
            )
        except UpdateError as exc:
            if not conditional_failed(exc):
                raise
        else:
            return True
        # Already announced, or another deliverer's lease still runs. That deliverer may have died
        # before publishing: acknowledging the record now would lose the publication for good.
        key = self._key(tenant_id, message)
        try:
            item = MessageItem.get(key.PK, key.SK, consistent_read=True)
        except DoesNotExist:
            return False
        if item.announced_at is not None:
            return False
        raise AnnouncementLeasedError(
            f"message {message.message_id} is being announced", until=item.announcing_until
        )

    def mark_announced(self, tenant_id: str, message: Message, at: datetime) -> None:
        self._key(tenant_id, message).update(
            actions=[MessageItem.announced_at.set(at), MessageItem.announcing_until.remove()]
        )

    def release_announcement(self, tenant_id: str, message: Message) -> None:
        self._key(tenant_id, message).update(actions=[MessageItem.announcing_until.remove()])

    def messages(
        self, tenant_id: str, user_id: str, *, limit: int, after: str | None = None
    ) -> Page[Message]:
        return user_page(
            MessageItem,
            tenant_id,
            user_id,
            keys.MESSAGE_PREFIX,
            _message,
            limit=limit,
            after=after,
            newest_first=True,
        )
