"""What a hostile client sends: each case is answered at the door, and nothing of it is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest

from accolade.domain.errors import ConflictError
from accolade.domain.limits import MAX_METRICS_PER_EVENT_TYPE, check_number
from accolade.domain.models import Aggregate, Metric
from accolade.domain.periods import zone
from accolade_local.handlers import load_handler
from tests.fakes import FakeContainer
from tests.http_events import call, claims, http_event, sale
from tests.unit.builders import ADMIN, TENANT

api = load_handler("api")
ingest = load_handler("ingest_events")

MACHINE = claims(TENANT, "crm-sync", scope="events:write")


pytestmark = pytest.mark.usefixtures("fakes")


def post_raw(text: str, who: dict[str, str] = MACHINE) -> tuple[int, Any]:
    return call(ingest, http_event("POST", "/v1/events", raw_body=text, claims=who))


def post(events: list[dict[str, Any]], who: dict[str, str] = MACHINE) -> tuple[int, Any]:
    return post_raw(json.dumps({"events": events}), who)


def fields_of(body: Any) -> list[str]:
    return [detail.get("field") for detail in body["error"]["details"]]


@pytest.mark.parametrize(
    ("occurred_at", "zone_name"),
    [
        ("0001-01-01T00:00:00Z", "America/New_York"),
        ("0001-01-01T00:00:00+14:00", "UTC"),
        ("1999-12-31T23:59:59Z", "UTC"),
    ],
)
def test_dates_before_2000_are_refused_where_they_arrive(
    fakes: FakeContainer, occurred_at: str, zone_name: str
) -> None:
    call(api, http_event("PUT", "/v1/admin/settings", body={"timezone": zone_name}, claims=ADMIN))

    status, body = post([sale(occurred_at=occurred_at)])

    assert status == 422
    assert fields_of(body) == ["events[0].occurred_at"]
    assert fakes.events.stored(TENANT) == []


@pytest.mark.parametrize("zone_name", ["Etc/GMT+12", "Pacific/Kiritimati"])
def test_the_earliest_accepted_date_is_accepted_in_any_zone(zone_name: str) -> None:
    call(api, http_event("PUT", "/v1/admin/settings", body={"timezone": zone_name}, claims=ADMIN))

    status, _ = post([sale(occurred_at="2000-01-01T00:00:00Z")])

    assert status == 202


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"value": 1e-200}, "events[0].value"),
        ({"value": 0.0000000001}, "events[0].value"),
        ({"value": 10**125}, "events[0].value"),
        ({"value": 1e16}, "events[0].value"),
        ({"attributes": {"amount": 1e-200}}, "events[0].attributes.amount"),
        ({"attributes": {"amount": 10**125}}, "events[0].attributes.amount"),
    ],
)
def test_numbers_dynamodb_cannot_store_or_sum_are_422(
    fakes: FakeContainer, fields: dict[str, Any], field: str
) -> None:
    status, body = post([sale(**fields)])

    assert status == 422
    assert field in fields_of(body), body
    assert fakes.events.stored(TENANT) == []


def test_a_5000_digit_integer_is_400_not_500(fakes: FakeContainer) -> None:
    status, body = post_raw('{"events": [{"value": ' + "9" * 5000 + "}]}")

    assert status == 400
    assert body["error"]["code"] == "invalid_json"
    assert body["error"]["message"].startswith("body:")
    assert fakes.events.stored(TENANT) == []


def test_the_largest_and_finest_numbers_are_accepted() -> None:
    assert check_number(10**15) == 10**15
    assert str(check_number(0.123456789)) == "0.123456789"
    with pytest.raises(ValueError, match="finite"):
        check_number(float("nan"))


@pytest.mark.parametrize(
    ("path", "method", "who", "nest"),
    [
        ("/v1/events", "POST", MACHINE, lambda deep: {"events": deep}),
        ("/v1/events", "POST", MACHINE, lambda deep: {"events": [sale(attributes={"a": deep})]}),
        ("/v1/admin/achievements", "POST", ADMIN, lambda deep: {"name": "X", "levels": deep}),
    ],
)
def test_deep_json_is_400_in_any_body(
    fakes: FakeContainer, path: str, method: str, who: dict[str, str], nest: Any
) -> None:
    deep = "[" * 1000 + "]" * 1000
    text = json.dumps(nest("DEEP")).replace('"DEEP"', deep)
    handler = ingest if path == "/v1/events" else api

    status, body = call(handler, http_event(method, path, raw_body=text, claims=who))

    assert status == 400
    assert body["error"]["message"] == "body: nested deeper than 32 levels"
    assert fakes.events.stored(TENANT) == []


@pytest.mark.parametrize(
    "token",
    [
        {"sub": "u" * 3000, "tenant_id": TENANT},
        {"sub": "alice", "tenant_id": "t" * 3000},
        {"sub": "alice", "tenant_id": "a#b"},
        {"sub": "alice", "tenant_id": ["a", "b"]},
        {"sub": 42, "tenant_id": TENANT},
        {"sub": "", "tenant_id": TENANT},
    ],
)
def test_claims_that_are_not_ids_are_401(fakes: FakeContainer, token: dict[str, Any]) -> None:
    shown = {key: str(value) for key, value in token.items()}

    status, body = call(api, http_event("GET", "/v1/me/wallet", claims=shown, token_claims=token))

    assert status == 401
    assert body["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    "roles",
    [
        {"roles": ["ops,admin"]},
        {"roles": ["super admin"]},
        {"roles": "admins"},
        {"cognito:groups": ["ops,admin"]},
        {"cognito:groups": ["Admin"]},
    ],
)
def test_a_role_is_matched_by_its_whole_name(fakes: FakeContainer, roles: dict[str, Any]) -> None:
    token = {"sub": "mallory", "tenant_id": TENANT, **roles}
    shown = {k: f"[{' '.join(v)}]" if isinstance(v, list) else str(v) for k, v in token.items()}

    status, body = call(
        api, http_event("GET", "/v1/admin/settings", claims=shown, token_claims=token)
    )

    assert status == 403
    assert body["error"]["code"] == "forbidden"


@pytest.mark.parametrize("groups", [["admin"], ["ops", "admin"]])
def test_cognito_groups_grant_admin_by_exact_name(fakes: FakeContainer, groups: list[str]) -> None:
    token = {"sub": "root", "custom:tenant_id": TENANT, "cognito:groups": groups}
    shown = {"sub": "root", "custom:tenant_id": TENANT, "cognito:groups": f"[{' '.join(groups)}]"}

    status, _ = call(api, http_event("GET", "/v1/admin/settings", claims=shown, token_claims=token))

    assert status == 200


def test_a_token_other_than_the_verified_one_is_401(fakes: FakeContainer) -> None:
    verified = claims(TENANT, "alice")
    forged = {"sub": "alice", "tenant_id": TENANT, "roles": ["admin"], "iat": "1"}

    status, _ = call(
        api, http_event("GET", "/v1/admin/settings", claims=verified, token_claims=forged)
    )

    assert status == 401


@pytest.mark.parametrize(
    ("scope", "status"),
    [
        ("events:write", 202),
        ("accolade/events:write", 202),
        ("evil/events:write", 403),
        ("events:write-all", 403),
        ("accolade/events:read", 403),
    ],
)
def test_only_our_resource_servers_scope_writes_events(scope: str, status: int) -> None:
    assert post([sale()], claims(TENANT, "crm", scope=scope))[0] == status


def test_a_period_winner_needs_an_existing_metric(fakes: FakeContainer) -> None:
    definition = {"name": "Top", "type": "period_top", "metric": "nope", "period": "week"}

    status, body = call(
        api, http_event("POST", "/v1/admin/achievements", body=definition, claims=ADMIN)
    )

    assert status == 422
    assert fields_of(body) == ["metric"]
    assert fakes.config.get_config(TENANT).achievements == ()


def put_metric(metric_id: str, event_type: str = "sale.closed") -> tuple[int, Any]:
    body = {"event_type": event_type, "aggregate": "count"}
    return call(api, http_event("PUT", f"/v1/admin/metrics/{metric_id}", body=body, claims=ADMIN))


def test_an_event_type_moves_at_most_24_metrics(fakes: FakeContainer) -> None:
    created = [put_metric(f"m{n}")[0] for n in range(MAX_METRICS_PER_EVENT_TYPE)]

    status, body = put_metric("one-too-many")
    replaced, _ = put_metric("m0")
    elsewhere, _ = put_metric("calls", "call.logged")

    assert created == [200] * MAX_METRICS_PER_EVENT_TYPE
    assert status == 422
    assert fields_of(body) == ["event_type"]
    assert "100 items" in body["error"]["message"]
    assert (replaced, elsewhere) == (200, 200)
    assert len(fakes.config.get_config(TENANT).metrics) == MAX_METRICS_PER_EVENT_TYPE + 1


def test_metric_writes_lock_on_the_metrics_revision(fakes: FakeContainer) -> None:
    seen = fakes.config.get_config(TENANT).metrics_revision
    fakes.config.put_metric(
        TENANT,
        Metric(metric_id="a", event_type="x", aggregate=Aggregate.COUNT),
        expected_revision=seen,
    )

    with pytest.raises(ConflictError):
        fakes.config.put_metric(
            TENANT,
            Metric(metric_id="b", event_type="x", aggregate=Aggregate.COUNT),
            expected_revision=seen,
        )


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ({"occurred_at": "2026-11-24T09:00:00Z"}, {"occurred_at": "2026-11-24T10:00:00+01:00"}),
        ({"attributes": {"amount": 1.0}}, {"attributes": {"amount": 1}}),
        ({"value": 2.50}, {"value": 2.5}),
    ],
)
def test_an_equivalent_resend_is_a_duplicate(
    fakes: FakeContainer, first: dict[str, Any], again: dict[str, Any]
) -> None:
    post([sale("e-1", **first)])

    status, body = post([sale("e-1", **again)])

    assert (status, body) == (202, {"accepted": [], "duplicates": ["e-1"]})


def test_a_resend_that_means_something_else_is_409(fakes: FakeContainer) -> None:
    post([sale("e-1", attributes={"flag": True})])

    assert post([sale("e-1", attributes={"flag": 1})])[0] == 409


@pytest.mark.parametrize("name", ["localtime", "posixrules", "posix/Europe/Paris", "Factory", ""])
def test_only_iana_zone_names_are_accepted(fakes: FakeContainer, name: str) -> None:
    status, body = call(
        api, http_event("PUT", "/v1/admin/settings", body={"timezone": name}, claims=ADMIN)
    )

    assert status == 422
    assert fields_of(body) == ["timezone"]
    with pytest.raises(ValueError, match="IANA"):
        zone(name)


def test_a_number_a_float_cannot_hold_is_refused_not_rounded(fakes: FakeContainer) -> None:
    status, body = post_raw(
        '{"events": [{"id": "e-1", "type": "sale.closed", "user_id": "alice", '
        '"occurred_at": "2026-11-24T09:00:00Z", "value": 999999999999999.999999999}]}'
    )

    assert status == 422
    assert fields_of(body) == ["events[0].value"]
    assert fakes.events.stored(TENANT) == []
