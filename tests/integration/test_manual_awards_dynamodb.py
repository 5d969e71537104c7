"""Awards given by hand, on DynamoDB Local: the conditions that keep a record to one holder and
a revoke to one, the wallet a running sum, and the holders' index paged by its cursor."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from accolade.bootstrap import inject
from accolade.domain.errors import ConflictError
from accolade.domain.models import AwardStatus
from accolade.ports import HoldersQuery, PageRequest
from accolade.services import admin, awards

pytestmark = pytest.mark.usefixtures("aws_env")

RECORD = {
    "name": "Employee of the Month",
    "type": "manual",
    "category": "record",
    "period": "month",
    "levels": [{"points": 500}],
}


def define(accolade: Any, tenant_id: str, definition: dict[str, Any]) -> str:
    created = admin.create_achievement(
        tenant_id, definition, ports=admin.DefinitionPorts(accolade.config), clock=accolade.clock
    )
    return created.achievement_id


def test_two_admins_giving_the_same_record_at_once_give_it_once(
    accolade: Any, tenant_id: str
) -> None:
    record = define(accolade, tenant_id, RECORD)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def give(user_id: str) -> None:
        start.wait()
        try:
            inject(awards.give_award, accolade)(
                tenant_id, record, awards.Gift(user_id), given_by="admin"
            )
            outcomes.append(f"given to {user_id}")
        except ConflictError:
            outcomes.append("409")

    threads = [threading.Thread(target=give, args=(user,)) for user in ("ana", "ben")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    query = HoldersQuery(record, None, accolade.clock.now(), limit=10)
    holders = accolade.awards.holders_page(tenant_id, query).items

    assert sorted(outcomes)[0] == "409" and len(outcomes) == 2
    assert len(holders) == 1
    assert outcomes[1 - outcomes.index("409")] == f"given to {holders[0].user_id}"


def test_two_revokes_at_once_take_the_points_back_once(accolade: Any, tenant_id: str) -> None:
    record = define(accolade, tenant_id, RECORD)
    given = inject(awards.give_award, accolade)(
        tenant_id, record, awards.Gift("ana"), given_by="admin"
    )
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def revoke() -> None:
        start.wait()
        try:
            inject(awards.revoke_award, accolade)(tenant_id, given.award_id, "wrong person")
            outcomes.append("revoked")
        except ConflictError:
            outcomes.append("409")

    threads = [threading.Thread(target=revoke) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    ledger = accolade.awards.ledger(tenant_id, "ana", limit=10).items

    assert sorted(outcomes) == ["409", "revoked"]
    assert accolade.awards.wallet(tenant_id, "ana").points == 0
    assert [(e.points, e.points_balance) for e in ledger] == [(500, 500), (-500, 0)]
    summaries = accolade.awards.summaries_of(tenant_id, [("ana", record)])
    assert summaries[("ana", record)].times_earned == 0
    # The month's record is free again.
    assert inject(awards.give_award, accolade)(
        tenant_id, record, awards.Gift("ben"), given_by="admin"
    )


def test_holders_page_through_the_index_by_status(accolade: Any, tenant_id: str) -> None:
    helper = define(
        accolade,
        tenant_id,
        {"name": "Helper", "type": "manual", "validity": {"amount": 1, "unit": "day"}},
    )
    now = accolade.clock.now()
    for n, hours_ago in enumerate((30, 26, 18, 12, 6)):
        gift = awards.Gift(f"u{n}", valid_from=now - timedelta(hours=hours_ago))
        inject(awards.give_award, accolade)(tenant_id, helper, gift, given_by="admin")
    list_holders = inject(awards.list_holders, accolade)

    def everyone(status: AwardStatus | None) -> list[str]:
        users, after = [], None
        while True:
            page = list_holders(tenant_id, helper, status=status, page=PageRequest(2, after))
            users += [a.user_id for a in page.items]
            if page.next is None:
                return users
            after = page.next

    assert everyone(None) == ["u4", "u3", "u2", "u1", "u0"]
    # Each is valid for a day from its valid_from: the first two have expired.
    assert everyone(AwardStatus.ACTIVE) == ["u4", "u3", "u2"]
    assert everyone(AwardStatus.EXPIRED) == ["u1", "u0"]
