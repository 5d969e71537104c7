"""Routes of the HTTP API v1. Each parses, checks the caller, calls one service, maps the result."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from accolade.bootstrap import container
from accolade.config import settings
from accolade.domain.limits import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX
from accolade.domain.periods import TimeRange
from accolade.entrypoints.http import schemas
from accolade.entrypoints.http.auth import EVENTS_WRITE, Principal, principal_from_event
from accolade.entrypoints.http.cursors import Scope, decode, encode
from accolade.observability import count
from accolade.services import admin, ingest, leaderboards, me

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$"
PathId = Annotated[str, Path(pattern=ID_PATTERN, max_length=128)]
Limit = Annotated[
    int, Query(ge=1, le=PAGE_SIZE_MAX, description=f"items per page, 1-{PAGE_SIZE_MAX}")
]
Cursor = Annotated[
    str | None,
    Query(description="next_cursor of the previous page, for the same filter (else 400)"),
]

system = Router()
events = Router()
admin_routes = Router()
me_routes = Router()


def _caller(router: Router) -> Principal:
    return principal_from_event(router.current_event.raw_event)


def _admin(router: Router) -> Principal:
    caller = _caller(router)
    caller.require_admin()
    return caller


def _created(body: Any) -> Response[Any]:
    return Response(status_code=201, content_type="application/json", body=body)


@system.get(
    "/v1/health",
    tags=["system"],
    summary="Check that the API answers",
    description=(
        "Public, no token: the API's status and the stage it runs in, for probes and smoke tests."
    ),
    responses={200: {"description": "The API is up"}},
)
def health() -> schemas.Health:
    return schemas.Health(status="ok", stage=settings().stage)


@events.post(
    "/v1/events",
    tags=["events"],
    summary="Record activity events",
    description=(
        "Record 1 to 100 events of the caller's tenant (a token with the events:write "
        "scope). An event_id already recorded is listed in duplicates and counted once; "
        "achievements are evaluated after the answer, from the stored events."
    ),
    responses={202: {"description": "Accepted: each event is recorded once"}},
)
def post_events(batch: Annotated[schemas.EventsIn, Body()]) -> Response[schemas.EventsAccepted]:
    caller = _caller(events)
    caller.require_scope(EVENTS_WRITE, settings().resource_server)
    c = container()
    result = ingest.record_events(
        caller.tenant_id,
        [item.to_domain() for item in batch.events],
        store=c.events,
        clock=c.clock,
    )
    count("EventsAccepted", len(result.accepted))
    count("EventsDuplicated", len(result.duplicates))
    return Response(
        status_code=202,
        content_type="application/json",
        body=schemas.EventsAccepted(accepted=result.accepted, duplicates=result.duplicates),
    )


@admin_routes.get(
    "/v1/admin/settings",
    tags=["admin"],
    summary="Read the tenant's settings",
    description=(
        "The caller's tenant's time zone (the one its periods are cut in) and features. "
        "Admins only."
    ),
    responses={200: {"description": "The tenant's settings"}},
)
def get_settings() -> schemas.SettingsOut:
    caller = _admin(admin_routes)
    return schemas.SettingsOut.of(admin.get_settings(caller.tenant_id, config=container().config))


@admin_routes.put(
    "/v1/admin/settings",
    tags=["admin"],
    summary="Replace the tenant's settings",
    description=(
        "Replace the time zone (an IANA name) and features of the caller's tenant; a "
        "field left out takes its default. Admins only."
    ),
    responses={200: {"description": "The settings as stored"}},
)
def put_settings(body: Annotated[schemas.SettingsIn, Body()]) -> schemas.SettingsOut:
    caller = _admin(admin_routes)
    stored = admin.put_settings(caller.tenant_id, body.to_domain(), config=container().config)
    return schemas.SettingsOut.of(stored)


@admin_routes.get(
    "/v1/admin/users/<user_id>",
    tags=["admin"],
    summary="Read a user's profile",
    description=(
        "The display name, organisation and groups the tenant stored for a user. Admins only."
    ),
    responses={200: {"description": "The user's profile"}},
)
def get_user(user_id: PathId) -> schemas.UserOut:
    caller = _admin(admin_routes)
    return schemas.UserOut.of(admin.get_user(caller.tenant_id, user_id, users=container().users))


@admin_routes.put(
    "/v1/admin/users/<user_id>",
    tags=["admin"],
    summary="Create or replace a user's profile",
    description=(
        "Store a user's display name (shown on leaderboards), organisation and groups "
        "(which achievements the user sees). Admins only."
    ),
    responses={200: {"description": "The profile as stored"}},
)
def put_user(user_id: PathId, body: Annotated[schemas.UserIn, Body()]) -> schemas.UserOut:
    caller = _admin(admin_routes)
    stored = admin.put_user(caller.tenant_id, body.to_domain(user_id), users=container().users)
    return schemas.UserOut.of(stored)


def _scope(list_name: str, caller: Principal, *filters: str) -> Scope:
    return Scope(list_name, caller.tenant_id, caller.user_id, filters)


@admin_routes.get(
    "/v1/admin/metrics",
    tags=["admin"],
    summary="List the tenant's metrics",
    description=(
        "The tenant's metrics by id, a page at a time: pass next_cursor back as cursor "
        "for the next page. Admins only."
    ),
    responses={200: {"description": "A page of metrics"}},
)
def list_metrics(limit: Limit = PAGE_SIZE_DEFAULT, cursor: Cursor = None) -> schemas.MetricList:
    caller = _admin(admin_routes)
    scope = _scope("admin/metrics", caller)
    page = admin.list_metrics(
        caller.tenant_id, limit=limit, after=decode(cursor, scope), config=container().config
    )
    return schemas.MetricList(
        items=[schemas.MetricOut.of(metric) for metric in page.items],
        next_cursor=encode(page.next, scope),
    )


@admin_routes.get(
    "/v1/admin/metrics/<metric_id>",
    tags=["admin"],
    summary="Read a metric",
    description="A metric's event type, aggregate and the event field it reads. Admins only.",
    responses={200: {"description": "The metric"}},
)
def get_metric(metric_id: PathId) -> schemas.MetricOut:
    caller = _admin(admin_routes)
    found = admin.get_metric(caller.tenant_id, metric_id, config=container().config)
    return schemas.MetricOut.of(found)


@admin_routes.put(
    "/v1/admin/metrics/<metric_id>",
    tags=["admin"],
    summary="Create or replace a metric",
    description=(
        "Define how events of one type move a user's counter: by one each (count) or by a "
        "field's value (sum). A tenant defines a capped number of metrics and an event type "
        "moves at most 24. Admins only."
    ),
    responses={200: {"description": "The metric as stored"}},
)
def put_metric(metric_id: PathId, body: Annotated[schemas.MetricIn, Body()]) -> schemas.MetricOut:
    caller = _admin(admin_routes)
    stored = admin.put_metric(
        caller.tenant_id, body.to_domain(metric_id), config=container().config
    )
    return schemas.MetricOut.of(stored)


@admin_routes.post(
    "/v1/admin/achievements",
    tags=["admin"],
    summary="Create an achievement",
    description=(
        "Define an achievement: its type, levels (thresholds and rewards), the metric it "
        "reads, audience and validity. It gets a new id and version 1. Admins only."
    ),
    responses={201: {"description": "Created, as version 1"}},
)
def create_achievement(
    body: Annotated[schemas.AchievementIn, Body()],
) -> Response[schemas.AchievementOut]:
    caller = _admin(admin_routes)
    c = container()
    created = admin.create_achievement(
        caller.tenant_id, body.definition(), config=c.config, clock=c.clock
    )
    return _created(schemas.AchievementOut.of(created))


@admin_routes.get(
    "/v1/admin/achievements",
    tags=["admin"],
    summary="List the tenant's achievements",
    description=(
        "Every definition of the tenant, enabled or not, by id, a page at a time: pass "
        "next_cursor back as cursor for the next page. Admins only."
    ),
    responses={200: {"description": "A page of achievements"}},
)
def list_achievements(
    limit: Limit = PAGE_SIZE_DEFAULT, cursor: Cursor = None
) -> schemas.AchievementList:
    caller = _admin(admin_routes)
    scope = _scope("admin/achievements", caller)
    page = admin.list_achievements(
        caller.tenant_id, limit=limit, after=decode(cursor, scope), config=container().config
    )
    return schemas.AchievementList(
        items=[schemas.AchievementOut.of(a) for a in page.items],
        next_cursor=encode(page.next, scope),
    )


@admin_routes.get(
    "/v1/admin/achievements/<achievement_id>",
    tags=["admin"],
    summary="Read an achievement",
    description="An achievement's current definition and version. Admins only.",
    responses={200: {"description": "The achievement"}},
)
def get_achievement(achievement_id: PathId) -> schemas.AchievementOut:
    caller = _admin(admin_routes)
    found = admin.get_achievement(caller.tenant_id, achievement_id, config=container().config)
    return schemas.AchievementOut.of(found)


@admin_routes.patch(
    "/v1/admin/achievements/<achievement_id>",
    tags=["admin"],
    summary="Edit an achievement",
    description=(
        "Change the fields named in the body, as a new version; its type never changes. "
        "Thresholds and metric apply to future awards only; name, description and badge "
        "show on awards already granted. Admins only."
    ),
    responses={200: {"description": "The new version"}},
)
def edit_achievement(
    achievement_id: PathId, body: Annotated[schemas.AchievementPatch, Body()]
) -> schemas.AchievementOut:
    caller = _admin(admin_routes)
    c = container()
    edited = admin.edit_achievement(
        caller.tenant_id, achievement_id, body.changes(), config=c.config, clock=c.clock
    )
    return schemas.AchievementOut.of(edited)


@me_routes.get(
    "/v1/me/achievements",
    tags=["me"],
    summary="List my achievements with progress",
    description=(
        "Every achievement the caller may see, earned or not, with what they earned and "
        "their progress towards the next level in the current period; filtered by status "
        "and sorted by name or points."
    ),
    responses={200: {"description": "A page of the caller's achievements"}},
)
def my_achievements(
    status: Annotated[me.StatusFilter | None, Query()] = None,
    sort: Annotated[me.SortKey, Query()] = me.SortKey.NAME,
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "asc",
    limit: Limit = PAGE_SIZE_DEFAULT,
    cursor: Cursor = None,
) -> schemas.MyAchievementList:
    caller = _caller(me_routes)
    c = container()
    scope = _scope("me/achievements", caller, status or "", sort, order)
    page = me.my_achievements(
        caller.tenant_id,
        caller.user_id,
        status=status,
        sort=sort,
        descending=order == "desc",
        limit=limit,
        after=decode(cursor, scope),
        config=c.config,
        users=c.users,
        awards=c.awards,
        progress=c.progress,
        clock=c.clock,
    )
    return schemas.MyAchievementList(
        items=[schemas.MyAchievementOut.of(v) for v in page.items],
        next_cursor=encode(page.next, scope),
    )


@me_routes.get(
    "/v1/me/awards",
    tags=["me"],
    summary="List my awards",
    description=(
        "The caller's awards by achievement, period and level, each with the "
        "achievement's name and badge and a link to its certificate when it has one. "
        "Revoked awards are left out; lapsed ones show as expired."
    ),
    responses={200: {"description": "A page of the caller's awards"}},
)
def my_awards(limit: Limit = PAGE_SIZE_DEFAULT, cursor: Cursor = None) -> schemas.AwardList:
    caller = _caller(me_routes)
    c = container()
    scope = _scope("me/awards", caller)
    page = me.my_awards(
        caller.tenant_id,
        caller.user_id,
        limit=limit,
        after=decode(cursor, scope),
        awards=c.awards,
        config=c.config,
        documents=c.documents,
        clock=c.clock,
    )
    return schemas.AwardList(
        items=[schemas.AwardOut.of(view) for view in page.items],
        next_cursor=encode(page.next, scope),
    )


@me_routes.get(
    "/v1/me/wallet",
    tags=["me"],
    summary="Read my wallet",
    description="The points and coins the caller's awards have earned.",
    responses={200: {"description": "The caller's balances"}},
)
def my_wallet() -> schemas.WalletOut:
    caller = _caller(me_routes)
    wallet = me.my_wallet(caller.tenant_id, caller.user_id, awards=container().awards)
    return schemas.WalletOut(points=wallet.points, coins=wallet.coins)


@me_routes.get(
    "/v1/me/ledger",
    tags=["me"],
    summary="List my wallet movements",
    description=(
        "What moved the caller's points and coins, in order, each with the balances after it."
    ),
    responses={200: {"description": "A page of wallet movements"}},
)
def my_ledger(limit: Limit = PAGE_SIZE_DEFAULT, cursor: Cursor = None) -> schemas.LedgerOut:
    caller = _caller(me_routes)
    scope = _scope("me/ledger", caller)
    page = me.my_ledger(
        caller.tenant_id,
        caller.user_id,
        limit=limit,
        after=decode(cursor, scope),
        awards=container().awards,
    )
    return schemas.LedgerOut(
        items=[schemas.LedgerEntryOut.of(entry) for entry in page.items],
        next_cursor=encode(page.next, scope),
    )


@me_routes.get(
    "/v1/me/messages",
    tags=["me"],
    summary="List my messages",
    description="The caller's inbox (the announcements of their awards), newest first.",
    responses={200: {"description": "A page of messages"}},
)
def my_messages(limit: Limit = PAGE_SIZE_DEFAULT, cursor: Cursor = None) -> schemas.MessageList:
    caller = _caller(me_routes)
    scope = _scope("me/messages", caller)
    page = me.my_messages(
        caller.tenant_id,
        caller.user_id,
        limit=limit,
        after=decode(cursor, scope),
        inbox=container().inbox,
    )
    return schemas.MessageList(
        items=[schemas.MessageOut.of(message) for message in page.items],
        next_cursor=encode(page.next, scope),
    )


@me_routes.get(
    "/v1/leaderboards/<metric_id>",
    tags=["leaderboards"],
    summary="Read a leaderboard",
    description=(
        "The users with the highest value of a metric in the current day, week, month or "
        "all time (in the tenant's time zone), ranked with ties sharing a rank, with their "
        "display names."
    ),
    responses={200: {"description": "The top rows of the leaderboard"}},
)
def get_leaderboard(
    metric_id: PathId,
    period: Annotated[TimeRange, Query()] = TimeRange.WEEK,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> schemas.LeaderboardOut:
    caller = _caller(me_routes)
    c = container()
    key, rows = leaderboards.leaderboard(
        caller.tenant_id,
        metric_id,
        period,
        limit=limit,
        config=c.config,
        users=c.users,
        leaderboards=c.leaderboards,
        clock=c.clock,
    )
    return schemas.LeaderboardOut(
        metric_id=metric_id,
        period_key=key,
        rows=[
            schemas.LeaderboardRowOut(
                rank=row.rank,
                user_id=row.user_id,
                display_name=row.display_name,
                score=float(row.score),
            )
            for row in rows
        ],
    )
