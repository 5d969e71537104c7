"""Routes of the HTTP API v1 but POST /v1/events (``event_routes``). Each parses, checks the
caller, calls one service, maps the result.

A route's docstring is its OpenAPI summary (first line) and description (the rest), as in
FastAPI; ``routing.documented`` adds the tag and the success answer. A service that takes several ports gets
them from the container by ``inject``; list routes page through ``_page``, an admin's read of
one thing goes through ``_tenant_one``, a PUT of a course definition through ``_tenant_put``
and a call on the caller's own things through ``_mine``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Protocol, Self, TypeVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from accolade.bootstrap import container, inject
from accolade.config import settings
from accolade.domain.certificates import CERTIFICATE_LINK_SECONDS
from accolade.domain.limits import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX
from accolade.domain.models import AwardStatus, MessageType
from accolade.domain.periods import TimeRange
from accolade.entrypoints.http import access, schemas
from accolade.entrypoints.http.auth import Principal
from accolade.entrypoints.http.cursors import Scope, decode, encode
from accolade.entrypoints.http.routing import answer, caller_of, documented, lazily
from accolade.ports import Page, PageRequest
from accolade.services import goals, me

if TYPE_CHECKING:
    from datetime import datetime

    from accolade.entrypoints.http import admin_schemas
    from accolade.services import admin, awards, certificates, courses, credentials, leaderboards
else:
    # Loaded when a route that uses them first validates or runs, not on a user's first
    # request: the admin routes' bodies and the services no /v1/me route calls.
    admin_schemas = lazily("accolade.entrypoints.http.admin_schemas")
    admin = lazily("accolade.services.admin")
    awards = lazily("accolade.services.awards")
    leaderboards = lazily("accolade.services.leaderboards")
    courses = lazily("accolade.services.courses")
    credentials = lazily("accolade.services.credentials")
    certificates = lazily("accolade.services.certificates")

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$"
PathId = Annotated[str, Path(pattern=ID_PATTERN, max_length=128)]
# An award id is its key, base64url without padding (domain.models.AwardKey.award_id).
AwardId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]+$", max_length=1024)]
IdentifierPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9._~:-]+$", max_length=200)]
Limit = Annotated[
    int, Query(ge=1, le=PAGE_SIZE_MAX, description=f"items per page, 1-{PAGE_SIZE_MAX}")
]
Cursor = Annotated[
    str | None,
    Query(description="next_cursor of the previous page, for the same filter (else 400)"),
]
# A list of achievements with progress: the caller's own, and a user's as an admin sees it.
AchievementStatus = Annotated[me.StatusFilter | None, Query()]
AchievementSort = Annotated[me.SortKey, Query()]
SortOrder = Annotated[str, Query(pattern="^(asc|desc)$")]
L = TypeVar("L", bound=schemas.Listing[Any])
Lister = Callable[..., Page[Any]]  # a service that answers the ``page=`` asked for (a PageRequest)


class _ReadOff(Protocol):
    @classmethod
    def of(cls, found: Any) -> Self: ...


R = TypeVar("R", bound=_ReadOff)  # a response body read off one domain object
T = TypeVar("T")


class _Definition(Protocol):
    def to_domain(self, key: str, now: datetime, /) -> Any: ...


system = Router()
admin_routes = Router()
me_routes = Router()


def _admin(router: Router) -> Principal:
    """The caller, if one of its roles is one the route admits (``access.ROUTES``); a route that
    changes something stamps its writes for the audit log from here on."""
    return access.admit(router, container().clock.now)


def _scope(list_name: str, caller: Principal, *filters: str) -> Scope:
    return Scope(list_name, caller.tenant_id, caller.user_id, filters)


def _page(
    listing: type[L],
    scope: Scope,
    cursor: str | None,
    service: Lister,
    *args: Any,
    limit: int,
    **options: Any,
) -> L:
    """One page of a list: ``service`` answers ``limit`` items after the cursor's position, and
    the answer's next_cursor is bound to the same ``scope``."""
    asked = PageRequest(limit, decode(cursor, scope))
    found = inject(service, container())(*args, page=asked, **options)
    return listing.of(found.items, encode(found.next, scope))


