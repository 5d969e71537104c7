"""The inbox, which doubles as the announcement outbox."""

from __future__ import annotations

import heapq
from datetime import datetime
from itertools import islice
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.common import conditional_failed, fields_of, update_if, user_page
from accolade.adapters.dynamo.models import Item, MessageIdItem, MessageItem
from accolade.adapters.dynamo.transact import Transaction, commit
from accolade.domain.models import (
    Message,
    MessageType,
)
from accolade.ports import (
    AnnouncementLeasedError,
    Clock,
    InboxQuery,
    Page,
)


def message_item(tenant_id: str, message: Message) -> MessageItem:
    fields = message.model_dump() | {"data": message.data or None}  # stored by the same names
    sk = keys.message_sk(message.created_at, message.message_id)
    state = keys.INBOX_READ if message.read_at else keys.INBOX_UNREAD
    return MessageItem(
        keys.user_pk(tenant_id, message.user_id),
        sk,
        tenant_id=tenant_id,
        GSI1PK=keys.inbox_pk(tenant_id, message.user_id, message.type, state),
        GSI1SK=sk,
        **fields,
    )


def put_message(transaction: Transaction, tenant_id: str, message: Message) -> None:
    """Add the message and its id's item to ``transaction``, each on the condition that it is
    not stored yet: a message is written once by id, however often it is made again."""
    transaction.put("message", message_item(tenant_id, message), MessageItem.PK.does_not_exist())
    transaction.put(
        "message_id",
        MessageIdItem(
            keys.user_pk(tenant_id, message.user_id),
            keys.message_id_sk(message.message_id),
            tenant_id=tenant_id,
            message_sk=keys.message_sk(message.created_at, message.message_id),
        ),
        MessageIdItem.PK.does_not_exist(),
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
        transaction = Transaction()
        put_message(transaction, tenant_id, message)
        cancelled = commit(transaction)
        if cancelled is None:
            return True
        if cancelled.failed_conditions:
            return False  # stored already (the same id)
        raise RuntimeError(f"message {message.message_id} could not be written: a conflict")

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

    def messages(self, tenant_id: str, user_id: str, query: InboxQuery) -> Page[Message]:
        limit = query.limit
        if query.message_type is None and query.unread is None:
            return user_page(
                MessageItem,
                tenant_id,
                user_id,
                keys.MESSAGE_PREFIX,
                _message,
                limit=limit,
                after=query.after,
                newest_first=True,
            )
        types = [query.message_type] if query.message_type else list(MessageType)
        if query.unread is None:
            states = [keys.INBOX_UNREAD, keys.INBOX_READ]
        else:
            states = [keys.INBOX_UNREAD if query.unread else keys.INBOX_READ]
        start = keys.inbox_position(query.after)
        # One Query per (type, state) partition, each of at most limit + 1 items, merged newest
        # first: a page reads at most 3 * (limit + 1) messages, none of another filter.
        runs = [
            MessageItem.by_kind.query(
                keys.inbox_pk(tenant_id, user_id, kind.value, state),
                start > MessageItem.GSI1SK if start else None,
                scan_index_forward=False,
                limit=limit + 1,
                page_size=limit + 1,
            )
            for kind in types
            for state in states
        ]
        merged = list(
            islice(heapq.merge(*runs, key=lambda item: item.GSI1SK, reverse=True), limit + 1)
        )
        following = merged[limit - 1].SK if len(merged) > limit else None
        return Page([_message(item) for item in merged[:limit]], following)

    def mark_read(
        self, tenant_id: str, user_id: str, message_id: str, at: datetime
    ) -> Message | None:
        try:
            where = MessageIdItem.get(
                keys.user_pk(tenant_id, user_id),
                keys.message_id_sk(message_id),
                consistent_read=True,
            )
            item = MessageItem.get(where.PK, where.message_sk, consistent_read=True)
        except DoesNotExist:
            return None
        if item.read_at is None:
            moved = keys.inbox_pk(tenant_id, user_id, item.type, keys.INBOX_READ)
            # Read once: a second mark (or a racing one) changes nothing, and keeps the first time.
            if update_if(
                item,
                [MessageItem.read_at.set(at), MessageItem.GSI1PK.set(moved)],
                MessageItem.PK.exists() & MessageItem.read_at.does_not_exist(),
            ):
                item.read_at, item.GSI1PK = at, moved
            else:
                item.refresh(consistent_read=True)
        return _message(item)
