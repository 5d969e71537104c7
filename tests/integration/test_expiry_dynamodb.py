"""Credential expiry against DynamoDB Local and moto: the expiring-soon notice told once however
often (and however concurrently) the daily job runs, an edited expiry told again for its new
date, renewal under racing grants, the notice published once on SNS, and a learner's awards."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.models import AwardItem
from accolade.domain.errors import ConflictError
from accolade.domain.expiry import EXPIRING_SOON
from accolade.domain.models import Award, AwardKey, AwardStatus
from accolade.ports import InboxQuery, UserAwardsQuery
from accolade.services.awards import edit_expiry
from accolade.services.expiry import NoticesResult, send_expiry_notices
from accolade_local.handlers import load_handler
from tests.integration.helpers import batch, event_award, invoke
from tests.integration.test_deliver_messages import feed_messages

EXPIRES = datetime(2031, 11, 24, 10, 0, tzinfo=UTC)
DUE = EXPIRES - timedelta(days=20)  # inside the default 30 notice days


def bls(user_id: str, n: int, valid_until: datetime = EXPIRES) -> Award:
    """A Basic Life Support award (its own key, ``n`` minutes after the base time)."""
    return event_award(user_id, "bls", f"E{n:04d}", 1, valid_until=valid_until).model_copy(
        update={"awarded_at": datetime(2026, 11, 24, 10, n, tzinfo=UTC)}
    )


def notices(c: Any, as_of: datetime, tenant_id: str) -> NoticesResult:
    """The daily job for the test's tenant alone (the table holds other tests' tenants)."""
    return send_expiry_notices(as_of, config=c.config, awards=c.awards, tenant_ids=[tenant_id])


def told(c: Any, tenant_id: str, user_id: str = "alice") -> list[Any]:
    found = c.inbox.messages(tenant_id, user_id, InboxQuery(limit=100)).items
    return [m for m in found if m.type == EXPIRING_SOON]


def test_a_notice_is_told_once_across_repeated_and_concurrent_runs(
    accolade: Any, tenant_id: str
) -> None:
    (award,) = accolade.awards.grant(tenant_id, "alice", [bls("alice", 1)])
    moments = [DUE, DUE, DUE + timedelta(days=1), DUE + timedelta(hours=3)] * 2

    first = notices(accolade, DUE - timedelta(days=1), tenant_id)
    with ThreadPoolExecutor(max_workers=len(moments)) as pool:
        results = list(pool.map(lambda as_of: notices(accolade, as_of, tenant_id), moments))
    replayed = notices(accolade, DUE, tenant_id)

    assert [a.award_id for a in first.sent] == [award.award_id]
    assert sum(len(r.sent) for r in results) == 0
    assert replayed.sent == []
    (message,) = told(accolade, tenant_id)
    assert message.award_id == award.award_id
    assert accolade.awards.expiring(tenant_id, DUE - timedelta(days=60), EXPIRES) == []


def test_racing_first_runs_tell_once(accolade: Any, tenant_id: str) -> None:
    accolade.awards.grant(tenant_id, "alice", [bls("alice", 1)])
    moments = [DUE + timedelta(minutes=n) for n in range(6)]

    with ThreadPoolExecutor(max_workers=len(moments)) as pool:
        results = list(pool.map(lambda as_of: notices(accolade, as_of, tenant_id), moments))

    assert sum(len(r.sent) for r in results) == 1
    assert len(told(accolade, tenant_id)) == 1


def test_an_edited_expiry_is_told_again_for_its_new_date(accolade: Any, tenant_id: str) -> None:
    (award,) = accolade.awards.grant(tenant_id, "alice", [bls("alice", 1)])
    notices(accolade, DUE, tenant_id)
    later = EXPIRES + timedelta(days=90)

    edited = edit_expiry(tenant_id, award.award_id, later, awards=accolade.awards)
    before = notices(accolade, DUE + timedelta(days=5), tenant_id)
    due = notices(accolade, later - timedelta(days=10), tenant_id)
    again = notices(accolade, later - timedelta(days=9), tenant_id)

    assert edited.valid_until == later
    assert (before.sent, len(due.sent), again.sent) == ([], 1, [])
    dates = sorted(m.data["valid_until"] for m in told(accolade, tenant_id))
    assert dates == [EXPIRES.isoformat(), later.isoformat()]
    (summary,) = accolade.awards.summaries_of(tenant_id, [("alice", "bls")]).values()
    assert summary.valid_until == later


def test_never_expiring_leaves_the_index_and_the_summary_lapses_never(
    accolade: Any, tenant_id: str
) -> None:
    (award,) = accolade.awards.grant(tenant_id, "alice", [bls("alice", 1)])

    edit_expiry(tenant_id, award.award_id, None, awards=accolade.awards)

    assert notices(accolade, DUE, tenant_id).sent == []
    (summary,) = accolade.awards.summaries_of(tenant_id, [("alice", "bls")]).values()
    assert summary.valid_until is None
    stored = accolade.awards.get_award(tenant_id, award.key)
    assert stored.valid_until is None


def test_a_revoked_award_is_neither_told_nor_edited(accolade: Any, tenant_id: str) -> None:
    (award,) = accolade.awards.grant(tenant_id, "alice", [bls("alice", 1)])
    accolade.awards.revoke(tenant_id, award, reason="fraud", at=DUE - timedelta(days=1))

    assert notices(accolade, DUE, tenant_id).sent == []
    with pytest.raises(ConflictError):
        accolade.awards.set_valid_until(tenant_id, award, None)  # as read before the revoke


def test_racing_renewals_supersede_one_award_each(accolade: Any, tenant_id: str) -> None:
    (held,) = accolade.awards.grant(tenant_id, "alice", [bls("alice", 1)])
    renewals = [bls("alice", 2 + n, EXPIRES + timedelta(days=365)) for n in range(4)]

    with ThreadPoolExecutor(max_workers=len(renewals)) as pool:
        granted = [
            award
            for written in pool.map(
                lambda award: accolade.awards.grant(tenant_id, "alice", [award]), renewals
            )
            for award in written
        ]

    assert len(granted) == 4
    superseded = [award.supersedes for award in granted]
    # A chain: each award is renewed by exactly one other, the first one held included.
    assert len(set(superseded)) == 4 and held.award_id in superseded
    assert set(superseded) <= {held.award_id} | {a.award_id for a in granted}
    stored = accolade.awards.get_awards(tenant_id, [a.key for a in granted])
    assert {a.supersedes for a in stored.values()} == set(superseded)
    # Only the newest is still in the expiry index: the renewed ones have nothing to tell.
    newest = accolade.awards.expiring(tenant_id, DUE, EXPIRES + timedelta(days=400))
    (summary,) = accolade.awards.summaries_of(tenant_id, [("alice", "bls")]).values()
    assert [a.award_id for a in newest] == [summary.latest_award_id]


def test_the_notice_is_published_once_on_sns(
    accolade: Any, tenant_id: str, stream: Any, sqs_client: Any, feed_queue_url: str
) -> None:
    (award,) = accolade.awards.grant(tenant_id, "alice", [bls("alice", 1)])
    notices(accolade, DUE, tenant_id)
    (record,) = stream.records(tenant_id, entity="message", count=1)
    deliver = load_handler("deliver_messages")
    feed_messages(sqs_client, feed_queue_url, tenant_id, quiet_s=0)

    first = invoke(deliver, batch([record]))
    again = invoke(deliver, batch([record]))
    published = feed_messages(sqs_client, feed_queue_url, tenant_id)

    assert first == again == {"batchItemFailures": []}
    (message,) = published
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["event_type"] == "award.expiring_soon"
    payload = json.loads(message["Body"])
    assert (payload["award_id"], payload["valid_until"]) == (award.award_id, EXPIRES.isoformat())


def test_a_learners_awards_by_status(accolade: Any, tenant_id: str) -> None:
    now = datetime(2032, 1, 1, tzinfo=UTC)
    lapsed, active, revoked = (
        bls("alice", 1, now - timedelta(days=1)),
        bls("alice", 2, now + timedelta(days=1)),
        bls("alice", 3),
    )
    accolade.awards.grant(tenant_id, "alice", [lapsed, active, revoked])
    accolade.awards.revoke(tenant_id, revoked, reason="typo", at=now)

    def page(status: AwardStatus | None) -> list[str]:
        found = accolade.awards.user_awards_page(
            tenant_id, UserAwardsQuery("alice", status, now, limit=10)
        )
        return [a.award_id for a in found.items]

    assert page(None) == sorted(
        (a.award_id for a in (lapsed, active, revoked)),
        key=lambda i: AwardKey.from_award_id(i).period_key,
    )
    assert page(AwardStatus.EXPIRED) == [lapsed.award_id]
    assert page(AwardStatus.ACTIVE) == [active.award_id]
    assert page(AwardStatus.REVOKED) == [revoked.award_id]


def test_a_time_boxed_award_is_not_told_and_an_older_item_reads_as_a_credential(
    accolade: Any, tenant_id: str
) -> None:
    boxed = bls("alice", 1).model_copy(update={"time_boxed": True})
    older = bls("bob", 2)
    accolade.awards.grant(tenant_id, "alice", [boxed])
    accolade.awards.grant(tenant_id, "bob", [older])
    # An award stored before the attribute existed has none.
    AwardItem(keys.user_pk(tenant_id, "bob"), keys.award_sk(older.key)).update(
        actions=[AwardItem.time_boxed.remove()]
    )

    stored = accolade.awards.get_award(tenant_id, older.key)
    result = notices(accolade, DUE, tenant_id)

    assert stored.time_boxed is False
    assert [a.award_id for a in result.sent] == [older.award_id]