def _tenant_page(
    listing: type[L],
    list_name: str,
    cursor: str | None,
    service: Lister,
    *ids: str,
    filters: tuple[str, ...] = (),
    **options: Any,
) -> L:
    """A page of one of the tenant's lists (of the thing ``ids`` name, if any), for admins; the
    cursor is bound to the ``ids`` and the ``filters``."""
    caller = _admin(admin_routes)
    scope = _scope(list_name, caller, *ids, *filters)
    return _page(listing, scope, cursor, service, caller.tenant_id, *ids, **options)


def _achievements_page(
    status: me.StatusFilter | None, sort: me.SortKey, order: str, limit: int
) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The filters that bind the cursor of a page of achievements with progress, and the
    options that ask ``me.my_achievements`` for that page."""
    options = {"status": status, "sort": sort, "descending": order == "desc", "limit": limit}
    return (status or "", sort, order), options


def _tenant_put(out: type[R], service: Callable[..., Any], body: _Definition, key: str) -> R:
    """Store what a PUT ``body`` defines under the ``key`` its path names, stamped now, through
    ``service`` (its ports injected), for admins."""
    caller = _admin(admin_routes)
    c = container()
    return out.of(inject(service, c)(caller.tenant_id, body.to_domain(key, c.clock.now())))


def _awards_page(
    listing: type[L],
    list_name: str,
    cursor: str | None,
    service: Lister,
    owner_id: str,
    status: AwardStatus | None,
    limit: int,
) -> L:
    """A page of the awards of one achievement or user, for admins; the cursor is bound to the
    status asked for."""
    filters = (status.value if status else "",)
    return _tenant_page(
        listing, list_name, cursor, service, owner_id, filters=filters, status=status, limit=limit
    )


def _tenant_one(out: type[R], service: Callable[..., Any], *ids: str) -> R:
    """One of the tenant's things, read by ``service`` (its ports injected), for admins."""
    caller = _admin(admin_routes)
    return out.of(inject(service, container())(caller.tenant_id, *ids))


def _tenant_created(out: type[R], service: Callable[..., Any], *args: Any) -> Response[R]:
    """201 with what ``service`` (its ports injected) created for the tenant from ``args``, for
    admins."""
    caller = _admin(admin_routes)
    created = out.of(inject(service, container())(caller.tenant_id, *args))
    return answer(201, created)


def _mine(router: Router, service: Callable[..., T], *args: Any) -> T:
    """What ``service`` (its ports injected) answers for the caller of the request ``router``
    serves: their tenant and user id, then ``args``."""
    caller = caller_of(router)
    return inject(service, container())(caller.tenant_id, caller.user_id, *args)


def _my_page(
    listing: type[L],
    list_name: str,
    cursor: str | None,
    service: Lister,
    *filters: str,
    **options: Any,
) -> L:
    """A page of one of the caller's own lists; ``filters`` bind the cursor to this view."""
    caller = caller_of(me_routes)
    scope = _scope(list_name, caller, *filters)
    return _page(listing, scope, cursor, service, caller.tenant_id, caller.user_id, **options)


@documented(system.get, "/v1/health", "The API is up", tag="system")
def health() -> schemas.Health:
    """Check that the API answers

    Public, no token: the API's status and the stage it runs in, for probes and smoke tests.
    """
    return schemas.Health(status="ok", stage=settings().stage)


@documented(admin_routes.get, "/v1/admin/settings", "The tenant's settings")
def get_settings() -> admin_schemas.SettingsOut:
    """Read the tenant's settings

    The caller's tenant's time zone (the one its periods are cut in) and features.
    """
    return _tenant_one(admin_schemas.SettingsOut, admin.get_settings)


@documented(admin_routes.put, "/v1/admin/settings", "The settings as stored")
def put_settings(body: Annotated[admin_schemas.SettingsIn, Body()]) -> admin_schemas.SettingsOut:
    """Replace the tenant's settings

    Replace the time zone (an IANA name) and features of the caller's tenant; a field left out
    takes its default.
    """
    caller = _admin(admin_routes)
    stored = admin.put_settings(caller.tenant_id, body.to_domain(), config=container().config)
    return admin_schemas.SettingsOut.of(stored)


