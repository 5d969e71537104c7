"""Credentials that expire (the LMS seed): a Basic Life Support qualification valid 5 years,
its expiry edited by an admin, the daily expiring-soon notice told once, renewal superseding the
award it renews, and a learner's awards for an admin; through the services and the HTTP API in
process, on the fakes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from accolade.adapters.dynamo.inbox import message_from_image
from accolade.domain.expiry import EXPIRING_SOON
from accolade.domain.models import AwardKey, AwardStatus, TenantSettings
from accolade.domain.rules import AwardIntent
from accolade.ports import InboxQuery
from accolade.services.deliver import AWARD_EXPIRING_SOON, announce_notice
from accolade.services.expiry import NoticesResult, send_expiry_notices
from accolade_local.handlers import LambdaContext, load_handler
from accolade_local.streams import match_any
from accolade_local.template import Template
from tests.fakes import FakeContainer
from tests.http_events import call, claims, http_event
from tests.unit.builders import (
    ADMIN,
    TENANT,
    activity,
    event_achievement,
    ingest_and_evaluate,
    wired,
)

api = load_handler("api")
notices_function = load_handler("send_expiry_notices")
ALICE = claims(TENANT, "alice")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
FIVE_YEARS_ON = datetime(2031, 11, 24, 10, 0, tzinfo=UTC)
BLS = {"amount": 5, "unit": "year"}

pytestmark = pytest.mark.usefixtures("fakes")


def admin(method: str, path: str, body: Any = None, **query: str) -> tuple[int, Any]:
    return call(api, http_event(method, path, body=body, claims=ADMIN, query=query))


def basic_life_support(c: FakeContainer) -> str:
    """An event achievement: a BLS certification completed (each one an award), valid 5 years."""
    bls = event_achievement(
        c, "Basic Life Support", "certification.completed", validity=BLS, repeatable=True
    )
    return bls.achievement_id


def certify(c: FakeContainer, event_id: str, occurred_at: str, user_id: str = "alice") -> Any:
    event = activity(event_id, occurred_at, type="certification.completed", user_id=user_id)
    (award,) = ingest_and_evaluate(c, [event]).granted
    return award


def notices(c: FakeContainer, as_of: datetime) -> NoticesResult:
    return wired(send_expiry_notices, c, as_of)


def inbox(c: FakeContainer, user_id: str = "alice") -> list[Any]:
    return [m for m in c.inbox.messages(TENANT, user_id, InboxQuery(limit=100)).items]


# --- validity ---------------------------------------------------------------------------------


def test_basic_life_support_earned_is_valid_five_years(fakes: FakeContainer) -> None:
    basic_life_support(fakes)

    award = certify(fakes, "bls-1", "2026-11-24T09:00:00Z")
    summary = fakes.awards.summaries_of(TENANT, [("alice", award.achievement_id)])

    assert award.valid_until == FIVE_YEARS_ON
    assert summary[("alice", award.achievement_id)].valid_until == FIVE_YEARS_ON


def test_basic_life_support_given_by_hand_is_valid_five_years_from_valid_from(
    fakes: FakeContainer,
) -> None:
    bls = basic_life_support(fakes)

    status, given = admin(
        "POST",
        f"/v1/admin/achievements/{bls}/awards",
        {"user_id": "bob", "valid_from": "2026-01-15T00:00:00Z"},
    )

    assert status == 201
    assert given["valid_until"] == "2031-01-15T00:00:00Z"


# --- PATCH /v1/admin/awards/{award_id} -----------------------------------------------------------


def test_an_admin_moves_the_expiry_and_the_summary_moves_with_it(fakes: FakeContainer) -> None:
    basic_life_support(fakes)
    award = certify(fakes, "bls-1", "2026-11-24T09:00:00Z", user_id="alice")

    status, edited = admin(
        "PATCH", f"/v1/admin/awards/{award.award_id}", {"valid_until": "2027-03-01T00:00:00Z"}
    )
    summary = fakes.awards.summaries_of(TENANT, [("alice", award.achievement_id)])

    assert status == 200
    assert edited["valid_until"] == "2027-03-01T00:00:00Z"
    assert summary[("alice", award.achievement_id)].valid_until == datetime(2027, 3, 1, tzinfo=UTC)


@pytest.fixture
def bls_award(fakes: FakeContainer) -> Any:
    basic_life_support(fakes)
    return certify(fakes, "bls-1", "2026-11-24T09:00:00Z")


def test_null_makes_the_award_never_expire(fakes: FakeContainer, bls_award: Any) -> None:
    status, edited = admin("PATCH", f"/v1/admin/awards/{bls_award.award_id}", {"valid_until": None})
    stored = fakes.awards.get_award(TENANT, bls_award.key)

    assert status == 200
    assert edited["valid_until"] is None
    assert stored is not None and stored.valid_until is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"valid_until": "2026-11-24T09:59:59Z"}, "valid_until"),  # before awarded_at
        ({"valid_until": "2026-11-24T10:00:00"}, "valid_until"),  # no offset
        ({}, "valid_until"),  # required (null is "never")
        ({"valid_until": None, "level": 2}, "level"),
    ],
)
def test_a_bad_expiry_is_422_naming_the_field_and_changes_nothing(
    fakes: FakeContainer, bls_award: Any, body: dict[str, Any], field: str
) -> None:
    status, answer = admin("PATCH", f"/v1/admin/awards/{bls_award.award_id}", body)

    assert status == 422
    assert field in answer["error"]["message"]
    assert fakes.awards.get_award(TENANT, bls_award.key) == bls_award


def test_a_revoked_award_is_409_and_an_unknown_one_404(bls_award: Any) -> None:
    admin("POST", f"/v1/admin/awards/{bls_award.award_id}/revoke", {"reason": "lapsed training"})
    unknown = AwardKey("nobody", "nothing", "G1", 1).award_id

    revoked = admin("PATCH", f"/v1/admin/awards/{bls_award.award_id}", {"valid_until": None})
    missing = admin("PATCH", f"/v1/admin/awards/{unknown}", {"valid_until": None})

    assert revoked[0] == 409
    assert missing[0] == 404


def test_only_admins_edit_an_expiry(bls_award: Any) -> None:
    event = http_event(
        "PATCH", f"/v1/admin/awards/{bls_award.award_id}", body={"valid_until": None}, claims=ALICE
    )

    assert call(api, event)[0] == 403


# --- expiring-soon notices -----------------------------------------------------------------------


def test_a_notice_is_sent_once_however_often_the_schedule_runs(
    fakes: FakeContainer, bls_award: Any
) -> None:
    due = FIVE_YEARS_ON - timedelta(days=30)

    early = notices(fakes, due - timedelta(days=1))
    first = notices(fakes, due)
    again = notices(fakes, due)
    next_day = notices(fakes, due + timedelta(days=1))

    assert early.sent == []
    assert [a.award_id for a in first.sent] == [bls_award.award_id]
    assert again.sent == next_day.sent == []
    (message,) = inbox(fakes)
    assert (message.type, message.award_id) == (EXPIRING_SOON, bls_award.award_id)
    assert message.data["valid_until"] == FIVE_YEARS_ON.isoformat()


def test_a_missed_day_is_caught_up_by_the_next_run(fakes: FakeContainer, bls_award: Any) -> None:
    result = notices(fakes, FIVE_YEARS_ON - timedelta(days=12))

    assert [a.award_id for a in result.sent] == [bls_award.award_id]


def test_an_award_already_lapsed_is_not_told(fakes: FakeContainer, bls_award: Any) -> None:
    assert notices(fakes, FIVE_YEARS_ON + timedelta(days=1)).sent == []


def test_the_window_is_the_tenants_notice_days(fakes: FakeContainer, bls_award: Any) -> None:
    fakes.config.put_settings(TENANT, TenantSettings(expiry_notice_days=90))

    told = notices(fakes, FIVE_YEARS_ON - timedelta(days=89))

    assert len(told.sent) == 1


def test_zero_notice_days_tells_nobody(fakes: FakeContainer, bls_award: Any) -> None:
    fakes.config.put_settings(TENANT, TenantSettings(expiry_notice_days=0))

    assert notices(fakes, FIVE_YEARS_ON - timedelta(hours=1)).sent == []


def test_an_expiry_edited_later_is_told_again_for_its_new_date(
    fakes: FakeContainer, bls_award: Any
) -> None:
    notices(fakes, FIVE_YEARS_ON - timedelta(days=10))
    later = FIVE_YEARS_ON + timedelta(days=100)
    admin("PATCH", f"/v1/admin/awards/{bls_award.award_id}", {"valid_until": later.isoformat()})

    too_early = notices(fakes, FIVE_YEARS_ON - timedelta(days=5))
    due = notices(fakes, later - timedelta(days=20))
    repeated = notices(fakes, later - timedelta(days=19))

    assert too_early.sent == []
    assert len(due.sent) == 1 and repeated.sent == []
    dates = sorted(m.data["valid_until"] for m in inbox(fakes))
    assert dates == [FIVE_YEARS_ON.isoformat(), later.isoformat()]


def test_a_revoked_award_is_not_told(fakes: FakeContainer, bls_award: Any) -> None:
    admin("POST", f"/v1/admin/awards/{bls_award.award_id}/revoke", {"reason": "fraud"})

    assert notices(fakes, FIVE_YEARS_ON - timedelta(days=1)).sent == []


def test_the_schedule_function_runs_at_its_as_of(fakes: FakeContainer, bls_award: Any) -> None:
    as_of = (FIVE_YEARS_ON - timedelta(days=3)).isoformat().replace("+00:00", "Z")

    first = notices_function.lambda_handler({"as_of": as_of}, LambdaContext())
    second = notices_function.lambda_handler({"as_of": as_of}, LambdaContext())

    assert first["sent"] == [bls_award.award_id]
    assert second["sent"] == [] and second["already_told"] == 0


def test_the_notice_is_announced_on_sns_once(fakes: FakeContainer, bls_award: Any) -> None:
    notices(fakes, FIVE_YEARS_ON - timedelta(days=3))
    (message,) = inbox(fakes)

    first = wired(announce_notice, fakes, TENANT, message)
    again = wired(announce_notice, fakes, TENANT, message)

    assert (first, again) == (True, False)
    (publication,) = fakes.notifier.publications
    assert publication.attributes["event_type"] == AWARD_EXPIRING_SOON
    assert publication.payload["award_id"] == bls_award.award_id
    assert publication.payload["achievement_name"] == "Basic Life Support"


# --- renewal -----------------------------------------------------------------------------------


def test_renewing_supersedes_the_award_held_and_withdraws_its_notice(
    fakes: FakeContainer, bls_award: Any
) -> None:
    fakes.clock.set(FIVE_YEARS_ON - timedelta(days=60))

    renewal = certify(fakes, "bls-2", "2031-09-25T09:00:00Z")
    told = notices(fakes, FIVE_YEARS_ON - timedelta(days=5))

    assert renewal.supersedes == bls_award.award_id
    assert renewal.valid_until == fakes.clock.now().replace(year=2036)
    assert told.sent == []  # the old one is renewed: nothing to tell about it


def test_renewing_after_expiry_supersedes_the_lapsed_award(
    fakes: FakeContainer, bls_award: Any
) -> None:
    fakes.clock.set(FIVE_YEARS_ON + timedelta(days=200))

    renewal = certify(fakes, "bls-2", "2032-06-11T09:00:00Z")

    assert renewal.supersedes == bls_award.award_id


def test_a_badge_without_expiry_earned_again_renews_nothing(fakes: FakeContainer) -> None:
    event_achievement(fakes, "Mobile app", "app.notifications_enabled", repeatable=True)
    first = activity("n1", "2026-11-24T09:00:00Z", type="app.notifications_enabled")
    second = activity("n2", "2026-11-24T09:30:00Z", type="app.notifications_enabled")

    granted = (
        ingest_and_evaluate(fakes, [first]).granted + ingest_and_evaluate(fakes, [second]).granted
    )

    assert [award.supersedes for award in granted] == [None, None]


def test_given_by_hand_again_renews_the_last_one(fakes: FakeContainer, bls_award: Any) -> None:
    status, given = admin(
        "POST", f"/v1/admin/achievements/{bls_award.achievement_id}/awards", {"user_id": "alice"}
    )

    assert status == 201
    stored = fakes.awards.get_award(TENANT, AwardKey.from_award_id(given["award_id"]))
    assert stored is not None and stored.supersedes == bls_award.award_id


# --- GET /v1/admin/users/{user_id}/awards -------------------------------------------------------


def test_a_learners_awards_show_expiry_status_certificate_and_renewal(
    fakes: FakeContainer,
) -> None:
    bls = event_achievement(
        fakes,
        "Basic Life Support",
        "certification.completed",
        validity=BLS,
        certificate=True,
        repeatable=True,
    )
    old = certify(fakes, "bls-1", "2026-11-24T09:00:00Z")
    fakes.awards.record_certificate(TENANT, old, f"certificates/{TENANT}/alice/x.pdf")
    fakes.clock.set(FIVE_YEARS_ON + timedelta(days=1))
    new = certify(fakes, "bls-2", "2031-11-25T09:00:00Z")

    status, listed = admin("GET", "/v1/admin/users/alice/awards")
    expired = admin("GET", "/v1/admin/users/alice/awards", status="expired")[1]

    assert status == 200
    by_id = {item["award_id"]: item for item in listed["items"]}
    assert by_id[old.award_id]["status"] == "expired"
    assert by_id[old.award_id]["certificate_url"].startswith("https://documents.example/")
    assert by_id[new.award_id]["status"] == "active"
    assert by_id[new.award_id]["supersedes"] == old.award_id
    assert by_id[new.award_id]["achievement_name"] == bls.name
    assert {"issued_by", "identifier", "valid_until"} <= by_id[new.award_id].keys()
    assert [item["award_id"] for item in expired["items"]] == [old.award_id]


def test_a_learners_awards_page_and_include_revoked(fakes: FakeContainer) -> None:
    bls = basic_life_support(fakes)
    given = [
        admin("POST", f"/v1/admin/achievements/{bls}/awards", {"user_id": "carol"})[1]
        for _ in range(3)
    ]
    admin("POST", f"/v1/admin/awards/{given[0]['award_id']}/revoke", {"reason": "typo"})

    first = admin("GET", "/v1/admin/users/carol/awards", limit="2")[1]
    second = admin("GET", "/v1/admin/users/carol/awards", limit="2", cursor=first["next_cursor"])[1]
    revoked = admin("GET", "/v1/admin/users/carol/awards", status="revoked")[1]
    foreign = admin("GET", "/v1/admin/users/alice/awards", cursor=first["next_cursor"])

    seen = [item["award_id"] for item in first["items"] + second["items"]]
    assert sorted(seen) == sorted(g["award_id"] for g in given)
    assert second["next_cursor"] is None
    assert [item["award_id"] for item in revoked["items"]] == [given[0]["award_id"]]
    assert revoked["items"][0]["status"] == AwardStatus.REVOKED.value
    assert foreign[0] == 400


def test_a_user_with_neither_profile_nor_award_is_404(fakes: FakeContainer) -> None:
    admin("PUT", "/v1/admin/users/dave", {"display_name": "Dave"})

    unknown = admin("GET", "/v1/admin/users/nobody/awards")
    known = admin("GET", "/v1/admin/users/dave/awards", status="active")

    assert unknown[0] == 404
    assert known == (200, {"items": [], "next_cursor": None})


# --- settings ----------------------------------------------------------------------------------


def test_settings_take_and_return_expiry_notice_days() -> None:
    body = {"timezone": "UTC", "features": {"coins": False}, "winners_grace_hours": 1}

    put = admin("PUT", "/v1/admin/settings", {**body, "expiry_notice_days": 14})
    bad = admin("PUT", "/v1/admin/settings", {**body, "expiry_notice_days": 366})

    assert put == (200, {**body, "expiry_notice_days": 14})
    assert bad[0] == 422 and "expiry_notice_days" in bad[1]["error"]["message"]


# --- the sample payloads in events/ ------------------------------------------------------------

EVENTS = Path(__file__).resolve().parents[2] / "events"
deliver = load_handler("deliver_messages")


def sample(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return loaded


def test_the_sample_daily_schedule_and_notice_record_drive_the_handlers(
    fakes: FakeContainer,
) -> None:
    (record,) = sample("deliver_messages/expiring_soon_inserted.json")["Records"]
    tenant_id, message = message_from_image(record["dynamodb"]["NewImage"])
    fakes.inbox.add(tenant_id, message)  # as the daily job wrote it

    ran = notices_function.lambda_handler(sample("send_expiry_notices/daily.json"), LambdaContext())
    first = deliver.lambda_handler(
        sample("deliver_messages/expiring_soon_inserted.json"), LambdaContext()
    )
    again = deliver.lambda_handler(
        sample("deliver_messages/expiring_soon_inserted.json"), LambdaContext()
    )

    assert ran["as_of"] == "2026-11-30T06:00:00+00:00"
    assert first == again == {"batchItemFailures": []}
    (publication,) = fakes.notifier.publications
    assert publication.payload["type"] == AWARD_EXPIRING_SOON
    assert publication.payload["award_id"] == message.award_id


def test_the_sample_expiry_edit_and_learner_list_requests(fakes: FakeContainer) -> None:
    patch = sample("api/patch_award_expiry.json")
    award_id = patch["rawPath"].split("/")[-1]
    key = AwardKey.from_award_id(award_id)
    given = event_achievement(fakes, "Employee of the Month", "never.sent")
    award = AwardIntent(key, given, None).to_award(NOW, coins_enabled=False)
    fakes.awards.grant("demo", key.user_id, [award])

    edited = api.lambda_handler(patch, LambdaContext())
    listed = api.lambda_handler(sample("api/user_awards.json"), LambdaContext())

    assert edited["statusCode"] == 200
    assert json.loads(edited["body"])["valid_until"] == "2027-06-30T00:00:00Z"
    assert listed["statusCode"] == 200
    assert [i["award_id"] for i in json.loads(listed["body"])["items"]] == [award_id]


def test_only_expiring_soon_messages_reach_deliver_messages_by_the_templates_filters() -> None:
    template = Template(Path(__file__).resolve().parents[2] / "template.yaml")
    filters = {m.function_id: m.filter_patterns for m in template.stream_mappings()}
    (record,) = sample("deliver_messages/expiring_soon_inserted.json")["Records"]
    other = json.loads(json.dumps(record))
    other["dynamodb"]["NewImage"]["type"] = {"S": "achievement"}
    modified = {**record, "eventName": "MODIFY"}  # its lease and mark

    assert match_any(filters["DeliverMessagesFunction"], record)
    assert not match_any(filters["DeliverMessagesFunction"], other)
    assert not match_any(filters["DeliverMessagesFunction"], modified)
    assert not any(
        match_any(patterns, record)
        for function_id, patterns in filters.items()
        if function_id != "DeliverMessagesFunction"
    )


# --- time-boxed awards -------------------------------------------------------------------------


def test_a_weekly_membership_valid_until_sunday_is_neither_told_nor_renewed(
    fakes: FakeContainer,
) -> None:
    event_achievement(
        fakes,
        "Weekly Star",
        "star.earned",
        repeatable=True,
        validity={"until_end_of": "week"},
    )
    first = activity("s1", "2026-11-24T09:00:00Z", type="star.earned")
    (this_week,) = ingest_and_evaluate(fakes, [first]).granted
    fakes.clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    second = activity("s2", "2026-12-01T09:00:00Z", type="star.earned")
    (next_week,) = ingest_and_evaluate(fakes, [second]).granted

    told = notices(fakes, datetime(2026, 11, 29, 6, 0, tzinfo=UTC))

    assert this_week.valid_until == datetime(2026, 11, 30, tzinfo=UTC)
    assert (this_week.time_boxed, next_week.supersedes) == (True, None)
    assert told.sent == []


def test_a_time_boxed_achievement_given_until_a_chosen_date_is_a_credential(
    fakes: FakeContainer,
) -> None:
    weekly = event_achievement(
        fakes, "Weekly Star", "star.earned", validity={"until_end_of": "week"}
    ).achievement_id
    path = f"/v1/admin/achievements/{weekly}/awards"

    boxed = admin("POST", path, {"user_id": "alice"})[1]
    chosen = admin("POST", path, {"user_id": "bob", "valid_until": "2026-12-20T00:00:00Z"})[1]
    told = notices(fakes, datetime(2026, 11, 29, 6, 0, tzinfo=UTC))

    assert boxed["valid_until"] == "2026-11-30T00:00:00Z"
    assert [a.award_id for a in told.sent] == [chosen["award_id"]]
