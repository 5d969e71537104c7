"""One valid request per admin route that changes something, for the tests that walk the admin
routes of the OpenAPI document (roles: ``tests/unit/test_audit_access.py``; audit entries:
``tests/integration/test_audit_walk_dynamodb.py``).

Adding an admin route that changes something: one line in ``SAMPLES``, keyed as in
``accolade.entrypoints.http.access.ROUTES``, giving the path and body of a request that succeeds
after the lines before it ran (``Walk.answers`` holds their response bodies). Bodies come from
``events/api`` where a sample payload exists. The walker fails, naming the route, until then.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parents[1] / "events" / "api"


def body_of(sample: str) -> Any:
    """The body of events/api/<sample>.json."""
    return json.loads(json.loads((EVENTS / f"{sample}.json").read_text(encoding="utf-8"))["body"])


@dataclass
class Walk:
    """What the requests walked so far answered, by route key."""

    tenant_id: str = ""
    answers: dict[str, Any] = field(default_factory=dict)

    @property
    def achievement_id(self) -> str:
        return str(self.answers["POST /v1/admin/achievements"]["id"])

    @property
    def award_id(self) -> str:
        return str(self.answers["POST /v1/admin/achievements/{achievement_id}/awards"]["award_id"])


Sample = Callable[[Walk], tuple[str, Any]]


def _results(walk: Walk) -> tuple[str, Any]:
    rows = [{"user_id": "user-1", "achievement_id": walk.achievement_id, "outcome": "pass"}]
    return "/v1/admin/course-events/cpr-2026-11/results", {"results": rows}


def _template(walk: Walk) -> tuple[str, Any]:
    body = body_of("put_course_template")
    body["achievements"] = [{"achievement_id": walk.achievement_id, "rule": "completion"}]
    return "/v1/admin/course-templates/cpr", body


def _path(walk: Walk) -> tuple[str, Any]:
    body = body_of("put_learning_path") | {"achievements": [walk.achievement_id]}
    return "/v1/admin/learning-paths/first-responder", body


def _counted_before_defined(walk: Walk) -> None:
    """user-1 past the Closer badge's first threshold this week, counted before the badge was
    defined (written as evaluation writes counters, outside an admin action): a sync grants it."""
    from accolade.bootstrap import container, inject
    from accolade.domain.models import CounterKey
    from accolade.domain.periods import TimeRange, period_key, zone
    from accolade.ports import EventDeltas
    from accolade.services import admin

    c = container()
    now = c.clock.now()
    inject(admin.create_achievement, c)(walk.tenant_id, body_of("post_achievement"))
    tz = zone(c.config.get_config(walk.tenant_id).settings.timezone)
    counter = CounterKey("user-1", "sales", period_key(TimeRange.WEEK, now, tz))
    c.progress.apply(walk.tenant_id, [EventDeltas("walk-sale", 1, {counter: Decimal(5)})], now)


def _upload_no_image(walk: Walk) -> None:
    """An upload that is not an image, through the badge's upload link: validation settles the
    badge invalid, and that is a change."""
    import requests

    created = walk.answers["POST /v1/admin/badges"]
    (upload,) = created["uploads"]
    sent = requests.post(
        upload["url"], data=upload["fields"], files={"file": b"not a png"}, timeout=10
    )
    assert sent.ok, sent.text


def _badge(walk: Walk) -> str:
    return str(walk.answers["POST /v1/admin/badges"]["badge_id"])


GOAL = {"metric": "sales", "period": "week", "target": 5}

# In walking order: a line may use what the lines before it created.
SAMPLES: dict[str, Sample] = {
    "PUT /v1/admin/settings": lambda w: ("/v1/admin/settings", body_of("put_settings")),
    "PUT /v1/admin/metrics/{metric_id}": lambda w: (
        "/v1/admin/metrics/sales",
        body_of("put_metric"),
    ),
    "PUT /v1/admin/users/{user_id}": lambda w: ("/v1/admin/users/user-1", body_of("put_user")),
    "PUT /v1/admin/users/{user_id}/goals/{goal_id}": lambda w: (
        "/v1/admin/users/user-1/goals/weekly",
        GOAL,
    ),
    "DELETE /v1/admin/users/{user_id}/goals/{goal_id}": lambda w: (
        "/v1/admin/users/user-1/goals/weekly",
        None,
    ),
    "PUT /v1/admin/sequences/{sequence_id}": lambda w: (
        "/v1/admin/sequences/cpr",
        body_of("put_sequence"),
    ),
    "POST /v1/admin/achievements": lambda w: (
        "/v1/admin/achievements",
        body_of("post_achievement_course"),
    ),
    "PATCH /v1/admin/achievements/{achievement_id}": lambda w: (
        f"/v1/admin/achievements/{w.achievement_id}",
        {"name": "Basic Life Support (adult)"},
    ),
    "POST /v1/admin/achievements/{achievement_id}/awards": lambda w: (
        f"/v1/admin/achievements/{w.achievement_id}/awards",
        {"user_id": "user-9", "note": "moved from the old system"},
    ),
    "PATCH /v1/admin/awards/{award_id}": lambda w: (
        f"/v1/admin/awards/{w.award_id}",
        body_of("patch_award_expiry"),
    ),
    "POST /v1/admin/awards/{award_id}/refresh-documents": lambda w: (
        f"/v1/admin/awards/{w.award_id}/refresh-documents",
        None,
    ),
    "POST /v1/admin/awards/{award_id}/revoke": lambda w: (
        f"/v1/admin/awards/{w.award_id}/revoke",
        body_of("revoke_award"),
    ),
    "PUT /v1/admin/course-templates/{template_id}": _template,
    "PUT /v1/admin/course-events/{course_event_id}": lambda w: (
        "/v1/admin/course-events/cpr-2026-11",
        body_of("put_course_event"),
    ),
    "PUT /v1/admin/learning-paths/{path_id}": _path,
    "PUT /v1/admin/course-events/{course_event_id}/results": _results,
    "POST /v1/admin/users/{user_id}/sync": lambda w: ("/v1/admin/users/user-1/sync", None),
    "POST /v1/admin/badges": lambda w: (
        "/v1/admin/badges",
        {"name": "Top closer", "levels": 1, "content_type": "image/png"},
    ),
    "POST /v1/admin/badges/{badge_id}/validate": lambda w: (
        f"/v1/admin/badges/{_badge(w)}/validate",
        None,
    ),
    "POST /v1/admin/credential-keys": lambda w: ("/v1/admin/credential-keys", None),
    "POST /v1/admin/exports": lambda w: (
        "/v1/admin/exports",
        {"achievement_id": w.achievement_id, "status": "active"},
    ),
    # Writes nothing (not walked for an entry): for the role checks, a body that validates.
    "POST /v1/admin/achievements/simulate": lambda w: (
        "/v1/admin/achievements/simulate",
        {"achievement_id": w.achievement_id, "user_ids": ["user-1"]},
    ),
}


# What the walker against DynamoDB Local does before a route's sample request, where the state
# that makes the request change something is not made by an admin route.
PREPARE: dict[str, Callable[[Walk], None]] = {
    "POST /v1/admin/users/{user_id}/sync": _counted_before_defined,
    "POST /v1/admin/badges/{badge_id}/validate": _upload_no_image,
}


# The query of a read whose query has required parameters (checked before the roles).
QUERIES: dict[str, dict[str, str]] = {
    "GET /v1/admin/reports/completion": {"achievement_id": "x-1"},
}


def concrete_path(openapi_path: str) -> str:
    """An OpenAPI path with each ``{param}`` filled with an id (for routes walked without a
    sample: reads, and refusals that happen before the body is looked at)."""
    parts = [("x-1" if p.startswith("{") else p) for p in openapi_path.split("/")]
    return "/".join(parts)
