"""Leaderboards with badges next to names (the sales dashboard's featured badge and TV boards):
each row carries the user's featured award and the active awards of achievements shown next to
names; a past period is read by its key; only my own active award can be featured."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from accolade_local.handlers import load_handler
from tests.fakes import FakeContainer
from tests.http_events import call, claims, http_event
from tests.unit.builders import ADMIN, TENANT, closer, ingest_and_evaluate, metric, sales

api = load_handler("api")
ALICE, BOB = claims(TENANT, "alice"), claims(TENANT, "bob")

pytestmark = pytest.mark.usefixtures("fakes")


def request(
    method: str, path: str, who: dict[str, str], body: Any = None, **query: str
) -> tuple[int, Any]:
    return call(api, http_event(method, path, body=body, claims=who, query=query))


def board(**query: str) -> Any:
    status, body = request("GET", "/v1/leaderboards/sales", ALICE, period="week", **query)
    assert status == 200, body
    return body


@pytest.fixture
def week(fakes: FakeContainer) -> dict[str, str]:
    """Alice sells 6 and Bob 5 this week (both reach Closer I); a Top Seller record, shown next
    to names, is given to Alice by hand for the month."""
    metric(fakes)
    closer_id = closer(fakes).achievement_id
    ingest_and_evaluate(fakes, sales(6, "2026-11-23T08:00:00Z"))
    ingest_and_evaluate(fakes, sales(5, "2026-11-23T09:00:00Z", user_id="bob"))
    status, created = request(
        "POST",
        "/v1/admin/achievements",
        ADMIN,
        {
            "name": "Top Seller",
            "type": "manual",
            "category": "record",
            "period": "month",
            "badge": "trophy",
            "show_next_to_name": True,
            "validity": {"until_end_of": "month"},
        },
    )
    assert status == 201, created
    path = f"/v1/admin/achievements/{created['id']}/awards"
    status, given = request("POST", path, ADMIN, {"user_id": "alice"})
    assert status == 201, given
    mine = {
        a["achievement_id"]: a["award_id"]
        for a in request("GET", "/v1/me/awards", ALICE)[1]["items"]
    }
    return {"closer": mine[closer_id], "top": given["award_id"], "closer_id": closer_id}


def test_rows_carry_the_featured_award_and_the_badges_shown_next_to_names(
    fakes: FakeContainer, week: dict[str, str]
) -> None:
    featured = request("PUT", "/v1/me/featured-award", ALICE, {"award_id": week["closer"]})

    rows = board()["rows"]

    assert featured == (200, {"award_id": week["closer"]})
    assert [(r["rank"], r["user_id"], r["score"]) for r in rows] == [(1, "alice", 6), (2, "bob", 5)]
    assert rows[0]["featured"] == {
        "award_id": week["closer"],
        "achievement_id": week["closer_id"],
        "name": "Closer",
        "badge": None,
        "level": 1,
    }
    assert [(b["name"], b["badge"]) for b in rows[0]["badges"]] == [("Top Seller", "trophy")]
    assert (rows[1]["featured"], rows[1]["badges"]) == (None, [])


def test_a_badge_and_a_featured_award_go_when_they_lapse_or_are_revoked(
    fakes: FakeContainer, week: dict[str, str]
) -> None:
    request("PUT", "/v1/me/featured-award", ALICE, {"award_id": week["top"]})
    assert board()["rows"][0]["featured"]["name"] == "Top Seller"

    fakes.clock.set(datetime(2026, 12, 1, 0, 0, tzinfo=UTC))  # the month's record has lapsed
    lapsed = board(period_key="W2026-W48")["rows"][0]
    fakes.clock.set(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    request("POST", f"/v1/admin/awards/{week['top']}/revoke", ADMIN, {"reason": "audit"})
    revoked = board()["rows"][0]

    assert (lapsed["featured"], lapsed["badges"]) == (None, [])
    assert (revoked["featured"], revoked["badges"]) == (None, [])


def test_only_my_own_active_award_can_be_featured_and_delete_clears_it(
    fakes: FakeContainer, week: dict[str, str]
) -> None:
    bobs = request("GET", "/v1/me/awards", BOB)[1]["items"][0]["award_id"]

    not_mine = request("PUT", "/v1/me/featured-award", ALICE, {"award_id": bobs})
    unknown = request("PUT", "/v1/me/featured-award", ALICE, {"award_id": "bm9wZQ"})
    request("PUT", "/v1/me/featured-award", ALICE, {"award_id": week["closer"]})
    cleared = request("DELETE", "/v1/me/featured-award", ALICE)
    # An admin's edit of the profile keeps what the user features, and the other way round.
    request("PUT", "/v1/me/featured-award", ALICE, {"award_id": week["closer"]})
    request("PUT", "/v1/admin/users/alice", ADMIN, {"display_name": "Alice A."})
    row = board()["rows"][0]

    for status, body in (not_mine, unknown):
        assert status == 422 and body["error"]["details"][0]["field"] == "award_id"
    assert cleared == (200, {"award_id": None})
    assert (row["display_name"], row["featured"]["award_id"]) == ("Alice A.", week["closer"])


def test_a_past_week_is_read_by_its_key_and_a_key_of_another_kind_is_422(
    fakes: FakeContainer, week: dict[str, str]
) -> None:
    fakes.clock.set(datetime(2026, 12, 2, 10, 0, tzinfo=UTC))  # the next week

    current = board()
    past = board(period_key="W2026-W48")
    wrong = request("GET", "/v1/leaderboards/sales", ALICE, period="week", period_key="M2026-11")
    future = request("GET", "/v1/leaderboards/sales", ALICE, period="week", period_key="W2027-W01")

    assert (current["period_key"], current["rows"]) == ("W2026-W49", [])
    assert (past["period_key"], [r["user_id"] for r in past["rows"]]) == (
        "W2026-W48",
        ["alice", "bob"],
    )
    for status, body in (wrong, future):
        assert status == 422 and "period_key" in body["error"]["message"]