@documented(admin_routes.get, "/v1/admin/users/<user_id>", "The user's profile")
def get_user(user_id: PathId) -> admin_schemas.UserOut:
    """Read a user's profile

    The display name, organisation and groups the tenant stored for a user.
    """
    return _tenant_one(admin_schemas.UserOut, admin.get_user, user_id)


@documented(admin_routes.put, "/v1/admin/users/<user_id>", "The profile as stored")
def put_user(
    user_id: PathId, body: Annotated[admin_schemas.UserIn, Body()]
) -> admin_schemas.UserOut:
    """Create or replace a user's profile

    Store a user's display name (shown on leaderboards), organisation and groups (which
    achievements the user sees).
    """
    caller = _admin(admin_routes)
    c = container()
    stored = admin.put_user(
        caller.tenant_id, body.to_domain(user_id), users=c.users, completion=c.completion
    )
    return admin_schemas.UserOut.of(stored)


@documented(admin_routes.get, "/v1/admin/metrics", "A page of metrics")
def list_metrics(
    limit: Limit = PAGE_SIZE_DEFAULT, cursor: Cursor = None
) -> admin_schemas.MetricList:
    """List the tenant's metrics

    The tenant's metrics by id, a page at a time: pass next_cursor back as cursor for the next
    page.
    """
    read = container().config.metrics_page
    return _tenant_page(
        admin_schemas.MetricList, "admin/metrics", cursor, admin.list_page, read=read, limit=limit
    )


@documented(admin_routes.get, "/v1/admin/metrics/<metric_id>", "The metric")
def get_metric(metric_id: PathId) -> admin_schemas.MetricOut:
    """Read a metric

    A metric's event type, aggregate and the event field it reads.
    """
    return _tenant_one(admin_schemas.MetricOut, admin.get_metric, metric_id)


@documented(admin_routes.put, "/v1/admin/metrics/<metric_id>", "The metric as stored")
def put_metric(
    metric_id: PathId, body: Annotated[admin_schemas.MetricIn, Body()]
) -> admin_schemas.MetricOut:
    """Create or replace a metric

    Define how events of one type move a user's counter: by one each (count) or by a field's
    value (sum). A tenant defines a capped number of metrics and an event type moves at most
    24.
    """
    caller = _admin(admin_routes)
    stored = admin.put_metric(
        caller.tenant_id, body.to_domain(metric_id), config=container().config
    )
    return admin_schemas.MetricOut.of(stored)


@documented(admin_routes.post, "/v1/admin/achievements", "Created, as version 1", status=201)
def create_achievement(
    body: Annotated[admin_schemas.AchievementIn, Body()],
) -> Response[admin_schemas.AchievementOut]:
    """Create an achievement

    Define an achievement: its type, levels (thresholds and rewards), the metric it reads,
    audience and validity. It gets a new id and version 1.
    """
    return _tenant_created(
        admin_schemas.AchievementOut, admin.create_achievement, body.definition()
    )


@documented(admin_routes.get, "/v1/admin/achievements", "A page of achievements")
def list_achievements(
    limit: Limit = PAGE_SIZE_DEFAULT, cursor: Cursor = None
) -> admin_schemas.AchievementList:
    """List the tenant's achievements

    Every definition of the tenant, enabled or not, by id, a page at a time: pass next_cursor
    back as cursor for the next page.
    """
    read = container().config.achievements_page
    listing = admin_schemas.AchievementList
    return _tenant_page(
        listing, "admin/achievements", cursor, admin.list_page, read=read, limit=limit
    )


@documented(admin_routes.get, "/v1/admin/achievements/<achievement_id>", "The achievement")
def get_achievement(achievement_id: PathId) -> admin_schemas.AchievementOut:
    """Read an achievement

    An achievement's current definition and version.
    """
    return _tenant_one(admin_schemas.AchievementOut, admin.get_achievement, achievement_id)


