"""Every list route pages: `limit`, `cursor`, `{"items", "next_cursor"}`; a cursor works only for
the list, tenant, user and filter it was made for."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest

from accolade.domain.errors import InvalidCursorError
from accolade.domain.models import Message
from accolade.entrypoints.http.cursors import Scope, decode, encode
from accolade.ports import PageRequest
from accolade.services import me
from accolade_local.handlers import LambdaContext, load_handler
from tests.fakes import DEFAULT_NOW, FakeContainer
from tests.http_events import claims, http_event
from tests.unit.builders import ADMIN, OTHER_TENANT, TENANT, achievement, metric, my_achievements

api = load_handler("api")
ALICE = claims(TENANT, "alice")
SCOPE = Scope("me/awards", TENANT, "alice")


def get(path: str, who: dict[str, str], **query: Any) -> tuple[int, Any]:
    event = http_event("GET", path, claims=who, query={k: str(v) for k, v in query.items()})
    response = api.lambda_handler(event, LambdaContext())
    return response["statusCode"], json.loads(response["body"])


def walk(path: str, who: dict[str, str], **query: Any) -> list[list[Any]]:
    """Every page of a list route, following next_cursor."""
    pages: list[list[Any]] = []
    cursor = None
    while True:
        status, body = get(path, who, **query, **({"cursor": cursor} if cursor else {}))
        assert status == 200, body
        assert set(body) == {"items", "next_cursor"}
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def events(c: FakeContainer, count: int, prefix: str = "task") -> list[str]:
    """``count`` event achievements named ``prefix-00`` ... with 0..count-1 points."""
    for n in range(count):
        achievement(
            c,
            name=f"{prefix}-{n:02d}",
            type="event",
            event_type=f"{prefix}.{n}",
            levels=[{"points": n}],
        )
    return [f"{prefix}-{n:02d}" for n in range(count)]


# --- the cursor itself ---------------------------------------------------------------------


def test_a_cursor_gives_back_its_position_only_in_its_scope() -> None:
    cursor = encode("AWD#a#W2026-W48#1", SCOPE)

    assert cursor is not None
    assert decode(cursor, SCOPE) == "AWD#a#W2026-W48#1"
    assert encode(None, SCOPE) is None
    assert decode(None, SCOPE) is None
    for other in (
        Scope("me/awards", OTHER_TENANT, "alice"),
        Scope("me/awards", TENANT, "bob"),
        Scope("me/ledger", TENANT, "alice"),
        Scope("me/awards", TENANT, "alice", ("completed",)),
    ):
        with pytest.raises(InvalidCursorError, match=r"^cursor: made for another"):
            decode(cursor, other)


def _b64(raw: str | bytes) -> str:
    data = raw.encode() if isinstance(raw, str) else raw
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not a cursor",
        "%%%",
        "x" * 5000,
        _b64(b"\xff\xfe"),
        _b64("{}"),
        _b64("[1, 2]"),
        _b64('["AWD#", 3]'),
        _b64('["AWD#", "d", "extra"]'),
        _b64('["\\ud800", "d"]'),
        _b64('["AWD#", "\u00e9"]'),
        _b64("[" * 3000),
        _b64(json.dumps(["AWD#a#W2026-W48#2", SCOPE.digest("AWD#a#W2026-W48#1")])),
    ],
)
def test_a_malformed_or_altered_cursor_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursorError) as refused:
        decode(cursor, SCOPE)

    assert refused.value.message.startswith("cursor: ")
    assert refused.value.details[0]["field"] == "cursor"


# --- services on the fakes --------------------------------------------------------------------


def test_my_achievements_pages_by_position_in_the_sorted_list(c: FakeContainer) -> None:
    names = events(c, 5)

    def page(after: str | None) -> Any:
        return my_achievements(c, descending=True, page=PageRequest(2, after))

    first = page(None)
    second = page(first.next)
    third = page(second.next)

    assert [v.achievement.name for v in first.items + second.items + third.items] == names[::-1]
    assert (first.next, second.next, third.next) == ("2", "4", None)
    with pytest.raises(InvalidCursorError):
        page("-1")


def test_the_inbox_is_newest_first_across_pages(c: FakeContainer) -> None:
    for n, minutes in enumerate([3, 1, 2]):
        c.inbox.add(
            TENANT,
            Message(
                message_id=f"m-{n}",
                user_id="alice",
                type="achievement",
                title="t",
                body="b",
                created_at=DEFAULT_NOW + timedelta(minutes=minutes),
            ),
        )

    first = me.my_messages(TENANT, "alice", page=PageRequest(2), inbox=c.inbox)
    rest = me.my_messages(TENANT, "alice", page=PageRequest(2, first.next), inbox=c.inbox)

    assert [m.message_id for m in first.items + rest.items] == ["m-0", "m-2", "m-1"]
    assert rest.next is None


# --- over HTTP ----------------------------------------------------------------------------


def test_every_list_route_answers_items_and_next_cursor(fakes: FakeContainer) -> None:
    for path, who in [
        ("/v1/admin/metrics", ADMIN),
        ("/v1/admin/achievements", ADMIN),
        ("/v1/me/achievements", ALICE),
        ("/v1/me/awards", ALICE),
        ("/v1/me/ledger", ALICE),
        ("/v1/me/messages", ALICE),
    ]:
        assert get(path, who) == (200, {"items": [], "next_cursor": None}), path


def test_admin_lists_page_through_everything_once(fakes: FakeContainer) -> None:
    for n in range(7):
        metric(fakes, f"metric-{n}", event_type=f"e.{n}")
    events(fakes, 5)

    metrics = walk("/v1/admin/metrics", ADMIN, limit=3)
    achievements = walk("/v1/admin/achievements", ADMIN, limit=2)

    assert [len(page) for page in metrics] == [3, 3, 1]
    assert [m["metric_id"] for page in metrics for m in page] == [f"metric-{n}" for n in range(7)]
    listed = [a["id"] for page in achievements for a in page]
    assert [len(page) for page in achievements] == [2, 2, 1]
    assert listed == sorted(listed)
    assert len(set(listed)) == 5


def test_me_achievements_keeps_its_filter_and_order_across_pages(fakes: FakeContainer) -> None:
    names = events(fakes, 7)

    pages = walk("/v1/me/achievements", ALICE, sort="points", order="desc", limit=3)

    assert [len(page) for page in pages] == [3, 3, 1]
    assert [a["name"] for page in pages for a in page] == names[::-1]


def test_the_default_page_is_fifty(fakes: FakeContainer) -> None:
    events(fakes, 51)

    status, body = get("/v1/me/achievements", ALICE)
    _, rest = get("/v1/me/achievements", ALICE, cursor=body["next_cursor"])

    assert (status, len(body["items"]), len(rest["items"])) == (200, 50, 1)
    assert rest["next_cursor"] is None


@pytest.mark.parametrize(
    ("made_with", "used_with"),
    [
        ({"sort": "name"}, {"sort": "points"}),
        ({"order": "asc"}, {"order": "desc"}),
        ({}, {"status": "completed"}),
    ],
)
def test_a_cursor_of_another_filter_or_order_is_400(
    fakes: FakeContainer, made_with: dict[str, str], used_with: dict[str, str]
) -> None:
    events(fakes, 3)
    _, first = get("/v1/me/achievements", ALICE, limit=1, **made_with)

    status, body = get(
        "/v1/me/achievements", ALICE, limit=1, cursor=first["next_cursor"], **used_with
    )

    assert status == 400
    assert body["error"]["code"] == "invalid_cursor"
    assert body["error"]["message"].startswith("cursor: ")
    assert body["error"]["details"][0]["field"] == "cursor"


def test_a_cursor_of_another_user_tenant_or_list_is_400(fakes: FakeContainer) -> None:
    events(fakes, 3)
    _, first = get("/v1/me/achievements", ALICE, limit=1)
    cursor = first["next_cursor"]

    answers = [
        get("/v1/me/achievements", claims(TENANT, "bob"), cursor=cursor),
        get("/v1/me/achievements", claims(OTHER_TENANT, "alice"), cursor=cursor),
        get("/v1/me/awards", ALICE, cursor=cursor),
        get("/v1/admin/achievements", claims(TENANT, "alice", admin=True), cursor=cursor),
    ]

    assert [status for status, _ in answers] == [400, 400, 400, 400]
    assert {body["error"]["code"] for _, body in answers} == {"invalid_cursor"}


@pytest.mark.parametrize("limit", ["0", "101", "-1", "many"])
def test_a_limit_outside_1_to_100_is_422_naming_limit(fakes: FakeContainer, limit: str) -> None:
    status, body = get("/v1/me/awards", ALICE, limit=limit)

    assert status == 422
    assert body["error"]["message"].startswith("limit")
