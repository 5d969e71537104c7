"""The featured award and the badges next to names, on DynamoDB Local: the profile keeps what
the admin and the user each set, and a leaderboard's badges come from one read of summaries."""

from __future__ import annotations

from typing import Any

import pytest

from accolade.bootstrap import inject
from accolade.domain.models import AwardKey, UserProfile
from accolade.services import admin, awards

pytestmark = pytest.mark.usefixtures("aws_env")


def test_the_admins_profile_and_the_users_featured_award_never_undo_each_other(
    accolade: Any, tenant_id: str
) -> None:
    accolade.users.set_featured(tenant_id, "ana", "QUJD")  # before any profile exists
    first = accolade.users.get_users(tenant_id, ["ana"])["ana"]
    accolade.users.put_user(tenant_id, UserProfile(user_id="ana", display_name="Ana"))
    kept = accolade.users.get_users(tenant_id, ["ana"])["ana"]
    accolade.users.set_featured(tenant_id, "ana", None)
    cleared = accolade.users.get_users(tenant_id, ["ana"])["ana"]

    assert (first.display_name, first.featured_award_id) == ("", "QUJD")
    assert (kept.display_name, kept.featured_award_id) == ("Ana", "QUJD")
    assert (cleared.display_name, cleared.featured_award_id) == ("Ana", None)


def test_awards_and_summaries_are_read_by_key_in_one_request(accolade: Any, tenant_id: str) -> None:
    helper = admin.create_achievement(
        tenant_id,
        {"name": "Helper", "type": "manual", "show_next_to_name": True},
        ports=admin.DefinitionPorts(accolade.config),
        clock=accolade.clock,
    ).achievement_id
    given = [
        inject(awards.give_award, accolade)(tenant_id, helper, awards.Gift(user), given_by="root")
        for user in ("ana", "ben")
    ]
    keys = [AwardKey.from_award_id(a.award_id) for a in given]

    found = accolade.awards.get_awards(tenant_id, [*keys, AwardKey("cy", helper, "x", 1)])
    summaries = accolade.awards.summaries_of(
        tenant_id, [("ana", helper), ("ben", helper), ("cy", helper)]
    )

    assert set(found) == set(keys)
    assert {pair: s.times_earned for pair, s in summaries.items()} == {
        ("ana", helper): 1,
        ("ben", helper): 1,
    }
    assert all(s.held_at(accolade.clock.now()) for s in summaries.values())