@documented(admin_routes.patch, "/v1/admin/achievements/<achievement_id>", "The new version")
def edit_achievement(
    achievement_id: PathId, body: Annotated[admin_schemas.AchievementPatch, Body()]
) -> admin_schemas.AchievementOut:
    """Edit an achievement

    Change the fields named in the body, as a new version; its type never changes. Thresholds
    and metric apply to future awards only; name, description and badge show on awards already
    granted.
    """
    caller = _admin(admin_routes)
    edit = inject(admin.edit_achievement, container())
    return admin_schemas.AchievementOut.of(edit(caller.tenant_id, achievement_id, body.changes()))


@documented(me_routes.get, "/v1/me/achievements", "A page of the caller's achievements")
def my_achievements(
    status: AchievementStatus = None,
    sort: AchievementSort = me.SortKey.NAME,
    order: SortOrder = "asc",
    limit: Limit = PAGE_SIZE_DEFAULT,
    cursor: Cursor = None,
) -> schemas.MyAchievementList:
    """List my achievements with progress

    Every achievement the caller may see, earned or not, with what they earned and their
    progress towards the next level in the current period; filtered by status and sorted by
    name or points.
    """
    filters, asked = _achievements_page(status, sort, order, limit)
    return _my_page(
        schemas.MyAchievementList, "me/achievements", cursor, me.my_achievements, *filters, **asked
    )


@documented(me_routes.get, "/v1/me/awards", "A page of the caller's awards")
def my_awards(limit: Limit = PAGE_SIZE_DEFAULT, cursor: Cursor = None) -> schemas.AwardList:
    """List my awards

    The caller's awards by achievement, period and level, each with the achievement's name and
    badge and a link to its certificate when it has one. Revoked awards are left out; lapsed
    ones show as expired.
    """
    return _my_page(schemas.AwardList, "me/awards", cursor, me.my_awards, limit=limit)


@documented(me_routes.get, "/v1/me/wallet", "The caller's balances")
def my_wallet() -> schemas.WalletOut:
    """Read my wallet

    The points and coins the caller's awards have earned.
    """
    caller = caller_of(me_routes)
    wallet = me.my_wallet(caller.tenant_id, caller.user_id, awards=container().awards)
    return schemas.WalletOut.read(wallet)


@documented(me_routes.get, "/v1/me/ledger", "A page of wallet movements")
def my_ledger(limit: Limit = PAGE_SIZE_DEFAULT, cursor: Cursor = None) -> schemas.LedgerOut:
    """List my wallet movements

    What moved the caller's points and coins, in order, each with the balances after it.
    """
    return _my_page(schemas.LedgerOut, "me/ledger", cursor, me.my_ledger, limit=limit)


@documented(me_routes.get, "/v1/me/messages", "A page of messages")
def my_messages(
    type: Annotated[MessageType | None, Query(description="only messages of this type")] = None,
    unread: Annotated[
        bool | None, Query(description="true: only unread messages; false: only read ones")
    ] = None,
    limit: Limit = PAGE_SIZE_DEFAULT,
    cursor: Cursor = None,
) -> schemas.MessageList:
    """List my messages

    The caller's inbox (the announcements of their awards, revocations and expiring-soon
    notices), newest first; filtered by type and by read state.
    """
    return _my_page(
        schemas.MessageList,
        "me/messages",
        cursor,
        me.my_messages,
        type or "",
        "" if unread is None else str(unread),
        message_type=type,
        unread=unread,
        limit=limit,
    )


@documented(me_routes.get, "/v1/leaderboards/<metric_id>", "The top rows of the leaderboard")
def get_leaderboard(
    metric_id: PathId,
    period: Annotated[TimeRange, Query()] = TimeRange.WEEK,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    period_key: Annotated[
        str | None,
        Query(max_length=16, description="a past period of `period`, e.g. W2026-W47 or M2026-10"),
    ] = None,
) -> schemas.LeaderboardOut:
    """Read a leaderboard

    The users with the highest value of a metric in the current day, week, month or all time
    (in the tenant's time zone), or in a past period given by period_key, ranked with ties
    sharing a rank, with their display names, the award each features and the active awards
    of achievements shown next to names.
    """
    caller = caller_of(me_routes)
    ranked = inject(leaderboards.leaderboard, container())
    key, rows = ranked(caller.tenant_id, metric_id, period, limit=limit, period=period_key)
    found = schemas.LeaderboardRowOut.of_each(rows)
    return schemas.LeaderboardOut(metric_id=metric_id, period_key=key, rows=found)


