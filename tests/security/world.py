"""Two tenants with data, built once per session over HTTP, and the routes of the OpenAPI document."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from accolade_local.stack import LocalStack
from tests.stack_fixtures import Api

METHODS = ("get", "put", "post", "patch", "delete")


# Query parameters a route requires (filled from the ids, like path parameters).
REQUIRED_QUERY = {"/v1/admin/reports/completion": ("achievement_id",)}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    tags: frozenset[str]
    has_body: bool

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def params(self) -> list[str]:
        return re.findall(r"{([^}]+)}", self.path)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.tags or self.path.startswith("/v1/admin/")

    @property
    def is_public(self) -> bool:
        """Answered without a token: health, the verification of a credential, the built-in
        badges."""
        return bool(self.tags & {"system", "verify", "badges"})

    @property
    def is_events(self) -> bool:
        return self.path == "/v1/events"

    def url(self, ids: dict[str, str]) -> str:
        """The path with tenant A's ids, and the query parameters the route requires."""
        wanted = [*self.params, *REQUIRED_QUERY.get(self.path, ())]
        missing = [p for p in wanted if p not in ids]
        assert not missing, (
            f"{self.label}: no id of tenant A for {missing}; add one to the security world"
        )
        path = re.sub(r"{([^}]+)}", lambda m: ids[m.group(1)], self.path)
        query = "&".join(f"{name}={ids[name]}" for name in REQUIRED_QUERY.get(self.path, ()))
        return f"{path}?{query}" if query else path


