"""The HTTP API over the running local stack: health, admin round trips, auth at the gateway."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from accolade_local.stack import LocalStack
from accolade_local.tokens import LocalSigner
from tests.stack_fixtures import Api, Tenant


def _error_fields(body: dict[str, Any]) -> list[str]:
    return [detail["field"] for detail in body["error"]["details"]]


def test_health_answers_without_a_token(api: Api) -> None:
    response = api.get("/v1/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "stage": "dev"}


def test_settings_round_trip(api: Api, tenant_id: str, admin_token: Callable[..., str]) -> None:
    token = admin_token(tenant_id)
    assert api.get("/v1/admin/settings", token=token).json() == {
        "timezone": "UTC",
        "features": {"coins": False},
        "winners_grace_hours": 1,
        "expiry_notice_days": 30,
    }

    put = api.put(
        "/v1/admin/settings",
        token=token,
        json={
            "timezone": "Europe/Berlin",
            "features": {"coins": True},
            "winners_grace_hours": 0,
            "expiry_notice_days": 90,
        },
    )

    assert put.status_code == 200
    assert api.get("/v1/admin/settings", token=token).json() == {
        "timezone": "Europe/Berlin",
        "features": {"coins": True},
        "winners_grace_hours": 0,
        "expiry_notice_days": 90,
    }


def test_settings_refuse_a_time_zone_iana_does_not_know(
    api: Api, tenant_id: str, admin_token: Callable[..., str]
) -> None:
    token = admin_token(tenant_id)

    response = api.put("/v1/admin/settings", token=token, json={"timezone": "Mars/Olympus"})

    assert response.status_code == 422
    assert "timezone" in response.json()["error"]["message"]
    assert _error_fields(response.json()) == ["timezone"]
    assert api.get("/v1/admin/settings", token=token).json()["timezone"] == "UTC"


def test_users_round_trip(api: Api, tenant_id: str, admin_token: Callable[..., str]) -> None:
    token = admin_token(tenant_id)
    profile = {"display_name": "Ada Lovelace", "org_id": "org-7", "groups": ["sales", "emea"]}

    put = api.put("/v1/admin/users/ada", token=token, json=profile)

    assert put.status_code == 200
    assert api.get("/v1/admin/users/ada", token=token).json() == {"user_id": "ada", **profile}


def test_admin_routes_are_403_for_a_user_token(
    api: Api, tenant_id: str, user_token: Callable[..., str]
) -> None:
    response = api.get("/v1/admin/settings", token=user_token(tenant_id))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_the_gateway_answers_401_without_a_token(api: Api) -> None:
    response = api.get("/v1/me/wallet")

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


def test_the_gateway_answers_401_for_an_expired_token(
    api: Api, tenant_id: str, user_token: Callable[..., str]
) -> None:
    expired = user_token(tenant_id, expires_in=-120)

    response = api.get("/v1/me/wallet", token=expired)

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


def test_the_gateway_answers_401_for_a_token_signed_with_another_key(
    api: Api, tenant_id: str, local_stack: LocalStack, tmp_path: Path
) -> None:
    forger = LocalSigner(tmp_path / "other-key", local_stack.signer.issuer, "accolade-local")
    forged = forger.mint(tenant_id, "admin-1", admin=True)

    response = api.get("/v1/admin/settings", token=forged)

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/admin/settings", {"timezone": "UTC", "colour": "blue"}, "colour"),
        ("/v1/admin/users/ada", {"display_name": "Ada", "salary": 1}, "salary"),
        (
            "/v1/admin/metrics/sales",
            {"event_type": "sale.closed", "aggregate": "count", "x": 1},
            "x",
        ),
    ],
)
def test_unknown_fields_are_422_naming_the_field(
    api: Api, tenant: Tenant, path: str, body: dict[str, Any], field: str
) -> None:
    response = api.put(path, token=tenant.admin(), json=body)

    assert response.status_code == 422
    assert field in _error_fields(response.json())
    assert field in response.json()["error"]["message"]