@documented(
    admin_routes.post,
    "/v1/admin/achievements/<achievement_id>/awards",
    "Given: the award as stored",
    status=201,
)
def give_award(
    achievement_id: PathId, body: Annotated[admin_schemas.GiveAwardIn, Body()]
) -> Response[admin_schemas.HolderOut]:
    """Give an achievement by hand

    Award any achievement to a user, at a level, valid from and until given times (by default
    from now, for the achievement's validity) with a note. Points and coins are credited and the
    award is announced as any other. A record already held in its period, or a membership the
    user holds in its period, is 409, also when two admins give at once.
    """
    caller = _admin(admin_routes)
    gift = awards.Gift(**body.model_dump())
    given = inject(awards.give_award, container())(
        caller.tenant_id, achievement_id, gift, given_by=caller.user_id
    )
    return answer(201, admin_schemas.HolderOut.read(given))


@documented(admin_routes.get, "/v1/admin/achievements/<achievement_id>/awards", "A page of awards")
def list_holders(
    achievement_id: PathId,
    status: Annotated[AwardStatus | None, Query(description="only awards shown so now")] = None,
    limit: Limit = PAGE_SIZE_DEFAULT,
    cursor: Cursor = None,
) -> admin_schemas.HolderList:
    """List who holds an achievement

    The achievement's awards, newest first, each with its status now (active, expired once its
    validity has passed, or revoked), who gave it and why: the View agents list.
    """
    listing = admin_schemas.HolderList
    return _awards_page(
        listing, "admin/holders", cursor, awards.list_holders, achievement_id, status, limit
    )


@documented(admin_routes.post, "/v1/admin/awards/<award_id>/revoke", "The award, revoked")
def revoke_award(
    award_id: AwardId, body: Annotated[admin_schemas.RevokeIn, Body()]
) -> admin_schemas.HolderOut:
    """Revoke an award

    Hide the award from the user's lists and progress, take its points and coins back with a
    ledger entry, and tell the user and the subscribers (award.revoked). A second revoke is
    409; a threshold level revoked can be earned again only in a later period.
    """
    caller = _admin(admin_routes)
    revoked = inject(awards.revoke_award, container())(caller.tenant_id, award_id, body.reason)
    return admin_schemas.HolderOut.read(revoked)


@documented(me_routes.put, "/v1/me/featured-award", "The award featured")
def feature_award(body: Annotated[schemas.FeaturedIn, Body()]) -> schemas.FeaturedOut:
    """Feature one of my awards

    Show one of the caller's own active awards next to their name on leaderboards; an award
    that is not theirs or not active is 422.
    """
    featured = _mine(me_routes, me.feature_award, body.award_id)
    return schemas.FeaturedOut(award_id=featured)


@documented(me_routes.delete, "/v1/me/featured-award", "No award featured")
def clear_featured_award() -> schemas.FeaturedOut:
    """Feature no award

    Show none of the caller's awards next to their name.
    """
    _mine(me_routes, me.feature_award, None)
    return schemas.FeaturedOut(award_id=None)


def _set_goal(
    caller: Principal, user_id: str, goal_id: str, body: schemas.GoalIn
) -> schemas.GoalOut:
    setting = inject(goals.set_goal, container())
    view = setting(caller.tenant_id, user_id, goal_id, body.to_domain(), set_by=caller.user_id)
    return schemas.GoalOut.of(view)


def _no_content() -> Response[None]:
    return answer(204, None)


@documented(me_routes.put, "/v1/me/goals/<goal_id>", "The goal as stored, with my progress")
def put_my_goal(goal_id: PathId, body: Annotated[schemas.GoalIn, Body()]) -> schemas.GoalOut:
    """Set one of my goals

    Create or replace a personal goal: reach target on a metric in each day, week or month (in
    the tenant's time zone). A goal_reached achievement grants once per goal and period in which
    it is reached. The metric must exist; a user has at most 50 goals.
    """
    caller = caller_of(me_routes)
    return _set_goal(caller, caller.user_id, goal_id, body)


