"""The HTTP API in process: the handlers with API Gateway's payload 2.0 and a container of fakes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openapi_spec_validator import validate

from accolade.domain.models import TenantSettings
from accolade_local.handlers import load_handler
from tests.fakes import FakeContainer
from tests.http_events import call, claims, http_event, sale, threshold_achievement
from tests.unit.builders import ADMIN, TENANT, closer, ingest_and_evaluate, metric, sales

api = load_handler("api")
ingest = load_handler("ingest_events")

USER = claims(TENANT, "alice")
MACHINE = claims(TENANT, "crm-sync", scope="events:write")


pytestmark = pytest.mark.usefixtures("fakes")


def send_events(events: list[dict[str, Any]], who: dict[str, str] = MACHINE) -> tuple[int, Any]:
    return call(ingest, http_event("POST", "/v1/events", body={"events": events}, claims=who))


def assert_error(body: Any, code: str, field: str) -> None:
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert field in [detail.get("field") for detail in body["error"]["details"]], body
    assert body["error"]["message"].startswith(field)


def test_health_needs_no_token() -> None:
    assert call(api, http_event("GET", "/v1/health")) == (200, {"status": "ok", "stage": "test"})


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/admin/settings", None),
        ("PUT", "/v1/admin/settings", {"timezone": "UTC"}),
        ("GET", "/v1/admin/metrics", None),
        ("PUT", "/v1/admin/metrics/sales", {"event_type": "sale.closed", "aggregate": "count"}),
        ("PUT", "/v1/admin/users/bob", {"display_name": "Bob"}),
        ("GET", "/v1/admin/achievements", None),
        ("POST", "/v1/admin/achievements", {"name": "X", "type": "event", "event_type": "a.b"}),
    ],
)
def test_admin_routes_are_for_admins(
    fakes: FakeContainer, method: str, path: str, body: Any
) -> None:
    as_user = call(api, http_event(method, path, body=body, claims=USER))
    anonymous = call(api, http_event(method, path, body=body))
    as_machine = call(api, http_event(method, path, body=body, claims=MACHINE))

    assert [as_user[0], as_machine[0], anonymous[0]] == [403, 403, 401]
    assert as_user[1]["error"]["code"] == "forbidden"
    assert anonymous[1]["error"]["code"] == "unauthorized"
    assert fakes.config.get_config(TENANT).settings == TenantSettings()
    assert fakes.config.get_config(TENANT).metrics == ()
    assert fakes.users.get_users(TENANT, ["bob"]) == {}


def test_admin_settings_round_trip(fakes: FakeContainer) -> None:
    body = {
        "timezone": "Europe/Berlin",
        "features": {"coins": True},
        "winners_grace_hours": 72,
        "expiry_notice_days": 60,
    }

    put = call(api, http_event("PUT", "/v1/admin/settings", body=body, claims=ADMIN))
    get = call(api, http_event("GET", "/v1/admin/settings", claims=ADMIN))

    assert put == get == (200, body)
    assert fakes.config.get_config(TENANT).settings.timezone == "Europe/Berlin"


def test_a_bad_timezone_is_422_naming_timezone(fakes: FakeContainer) -> None:
    status, body = call(
        api,
        http_event("PUT", "/v1/admin/settings", body={"timezone": "Mars/Base"}, claims=ADMIN),
    )

    assert status == 422
    assert_error(body, "validation_error", "timezone")
    assert fakes.config.get_config(TENANT).settings == TenantSettings()


@pytest.mark.parametrize("hours", [-1, 73, 1.5, "2", True])
def test_a_grace_outside_0_to_72_whole_hours_is_422_naming_it(
    fakes: FakeContainer, hours: object
) -> None:
    body = {"timezone": "Pacific/Auckland", "winners_grace_hours": hours}

    status, answer = call(api, http_event("PUT", "/v1/admin/settings", body=body, claims=ADMIN))

    assert status == 422
    assert_error(answer, "validation_error", "winners_grace_hours")
    assert fakes.config.get_config(TENANT).settings == TenantSettings()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/admin/settings", {"timezone": "UTC", "colour": "red"}, "colour"),
        ("/v1/admin/settings", {"features": {"coins": True, "gems": True}}, "features.gems"),
        ("/v1/admin/users/bob", {"display_name": "Bob", "email": "b@x"}, "email"),
    ],
)
def test_unknown_fields_are_422_naming_the_field(
    fakes: FakeContainer, path: str, body: dict[str, Any], field: str
) -> None:
    status, answer = call(api, http_event("PUT", path, body=body, claims=ADMIN))

    assert status == 422
    assert_error(answer, "validation_error", field)
    assert fakes.users.get_users(TENANT, ["bob"]) == {}


def test_posting_events_needs_the_scope(fakes: FakeContainer) -> None:
    as_user = send_events([sale()], USER)
    as_admin = send_events([sale()], ADMIN)
    cognito = send_events([sale("e-2")], claims(TENANT, "c", scope="accolade/events:write"))

    assert (as_user[0], as_admin[0]) == (403, 403)
    assert cognito[0] == 202
    assert [e.event_id for e in fakes.events.stored(TENANT)] == ["e-2"]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"occurred_at": "2026-11-24T09:00:00"}, "events[1].occurred_at"),
        ({"occurred_at": "yesterday"}, "events[1].occurred_at"),
        ({"occurred_at": "2026-11-24T11:00:00Z"}, "events[1].occurred_at"),
        ({"type": "Sale Closed"}, "events[1].type"),
        ({"value": "12"}, "events[1].value"),
        ({"user_id": ""}, "events[1].user_id"),
        ({"colour": "red"}, "events[1].colour"),
    ],
)
def test_an_invalid_event_is_422_naming_it_and_nothing_is_stored(
    fakes: FakeContainer, bad: dict[str, Any], field: str
) -> None:
    status, body = send_events([sale("ok"), sale("bad", **bad)])

    assert status == 422
    assert field in [detail["field"] for detail in body["error"]["details"]], body
    assert fakes.events.stored(TENANT) == []


def test_the_same_id_with_two_payloads_in_a_batch_is_422(fakes: FakeContainer) -> None:
    status, body = send_events([sale("e-1", value=1), sale("e-1", value=2)])

    assert status == 422
    assert_error(body, "invalid_input", "events[1].id")
    assert fakes.events.stored(TENANT) == []


def test_events_are_accepted_once_then_reported_as_duplicates(fakes: FakeContainer) -> None:
    first = send_events([sale("e-1"), sale("e-2")])
    again = send_events([sale("e-2"), sale("e-3")])

    assert first == (202, {"accepted": ["e-1", "e-2"], "duplicates": []})
    assert again == (202, {"accepted": ["e-3"], "duplicates": ["e-2"]})
    assert len(fakes.events.stored(TENANT)) == 3


def test_the_same_id_with_another_payload_is_409(fakes: FakeContainer) -> None:
    send_events([sale("e-1", value=1)])

    status, body = send_events([sale("e-9"), sale("e-1", value=2)])

    assert status == 409
    assert body["error"]["code"] == "conflict"
    assert [e.event_id for e in fakes.events.stored(TENANT)] == ["e-1"]


def test_the_tenant_comes_only_from_the_token(fakes: FakeContainer) -> None:
    smuggled = send_events([sale("e-1", tenant_id="tenant-b")])
    top_level = call(
        ingest,
        http_event(
            "POST",
            "/v1/events",
            body={"tenant_id": "tenant-b", "events": [sale("e-2")]},
            claims=MACHINE,
        ),
    )

    from_token = send_events([sale("e-3")])

    assert smuggled[0] == top_level[0] == 422
    assert_error(smuggled[1], "validation_error", "events[0].tenant_id")
    assert_error(top_level[1], "validation_error", "tenant_id")
    assert from_token[0] == 202
    assert [e.event_id for e in fakes.events.stored(TENANT)] == ["e-3"]
    assert fakes.events.stored("tenant-b") == []


def test_a_body_over_256_kib_is_413(fakes: FakeContainer) -> None:
    padding = "x" * (256 * 1024)
    event = http_event(
        "POST", "/v1/events", raw_body=json.dumps({"events": [sale(note=padding)]}), claims=MACHINE
    )

    status, body = call(ingest, event)

    assert status == 413
    assert body["error"]["code"] == "payload_too_large"
    assert fakes.events.stored(TENANT) == []


def test_a_body_just_under_the_limit_is_read(fakes: FakeContainer) -> None:
    events = [sale(f"e-{n}", attributes={"note": "x" * 250}) for n in range(100)]

    status, body = send_events(events)

    assert status == 202
    assert len(body["accepted"]) == 100


def test_me_routes_show_the_callers_own_awards_with_live_names(fakes: FakeContainer) -> None:
    metric(fakes)
    family = closer(fakes)
    ingest_and_evaluate(fakes, sales(5, "2026-11-24T08:00:00Z"))
    call(
        api,
        http_event(
            "PATCH",
            f"/v1/admin/achievements/{family.achievement_id}",
            body={"name": "Deal Maker"},
            claims=ADMIN,
        ),
    )

    awards = call(api, http_event("GET", "/v1/me/awards", claims=USER))
    achievements = call(api, http_event("GET", "/v1/me/achievements", claims=USER))
    wallet = call(api, http_event("GET", "/v1/me/wallet", claims=USER))
    bobs = call(api, http_event("GET", "/v1/me/awards", claims=claims(TENANT, "bob")))

    assert [(a["achievement_name"], a["level"], a["points"]) for a in awards[1]["items"]] == [
        ("Deal Maker", 1, 50)
    ]
    assert [(a["name"], a["earned"]) for a in achievements[1]["items"]] == [("Deal Maker", True)]
    assert wallet == (200, {"points": 50, "coins": 0})
    assert bobs == (200, {"items": [], "next_cursor": None})


def test_me_achievements_refuses_an_unknown_sort(fakes: FakeContainer) -> None:
    status, body = call(
        api, http_event("GET", "/v1/me/achievements", claims=USER, query={"sort": "colour"})
    )

    assert status == 422
    assert_error(body, "validation_error", "sort")


def test_type_is_immutable_over_http(fakes: FakeContainer) -> None:
    metric(fakes)
    created = call(
        api,
        http_event(
            "POST",
            "/v1/admin/achievements",
            body=threshold_achievement("Closer", "week", threshold=5, points=50),
            claims=ADMIN,
        ),
    )
    achievement_id = created[1]["id"]

    patched = call(
        api,
        http_event(
            "PATCH",
            f"/v1/admin/achievements/{achievement_id}",
            body={"type": "event", "event_type": "a.b"},
            claims=ADMIN,
        ),
    )

    assert created[0] == 201 and created[1]["version"] == 1
    assert patched[0] == 422
    assert_error(patched[1], "invalid_input", "type")


def test_openapi_document_is_valid_and_lists_every_route() -> None:
    status, document = call(api, http_event("GET", "/v1/openapi.json"))

    validate(document)
    assert status == 200
    operations = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "put", "post", "patch", "delete"}
    }
    assert operations >= {
        ("GET", "/v1/health"),
        ("POST", "/v1/events"),
        ("GET", "/v1/admin/settings"),
        ("PUT", "/v1/admin/settings"),
        ("GET", "/v1/admin/users/{user_id}"),
        ("PUT", "/v1/admin/users/{user_id}"),
        ("GET", "/v1/admin/metrics"),
        ("GET", "/v1/admin/metrics/{metric_id}"),
        ("PUT", "/v1/admin/metrics/{metric_id}"),
        ("GET", "/v1/admin/achievements"),
        ("POST", "/v1/admin/achievements"),
        ("GET", "/v1/admin/achievements/{achievement_id}"),
        ("PATCH", "/v1/admin/achievements/{achievement_id}"),
        ("GET", "/v1/me/achievements"),
        ("GET", "/v1/me/awards"),
        ("GET", "/v1/me/wallet"),
        ("GET", "/v1/me/ledger"),
        ("GET", "/v1/me/messages"),
    }
    invalid = document["paths"]["/v1/events"]["post"]["responses"]["422"]
    reference = invalid["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][reference.rsplit("/", 1)[-1]]
    assert schema["required"] == ["error"]
    assert set(schema["properties"]["error"]["required"]) == {"code", "message", "details"}
