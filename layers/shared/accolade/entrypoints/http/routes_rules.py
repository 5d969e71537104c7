"""Sync, dry run and explain: the rules evaluation applies, asked for by a user or an admin
(``services/diagnose.py``). The helpers are ``routes``'."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from accolade.bootstrap import container, inject
from accolade.entrypoints.http.routes import PathId, _admin, _tenant_one
from accolade.entrypoints.http.routing import caller_of, documented, lazily

if TYPE_CHECKING:
    from accolade.domain.models import Award
    from accolade.entrypoints.http import admin_schemas, rules_schemas
    from accolade.services import diagnose
else:
    admin_schemas = lazily("accolade.entrypoints.http.admin_schemas")
    rules_schemas = lazily("accolade.entrypoints.http.rules_schemas")
    diagnose = lazily("accolade.services.diagnose")

rules_admin_routes = Router()
rules_me_routes = Router()


def _synced(
    tenant_id: str, user_id: str, service: Callable[..., list[Award]]
) -> rules_schemas.Synced:
    granted = inject(service, container())(tenant_id, user_id)
    return rules_schemas.Synced(granted=admin_schemas.HolderOut.of_each(granted))


@documented(rules_me_routes.post, "/v1/me/sync", "The awards this sync granted")
def sync_me() -> rules_schemas.Synced:
    """Sync my progress

    Re-evaluate the caller's counters of the current periods (and all time) against every
    enabled metric-threshold and goal-reached achievement, and grant what they reach and is not
    held yet: an achievement enabled after the threshold was passed. A second sync grants
    nothing; a sync racing the evaluator grants nothing twice. Other types are decided per
    event, at a period's close or by hand: a sync grants none of them.
    """
    caller = caller_of(rules_me_routes)
    return _synced(caller.tenant_id, caller.user_id, diagnose.sync_user)


@documented(
    rules_admin_routes.post, "/v1/admin/users/<user_id>/sync", "The awards this sync granted"
)
def sync_user(user_id: PathId) -> rules_schemas.Synced:
    """Sync a user's progress

    What POST /v1/me/sync does, for a user of the tenant (404 for a user with neither a
    profile nor an event).
    """
    caller = _admin(rules_admin_routes)
    return _synced(caller.tenant_id, user_id, diagnose.sync_known_user)


@documented(rules_admin_routes.post, "/v1/admin/achievements/simulate", "What would be granted")
def simulate(body: Annotated[rules_schemas.SimulateIn, Body()]) -> rules_schemas.Simulated:
    """Dry-run an achievement

    Exactly one of definition (a draft, validated as POST /v1/admin/achievements validates it)
    and achievement_id (a saved one), and exactly one of events (1-100 sample events, as POST
    /v1/events takes them, counted on top of their users' stored counters as if they arrived
    now) and user_ids (1-100 users, from their counters of the current periods). Answers who
    would be granted which level, in which period, with which points and coins, through the
    rules evaluation applies, as if enabled; awards already held are left out. Writes nothing
    and publishes nothing.
    """
    caller = _admin(rules_admin_routes)
    found = inject(diagnose.simulate, container())(caller.tenant_id, **body.chosen())
    return rules_schemas.Simulated(would_grant=rules_schemas.WouldGrantOut.of_each(found))


@documented(
    rules_admin_routes.get,
    "/v1/admin/users/<user_id>/achievements/<achievement_id>/explain",
    "Why the user holds it or not",
)
def explain(user_id: PathId, achievement_id: PathId) -> rules_schemas.Explained:
    """Explain an achievement for a user

    For the current period of the achievement (ONCE for a one-off event achievement): the
    counter's value, the thresholds, the definition's version, the newest events of its event
    type in the period (at most 20) and the reason: granted, not_yet_reached, disabled,
    outside_effective_dates, not_in_audience, already_held (a record someone holds in the
    period, or the user's membership of the period), revoked, due (reached, not granted yet: a
    sync grants it) or not_applicable (no counter decides it: manual, period winners, goals,
    projects, courses, repeatable events).
    """
    return _tenant_one(rules_schemas.Explained, diagnose.explain, user_id, achievement_id)
