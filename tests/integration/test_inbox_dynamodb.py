"""The inbox against DynamoDB Local: every award, revoke and expiring-soon notice lands once
however often its stream record is redelivered; filters by type and read state page newest
first with bounded reads; marking read is idempotent and per user."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from accolade.domain.models import (
    ActivityEvent,
    Aggregate,
    Award,
    CounterKey,
    MessageType,
    Metric,
)
from accolade.ports import EventDeltas, InboxQuery
from accolade.services import admin
from accolade.services.expiry import send_expiry_notices
from accolade_local.handlers import load_handler
from tests.integration.helpers import (
    batch,
    event_award,
    http_event,
    invoke,
    json_body,
    load_event,
    with_path,
)
from tests.integration.inbox_meter import metered
from tests.integration.test_winner_query import At, handed_over

EXPIRES = datetime(2031, 11, 24, 10, 0, tzinfo=UTC)
DUE = EXPIRES - timedelta(days=20)


def award(user_id: str, n: int, **extra: Any) -> Award:
    return event_award(user_id, "task", f"E{n:04d}", 1, **extra).model_copy(
        update={"awarded_at": datetime(2026, 11, 24, 10, tzinfo=UTC) + timedelta(minutes=n)}
    )


def api_call(
    tenant_id: str, method: str, path: str, query: dict[str, str] | None = None, sub: str = "alice"
) -> tuple[int, Any]:
    event = with_path(http_event("api/me_achievements.json", tenant_id, sub=sub), method, path)
    if query:
        event["queryStringParameters"] = query
        event["rawQueryString"] = "&".join(f"{k}={v}" for k, v in query.items())
    response = invoke(load_handler("api"), event)
    return response["statusCode"], json_body(response)


def ids(c: Any, tenant_id: str, user_id: str = "alice", **filters: Any) -> list[str]:
    found = c.inbox.messages(tenant_id, user_id, InboxQuery(limit=100, **filters))
    return [m.message_id for m in found.items]


def test_each_notice_lands_once_under_redelivery(
    accolade: Any, stream: Any, tenant_id: str
) -> None:
    deliver = load_handler("deliver_messages")
    granted = accolade.awards.grant(
        tenant_id, "alice", [award("alice", 1), award("alice", 2, valid_until=EXPIRES)]
    )
    accolade.awards.revoke(
        tenant_id, granted[0], reason="typo", at=datetime(2026, 12, 1, tzinfo=UTC)
    )
    for _ in range(2):  # the daily job run twice: the second run finds the notice told
        send_expiry_notices(
            DUE, config=accolade.config, awards=accolade.awards, tenant_ids=[tenant_id]
        )
    awards = stream.records(tenant_id, entity="award", count=3, event_names=("INSERT", "MODIFY"))
    (notice,) = [
        r
        for r in stream.records(tenant_id, entity="message", count=1)
        if r["dynamodb"]["NewImage"]["type"]["S"] == "expiring_soon"
    ]
    records = [*awards, notice]

    # The whole batch three times, and each record alone again: as Lambda may redeliver them.
    answers = [invoke(deliver, batch(records)) for _ in range(3)]
    answers += [invoke(deliver, batch([record])) for record in records]

    assert all(a == {"batchItemFailures": []} for a in answers)
    first, second = granted
    kinds = {t: ids(accolade, tenant_id, message_type=t) for t in MessageType}
    assert kinds[MessageType.ACHIEVEMENT] == [second.award_id, first.award_id]  # newest first
    assert kinds[MessageType.AWARD_REVOKED] == [f"{first.award_id}.revoked"]
    assert len(kinds[MessageType.EXPIRING_SOON]) == 1
    assert len(ids(accolade, tenant_id)) == 4


def test_filters_page_newest_first_and_mark_read(accolade: Any, tenant_id: str) -> None:
    granted = accolade.awards.grant(tenant_id, "alice", [award("alice", n) for n in range(1, 8)])
    for given in granted:
        accolade.inbox.add(tenant_id, _granted(given))
    for given in granted[:3]:
        accolade.inbox.add(tenant_id, _revoked(given))
    newest_first = sorted(granted, key=lambda a: a.awarded_at, reverse=True)

    status, read = api_call(tenant_id, "POST", f"/v1/me/messages/{newest_first[0].award_id}/read")
    again_status, again = api_call(
        tenant_id, "POST", f"/v1/me/messages/{newest_first[0].award_id}/read"
    )
    foreign, _ = api_call(
        tenant_id, "POST", f"/v1/me/messages/{newest_first[1].award_id}/read", sub="bob"
    )
    unknown, _ = api_call(tenant_id, "POST", "/v1/me/messages/nope/read")

    assert (status, again_status, foreign, unknown) == (200, 200, 404, 404)
    assert read["unread"] is False and again["read_at"] == read["read_at"]
    pages, cursor = [], None
    while True:
        query = {"type": "achievement", "unread": "true", "limit": "2"}
        if cursor:
            query["cursor"] = cursor
        code, body = api_call(tenant_id, "GET", "/v1/me/messages", query)
        assert code == 200, body
        pages.append([m["message_id"] for m in body["items"]])
        assert all(m["type"] == "achievement" and m["unread"] for m in body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert [i for page in pages for i in page] == [a.award_id for a in newest_first[1:]]
    assert [len(p) for p in pages] == [2, 2, 2]
    code, read_ones = api_call(tenant_id, "GET", "/v1/me/messages", {"unread": "false"})
    assert [m["message_id"] for m in read_ones["items"]] == [newest_first[0].award_id]
    code, revokes = api_call(tenant_id, "GET", "/v1/me/messages", {"type": "award_revoked"})
    assert len(revokes["items"]) == 3
    code, everything = api_call(tenant_id, "GET", "/v1/me/messages", {"limit": "100"})
    assert len(everything["items"]) == 10
    created = [m["created_at"] for m in everything["items"]]
    assert created == sorted(created, reverse=True)


def test_bad_filters_and_foreign_cursors_are_refused(accolade: Any, tenant_id: str) -> None:
    accolade.inbox.add(tenant_id, _granted(award("alice", 1)))
    accolade.inbox.add(tenant_id, _granted(award("alice", 2)))
    _, page = api_call(tenant_id, "GET", "/v1/me/messages", {"type": "achievement", "limit": "1"})

    unknown_type = api_call(tenant_id, "GET", "/v1/me/messages", {"type": "party"})
    bad_unread = api_call(tenant_id, "GET", "/v1/me/messages", {"unread": "maybe"})
    other_filter = api_call(
        tenant_id, "GET", "/v1/me/messages", {"unread": "true", "cursor": page["next_cursor"]}
    )
    other_user = api_call(
        tenant_id,
        "GET",
        "/v1/me/messages",
        {"type": "achievement", "cursor": page["next_cursor"]},
        sub="bob",
    )

    assert unknown_type[0] == 422 and "type" in json.dumps(unknown_type[1])
    assert bad_unread[0] == 422 and "unread" in json.dumps(bad_unread[1])
    assert other_filter[0] == other_user[0] == 400


@pytest.mark.parametrize("noise", [0, 300])
def test_a_filtered_page_reads_the_same_however_many_other_messages(
    accolade: Any, tenant_id: str, noise: int
) -> None:
    wanted = [award("alice", n) for n in range(1, 12)]
    for given in wanted:
        accolade.inbox.add(tenant_id, _revoked(given))
    for n in range(noise):  # newer, of another type: a filter on type would read past them
        accolade.inbox.add(tenant_id, _granted(award("alice", 100 + n)))

    with metered() as meter:
        page = accolade.inbox.messages(
            tenant_id,
            "alice",
            InboxQuery(limit=10, message_type=MessageType.AWARD_REVOKED, unread=True),
        )
    with metered() as unread_meter:
        accolade.inbox.messages(tenant_id, "alice", InboxQuery(limit=10, unread=True))

    assert len(page.items) == 10 and page.next is not None
    assert meter.requests == 1  # one Query of one partition
    assert meter.units <= 1.0  # 11 small messages: under 4 KB, eventually consistent
    assert unread_meter.requests == 3  # one per type
    print(f"RRU per page, type+unread: {meter.units}; unread only: {unread_meter.units}")


def _granted(given: Award) -> Any:
    from accolade.services.deliver import _granted as granted_message

    return granted_message(given, "Task", leveled=False)


def _revoked(given: Award) -> Any:
    from accolade.services.deliver import _revoked as revoked_message

    revoked = given.model_copy(
        update={"revoked_at": given.awarded_at + timedelta(days=1), "revoke_reason": "typo"}
    )
    return revoked_message(revoked, "Task")


def test_a_winner_told_twice_by_the_queue_gets_one_message(
    accolade: Any, stream: Any, tenant_id: str
) -> None:
    monday, week = datetime(2026, 11, 9, 8, tzinfo=UTC), "W2026-W46"  # a week the clock has seen
    admin.put_metric(
        tenant_id,
        Metric(metric_id="logins", event_type="login", aggregate=Aggregate.COUNT),
        config=accolade.config,
    )
    top = {"name": "Top", "type": "period_top", "metric": "logins", "period": "week"}
    admin.create_achievement(
        tenant_id, top, ports=admin.DefinitionPorts(accolade.config), clock=At(monday)
    )
    login = ActivityEvent(event_id="e-1", type="login", user_id="alice", occurred_at=monday)
    accolade.events.add_new(tenant_id, [login])
    counter = CounterKey("alice", "logins", week)
    accolade.progress.apply(
        tenant_id, [EventDeltas("e-1", 0, {counter: Decimal(3)}, frozenset({counter}))], monday
    )
    (work,) = handed_over(accolade, tenant_id, monday + timedelta(weeks=1))
    sample = load_event("select_winners/tenant_closes.json")
    sample["Records"][0]["body"] = work.model_dump_json()
    winners, deliver = load_handler("select_winners"), load_handler("deliver_messages")

    # SQS delivers at least once: the same message twice, then the award's records twice.
    told = [invoke(winners, sample) for _ in range(2)]
    (record,) = stream.records(tenant_id, entity="award", count=1)
    delivered = [invoke(deliver, batch([record])) for _ in range(2)]

    assert all(answer == {"batchItemFailures": []} for answer in told + delivered)
    (message,) = accolade.inbox.messages(tenant_id, "alice", InboxQuery(limit=10)).items
    assert message.type == MessageType.ACHIEVEMENT
    assert ids(accolade, tenant_id, message_type=MessageType.ACHIEVEMENT, unread=True) == [
        message.message_id
    ]
