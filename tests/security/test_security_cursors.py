"""List cursors over the running stack: every route with a `cursor` parameter in the document
refuses a cursor of another tenant, user, list or filter, and a garbage one, with a 400; and a
`limit` outside 1-100 with a 422. None of them ever answers 5xx or another caller's items."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from accolade_local.stack import LocalStack
from tests.security import summary
from tests.security.world import Route, World, build_world, routes
from tests.stack_fixtures import Api

GARBAGE = [
    "x",
    "%25%25",
    "A" * 5000,
    base64.urlsafe_b64encode(b'["T#other#U#ada", "0"]').decode(),
    base64.urlsafe_b64encode(json.dumps(["\ud800", "d"]).encode()).decode(),
    base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),
    base64.urlsafe_b64encode(json.dumps(["AWD#", "\u00e9"]).encode()).decode(),
]


@pytest.fixture(scope="module")
def world(api: Api, local_stack: LocalStack) -> World:
    found = build_world(api, local_stack)
    # A second metric and achievement, so every list of tenant A has a second page at limit=1.
    metric = {"event_type": "task.done", "aggregate": "count"}
    assert api.put("/v1/admin/metrics/zz-second", token=found.a.admin, json=metric).ok
    task = {"name": "Task", "type": "event", "event_type": "task.done"}
    assert api.post("/v1/admin/achievements", token=found.a.admin, json=task).status_code == 201
    return found


@pytest.fixture(scope="module")
def list_routes(openapi_document: dict[str, Any]) -> list[Route]:
    paged = {
        (method, path)
        for path, item in openapi_document["paths"].items()
        for method, operation in item.items()
        if any(p.get("name") == "cursor" for p in operation.get("parameters", []))
    }
    found = [r for r in routes(openapi_document) if (r.method, r.path) in paged]
    assert len(found) >= 6, found
    return found


def _get(api: Api, ids: dict[str, str], route: Route, token: str, kind: str, **query: str) -> Any:
    """GET a list route, its path parameters filled with tenant A's ``ids``."""
    summary.probe(kind, route.label)
    suffix = "&".join(f"{key}={value}" for key, value in query.items())
    url = route.url(ids)
    return api.get(f"{url}{'&' if '?' in url else '?'}{suffix}", token=token)


def _invalid_cursor(response: Any) -> bool:
    body = response.json() if response.status_code == 400 else {}
    error = body.get("error", {})
    return bool(
        error.get("code") == "invalid_cursor" and error.get("message", "").startswith("cursor:")
    )


def test_a_cursor_of_another_tenant_user_list_or_filter_is_400(
    api: Api, local_stack: LocalStack, world: World, list_routes: list[Route]
) -> None:
    a, b = world.a, world.b
    other_admin = local_stack.token(a.tenant_id, "admin-2", admin=True)
    refused: dict[str, Any] = {}
    for route in list_routes:
        owner = a.admin if route.is_admin else a.users["ada"]
        first = _get(api, world.ids, route, owner, "cursor", limit="1")
        cursor = first.json()["next_cursor"]
        assert first.status_code == 200 and cursor, (route.label, first.text)
        # A public list (the built-in badges) is the same for everyone: no one is a stranger.
        strangers = (
            {}
            if route.is_public
            else {
                "other tenant": b.admin if route.is_admin else b.users["ada"],
                "other user": other_admin if route.is_admin else a.users["bob"],
            }
        )
        for who, token in strangers.items():
            refused[f"{route.label} as {who}"] = _get(
                api, world.ids, route, token, "cursor", cursor=cursor
            )
        for other in list_routes:
            if other != route and other.is_admin == route.is_admin:
                key = f"{route.label}'s cursor on {other.label}"
                refused[key] = _get(api, world.ids, other, owner, "cursor", cursor=cursor)
        if route.path == "/v1/me/achievements":
            for query in ({"sort": "points"}, {"order": "desc"}, {"status": "completed"}):
                key = f"{route.label} with {query}"
                refused[key] = _get(api, world.ids, route, owner, "cursor", cursor=cursor, **query)

    wrong = {k: (r.status_code, r.text[:160]) for k, r in refused.items() if not _invalid_cursor(r)}
    assert wrong == {}


def test_a_garbage_cursor_is_400_and_a_limit_outside_1_to_100_is_422(
    api: Api, world: World, list_routes: list[Route]
) -> None:
    answers: dict[str, Any] = {}
    for route in list_routes:
        token = world.a.admin if route.is_admin else world.a.users["ada"]
        for n, cursor in enumerate(GARBAGE):
            answers[f"{route.label} garbage {n}"] = (
                400,
                _get(api, world.ids, route, token, "cursor", cursor=cursor),
            )
        for limit in ("0", "101"):
            answers[f"{route.label} limit={limit}"] = (
                422,
                _get(api, world.ids, route, token, "limits", limit=limit),
            )

    wrong = {
        key: (r.status_code, r.text[:160])
        for key, (status, r) in answers.items()
        if r.status_code != status
        or (status == 400 and not _invalid_cursor(r))
        or (status == 422 and not r.json()["error"]["message"].startswith("limit"))
    }
    assert wrong == {}