@documented(me_routes.get, "/v1/me/goals", "My goals, with the current period's progress")
def my_goals() -> schemas.GoalList:
    """List my goals

    The caller's goals by id (at most 50, so one page), each with the metric's value in the
    current period and whether the goal is reached.
    """
    found = _mine(me_routes, goals.list_goals)
    return schemas.GoalList(items=schemas.GoalOut.of_each(found))


@documented(me_routes.delete, "/v1/me/goals/<goal_id>", "Deleted", status=204)
def delete_my_goal(goal_id: PathId) -> Response[None]:
    """Delete one of my goals

    The goal stops counting; awards it earned stay. An unknown goal is 404.
    """
    _mine(me_routes, goals.delete_goal, goal_id)
    return _no_content()


@documented(
    admin_routes.put,
    "/v1/admin/users/<user_id>/goals/<goal_id>",
    "The goal as stored, with the user's progress",
)
def put_user_goal(
    user_id: PathId, goal_id: PathId, body: Annotated[schemas.GoalIn, Body()]
) -> schemas.GoalOut:
    """Set a goal for a user

    Create or replace a personal goal of a user, as PUT /v1/me/goals/{goal_id} does for the
    caller; set_by records the admin.
    """
    caller = _admin(admin_routes)
    return _set_goal(caller, user_id, goal_id, body)


@documented(admin_routes.get, "/v1/admin/users/<user_id>/goals", "The user's goals with progress")
def list_user_goals(user_id: PathId) -> schemas.GoalList:
    """List a user's goals

    A user's goals (at most 50) with the current period's value and whether each is reached,
    as the user sees them. A user with neither a profile nor a goal is 404.
    """
    caller = _admin(admin_routes)
    found = inject(goals.user_goals, container())(caller.tenant_id, user_id)
    return schemas.GoalList(items=schemas.GoalOut.of_each(found))


@documented(admin_routes.delete, "/v1/admin/users/<user_id>/goals/<goal_id>", "Deleted", status=204)
def delete_user_goal(user_id: PathId, goal_id: PathId) -> Response[None]:
    """Delete a user's goal

    The goal stops counting; awards it earned stay. An unknown goal is 404.
    """
    caller = _admin(admin_routes)
    inject(goals.delete_goal, container())(caller.tenant_id, user_id, goal_id)
    return _no_content()


@documented(admin_routes.patch, "/v1/admin/awards/<award_id>", "The award with its new expiry")
def edit_award_expiry(
    award_id: AwardId, body: Annotated[admin_schemas.ExpiryIn, Body()]
) -> admin_schemas.HolderOut:
    """Edit when an award expires

    Set the award's valid_until (null: it never expires); it must be after the award's
    valid_from, or its awarded_at. The user's achievement summary follows in the same write, and
    a new date within the tenant's expiry_notice_days is told again by the daily notice. A
    revoked award is 409, an unknown one 404.
    """
    caller = _admin(admin_routes)
    edited = inject(awards.edit_expiry, container())(caller.tenant_id, award_id, body.valid_until)
    return admin_schemas.HolderOut.read(edited)


@documented(admin_routes.get, "/v1/admin/users/<user_id>/awards", "A page of the learner's awards")
def list_user_awards(
    user_id: PathId,
    status: Annotated[AwardStatus | None, Query(description="only awards shown so now")] = None,
    limit: Limit = PAGE_SIZE_DEFAULT,
    cursor: Cursor = None,
) -> admin_schemas.UserAwardList:
    """List a learner's awards

    Every award of the user, revoked ones too, by achievement, period and level, each with its
    status now (active, expired once its valid_until has passed, or revoked), what issued it,
    its identifier, the award it renews (supersedes) and a short-lived link to its certificate
    when it has one. A user with neither profile nor award is 404.
    """
    listing = admin_schemas.UserAwardList
    return _awards_page(
        listing, "admin/user-awards", cursor, awards.list_user_awards, user_id, status, limit
    )


