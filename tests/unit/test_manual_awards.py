"""Awards given by hand, their holders and revocation, through the HTTP API in process (the
seeds: Employee of the Month given by hand and revoked; a weekly membership valid until Sunday
24:00 local; a record refused to a second employee in the same month)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accolade.adapters.dynamo.awards import _award_item
from accolade.domain.models import Award, TenantSettings
from accolade.ports import InboxQuery
from accolade_local.handlers import LambdaContext, load_handler
from tests.fakes import FakeContainer
from tests.http_events import call, claims, http_event
from tests.unit.builders import ADMIN, TENANT, closer, ingest_and_evaluate, metric, sales

api = load_handler("api")
deliver = load_handler("deliver_messages")
ALICE, BOB = claims(TENANT, "alice"), claims(TENANT, "bob")

pytestmark = pytest.mark.usefixtures("fakes")


def admin(
    method: str,
    path: str,
    body: Any = None,
    who: dict[str, str] = ADMIN,
    **query: str,
) -> tuple[int, Any]:
    return call(api, http_event(method, path, body=body, claims=who, query=query))


def define(body: dict[str, Any]) -> str:
    status, created = admin("POST", "/v1/admin/achievements", body)
    assert status == 201, created
    return str(created["id"])


def give(achievement_id: str, body: dict[str, Any]) -> tuple[int, Any]:
    return admin("POST", f"/v1/admin/achievements/{achievement_id}/awards", body)


def wallet(who: dict[str, str]) -> Any:
    return admin("GET", "/v1/me/wallet", who=who)[1]


EMPLOYEE_OF_THE_MONTH = {
    "name": "Employee of the Month",
    "type": "manual",
    "category": "record",
    "period": "month",
    "levels": [{"points": 500, "coins": 5}],
}


def test_employee_of_the_month_given_by_hand_then_revoked_leaves_the_wallet_as_it_was(
    fakes: FakeContainer,
) -> None:
    fakes.config.put_settings(TENANT, TenantSettings.model_validate({"features": {"coins": True}}))
    eotm = define(EMPLOYEE_OF_THE_MONTH)
    before = wallet(ALICE)

    status, given = give(eotm, {"user_id": "alice", "note": "Closed the Acme deal"})
    credited = wallet(ALICE)
    second = give(eotm, {"user_id": "bob"})
    revoked = admin("POST", f"/v1/admin/awards/{given['award_id']}/revoke", {"reason": "typo"})
    again = admin("POST", f"/v1/admin/awards/{given['award_id']}/revoke", {"reason": "twice"})
    after = wallet(ALICE)
    ledger = admin("GET", "/v1/me/ledger", who=ALICE)[1]["items"]

    assert status == 201
    assert (given["user_id"], given["given_by"], given["note"]) == (
        "alice",
        "root",
        "Closed the Acme deal",
    )
    assert (given["period_key"], given["points"], given["coins"]) == ("M2026-11", 500, 5)
    assert credited == {"points": before["points"] + 500, "coins": before["coins"] + 5}
    assert second[0] == 409 and "Employee of the Month" in second[1]["error"]["message"]
    assert revoked[0] == 200
    assert (revoked[1]["status"], revoked[1]["revoke_reason"]) == ("revoked", "typo")
    assert again[0] == 409
    assert after == before
    assert [(e["points"], e["points_balance"]) for e in ledger] == [(500, 500), (-500, 0)]
    assert admin("GET", "/v1/me/awards", who=ALICE)[1]["items"] == []
    # The month's record is free again once revoked: the right employee can get it.
    assert give(eotm, {"user_id": "bob"})[0] == 201


def test_a_weekly_membership_is_valid_until_sunday_midnight_local_and_expired_on_monday(
    fakes: FakeContainer,
) -> None:
    fakes.config.put_settings(TENANT, TenantSettings(timezone="Europe/Paris"))
    club = define(
        {
            "name": "Top Closers Club",
            "type": "manual",
            "category": "membership",
            "period": "week",
            "validity": {"until_end_of": "week"},
        }
    )

    status, given = give(club, {"user_id": "alice"})
    twice = give(club, {"user_id": "alice"})
    other = give(club, {"user_id": "bob"})
    holders = f"/v1/admin/achievements/{club}/awards"
    active_now = admin("GET", holders, status="active")[1]["items"]
    fakes.clock.set(datetime(2026, 11, 29, 22, 59, tzinfo=UTC))  # Sunday 23:59 in Paris
    still = admin("GET", holders, status="active")[1]["items"]
    fakes.clock.set(datetime(2026, 11, 29, 23, 0, tzinfo=UTC))  # Monday 00:00 in Paris
    expired = admin("GET", holders, status="expired")[1]["items"]

    assert status == 201
    assert given["valid_until"] == "2026-11-29T23:00:00Z"
    assert twice[0] == 409 and other[0] == 201
    assert {a["user_id"] for a in active_now} == {"alice", "bob"}
    assert len(still) == 2
    assert {(a["user_id"], a["status"]) for a in expired} == {
        ("alice", "expired"),
        ("bob", "expired"),
    }


def test_a_revoked_threshold_level_is_earned_again_only_in_a_later_period(
    fakes: FakeContainer,
) -> None:
    metric(fakes)
    closer(fakes)
    ingest_and_evaluate(fakes, sales(5, "2026-11-24T08:00:00Z"))
    (award,) = fakes.awards.all_awards(TENANT)

    assert admin("POST", f"/v1/admin/awards/{award.award_id}/revoke", {"reason": "fraud"})[0] == 200
    # 4 more in the same week: 9, past level I again but short of level II's 10.
    ingest_and_evaluate(fakes, sales(4, "2026-11-25T08:00:00Z", prefix="t"))
    same_week = [a for a in fakes.awards.all_awards(TENANT) if a.award_id != award.award_id]
    ingest_and_evaluate(fakes, sales(5, "2026-12-01T08:00:00Z", prefix="u"))  # next week
    later = [a for a in fakes.awards.all_awards(TENANT) if a.award_id != award.award_id]

    assert same_week == []
    assert [(a.period_key, a.level) for a in later] == [("W2026-W49", 1)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"user_id": "alice", "level": 2}, "level"),
        ({"user_id": "al ice"}, "user_id"),
        (
            {
                "user_id": "alice",
                "valid_from": "2026-12-01T00:00:00Z",
                "valid_until": "2026-11-01T00:00:00Z",
            },
            "valid_until",
        ),
        ({"user_id": "alice", "note": "x" * 2001}, "note"),
        ({"user_id": "alice", "surprise": 1}, "surprise"),
    ],
)
def test_a_gift_that_breaks_a_rule_is_422_naming_the_field_and_stores_nothing(
    fakes: FakeContainer, body: dict[str, Any], field: str
) -> None:
    eotm = define(EMPLOYEE_OF_THE_MONTH)

    status, answer = give(eotm, body)

    assert status == 422, answer
    assert field in answer["error"]["message"] + str(answer["error"]["details"])
    assert fakes.awards.all_awards(TENANT) == []


def test_unknown_achievements_and_awards_are_404_and_only_admins_give_or_revoke(
    fakes: FakeContainer,
) -> None:
    eotm = define(EMPLOYEE_OF_THE_MONTH)
    _, given = give(eotm, {"user_id": "alice"})
    revoke = f"/v1/admin/awards/{given['award_id']}/revoke"

    assert give("nope", {"user_id": "alice"})[0] == 404
    assert admin("POST", "/v1/admin/awards/bm90LWFuLWF3YXJk/revoke", {"reason": "x"})[0] == 404
    assert admin("POST", "/v1/admin/awards/!!/revoke", {"reason": "x"})[0] in (400, 422)
    assert admin("GET", f"/v1/admin/achievements/{eotm}/awards", who=ALICE)[0] == 403
    assert (
        admin("POST", f"/v1/admin/achievements/{eotm}/awards", {"user_id": "alice"}, ALICE)[0]
        == 403
    )
    assert admin("POST", revoke, {"reason": "x"}, who=ALICE)[0] == 403
    assert admin("POST", revoke, {"reason": ""})[0] == 422


def test_holders_page_newest_first_and_the_cursor_is_bound_to_the_filter(
    fakes: FakeContainer,
) -> None:
    helper = define({"name": "Helper", "type": "manual"})
    for minute in range(5):
        fakes.clock.advance(timedelta(minutes=1))
        assert give(helper, {"user_id": f"u{minute}"})[0] == 201
    holders = f"/v1/admin/achievements/{helper}/awards"

    first = admin("GET", holders, limit="2")[1]
    second = admin("GET", holders, limit="2", cursor=first["next_cursor"])[1]
    rest = admin("GET", holders, limit="2", cursor=second["next_cursor"])[1]
    misused = admin("GET", holders, limit="2", status="active", cursor=first["next_cursor"])

    users = [a["user_id"] for page in (first, second, rest) for a in page["items"]]
    assert users == ["u4", "u3", "u2", "u1", "u0"]
    assert rest["next_cursor"] is None
    assert misused[0] == 400


def test_a_revocation_is_announced_once_in_the_inbox_and_to_subscribers(
    fakes: FakeContainer,
) -> None:
    eotm = define(EMPLOYEE_OF_THE_MONTH)
    _, given = give(eotm, {"user_id": "alice"})
    admin("POST", f"/v1/admin/awards/{given['award_id']}/revoke", {"reason": "wrong month"})
    (award,) = fakes.awards.all_awards(TENANT)
    record = stream_record("MODIFY", award)

    answers = [deliver.lambda_handler({"Records": [record]}, LambdaContext()) for _ in range(2)]
    messages = fakes.inbox.messages(TENANT, "alice", InboxQuery(limit=10)).items

    assert answers == [{"batchItemFailures": []}] * 2
    assert [m.type for m in messages] == ["award_revoked"]
    assert [p.payload["type"] for p in fakes.notifier.publications] == ["award.revoked"]


def stream_record(name: str, award: Award) -> dict[str, Any]:
    """The award's stream record as the table writes it."""
    image = _award_item(TENANT, award).serialize()
    return {
        "eventName": name,
        "eventSource": "aws:dynamodb",
        "dynamodb": {"NewImage": image, "SequenceNumber": "1", "Keys": {}},
    }


def test_a_record_earned_by_events_has_one_holder_a_week_the_first_to_reach_it(
    fakes: FakeContainer,
) -> None:
    metric(fakes)
    closer(fakes, category="record", period="week")
    ingest_and_evaluate(fakes, sales(5, "2026-11-23T08:00:00Z", user_id="bob"))
    ingest_and_evaluate(fakes, sales(6, "2026-11-23T09:00:00Z", user_id="alice"))
    ingest_and_evaluate(fakes, sales(5, "2026-11-30T08:00:00Z", user_id="alice", prefix="n"))

    held = sorted((a.period_key, a.user_id) for a in fakes.awards.all_awards(TENANT))

    assert held == [("W2026-W48", "bob"), ("W2026-W49", "alice")]
