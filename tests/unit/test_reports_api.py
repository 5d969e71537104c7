"""The completion report route over the fakes: numbers per organisation, group and period,
paging bound to the filter, and the 4xx a client can cause."""

from __future__ import annotations

from typing import Any

import pytest

from accolade.domain.models import AwardStatus, UserProfile
from accolade_local.handlers import load_handler
from tests.fakes import FakeContainer
from tests.http_events import call, claims, http_event
from tests.unit.builders import (
    ADMIN,
    TENANT,
    closer,
    event_achievement,
    ingest_and_evaluate,
    metric,
    sales,
)

api = load_handler("api")
ROUTE = "/v1/admin/reports/completion"

pytestmark = pytest.mark.usefixtures("fakes")


def get(query: dict[str, str], who: dict[str, str] = ADMIN) -> tuple[int, Any]:
    return call(api, http_event("GET", ROUTE, claims=who, query=query))


def world(c: FakeContainer) -> str:
    metric(c)
    achievement_id = closer(c).achievement_id
    for n, org in enumerate(["acme", "acme", "acme", "globex"]):
        groups = ("gold",) if n % 2 == 0 else ()
        c.users.put_user(TENANT, UserProfile(user_id=f"u{n}", org_id=org, groups=groups))
    c.users.put_user(TENANT, UserProfile(user_id="loner"))  # no organisation: not reported
    ingest_and_evaluate(c, sales(12, "2026-11-24T09:00:00Z", user_id="u0", prefix="a"))
    ingest_and_evaluate(c, sales(5, "2026-11-24T09:00:00Z", user_id="u3", prefix="b"))
    ingest_and_evaluate(c, sales(5, "2026-12-01T09:00:00Z", user_id="u1", prefix="c"))
    for user_id in ("u0", "u1", "u3"):
        for award in c.awards.user_awards(TENANT, user_id):
            c.completion.count_award(TENANT, award)
    return achievement_id


def rows(body: Any) -> dict[str, tuple[int, int, float]]:
    return {r["org_id"]: (r["users"], r["earned"], r["share"]) for r in body["items"]}


def test_completion_by_organisation_group_and_period(fakes: FakeContainer) -> None:
    achievement_id = world(fakes)

    all_time = get({"achievement_id": achievement_id})
    gold = get({"achievement_id": achievement_id, "group": "gold"})
    week = get({"achievement_id": achievement_id, "period_key": "W2026-W48"})

    assert all_time[0] == 200
    # u0 earned two levels in one week: counted once.
    assert rows(all_time[1]) == {"acme": (3, 2, 0.6667), "globex": (1, 1, 1.0)}
    assert rows(gold[1]) == {"acme": (2, 1, 0.5)}
    assert rows(week[1]) == {"acme": (3, 1, 0.3333), "globex": (1, 1, 1.0)}


def test_a_revoke_stops_counting_and_a_move_follows_the_user(fakes: FakeContainer) -> None:
    achievement_id = world(fakes)
    (u3_award,) = fakes.awards.user_awards(TENANT, "u3")
    revoked = u3_award.model_copy(update={"status": AwardStatus.REVOKED})
    fakes.completion.count_award(TENANT, revoked)
    fakes.completion.count_award(TENANT, u3_award)  # its grant redelivered late
    moved = call(
        api,
        http_event(
            "PUT", "/v1/admin/users/u1", claims=ADMIN, body={"org_id": "globex", "groups": []}
        ),
    )

    assert moved[0] == 200
    assert rows(get({"achievement_id": achievement_id})[1]) == {
        "acme": (2, 1, 0.5),
        "globex": (2, 1, 0.5),
    }


def test_an_achievement_without_periods_reports_all_time(fakes: FakeContainer) -> None:
    once = event_achievement(fakes, "Certified", "cert.passed")
    fakes.users.put_user(TENANT, UserProfile(user_id="u0", org_id="acme"))

    assert get({"achievement_id": once.achievement_id, "period_key": "M2026-11"}) == (
        200,
        {"items": [{"org_id": "acme", "users": 1, "earned": 0, "share": 0.0}], "next_cursor": None},
    )


def test_pages_are_bound_to_their_filter(fakes: FakeContainer) -> None:
    achievement_id = world(fakes)
    first = get({"achievement_id": achievement_id, "limit": "1"})
    second = get(
        {"achievement_id": achievement_id, "limit": "1", "cursor": first[1]["next_cursor"]}
    )
    foreign = get(
        {"achievement_id": achievement_id, "group": "gold", "cursor": first[1]["next_cursor"]}
    )

    assert [r["org_id"] for r in first[1]["items"] + second[1]["items"]] == ["acme", "globex"]
    assert second[1]["next_cursor"] is None
    assert foreign[0] == 400


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({}, 422, "achievement_id"),
        ({"achievement_id": "nope"}, 404, None),
        ({"achievement_id": "a", "period_key": "last-week"}, 422, "period_key"),
        ({"achievement_id": "a", "group": ""}, 422, "group"),
        ({"achievement_id": "a", "limit": "0"}, 422, "limit"),
    ],
)
def test_bad_requests_name_the_field(
    fakes: FakeContainer, query: dict[str, str], status: int, field: str | None
) -> None:
    metric(fakes)
    real = closer(fakes).achievement_id
    query = {k: (real if v == "a" else v) for k, v in query.items()}

    answer = get(query)

    assert answer[0] == status, answer
    if field:
        assert field in [d.get("field") for d in answer[1]["error"]["details"]], answer


def test_the_report_is_for_admins() -> None:
    assert get({"achievement_id": "x"}, who=claims(TENANT, "alice"))[0] == 403