@documented(admin_routes.get, "/v1/admin/course-templates/<template_id>", "The course template")
def get_course_template(template_id: PathId) -> admin_schemas.CourseTemplateOut:
    """Read a course template

    A course template's delivery mode, achievements with their rule, completion threshold,
    allowed absences, invoice requirement and custom fields.
    """
    return _tenant_one(admin_schemas.CourseTemplateOut, courses.get_template, template_id)


@documented(admin_routes.put, "/v1/admin/course-templates/<template_id>", "The template as stored")
def put_course_template(
    template_id: PathId, body: Annotated[admin_schemas.CourseTemplateIn, Body()]
) -> admin_schemas.CourseTemplateOut:
    """Create or replace a course template

    Define how the course events made from this template award: the delivery mode (self_paced,
    classroom or blended), the course_completion achievements they issue (each granted on
    completion or on a pass), the completion threshold, the required sessions a learner may
    miss, and whether the registration invoice must be paid first.
    """
    return _tenant_put(admin_schemas.CourseTemplateOut, courses.put_template, body, template_id)


@documented(admin_routes.get, "/v1/admin/course-events/<course_event_id>", "The course event")
def get_course_event(course_event_id: PathId) -> admin_schemas.CourseEventOut:
    """Read a course event

    A course event's template, sessions and the template fields it overrides (null: inherited).
    """
    return _tenant_one(admin_schemas.CourseEventOut, courses.get_course_event, course_event_id)


@documented(admin_routes.put, "/v1/admin/course-events/<course_event_id>", "The event as stored")
def put_course_event(
    course_event_id: PathId, body: Annotated[admin_schemas.CourseEventIn, Body()]
) -> admin_schemas.CourseEventOut:
    """Create or replace a course event

    One delivery of a course template, with its sessions (optional ones need not be attended).
    Any template field it sets overrides the template's for this event; its achievements, when
    given, replace the template's. Learners' course.registered, elearning.progress,
    session.attended, invoice.paid and assessment.result events name it in
    attributes.course_event_id.
    """
    out = admin_schemas.CourseEventOut
    return _tenant_put(out, courses.put_course_event, body, course_event_id)


@documented(admin_routes.get, "/v1/admin/learning-paths/<path_id>", "The learning path")
def get_learning_path(path_id: PathId) -> admin_schemas.LearningPathOut:
    """Read a learning path

    A learning path's courses (template ids) and the achievements it issues.
    """
    return _tenant_one(admin_schemas.LearningPathOut, courses.get_path, path_id)


@documented(admin_routes.put, "/v1/admin/learning-paths/<path_id>", "The path as stored")
def put_learning_path(
    path_id: PathId, body: Annotated[admin_schemas.LearningPathIn, Body()]
) -> admin_schemas.LearningPathOut:
    """Create or replace a learning path

    A sequence of courses (template ids) and the course_completion achievements it issues once
    a learner has completed a course event of each template, in any order.
    """
    return _tenant_put(admin_schemas.LearningPathOut, courses.put_path, body, path_id)


@documented(
    admin_routes.put, "/v1/admin/course-events/<course_event_id>/results", "The results stored"
)
def put_course_results(
    course_event_id: PathId, body: Annotated[admin_schemas.ResultsIn, Body()]
) -> admin_schemas.ResultsOut:
    """Set learners' pass or fail on a course event

    1 to 500 rows, each a learner's pass or fail for one of the event's achievements, or, with
    no achievement_id, for each of its pass achievements. A pass grants the achievement; a fail
    records the outcome and revokes the award of that achievement from this event if one is
    active (a pass changed to a fail); a manual result overrules automatic awarding. Sending the
    same results again changes nothing. Any invalid row is 422 naming it, and nothing is stored.
    """
    caller = _admin(admin_routes)
    rows = [courses.ResultRow(row.user_id, row.outcome, row.achievement_id) for row in body.results]
    done = inject(courses.set_results, container())(
        caller.tenant_id, course_event_id, rows, set_by=caller.user_id
    )
    return admin_schemas.ResultsOut(
        recorded=done.recorded,
        granted=[award.award_id for award in done.granted],
        revoked=[award.award_id for award in done.revoked],
    )


