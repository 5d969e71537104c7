"""Several users' awards in one transaction, conditional on what the evaluator read: a race with
another writer writes nothing of it, and the users granted one by one end exact."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from accolade.domain.models import AchievementType, Award, AwardKey
from accolade.ports import AwardsToGrant

AT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("aws_env")


def award(user_id: str, achievement_id: str, points: int) -> Award:
    return Award(
        award_id=AwardKey(user_id, achievement_id, "ALL", 1).award_id,
        user_id=user_id,
        achievement_id=achievement_id,
        achievement_type=AchievementType.EVENT,
        achievement_version=1,
        level=1,
        period_key="ALL",
        awarded_at=AT,
        points=points,
    )


def test_one_transaction_grants_every_user_and_their_summaries(
    accolade: Any, tenant_id: str
) -> None:
    by_user = {user: [award(user, "mentor", 10), award(user, "helper", 5)] for user in ("a", "b")}
    holdings = accolade.awards.holdings(tenant_id, [a.key for its in by_user.values() for a in its])

    outcome = accolade.awards.grant_together(tenant_id, AwardsToGrant(by_user, holdings))

    assert (len(outcome.granted), outcome.unwritten) == (4, set())
    for user in by_user:
        assert accolade.awards.wallet(tenant_id, user).points == 15
        summaries = accolade.awards.summaries_of(tenant_id, [(user, "mentor"), (user, "helper")])
        assert {a: s.times_earned for (_, a), s in summaries.items()} == {"mentor": 1, "helper": 1}


def test_a_race_after_the_read_writes_nothing_and_one_by_one_ends_exact(
    accolade: Any, tenant_id: str
) -> None:
    by_user = {user: [award(user, "mentor", 10)] for user in ("a", "b")}
    holdings = accolade.awards.holdings(tenant_id, [a.key for its in by_user.values() for a in its])
    # Another writer credits b's wallet and counts b's summary after the evaluator read them.
    accolade.awards.grant(tenant_id, "b", [award("b", "helper", 7)])

    outcome = accolade.awards.grant_together(tenant_id, AwardsToGrant(by_user, holdings))
    again = [
        a
        for user in sorted(outcome.unwritten)
        for a in accolade.awards.grant(tenant_id, user, by_user[user])
    ]

    assert (outcome.granted, outcome.unwritten) == ([], {"a", "b"})
    assert len(again) == 2
    assert accolade.awards.wallet(tenant_id, "a").points == 10
    assert accolade.awards.wallet(tenant_id, "b").points == 17
    assert accolade.awards.wallet(tenant_id, "b").entries == 2
