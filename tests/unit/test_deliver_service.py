"""AnnounceAward: one inbox message and one publication per award, however often delivered."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from accolade.domain.models import Award, AwardStatus, Message
from accolade.ports import AnnouncementLeasedError, InboxQuery
from accolade.services.deliver import ANNOUNCE_LEASE
from accolade.services.deliver import announce as announce_award
from tests.fakes import FakeContainer, NotifierError
from tests.unit.builders import TENANT, closer, ingest_and_evaluate, metric, sales


def announce(c: FakeContainer, award: Award, **options: Any) -> bool:
    return announce_award(
        TENANT, award, config=c.config, inbox=c.inbox, notifier=c.notifier, clock=c.clock, **options
    )


@pytest.fixture
def awards(c: FakeContainer) -> list[Award]:
    metric(c)
    closer(c)
    return ingest_and_evaluate(c, sales(10, "2026-11-24T08:00:00Z")).granted


def test_one_message_and_one_publication_per_award(c: FakeContainer, awards: list[Award]) -> None:
    published = [announce(c, award) for award in awards]

    assert published == [True, True]
    assert sorted(
        m.award_id or "" for m in c.inbox.messages(TENANT, "alice", InboxQuery(limit=100)).items
    ) == sorted(a.award_id for a in awards)
    assert sorted(p.payload["award_id"] for p in c.notifier.publications) == sorted(
        a.award_id for a in awards
    )
    titles = sorted(m.title for m in c.inbox.messages(TENANT, "alice", InboxQuery(limit=100)).items)
    assert titles == ["You earned Closer I", "You earned Closer II"]


def test_a_redelivery_publishes_nothing(c: FakeContainer, awards: list[Award]) -> None:
    announce(c, awards[0])

    again = announce(c, awards[0])
    c.clock.advance(ANNOUNCE_LEASE * 10)
    much_later = announce(c, awards[0])

    assert (again, much_later) == (False, False)
    assert len(c.notifier.publications) == 1
    assert len(c.inbox.messages(TENANT, "alice", InboxQuery(limit=100)).items) == 1


def test_a_concurrent_deliverer_holding_the_lease_keeps_others_out(
    c: FakeContainer, awards: list[Award]
) -> None:
    announce(c, awards[0])
    [message] = c.inbox.messages(TENANT, "alice", InboxQuery(limit=100)).items
    lease = c.clock.now() + timedelta(seconds=30)
    fresh = message.model_copy(update={"message_id": "other", "award_id": "other"})
    c.inbox.add(TENANT, fresh)

    assert c.inbox.claim_announcement(TENANT, fresh, lease) is True
    with pytest.raises(AnnouncementLeasedError):
        announce(c, awards[1].model_copy(update={"award_id": "other"}))
    with pytest.raises(AnnouncementLeasedError):
        c.inbox.claim_announcement(TENANT, fresh, lease)
    assert [p.payload["award_id"] for p in c.notifier.publications] == [awards[0].award_id]
    c.clock.advance(timedelta(seconds=31))
    assert c.inbox.claim_announcement(TENANT, fresh, lease + timedelta(minutes=1)) is True


def test_a_failed_publish_releases_the_lease_and_a_retry_publishes_once(
    c: FakeContainer, awards: list[Award]
) -> None:
    c.notifier.fail_next(1)

    with pytest.raises(NotifierError):
        announce(c, awards[0])
    retried = announce(c, awards[0])
    redelivered = announce(c, awards[0])

    assert (retried, redelivered) == (True, False)
    assert [p.payload["award_id"] for p in c.notifier.publications] == [awards[0].award_id]
    assert len(c.inbox.messages(TENANT, "alice", InboxQuery(limit=100)).items) == 1


def test_publication_attributes_let_subscribers_filter(
    c: FakeContainer, awards: list[Award]
) -> None:
    announce(c, awards[0])

    [publication] = c.notifier.publications
    assert publication.attributes == {
        "tenant_id": TENANT,
        "event_type": "award.granted",
        "achievement_type": "metric_threshold",
        "award_id": awards[0].award_id,
    }
    assert publication.payload["tenant_id"] == TENANT
    assert publication.payload["type"] == "award.granted"
    assert publication.payload["achievement_name"] == "Closer"


def test_an_award_that_is_not_active_is_not_announced(
    c: FakeContainer, awards: list[Award]
) -> None:
    revoked = awards[0].model_copy(update={"status": AwardStatus.REVOKED})

    assert announce(c, revoked) is False
    assert c.notifier.publications == []
    assert c.inbox.messages(TENANT, "alice", InboxQuery(limit=100)).items == []


def test_a_lease_left_by_a_deliverer_that_died_is_waited_out_and_the_award_published(
    c: FakeContainer, awards: list[Award]
) -> None:
    [award] = awards[:1]
    inbox_message = Message(
        message_id=award.award_id,
        user_id=award.user_id,
        type="achievement",
        title="t",
        body="b",
        award_id=award.award_id,
        created_at=award.awarded_at,
    )
    c.inbox.add(TENANT, inbox_message)
    crashed_lease = c.clock.now() + timedelta(seconds=10)
    assert c.inbox.claim_announcement(TENANT, inbox_message, crashed_lease) is True
    waited: list[float] = []

    def sleep(seconds: float) -> None:
        waited.append(seconds)
        c.clock.advance(timedelta(seconds=seconds))

    published = announce(c, award, sleep=sleep)

    assert published is True
    assert waited and 10 <= waited[0] < 11
    assert [p.payload["award_id"] for p in c.notifier.publications] == [award.award_id]
