"""Who may reach what: every route of the OpenAPI document, probed with the wrong caller."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accolade_local.stack import LocalStack
from accolade_local.tokens import LocalSigner
from tests.security import summary
from tests.security.world import Route, World, build_world, routes, valid_body
from tests.stack_fixtures import Api

UNAUTHORIZED = {"message": "Unauthorized"}


@pytest.fixture(scope="module")
def world(api: Api, local_stack: LocalStack) -> World:
    return build_world(api, local_stack)


@pytest.fixture(scope="module")
def all_routes(openapi_document: dict[str, Any]) -> list[Route]:
    return routes(openapi_document)


@pytest.fixture(scope="module")
def public_routes(local_stack: LocalStack, all_routes: list[Route]) -> set[str]:
    """The documented routes the template serves without its JWT authorizer (a template path
    variable is a whole segment: {file} serves the document's {level}.svg)."""
    served = [
        (r.method.upper(), re.compile(re.sub(r"{[^}]+}", "[^/]+", r.path)))
        for r in local_stack.template.http_routes()
        if not r.auth_required
    ]
    return {
        route.label
        for route in all_routes
        for method, path in served
        if method == route.method.upper() and path.fullmatch(re.sub(r"{[^}]+}", "x", route.path))
    }


def _call(api: Api, route: Route, ids: dict[str, str], token: str | None, kind: str) -> Any:
    summary.probe(kind, route.label)
    return api.request(route.method.upper(), route.url(ids), token=token, json=valid_body(route))


@pytest.fixture(scope="module")
def forged_admin(
    local_stack: LocalStack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    forger = LocalSigner(
        Path(tmp_path_factory.mktemp("forger")), local_stack.signer.issuer, "accolade-local"
    )
    yield forger.mint("any-tenant", "admin-1", admin=True, scopes=("events:write",))


def test_only_health_and_verification_are_public(
    all_routes: list[Route], public_routes: set[str]
) -> None:
    documented_public = sorted(r.label for r in all_routes if r.label in public_routes)

    assert documented_public == [
        "GET /v1/badges",
        "GET /v1/badges/{family}/{level}.svg",
        "GET /v1/health",
        "GET /v1/issuers/{tenant_id}",
        "GET /v1/issuers/{tenant_id}/jwks.json",
        "GET /v1/issuers/{tenant_id}/status/{number}",
        "GET /v1/verify/{identifier}",
    ]
    assert all(r.is_public for r in all_routes if r.label in public_routes)


def test_every_protected_route_is_401_without_a_valid_token(
    api: Api,
    world: World,
    local_stack: LocalStack,
    all_routes: list[Route],
    public_routes: set[str],
    forged_admin: str,
) -> None:
    expired = local_stack.token(world.a.tenant_id, "admin-1", admin=True, expires_in=-120)
    bad_tokens = {"no token": None, "expired": expired, "wrong key": forged_admin, "junk": "x.y.z"}
    protected = [r for r in all_routes if r.label not in public_routes]

    answers = {
        (route.label, kind): _call(api, route, world.ids, token, f"401 {kind}")
        for route in protected
        for kind, token in bad_tokens.items()
    }

    wrong = {
        key: (r.status_code, r.text[:120])
        for key, r in answers.items()
        if r.status_code != 401 or r.json() != UNAUTHORIZED
    }
    assert protected
    assert wrong == {}


def test_admin_routes_are_403_for_users_and_machines_and_events_need_the_scope(
    api: Api, world: World, all_routes: list[Route]
) -> None:
    user, machine, admin = world.a.users["bob"], world.a.machine, world.a.admin
    probes = [(r, "user", user) for r in all_routes if r.is_admin]
    probes += [(r, "machine", machine) for r in all_routes if r.is_admin]
    probes += [(r, "admin without scope", admin) for r in all_routes if r.is_events]
    probes += [(r, "user without scope", user) for r in all_routes if r.is_events]

    answers = {
        (route.label, who): _call(api, route, world.ids, token, "403")
        for route, who, token in probes
    }

    wrong = {
        key: (r.status_code, r.text[:120]) for key, r in answers.items() if r.status_code != 403
    }
    assert any(r.is_admin for r in all_routes)
    assert wrong == {}


def _stable(value: Any) -> Any:
    """``value`` with each presigned link's signature and dates cut (they change with time)."""
    if isinstance(value, dict):
        return {key: _stable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_stable(item) for item in value]
    if isinstance(value, str) and "X-Amz-Signature=" in value:
        return value.split("?", 1)[0]
    return value


def _snapshot(api: Api, world: World, all_routes: list[Route]) -> dict[str, Any]:
    """Everything tenant A's admin and users can read."""
    readable = [r for r in all_routes if r.method == "get" and not r.is_public]
    snapshot: dict[str, Any] = {}
    for route in readable:
        tokens = {"admin": world.a.admin} if route.is_admin else dict(world.a.users)
        for who, token in tokens.items():
            response = api.get(route.url(world.ids), token=token)
            snapshot[f"{route.label} as {who}"] = (response.status_code, _stable(response.json()))
    return snapshot


def test_another_tenant_reaches_none_of_tenant_a_data_with_a_ids(
    api: Api, world: World, all_routes: list[Route], drain: Any
) -> None:
    before = _snapshot(api, world, all_routes)
    b = world.b

    answers = {}
    # Reads first: B's writes under A's ids create B's own resources with those ids.
    for route in sorted(all_routes, key=lambda r: r.method != "get"):
        if route.is_public:
            continue
        token = b.admin if route.is_admin else b.machine if route.is_events else b.users["ada"]
        answers[route.label] = _call(api, route, world.ids, token, "other tenant")
    drain()

    # Reads under A's ids are 404 in B; lists and /me in B never show A's ids or awards.
    leaks = {
        label: (r.status_code, r.text[:160])
        for label, r in answers.items()
        if label.startswith("GET ")
        and (
            ("{" in label and r.status_code != 404)
            or (r.ok and any(s in r.text for s in [*world.award_ids, world.ids["achievement_id"]]))
        )
    }
    assert leaks == {}
    assert all(r.status_code < 500 for r in answers.values())
    assert answers["POST /v1/events"].status_code == 202
    assert _snapshot(api, world, all_routes) == before


def test_a_user_sees_only_their_own_me(api: Api, world: World, all_routes: list[Route]) -> None:
    mine = [r for r in all_routes if r.path.startswith("/v1/me/") and r.method == "get"]
    ada, bob = world.a.users["ada"], world.a.users["bob"]

    ada_sees = {r.label: _call(api, r, world.ids, ada, "other user").text for r in mine}
    bob_sees = {r.label: _call(api, r, world.ids, bob, "other user").text for r in mine}

    assert all(award_id in ada_sees["GET /v1/me/awards"] for award_id in world.award_ids)
    leaks = {
        label: text[:160]
        for label, text in bob_sees.items()
        if any(award_id in text for award_id in world.award_ids)
    }
    assert leaks == {}
    assert '"points": 0' in bob_sees["GET /v1/me/wallet"].replace('"points":0', '"points": 0')
