"""Lists page in DynamoDB (one Query per page, from a start key the server rebuilds) in the same
order as the fakes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from typing import Any, TypeVar

import pytest

from accolade.adapters.dynamo import keys, models
from accolade.domain.errors import InvalidCursorError
from accolade.domain.models import (
    AwardStatus,
    Message,
    Metric,
)
from accolade.ports import InboxQuery, Page
from accolade.services import admin
from tests.fakes import FakeContainer
from tests.integration.helpers import AT, event_award, hooked, task_achievement

T = TypeVar("T")
pytestmark = pytest.mark.usefixtures("aws_env")


def dynamodb_clients() -> list[Any]:
    """The botocore clients of every PynamoDB model (each model class has its own)."""
    every: tuple[type[models.Item], ...] = (models.Item, *models.ENTITY_MODELS)
    clients = {id(c): c for c in (m._get_connection().connection.client for m in every)}
    return list(clients.values())


@contextmanager
def queries() -> Iterator[list[dict[str, Any]]]:
    """The parameters of every Query sent inside the block."""
    sent: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        sent.append(dict(params))

    with ExitStack() as stack:
        for client in dynamodb_clients():
            stack.enter_context(hooked(client, "provide-client-params.dynamodb.Query", record))
        yield sent


def every_page(read: Callable[[str | None], Page[T]]) -> list[list[T]]:
    pages: list[list[T]] = []
    after: str | None = None
    while True:
        page = read(after)
        pages.append(page.items)
        if page.next is None:
            return pages
        after = page.next


def test_awards_page_in_key_order_like_the_fake_one_query_a_page(
    accolade: Any, tenant_id: str
) -> None:
    fake = FakeContainer()
    held = [
        event_award("ada", achievement, period, level)
        for achievement in ("closer", "attendee", "mentor")
        for period in ("W2026-W47", "W2026-W48")
        for level in (1, 2)
    ]
    revoked = event_award("ada", "attendee", "W2026-W49", 1, status=AwardStatus.REVOKED)
    for repository in (accolade.awards, fake.awards):
        repository.grant(tenant_id, "ada", [*held, revoked])
        repository.grant(tenant_id, "bob", [event_award("bob", "closer", "W2026-W48", 1)])

    with queries() as sent:
        pages = every_page(
            lambda after: accolade.awards.awards_page(tenant_id, "ada", limit=5, after=after)
        )
    faked = every_page(
        lambda after: fake.awards.awards_page(tenant_id, "ada", limit=5, after=after)
    )

    assert [len(page) for page in pages] == [5, 5, 2]
    listed = [a.award_id for page in pages for a in page]
    assert listed == [a.award_id for page in faked for a in page]
    assert sorted(listed) == sorted(a.award_id for a in held)
    assert [(a.achievement_id, a.period_key, a.level) for a in pages[0][:3]] == [
        ("attendee", "W2026-W47", 1),
        ("attendee", "W2026-W47", 2),
        ("attendee", "W2026-W48", 1),
    ]
    assert len(sent) == 4  # a page per Query, plus one to refill the page the revoked award left
    assert {q["Limit"] for q in sent} == {6}
    assert {q["ExpressionAttributeValues"][":0"]["S"] for q in sent} == {
        keys.user_pk(tenant_id, "ada")
    }
    assert "ExclusiveStartKey" not in sent[0]
    assert sent[1]["ExclusiveStartKey"]["PK"]["S"] == keys.user_pk(tenant_id, "ada")


def test_ledger_pages_in_sequence_order(accolade: Any, tenant_id: str) -> None:
    for level in (1, 2, 3):
        accolade.awards.grant(tenant_id, "ada", [event_award("ada", "closer", "ALL", level)])

    pages = every_page(lambda after: accolade.awards.ledger(tenant_id, "ada", limit=2, after=after))

    assert [[entry.sequence for entry in page] for page in pages] == [[1, 2], [3]]
    assert [entry.points_balance for page in pages for entry in page] == [10, 20, 30]


def test_inbox_pages_newest_first_and_a_message_is_still_stored_once(
    accolade: Any, tenant_id: str
) -> None:
    fake = FakeContainer()
    minutes = [7, 1, 5, 3, 9, 1]  # two messages in the same minute: the id breaks the tie
    messages = [
        Message(
            message_id=f"m-{n}",
            user_id="ada",
            type="achievement",
            title=f"Message {n}",
            body="",
            created_at=AT + timedelta(minutes=minute),
        )
        for n, minute in enumerate(minutes)
    ]
    for inbox in (accolade.inbox, fake.inbox):
        assert all(inbox.add(tenant_id, message) for message in messages)
        assert not any(inbox.add(tenant_id, message) for message in messages)

    pages = every_page(
        lambda after: accolade.inbox.messages(tenant_id, "ada", InboxQuery(limit=4, after=after))
    )
    faked = every_page(
        lambda after: fake.inbox.messages(tenant_id, "ada", InboxQuery(limit=4, after=after))
    )

    listed = [m.message_id for page in pages for m in page]
    assert listed == ["m-4", "m-0", "m-2", "m-3", "m-5", "m-1"]
    assert listed == [m.message_id for page in faked for m in page]
    assert [len(page) for page in pages] == [4, 2]
    assert accolade.inbox.claim_announcement(tenant_id, messages[0], AT + timedelta(hours=1))


def test_definitions_page_by_id(accolade: Any, tenant_id: str) -> None:
    for n in (3, 1, 4, 2, 5):
        accolade.config.create_achievement(tenant_id, task_achievement(n))
        admin.put_metric(
            tenant_id,
            Metric(metric_id=f"m-{n}", event_type="task.done", aggregate="count"),
            config=accolade.config,
        )

    achievements = every_page(
        lambda after: accolade.config.achievements_page(tenant_id, limit=2, after=after)
    )
    metrics = every_page(
        lambda after: accolade.config.metrics_page(tenant_id, limit=5, after=after)
    )

    assert [[a.achievement_id for a in page] for page in achievements] == [
        ["a-001", "a-002"],
        ["a-003", "a-004"],
        ["a-005"],
    ]
    assert [[m.metric_id for m in page] for page in metrics] == [
        ["m-1", "m-2", "m-3", "m-4", "m-5"]
    ]


@pytest.mark.parametrize(
    "after",
    [
        "LEDGER#000000000001",  # another kind of item in the same partition
        "T#other#U#ada",  # a partition key
        "AWD#" + "x" * 1100,  # longer than DynamoDB takes
        "AWD#\ud800",  # not encodable
    ],
)
def test_a_position_outside_the_list_is_refused_before_dynamodb_sees_it(
    accolade: Any, tenant_id: str, after: str
) -> None:
    with queries() as sent, pytest.raises(InvalidCursorError):
        accolade.awards.awards_page(tenant_id, "ada", limit=5, after=after)

    assert sent == []
