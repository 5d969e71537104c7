"""Bad input: server-owned fields refused (mass assignment), size and shape limits enforced."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.http_events import threshold_achievement
from tests.security import summary
from tests.security.world import error_fields, now_z, sale
from tests.stack_fixtures import Api

SERVER_OWNED = ("points", "tenant_id", "level", "status", "version", "id")
KIB = 1024


def _refused(response: Any, field: str) -> bool:
    return (
        response.status_code == 422
        and field in error_fields(response)
        and field in response.json()["error"]["message"]
    )


def test_server_owned_fields_are_refused_and_never_stored(
    api: Api, tenant_id: str, admin_token: Callable[..., str], machine_token: Callable[..., str]
) -> None:
    admin, machine = admin_token(tenant_id), machine_token(tenant_id)
    closer = threshold_achievement("Closer", "week", threshold=5, points=10)
    assert api.put(
        "/v1/admin/metrics/sales",
        token=admin,
        json={"event_type": "sale.closed", "aggregate": "count"},
    ).ok
    created = api.post("/v1/admin/achievements", token=admin, json=closer)
    assert created.status_code == 201
    achievement = f"/v1/admin/achievements/{created.json()['id']}"
    targets: list[tuple[str, str, dict[str, Any]]] = [
        ("PUT", "/v1/admin/settings", {"timezone": "UTC"}),
        ("PUT", "/v1/admin/users/ada", {"display_name": "Ada"}),
        ("PUT", "/v1/admin/metrics/sales", {"event_type": "sale.closed", "aggregate": "count"}),
        ("POST", "/v1/admin/achievements", {**closer, "name": "Other"}),
        ("PATCH", achievement, {"name": "Renamed"}),
    ]
    before = {
        path: api.get(path, token=admin).json()
        for path in ("/v1/admin/settings", "/v1/admin/metrics/sales", achievement)
    }
    listed_before = api.get("/v1/admin/achievements", token=admin).json()

    answers = {}
    for method, path, body in targets:
        for field in SERVER_OWNED:
            summary.probe("mass assignment", f"{method} {path}")
            answers[(method, path, field)] = api.request(
                method, path, token=admin, json={**body, field: 99}
            )
    for field in [f for f in SERVER_OWNED if f != "id"]:
        summary.probe("mass assignment", "POST /v1/events")
        answers[("POST", "/v1/events", f"events[0].{field}")] = api.post(
            "/v1/events", token=machine, json={"events": [{**sale(), field: 99}]}
        )
        answers[("POST", "/v1/events", field)] = api.post(
            "/v1/events", token=machine, json={"events": [sale()], field: 99}
        )

    not_refused = {
        key: (r.status_code, r.text[:120]) for key, r in answers.items() if not _refused(r, key[2])
    }
    assert not_refused == {}
    assert api.get("/v1/admin/users/ada", token=admin).status_code == 404
    assert {path: api.get(path, token=admin).json() for path in before} == before
    assert api.get("/v1/admin/achievements", token=admin).json() == listed_before
    clean = api.post("/v1/events", token=machine, json={"events": [sale()]})
    assert clean.json() == {"accepted": ["e-1"], "duplicates": []}


def _batch(count: int, **extra: Any) -> dict[str, Any]:
    return {"events": [sale(f"e-{i}", **extra) for i in range(count)]}


LIMITS: list[tuple[str, Callable[[], Any], str]] = [
    ("101 events", lambda: _batch(101), "events"),
    ("0 events", lambda: {"events": []}, "events"),
    ("id of 129 characters", lambda: {"events": [sale("x" * 129)]}, "events[0].id"),
    ("user id of 129", lambda: {"events": [sale(user_id="u" * 129)]}, "events[0].user_id"),
    (
        "21 attributes",
        lambda: {"events": [sale(attributes={f"a{i}": i for i in range(21)})]},
        "events[0].attributes",
    ),
    ("huge value", lambda: {"events": [sale(value=1e16)]}, "events[0].value"),
    (
        "nested attribute",
        lambda: {"events": [sale(attributes={"deal": {"size": 5}})]},
        "events[0].attributes.deal",
    ),
    (
        "attribute list",
        lambda: {"events": [sale(attributes={"tags": ["a", "b"]})]},
        "events[0].attributes.tags",
    ),
]


@pytest.mark.parametrize(("case", "body", "field"), LIMITS, ids=[c for c, _, _ in LIMITS])
def test_event_batches_beyond_the_limits_are_422_naming_the_field(
    api: Api,
    tenant_id: str,
    machine_token: Callable[..., str],
    case: str,
    body: Callable[[], Any],
    field: str,
) -> None:
    summary.probe("limits", "POST /v1/events")

    response = api.post("/v1/events", token=machine_token(tenant_id), json=body())

    assert response.status_code == 422, response.text
    assert any(f.startswith(field) for f in error_fields(response)), error_fields(response)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_values_are_422(
    api: Api, tenant_id: str, machine_token: Callable[..., str], number: str
) -> None:
    summary.probe("limits", "POST /v1/events")
    raw = (
        '{"events": [{"id": "e-1", "type": "sale.closed", "user_id": "ada", '
        f'"occurred_at": "{now_z()}", "value": {number}}}]}}'
    )

    response = api.post(
        "/v1/events",
        token=machine_token(tenant_id),
        data=raw,
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 422, response.text
    assert any(f.startswith("events[0].value") for f in error_fields(response)), error_fields(
        response
    )


def test_a_body_over_256_kib_is_413_and_nothing_is_stored(
    api: Api, tenant_id: str, machine_token: Callable[..., str]
) -> None:
    padding = {f"p{i}": "x" * 250 for i in range(20)}
    body = _batch(100, attributes=padding)
    token = machine_token(tenant_id)
    summary.probe("limits", "POST /v1/events")

    response = api.post("/v1/events", token=token, json=body)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert api.post("/v1/events", token=token, json=_batch(1)).json()["accepted"] == ["e-0"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/admin/users/ada", {"display_name": "n" * 201}, "display_name"),
        ("/v1/admin/users/ada", {"org_id": "o" * 129}, "org_id"),
        ("/v1/admin/metrics/sales", {"event_type": "e" * 101, "aggregate": "count"}, "event_type"),
    ],
)
def test_string_limits_are_422_naming_the_field(
    api: Api, tenant_id: str, admin_token: Callable[..., str], path: str, body: Any, field: str
) -> None:
    summary.probe("limits", f"PUT {path}")

    response = api.put(path, token=admin_token(tenant_id), json=body)

    assert response.status_code == 422
    assert field in error_fields(response)


def test_an_achievement_name_of_201_characters_is_422(
    api: Api, tenant_id: str, admin_token: Callable[..., str]
) -> None:
    summary.probe("limits", "POST /v1/admin/achievements")
    body = {"name": "n" * 201, "type": "event", "event_type": "course.completed"}

    response = api.post("/v1/admin/achievements", token=admin_token(tenant_id), json=body)

    assert response.status_code == 422
    assert "name" in error_fields(response)


def test_a_path_id_of_129_characters_is_422(
    api: Api, tenant_id: str, admin_token: Callable[..., str]
) -> None:
    summary.probe("limits", "PUT /v1/admin/users/{user_id}")

    response = api.put(f"/v1/admin/users/{'u' * 129}", token=admin_token(tenant_id), json={})

    assert response.status_code == 422
    assert "user_id" in error_fields(response)
