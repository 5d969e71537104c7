"""The inbox's filters and mark-read, and a user's achievements page as an admin reads it: the
api function in process over the fakes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from accolade.domain.models import Message, MessageType, UserProfile
from accolade_local.handlers import load_handler
from tests.fakes import FakeContainer
from tests.http_events import call, claims, http_event
from tests.unit.builders import ADMIN, TENANT, at, closer, ingest_and_evaluate, metric, sales

api = load_handler("api")
ALICE = claims(TENANT, "alice")
BOB = claims(TENANT, "bob")

pytestmark = pytest.mark.usefixtures("fakes")


def message(n: int, kind: MessageType, user_id: str = "alice") -> Message:
    return Message(
        message_id=f"m{n:02d}",
        user_id=user_id,
        type=kind.value,
        title=f"message {n}",
        body="",
        created_at=at("2026-11-24T10:00:00Z") + timedelta(minutes=n),
    )


def listed(query: dict[str, str], who: dict[str, str] = ALICE) -> tuple[int, Any]:
    return call(api, http_event("GET", "/v1/me/messages", claims=who, query=query))


def everything(query: dict[str, str]) -> list[str]:
    found, cursor = [], None
    while True:
        status, body = listed({**query, "limit": "2", **({"cursor": cursor} if cursor else {})})
        assert status == 200, body
        found += [m["message_id"] for m in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return found


def test_filters_by_type_and_read_state_newest_first(fakes: FakeContainer) -> None:
    kinds = [MessageType.ACHIEVEMENT, MessageType.AWARD_REVOKED, MessageType.EXPIRING_SOON] * 3
    for n, kind in enumerate(kinds):
        fakes.inbox.add(TENANT, message(n, kind))
    fakes.inbox.add(TENANT, message(50, MessageType.ACHIEVEMENT, user_id="bob"))

    read = call(api, http_event("POST", "/v1/me/messages/m06/read", claims=ALICE))

    assert read[0] == 200 and read[1]["unread"] is False and read[1]["read_at"]
    assert everything({}) == [f"m{n:02d}" for n in range(8, -1, -1)]
    assert everything({"type": "achievement"}) == ["m06", "m03", "m00"]
    assert everything({"type": "achievement", "unread": "true"}) == ["m03", "m00"]
    assert everything({"unread": "false"}) == ["m06"]
    assert everything({"type": "expiring_soon", "unread": "false"}) == []


def test_mark_read_is_idempotent_and_only_for_the_owner(fakes: FakeContainer) -> None:
    fakes.inbox.add(TENANT, message(1, MessageType.ACHIEVEMENT))

    first = call(api, http_event("POST", "/v1/me/messages/m01/read", claims=ALICE))
    fakes.clock.advance(timedelta(hours=1))
    second = call(api, http_event("POST", "/v1/me/messages/m01/read", claims=ALICE))
    foreign = call(api, http_event("POST", "/v1/me/messages/m01/read", claims=BOB))

    assert first == second
    assert foreign[0] == 404
    assert everything({"unread": "true"}) == []


def test_an_unknown_type_or_read_state_is_refused_naming_the_field() -> None:
    bad_type = listed({"type": "party"})
    bad_unread = listed({"unread": "perhaps"})

    assert bad_type[0] == bad_unread[0] == 422
    assert bad_type[1]["error"]["details"][0]["field"] == "type"
    assert bad_unread[1]["error"]["details"][0]["field"] == "unread"


def test_a_cursor_is_bound_to_its_filter(fakes: FakeContainer) -> None:
    for n in range(3):
        fakes.inbox.add(TENANT, message(n, MessageType.ACHIEVEMENT))
    _, page = listed({"type": "achievement", "limit": "1"})

    other = listed({"type": "award_revoked", "cursor": page["next_cursor"]})
    unread = listed({"type": "achievement", "unread": "true", "cursor": page["next_cursor"]})

    assert other[0] == unread[0] == 400


def test_an_admin_sees_the_users_own_page(fakes: FakeContainer) -> None:
    metric(fakes)
    closer(fakes)
    fakes.users.put_user(TENANT, UserProfile(user_id="alice", display_name="Alice"))
    ingest_and_evaluate(fakes, sales(6, "2026-11-24T09:00:00Z"))
    query = {"status": "completed", "sort": "points", "order": "desc"}

    own = call(api, http_event("GET", "/v1/me/achievements", claims=ALICE, query=query))
    seen = call(
        api, http_event("GET", "/v1/admin/users/alice/achievements", claims=ADMIN, query=query)
    )
    as_user = call(
        api, http_event("GET", "/v1/admin/users/alice/achievements", claims=ALICE, query=query)
    )
    unknown = call(api, http_event("GET", "/v1/admin/users/nobody/achievements", claims=ADMIN))

    assert own[0] == 200 and own[1]["items"] and own[1]["items"][0]["earned"]
    assert seen == own
    assert as_user[0] == 403
    assert unknown[0] == 404
