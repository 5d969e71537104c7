"""Who may call each admin route, and what each route that changes something writes to the audit
log: one line per route, in ``ROUTES``.

A route is keyed as its OpenAPI operation, ``"METHOD /path/{param}"``. Its line names the roles
it admits (``ADMINS``: admin only; ``MANAGERS``: admin and achievements_manager), matched
exactly, and, for a route that changes something, ``Audit(action, *entities)``: the action's
name in the log and the kinds of item (PynamoDB discriminators) whose writes are its changes.
Each such write is stamped with who, what and when in the same DynamoDB write, and the
``record_audit`` function turns its stream record (old and new image) into the audit entry
(``domain.acting``, ``domain.audit``).

Adding an admin route:

1. one line here, e.g. ``"POST /v1/admin/exports": Access(MANAGERS, Audit("export.start",
   "export")),`` (a GET, or a POST that writes nothing such as a dry run: ``Access(MANAGERS)``
   and add its key to ``WRITES_NOTHING``);
2. its handler calls ``_admin(router)`` first (``routes._admin``), which checks the roles and
   opens the stamp;
3. a route that changes something gets one sample request in the walker,
   ``tests/integration/test_audit_walk_dynamodb.py`` (``SAMPLES``), which fails, naming the
   route, until it has one.

A route missing here admits admins only, and ``tests/unit/test_audit_access.py`` fails naming it.
Writes are stamped where the adapters make them: ``Item.save`` / ``update`` / ``delete`` and
``transact.Transaction``; a BatchWriteItem (PynamoDB ``batch_write``) is not, so an audited kind
is written through those.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from aws_lambda_powertools.event_handler.api_gateway import Router

from accolade.domain import acting
from accolade.entrypoints.http.auth import ADMIN, Principal
from accolade.entrypoints.http.routing import caller_of

ACHIEVEMENTS_MANAGER = "achievements_manager"
ADMINS = frozenset({ADMIN})
MANAGERS = frozenset({ADMIN, ACHIEVEMENTS_MANAGER})


class Audit:
    """What an admin route's changes are in the audit log: the action, and the item kinds it
    changes (each write of one is an entry)."""

    def __init__(self, action: str, *entities: str) -> None:
        self.action = action
        self.entities = frozenset(entities)


class Access(NamedTuple):
    roles: frozenset[str]
    audit: Audit | None = None


ROUTES: dict[str, Access] = {
    # Tenant configuration: admins only.
    "GET /v1/admin/settings": Access(ADMINS),
    "PUT /v1/admin/settings": Access(ADMINS, Audit("settings.put", "settings")),
    "GET /v1/admin/metrics": Access(MANAGERS),  # read by the achievement builder
    "GET /v1/admin/metrics/{metric_id}": Access(MANAGERS),
    "PUT /v1/admin/metrics/{metric_id}": Access(ADMINS, Audit("metric.put", "metric")),
    # Users and the goals admins set for them: admins only.
    "GET /v1/admin/users/{user_id}": Access(ADMINS),
    "PUT /v1/admin/users/{user_id}": Access(ADMINS, Audit("user.put", "user")),
    "GET /v1/admin/users/{user_id}/goals": Access(ADMINS),
    "PUT /v1/admin/users/{user_id}/goals/{goal_id}": Access(ADMINS, Audit("goal.put", "goals")),
    "DELETE /v1/admin/users/{user_id}/goals/{goal_id}": Access(
        ADMINS, Audit("goal.delete", "goals")
    ),
    # Identifier numbering is tenant-wide and a lowered start is irreversible: admins only.
    "GET /v1/admin/sequences/{sequence_id}": Access(ADMINS),
    "PUT /v1/admin/sequences/{sequence_id}": Access(ADMINS, Audit("sequence.put", "sequence")),
    # The audit log itself: admins only.
    "GET /v1/admin/audit": Access(ADMINS),
    # Achievements and awards: managers too.
    "GET /v1/admin/achievements": Access(MANAGERS),
    "POST /v1/admin/achievements": Access(MANAGERS, Audit("achievement.create", "achievement")),
    "GET /v1/admin/achievements/{achievement_id}": Access(MANAGERS),
    "PATCH /v1/admin/achievements/{achievement_id}": Access(
        MANAGERS, Audit("achievement.edit", "achievement")
    ),
    "GET /v1/admin/achievements/{achievement_id}/awards": Access(MANAGERS),
    "POST /v1/admin/achievements/{achievement_id}/awards": Access(
        MANAGERS, Audit("award.give", "award")
    ),
    "POST /v1/admin/awards/{award_id}/revoke": Access(MANAGERS, Audit("award.revoke", "award")),
    "PATCH /v1/admin/awards/{award_id}": Access(MANAGERS, Audit("award.edit_expiry", "award")),
    "POST /v1/admin/awards/{award_id}/refresh-documents": Access(
        MANAGERS, Audit("award.refresh_documents", "award")
    ),
    "GET /v1/admin/users/{user_id}/awards": Access(MANAGERS),
    # Courses: how achievements are earned in the learning platform, and results that grant
    # or revoke them: managers too.
    "GET /v1/admin/course-templates/{template_id}": Access(MANAGERS),
    "PUT /v1/admin/course-templates/{template_id}": Access(
        MANAGERS, Audit("course_template.put", "course_template")
    ),
    "GET /v1/admin/course-events/{course_event_id}": Access(MANAGERS),
    "PUT /v1/admin/course-events/{course_event_id}": Access(
        MANAGERS, Audit("course_event.put", "course_event")
    ),
    "GET /v1/admin/learning-paths/{path_id}": Access(MANAGERS),
    "PUT /v1/admin/learning-paths/{path_id}": Access(
        MANAGERS, Audit("learning_path.put", "learning_path")
    ),
    "GET /v1/admin/course-events/{course_event_id}/results": Access(MANAGERS),
    "PUT /v1/admin/course-events/{course_event_id}/results": Access(
        MANAGERS, Audit("course_results.put", "enrollment", "award")
    ),
    # What a user sees and why, Sync Progress and the dry run: achievements and awards, so
    # managers too; the report of completion by organisation too.
    "GET /v1/admin/users/{user_id}/achievements": Access(MANAGERS),
    "GET /v1/admin/users/{user_id}/achievements/{achievement_id}/explain": Access(MANAGERS),
    "POST /v1/admin/users/{user_id}/sync": Access(MANAGERS, Audit("user.sync", "award")),
    "POST /v1/admin/achievements/simulate": Access(MANAGERS),
    "GET /v1/admin/reports/completion": Access(MANAGERS),
    # Custom badges are what achievements show: managers too.
    "GET /v1/admin/badges": Access(MANAGERS),
    "POST /v1/admin/badges": Access(MANAGERS, Audit("badge.create", "custom_badge")),
    "GET /v1/admin/badges/{badge_id}": Access(MANAGERS),
    "POST /v1/admin/badges/{badge_id}/validate": Access(
        MANAGERS, Audit("badge.validate", "custom_badge")
    ),
    # An award's credential (managers hold awards); the tenant's signing key: admins only, like
    # settings (a rotation changes what every credential from now on is signed with).
    "GET /v1/admin/awards/{award_id}/credential": Access(MANAGERS),
    "POST /v1/admin/credential-keys": Access(ADMINS, Audit("credential_key.rotate", "issuer_key")),
    # Exports of awards (for a CRM, another recognition program): managers too.
    "POST /v1/admin/exports": Access(MANAGERS, Audit("export.start", "export")),
    "GET /v1/admin/exports": Access(MANAGERS),
    "GET /v1/admin/exports/{export_id}": Access(MANAGERS),
}
# Admin routes that are not GETs but change nothing (a dry run): no audit entry expected.
WRITES_NOTHING: frozenset[str] = frozenset({"POST /v1/admin/achievements/simulate"})
UNLISTED = Access(ADMINS)


def route_key(method: str, path: str) -> str:
    """``"PUT /v1/admin/users/{user_id}"``, from Powertools' ``/v1/admin/users/<user_id>``."""
    return f"{method.upper()} {path.replace('<', '{').replace('>', '}')}"


