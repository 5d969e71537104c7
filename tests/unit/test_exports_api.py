"""The exports routes in process (API Gateway's payload 2.0, a container of fakes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from accolade.domain.exports import Export, ExportFilters
from accolade.domain.models import UserProfile
from accolade.services import exports
from accolade_local.handlers import LambdaContext, load_handler
from tests.fakes import FakeContainer
from tests.http_events import call, claims, http_event
from tests.unit.builders import ADMIN, OTHER_TENANT, TENANT, event_achievement, wired
from tests.unit.test_exports_service import START, award

api = load_handler("api")
job = load_handler("export_awards")

pytestmark = pytest.mark.usefixtures("fakes")


def post(body: Any, who: dict[str, str] = ADMIN) -> tuple[int, Any]:
    return call(api, http_event("POST", "/v1/admin/exports", body=body, claims=who))


def get(path: str, who: dict[str, str] = ADMIN, **query: str) -> tuple[int, Any]:
    return call(api, http_event("GET", path, claims=who, query=query))


def test_an_export_is_accepted_then_followed_until_its_link(fakes: FakeContainer) -> None:
    achievement_id = event_achievement(fakes, "Closer", "deal.closed").achievement_id
    fakes.users.put_user(TENANT, UserProfile(user_id="u1", org_id="acme"))
    fakes.awards.grant(TENANT, "u1", [award(achievement_id, "u1", START)])
    asked = {"achievement_id": achievement_id, "org_id": "acme", "status": "active"}

    status, started = post(asked | {"from": "2026-03-01T00:00:00Z", "to": "2026-03-31T00:00:00Z"})
    export_id = started["export_id"]
    running = get(f"/v1/admin/exports/{export_id}")
    wired(exports.run_export, fakes, TENANT, export_id)
    done = get(f"/v1/admin/exports/{export_id}")

    assert status == 202 and set(started) == {"export_id"}
    assert running[0] == 200 and running[1]["status"] == "running" and running[1]["rows"] == 0
    assert "url" not in running[1] or running[1]["url"] is None
    assert running[1]["filters"] == asked | {
        "from": "2026-03-01T00:00:00Z",
        "to": "2026-03-31T00:00:00Z",
    }
    assert done[1]["status"] == "done" and done[1]["rows"] == 1
    assert done[1]["url"].endswith(f"/exports/{TENANT}/{export_id}.csv?expires_in=900")
    assert done[1]["requested_by"] == "root"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "lapsed"}, "status"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-03-01T00:00:00"}, "to"),  # no offset
        ({"from": "2026-03-02T00:00:00Z", "to": "2026-03-01T00:00:00Z"}, "to"),
        ({"achievement_id": "not an id"}, "achievement_id"),
        ({"org_id": "x" * 129}, "org_id"),
        ({"format": "xlsx"}, "format"),
    ],
)
def test_bad_filters_are_refused_naming_the_field_and_nothing_is_stored(
    fakes: FakeContainer, body: dict[str, Any], field: str
) -> None:
    status, answer = post(body)

    assert status == 422, answer
    assert field in [detail["field"] for detail in answer["error"]["details"]]
    assert get("/v1/admin/exports")[1]["items"] == []


def test_another_tenants_export_is_not_found() -> None:
    _, started = post({})

    status, answer = get(
        f"/v1/admin/exports/{started['export_id']}", claims(OTHER_TENANT, "root", admin=True)
    )

    assert status == 404 and answer["error"]["code"] == "not_found"


def test_exports_are_for_admins() -> None:
    user = claims(TENANT, "alice")

    assert post({}, user)[0] == 403
    assert get("/v1/admin/exports", user)[0] == 403


def test_the_list_pages_newest_first_with_a_cursor_bound_to_the_tenant(
    fakes: FakeContainer,
) -> None:
    started = []
    for minute in range(3):
        fakes.clock.set(START.replace(minute=minute))
        started.append(post({})[1]["export_id"])

    first = get("/v1/admin/exports", limit="2")[1]
    second = get("/v1/admin/exports", limit="2", cursor=first["next_cursor"])[1]
    foreign = get(
        "/v1/admin/exports",
        claims(OTHER_TENANT, "root", admin=True),
        limit="2",
        cursor=first["next_cursor"],
    )

    listed = [e["export_id"] for e in first["items"] + second["items"]]
    assert listed == started[::-1] and second["next_cursor"] is None
    assert foreign[0] == 400


def test_the_sample_request_and_stream_record_run_one_export(fakes: FakeContainer) -> None:
    events = Path(__file__).resolve().parents[2] / "events"
    request = json.loads((events / "api/post_export.json").read_text())
    record = json.loads((events / "export_awards/export_inserted.json").read_text())
    export_id = record["Records"][0]["dynamodb"]["NewImage"]["export_id"]["S"]
    fakes.exports.create(
        "demo",
        Export(
            export_id=export_id,
            filters=ExportFilters(org_id="org-emea"),
            created_at=START,
            requested_by="admin-1",
        ),
    )
    achievement_id = event_achievement(fakes, "Closer", "deal.closed", tenant_id="demo")
    for user_id, org in (("user-1", "org-emea"), ("user-2", "org-apac")):
        fakes.users.put_user("demo", UserProfile(user_id=user_id, org_id=org))
        given = award(achievement_id.achievement_id, user_id, START)
        fakes.awards.grant("demo", user_id, [given])

    request["body"] = request["body"].replace('"closer"', f'"{achievement_id.achievement_id}"')
    asked = api.lambda_handler(request, LambdaContext())
    answers = [job.lambda_handler(record, LambdaContext()) for _ in range(2)]

    assert asked["statusCode"] == 202
    assert answers == [{"batchItemFailures": []}] * 2
    assert fakes.export_files.writes == 1
    body = fakes.export_files.files[f"exports/demo/{export_id}.csv"].decode()
    assert [line.split(",")[1] for line in body.splitlines()[1:]] == ["user-1"]
