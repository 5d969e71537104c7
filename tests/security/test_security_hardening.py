"""Issue 7 against the running stack: what a hostile client sends is answered at the door with a
4xx naming the field, and nothing of it is stored or counted later."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from accolade_local.stack import LocalStack
from tests.security import summary
from tests.security.world import error_fields, sale
from tests.stack_fixtures import Api, Tenant

NUMBERS_AND_DATES: list[tuple[str, dict[str, Any], str]] = [
    ("value 1e-200", {"value": 1e-200}, "events[0].value"),
    ("value 10^125", {"value": 10**125}, "events[0].value"),
    ("attribute 1e-200", {"attributes": {"amount": 1e-200}}, "events[0].attributes.amount"),
    ("attribute 10^125", {"attributes": {"amount": 10**125}}, "events[0].attributes.amount"),
    ("year 1", {"occurred_at": "0001-01-01T00:00:00Z"}, "events[0].occurred_at"),
    ("year 1 at +14:00", {"occurred_at": "0001-01-01T00:00:00+14:00"}, "events[0].occurred_at"),
]


@pytest.mark.parametrize(
    ("case", "extra", "field"), NUMBERS_AND_DATES, ids=[c for c, _, _ in NUMBERS_AND_DATES]
)
def test_numbers_and_dates_the_evaluator_could_not_store_are_422(
    api: Api, tenant: Tenant, case: str, extra: dict[str, Any], field: str
) -> None:
    token = tenant.machine()
    summary.probe("limits", "POST /v1/events")

    response = api.post("/v1/events", token=token, json={"events": [sale(**extra)]})

    assert response.status_code == 422, response.text
    assert field in error_fields(response)
    assert api.post("/v1/events", token=token, json={"events": [sale()]}).json() == {
        "accepted": ["e-1"],
        "duplicates": [],
    }


def test_a_5000_digit_integer_and_deep_json_are_400(
    api: Api, tenant_id: str, machine_token: Callable[..., str], admin_token: Callable[..., str]
) -> None:
    machine, admin = machine_token(tenant_id), admin_token(tenant_id)
    deep = "[" * 1000 + "]" * 1000
    bodies = [
        ("/v1/events", machine, '{"events": [{"value": ' + "9" * 5000 + "}]}"),
        ("/v1/events", machine, '{"events": ' + deep + "}"),
        (
            "/v1/events",
            machine,
            json.dumps({"events": [sale(attributes={"a": 0})]}).replace("0}", deep + "}"),
        ),
        ("/v1/admin/achievements", admin, '{"name": "X", "levels": ' + deep + "}"),
    ]

    answers = []
    for path, token, raw in bodies:
        summary.probe("limits", f"POST {path}")
        answers.append(
            api.post(path, token=token, data=raw, headers={"Content-Type": "application/json"})
        )

    assert [a.status_code for a in answers] == [400] * len(bodies), [a.text for a in answers]
    assert all(a.json()["error"]["message"].startswith("body:") for a in answers)
    assert api.get("/v1/admin/achievements", token=admin).json()["items"] == []


@pytest.mark.parametrize(
    "claims",
    [
        {"user": "u" * 3000},
        {"tenant": "t" * 3000},
        {"tenant": "a#b"},
    ],
    ids=["sub of 3000", "tenant of 3000", "tenant with #"],
)
def test_claims_that_are_not_ids_are_401(
    api: Api, local_stack: LocalStack, tenant_id: str, claims: dict[str, str]
) -> None:
    token = local_stack.signer.mint(claims.get("tenant", tenant_id), claims.get("user", "ada"))
    summary.probe("odd claims", "GET /v1/me/wallet")

    response = api.get("/v1/me/wallet", token=token)

    assert response.status_code == 401, response.text


@pytest.mark.parametrize(
    "extra",
    [
        {"roles": ["ops,admin"]},
        {"roles": ["super admin"]},
        {"roles": "administrator"},
        {"cognito:groups": ["ops,admin"]},
    ],
    ids=["ops,admin", "super admin", "administrator", "cognito ops,admin"],
)
def test_a_role_inside_another_roles_name_grants_nothing(
    api: Api, local_stack: LocalStack, tenant_id: str, extra: dict[str, Any]
) -> None:
    token = local_stack.signer.mint(tenant_id, "mallory", **extra)
    summary.probe("odd claims", "PUT /v1/admin/settings")

    response = api.put("/v1/admin/settings", token=token, json={"timezone": "Asia/Tokyo"})

    assert response.status_code == 403, response.text
    admin = local_stack.token(tenant_id, "root", admin=True)
    assert api.get("/v1/admin/settings", token=admin).json()["timezone"] == "UTC"


@pytest.mark.parametrize(
    ("scope", "status"), [("evil/events:write", 403), ("accolade/events:write", 202)]
)
def test_only_the_templates_resource_server_scope_writes_events(
    api: Api, local_stack: LocalStack, tenant_id: str, scope: str, status: int
) -> None:
    token = local_stack.token(tenant_id, "crm", scopes=(scope,))
    summary.probe("odd claims", "POST /v1/events")

    assert api.post("/v1/events", token=token, json={"events": [sale()]}).status_code == status


def test_period_winner_on_a_missing_metric_and_non_iana_zones_are_422(
    api: Api, tenant_id: str, admin_token: Callable[..., str]
) -> None:
    admin = admin_token(tenant_id)
    summary.probe("limits", "POST /v1/admin/achievements")
    summary.probe("limits", "PUT /v1/admin/settings")

    winner = api.post(
        "/v1/admin/achievements",
        token=admin,
        json={"name": "Top", "type": "period_top", "metric": "ghost", "period": "week"},
    )
    zones = [
        api.put("/v1/admin/settings", token=admin, json={"timezone": name})
        for name in ("localtime", "posixrules")
    ]

    assert (winner.status_code, error_fields(winner)) == (422, ["metric"])
    assert [(z.status_code, error_fields(z)) for z in zones] == [(422, ["timezone"])] * 2
    assert api.get("/v1/admin/settings", token=admin).json()["timezone"] == "UTC"


def test_equivalent_resends_are_duplicates(
    api: Api, tenant_id: str, machine_token: Callable[..., str]
) -> None:
    token = machine_token(tenant_id)
    first = sale("e-1", occurred_at="2026-11-24T10:00:00Z", attributes={"amount": 1.0})
    again = {**first, "occurred_at": "2026-11-24T11:00:00+01:00", "attributes": {"amount": 1}}
    summary.probe("limits", "POST /v1/events")

    sent = api.post("/v1/events", token=token, json={"events": [first]})
    resent = api.post("/v1/events", token=token, json={"events": [again]})

    assert sent.status_code == resent.status_code == 202
    assert resent.json() == {"accepted": [], "duplicates": ["e-1"]}
