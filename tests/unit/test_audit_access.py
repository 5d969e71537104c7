"""Roles: every admin route of the OpenAPI document declares the roles it admits
(``access.ROUTES``), and each role reaches exactly those routes, matched whole."""

from __future__ import annotations

from typing import Any

import pytest

from accolade.domain import acting
from accolade.domain.models import TenantSettings
from accolade.entrypoints.http.access import (
    ACHIEVEMENTS_MANAGER,
    ROUTES,
    UNLISTED,
    route_key,
    route_of,
)
from accolade_local.handlers import load_handler
from accolade_local.tokens import to_apigw_claims
from tests.audit_samples import QUERIES, SAMPLES, Walk, body_of, concrete_path
from tests.fakes import FakeContainer
from tests.http_events import call, http_event
from tests.unit.builders import TENANT

api = load_handler("api")
DOCUMENT = api.openapi_document()
ADMIN_ROUTES = sorted(
    route_key(method, path)
    for path, operations in DOCUMENT["paths"].items()
    for method in operations
    if path.startswith("/v1/admin/") or path == "/v1/admin"
)
# Stands in for the ids earlier requests would have created (the roles are checked first).
STAND_IN = Walk(
    answers={
        "POST /v1/admin/achievements": {"id": "x-1"},
        "POST /v1/admin/achievements/{achievement_id}/awards": {"award_id": "x-1"},
        "POST /v1/admin/badges": {"badge_id": "x-1"},
    }
)

pytestmark = pytest.mark.usefixtures("fakes")


def as_roles(*roles: str, user: str = "someone") -> dict[str, Any]:
    """The authorizer's claims and the token itself (exact: a role may hold a space)."""
    token = {"sub": user, "tenant_id": TENANT, "iat": 1700000000, "roles": list(roles)}
    return {"claims": to_apigw_claims(token), "token_claims": token}


def request(key: str, who: dict[str, Any]) -> tuple[int, Any]:
    method, openapi_path = key.split(" ", 1)
    sample = SAMPLES.get(key)
    path, body = sample(STAND_IN) if sample else (concrete_path(openapi_path), None)
    return call(api, http_event(method, path, body=body, query=QUERIES.get(key), **who))


def test_every_admin_route_of_the_document_declares_its_roles() -> None:
    missing = [key for key in ADMIN_ROUTES if key not in ROUTES]

    assert ADMIN_ROUTES
    assert not missing, f"add a line for each to access.ROUTES (roles, audit): {missing}"


def test_every_declaration_is_of_a_route_the_api_serves() -> None:
    assert sorted(set(ROUTES) - set(ADMIN_ROUTES)) == []


@pytest.mark.parametrize("role", ["admin", ACHIEVEMENTS_MANAGER])
@pytest.mark.parametrize("key", ADMIN_ROUTES)
def test_each_role_reaches_exactly_the_admin_routes_declared_for_it(key: str, role: str) -> None:
    status, answer = request(key, as_roles(role))

    if role in ROUTES[key].roles:
        assert status != 403 and status < 500, (status, answer)
    else:
        assert status == 403, (status, answer)
        assert answer["error"]["code"] == "forbidden"


@pytest.mark.parametrize("key", ADMIN_ROUTES)
def test_the_document_names_the_roles_and_the_audit_action_the_route_checks(key: str) -> None:
    method, path = key.split(" ", 1)
    description = DOCUMENT["paths"][path][method.lower()]["description"]
    access = ROUTES.get(key, UNLISTED)
    roles = " or ".join(f"`{role}`" for role in sorted(access.roles))

    assert f"Roles: {roles}." in description
    assert "Admins only" not in description
    if access.audit is not None:
        assert description.endswith(f"Audit log action: `{access.audit.action}`.")


@pytest.mark.parametrize("key", ADMIN_ROUTES)
def test_roles_are_matched_whole(key: str) -> None:
    near_misses = as_roles("Admin", "super admin", "admins", "achievements_manager_x", "manager")

    assert request(key, near_misses)[0] == 403


def test_a_manager_is_refused_settings_users_goals_and_the_audit_and_nothing_is_stored(
    fakes: FakeContainer,
) -> None:
    manager = as_roles(ACHIEVEMENTS_MANAGER)
    refused = [
        ("PUT", "/v1/admin/settings", body_of("put_settings")),
        ("GET", "/v1/admin/settings", None),
        ("PUT", "/v1/admin/users/user-1", body_of("put_user")),
        ("GET", "/v1/admin/users/user-1", None),
        (
            "PUT",
            "/v1/admin/users/user-1/goals/weekly",
            {"metric": "m", "period": "week", "target": 1},
        ),
        ("GET", "/v1/admin/audit", None),
    ]

    answers = [call(api, http_event(m, p, body=b, **manager))[0] for m, p, b in refused]

    assert answers == [403] * len(refused)
    assert fakes.config.get_config(TENANT).settings == TenantSettings()
    assert fakes.users.get_users(TENANT, ["user-1"]) == {}
    assert fakes.goals.goals_of(TENANT, ["user-1"]) in ({}, {"user-1": []})


def test_a_manager_creates_an_achievement_and_gives_it() -> None:
    manager = as_roles(ACHIEVEMENTS_MANAGER, user="mia")
    definition = {"name": "Kudos", "type": "manual"}

    created = call(api, http_event("POST", "/v1/admin/achievements", body=definition, **manager))
    path = f"/v1/admin/achievements/{created[1]['id']}/awards"
    given = call(api, http_event("POST", path, body={"user_id": "bob"}, **manager))

    assert (created[0], given[0]) == (201, 201)
    assert given[1]["given_by"] == "mia"


def test_an_admin_routes_stamp_ends_with_its_request_answered_or_failed() -> None:
    admin = as_roles("admin")
    put = http_event("PUT", "/v1/admin/settings", body={"timezone": "UTC"}, **admin)
    edit = http_event("PATCH", "/v1/admin/achievements/nope", body={"name": "N"}, **admin)

    stored = call(api, put)
    left_after_success = acting.stamp_for("settings")
    missing = call(api, edit)
    left_after_failure = acting.stamp_for("achievement")

    assert (stored[0], missing[0]) == (200, 404)
    assert (left_after_success, left_after_failure) == (None, None)


def test_a_request_is_matched_to_its_route_and_path_ids_whatever_the_stage_prefix() -> None:
    award = route_of("POST", "/v1/admin/awards/QUJD_-1/revoke")
    staged = route_of("PUT", "/prod/v1/admin/users/bob/goals/weekly")
    listing = route_of("GET", "/v1/admin/achievements")

    assert award == ("POST /v1/admin/awards/{award_id}/revoke", {"award_id": "QUJD_-1"})
    assert staged == (
        "PUT /v1/admin/users/{user_id}/goals/{goal_id}",
        {"user_id": "bob", "goal_id": "weekly"},
    )
    assert listing == ("GET /v1/admin/achievements", {})
    assert route_of("DELETE", "/v1/admin/achievements") == ("", {})
    assert route_of("GET", "/v1/admin/users/bob/extra") == ("", {})