def described(key: str) -> str:
    """Who may call the route and, if it changes something, its action in the audit log: the
    end of its description in the OpenAPI document."""
    access = ROUTES.get(key, UNLISTED)
    who = "Roles: " + " or ".join(f"`{role}`" for role in sorted(access.roles)) + "."
    if access.audit is None:
        return who
    return f"{who} Audit log action: `{access.audit.action}`."


def _segments(key: str) -> tuple[str, tuple[str, ...]]:
    method, path = key.split(" ", 1)
    return method, tuple(path.split("/"))


# Literal segments before parameters (GET /v1/admin/x/report before GET /v1/admin/x/{id}).
# Compared segment by segment: a parameter takes any one non-empty segment. (Not a regular
# expression per route: compiling 45 of them was a millisecond-scale share of every api cold
# start, admin or not.)
_ROUTE_SEGMENTS = sorted(((key, _segments(key)) for key in ROUTES), key=lambda r: r[0].count("{"))


def route_of(method: str, path: str) -> tuple[str, dict[str, str]]:
    """The ``ROUTES`` key a request is for and the ids in its path; ("", {}) for none. Read off
    the request itself: the resolver's route context is per app, and a process may build more
    than one app over the same routers (tests do)."""
    method, segments = method.upper(), path[path.find("/v1/") :].split("/")
    for key, (route_method, parts) in _ROUTE_SEGMENTS:
        if route_method != method or len(parts) != len(segments):
            continue
        ids = {}
        for part, segment in zip(parts, segments, strict=True):
            if part.startswith("{") and segment:
                ids[part[1:-1]] = segment
            elif part != segment:
                break
        else:
            return key, ids
    return "", {}


def admit(router: Router, now: Any) -> Principal:
    """The caller of the route ``router`` serves, if it holds a role the route admits (else
    ForbiddenError); a route that changes something stamps its writes from here on (until the
    request ends, ``app.AccoladeResolver.resolve``) with the caller, the action and the path's
    ids, at ``now()``."""
    caller = caller_of(router)
    event = router.current_event
    key, ids = route_of(event.http_method, event.path)
    access = ROUTES.get(key, UNLISTED)
    caller.require_role(access.roles)
    if access.audit is not None:
        acting.begin(
            acting.Acting(
                actor_id=caller.user_id,
                roles=tuple(sorted(caller.roles)),
                action=access.audit.action,
                route=key,
                targets=ids,
                entities=access.audit.entities,
                at=now(),
            )
        )
    return caller