def routes(document: dict[str, Any]) -> list[Route]:
    return [
        Route(
            method,
            path,
            frozenset(operation.get("tags") or ()),
            "requestBody" in operation,
        )
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def now_z(seconds_ago: int = 5) -> str:
    at = datetime.now(UTC) - timedelta(seconds=seconds_ago)
    return at.isoformat().replace("+00:00", "Z")


def sale(event_id: str = "e-1", **extra: Any) -> dict[str, Any]:
    """One sale by ada, just now, with ``extra`` fields."""
    return {
        "id": event_id,
        "type": "sale.closed",
        "user_id": "ada",
        "occurred_at": now_z(),
        **extra,
    }


def error_fields(response: Any) -> list[str]:
    """The fields an error answer names."""
    return [detail["field"] for detail in response.json()["error"]["details"]]


def sales(user: str, count: int, prefix: str) -> dict[str, Any]:
    at = now_z()
    return {
        "events": [
            {"id": f"{prefix}-{i}", "type": "sale.closed", "user_id": user, "occurred_at": at}
            for i in range(count)
        ]
    }


@dataclass
class Tenant:
    tenant_id: str
    admin: str
    machine: str
    users: dict[str, str] = field(default_factory=dict)


@dataclass
class World:
    """Tenant A owns a user, a metric, an achievement and awards; tenant B owns nothing alike."""

    a: Tenant
    b: Tenant
    ids: dict[str, str]
    award_ids: list[str]

    def user(self, tenant: Tenant, user: str) -> str:
        return tenant.users[user]


def build_world(api: Api, stack: LocalStack) -> World:
    def tenant(name: str) -> Tenant:
        tenant_id = f"t-{name}-{uuid.uuid4().hex[:8]}"
        return Tenant(
            tenant_id,
            admin=stack.token(tenant_id, "admin-1", admin=True),
            machine=stack.token(tenant_id, "ingest-client", scopes=("events:write",)),
            users={u: stack.token(tenant_id, u) for u in ("ada", "bob")},
        )

    a, b = tenant("a"), tenant("b")
    suffix = uuid.uuid4().hex[:6]
    user_id, metric_id = "ada", f"sales-{suffix}"
    # Ids unique to A: whatever B sees under them can only be A's data leaking. Two users in two
    # organisations: the completion report has a second page at limit=1.
    for name, org in ((user_id, "org-a"), ("bob", "org-b")):
        profile = {"display_name": name.title(), "org_id": org}
        assert api.put(f"/v1/admin/users/{name}", token=a.admin, json=profile).ok
    metric = {"event_type": "sale.closed", "aggregate": "count"}
    assert api.put(f"/v1/admin/metrics/{metric_id}", token=a.admin, json=metric).ok
    closer = {
        "name": "Closer",
        "type": "metric_threshold",
        "metric": metric_id,
        "time_range": "week",
        "levels": [{"threshold": 5, "points": 10}, {"threshold": 10, "points": 25}],
    }
    created = api.post("/v1/admin/achievements", token=a.admin, json=closer)
    assert created.status_code == 201, created.text
    posted = api.post("/v1/events", token=a.machine, json=sales(user_id, 12, f"a-{suffix}"))
    assert posted.status_code == 202, posted.text
    stack.drain(60)
    goal = {"metric": metric_id, "period": "week", "target": 5}
    assert api.put(f"/v1/me/goals/goal-{suffix}", token=a.users["ada"], json=goal).ok
    awards = api.get("/v1/me/awards", token=a.users["ada"]).json()["items"]
    assert len(awards) == 2, awards
    award_ids = [award["award_id"] for award in awards]
    course_ids = _courses(api, a, suffix)
    sequence = {"name": "Seq", "event_format": f"A{suffix}-{{{{sequence_number}}}}"}
    assert api.put(f"/v1/admin/sequences/seq-{suffix}", token=a.admin, json=sequence).ok
    # A pending custom badge (no upload): its view holds no link that changes with time.
    # Two of them and two exports: both lists have a second page at limit=1.
    badge = {"name": "Secret", "levels": 1, "content_type": "image/png"}
    export = {"achievement_id": created.json()["id"]}
    badges = [api.post("/v1/admin/badges", token=a.admin, json=badge) for _ in range(2)]
    exports = [api.post("/v1/admin/exports", token=a.admin, json=export) for _ in range(2)]
    assert [r.status_code for r in badges + exports] == [201, 201, 202, 202]
    badge_created, export_started = badges[0], exports[0]
    ids = {
        "user_id": user_id,
        "metric_id": metric_id,
        "achievement_id": created.json()["id"],
        "award_id": award_ids[0],
        "goal_id": f"goal-{suffix}",
        **course_ids,
        "sequence_id": f"seq-{suffix}",
        "identifier": f"A{suffix}-1",
        "badge_id": badge_created.json()["badge_id"],
        "export_id": export_started.json()["export_id"],
        "family": "sales",
        "level": "2",
        # An award's inbox message has the award's id (deliver_messages wrote it in the drain).
        "message_id": award_ids[0],
    }
    return World(a, b, ids, award_ids)


def _courses(api: Api, a: Tenant, suffix: str) -> dict[str, str]:
    """A course template, an event of it with two learners' (failed) results, and a path."""
    course = {"name": "CPR", "type": "course_completion"}
    created = api.post("/v1/admin/achievements", token=a.admin, json=course)
    assert created.status_code == 201, created.text
    achievement_id = created.json()["id"]
    ids = {
        "template_id": f"cpr-{suffix}",
        "course_event_id": f"cpr-{suffix}-1",
        "path_id": f"responder-{suffix}",
    }
    writes = [
        (
            f"/v1/admin/course-templates/{ids['template_id']}",
            {
                "name": "CPR",
                "delivery": "classroom",
                "achievements": [{"achievement_id": achievement_id}],
            },
        ),
        (
            f"/v1/admin/course-events/{ids['course_event_id']}",
            {"template_id": ids["template_id"], "name": "CPR 1", "starts_at": now_z()},
        ),
        (
            f"/v1/admin/learning-paths/{ids['path_id']}",
            {"name": "Responder", "courses": [ids["template_id"]]},
        ),
        (
            f"/v1/admin/course-events/{ids['course_event_id']}/results",
            {
                "results": [
                    {"user_id": user, "achievement_id": achievement_id, "outcome": "fail"}
                    for user in ("ada", "bob")  # two learners: a list of two pages of one
                ]
            },
        ),
    ]
    for path, body in writes:
        written = api.put(path, token=a.admin, json=body)
        assert written.status_code == 200, written.text
    return ids


# A legitimate body per writing route; a new writing route fails until it gets one here.
VALID_BODIES: dict[str, Any] = {
    "PUT /v1/admin/settings": {"timezone": "Asia/Tokyo"},
    "PUT /v1/admin/users/{user_id}": {"display_name": "Mallory"},
    "PUT /v1/admin/metrics/{metric_id}": {"event_type": "hack.done", "aggregate": "count"},
    "POST /v1/admin/achievements": {
        "name": "Hijack",
        "type": "event",
        "event_type": "hack.done",
    },
    "PATCH /v1/admin/achievements/{achievement_id}": {"name": "Hijacked", "enabled": False},
    "POST /v1/admin/achievements/{achievement_id}/awards": {"user_id": "mallory"},
    "POST /v1/admin/awards/{award_id}/revoke": {"reason": "hijack"},
    "PUT /v1/admin/sequences/{sequence_id}": {
        "name": "Hijack",
        "event_format": "H-{{sequence_number}}",
    },
    "PATCH /v1/admin/awards/{award_id}": {"valid_until": None},
    "PUT /v1/me/featured-award": {"award_id": "QUJD"},
    "PUT /v1/me/goals/{goal_id}": {"metric": "calls", "period": "day", "target": 1},
    "PUT /v1/admin/users/{user_id}/goals/{goal_id}": {
        "metric": "calls",
        "period": "day",
        "target": 1,
    },
    "PUT /v1/admin/course-templates/{template_id}": {"name": "Hijack", "delivery": "classroom"},
    "PUT /v1/admin/course-events/{course_event_id}": {
        "template_id": "hijack",
        "name": "Hijack",
        "starts_at": "2026-11-24T09:00:00Z",
    },
    "PUT /v1/admin/learning-paths/{path_id}": {"name": "Hijack", "courses": ["hijack"]},
    "PUT /v1/admin/course-events/{course_event_id}/results": {
        "results": [{"user_id": "mallory", "outcome": "pass"}]
    },
    "POST /v1/admin/badges": {"name": "Hijack", "levels": 1, "content_type": "image/png"},
    "POST /v1/admin/exports": {"status": "active"},
    "POST /v1/events": {
        "events": [{"id": "b-1", "type": "sale.closed", "user_id": "ada", "occurred_at": "NOW"}]
    },
    "POST /v1/admin/achievements/simulate": {
        "definition": {"name": "Probe", "type": "event", "event_type": "hack.done"},
        "user_ids": ["mallory"],
    },
}


def valid_body(route: Route) -> Any:
    if not route.has_body:
        return None
    assert route.label in VALID_BODIES, f"{route.label}: add a valid body to VALID_BODIES"
    body = VALID_BODIES[route.label]
    if route.is_events:
        body = {"events": [{**e, "occurred_at": now_z()} for e in body["events"]]}
    return body