@documented(
    admin_routes.get, "/v1/admin/course-events/<course_event_id>/results", "A page of learners"
)
def list_course_results(
    course_event_id: PathId, limit: Limit = PAGE_SIZE_DEFAULT, cursor: Cursor = None
) -> admin_schemas.LearnerResultsList:
    """List a course event's learners and their results

    Each learner with an enrolment in the course event (from their events or a result), by
    user id: progress, whether the course is complete, and per achievement the admins' result
    and the award's status now.
    """
    return _tenant_page(
        admin_schemas.LearnerResultsList,
        "admin/course-results",
        cursor,
        courses.results_page,
        course_event_id,
        limit=limit,
    )


@documented(
    admin_routes.put,
    "/v1/admin/sequences/<sequence_id>",
    "The sequence as stored",
    errors={409: "Start lowered to a number issued already, or the sequence moved meanwhile"},
)
def put_sequence(
    sequence_id: PathId, body: Annotated[admin_schemas.SequenceIn, Body()]
) -> admin_schemas.SequenceOut:
    """Create or replace a sequence

    A numbering for identifiers of awards: start (default 1), padding with zeros (0-12 digits)
    and the formats that merge the number into text, for awards issued by course events and by
    learning paths, e.g. CPR-{{year}}-{{sequence_number}}. A format needs {{sequence_number}}
    and has no whitespace. The start may be raised (a cut-over from another system) but never
    lowered to a number issued already (409).
    """
    caller = _admin(admin_routes)
    stored = inject(credentials.put_sequence, container())(
        caller.tenant_id, body.definition(sequence_id)
    )
    return admin_schemas.SequenceOut.of(stored)


@documented(admin_routes.get, "/v1/admin/sequences/<sequence_id>", "The sequence")
def get_sequence(sequence_id: PathId) -> admin_schemas.SequenceOut:
    """Read a sequence

    A sequence's definition, the number its next award takes and how many it issued.
    """
    return _tenant_one(admin_schemas.SequenceOut, credentials.get_sequence, sequence_id)


@documented(
    me_routes.get,
    "/v1/me/awards/<award_id>/certificate",
    "A short-lived download link",
    errors={409: "The certificate is still being rendered"},
)
def my_certificate(award_id: AwardId) -> schemas.CertificateLinkOut:
    """Link to my certificate

    A link, valid for a few minutes, to the PDF certificate of one of the caller's own awards.
    Another user's award, a revoked one or one without a certificate is 404; a certificate
    still being rendered is 409 (ask again shortly).
    """
    url = _mine(me_routes, certificates.my_certificate_link, award_id)
    return schemas.CertificateLinkOut(url=url, expires_in=CERTIFICATE_LINK_SECONDS)


@documented(
    admin_routes.post,
    "/v1/admin/awards/<award_id>/refresh-documents",
    "Accepted: the certificate is rendered anew",
    status=202,
)
def refresh_documents(award_id: AwardId) -> Response[admin_schemas.RefreshOut]:
    """Render an award's certificate anew

    Regenerate the certificate after an edit (the achievement's name, the holder's display
    name, the award's expiry): it is marked pending and rendered again in the background. A
    revoked award, or one whose achievement issues no certificate, is 409.
    """
    caller = _admin(admin_routes)
    inject(certificates.refresh_documents, container())(caller.tenant_id, award_id)
    body = admin_schemas.RefreshOut(award_id=award_id, certificate_status="pending")
    return answer(202, body)


@documented(system.get, "/v1/verify/<identifier>", "The credential's status")
def verify(
    identifier: IdentifierPath,
    tenant: Annotated[
        str,
        Query(
            pattern=ID_PATTERN,
            max_length=128,
            description="the issuing tenant (identifiers are unique per tenant); the link in a "
            "certificate's QR code carries it",
        ),
    ],
) -> schemas.VerificationOut:
    """Verify a credential

    Public, no token, rate-limited: whether the award an identifier names is valid, expired or
    revoked, with the achievement's name, the holder's display name and its dates. Nothing
    private (no user id, no e-mail). An unknown identifier is 404.
    """
    found = inject(credentials.verify_identifier, container())(tenant, identifier)
    return schemas.VerificationOut.of(found)
