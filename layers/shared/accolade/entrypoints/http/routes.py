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


@system.get("/v1/health", tags=["system"])
def health() -> schemas.Health:
    return schemas.Health(status="ok", stage=settings().stage)


@events.post("/v1/events", tags=["events"], responses={202: {"description": "Accepted"}})
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


@admin_routes.get("/v1/admin/settings", tags=["admin"])
def get_settings() -> schemas.SettingsOut:
    caller = _admin(admin_routes)
    return schemas.SettingsOut.of(admin.get_settings(caller.tenant_id, config=container().config))


@admin_routes.put("/v1/admin/settings", tags=["admin"])
def put_settings(body: Annotated[schemas.SettingsIn, Body()]) -> schemas.SettingsOut:
    caller = _admin(admin_routes)
    stored = admin.put_settings(caller.tenant_id, body.to_domain(), config=container().config)
    return schemas.SettingsOut.of(stored)


@admin_routes.get("/v1/admin/users/<user_id>", tags=["admin"])
def get_user(user_id: PathId) -> schemas.UserOut:
    caller = _admin(admin_routes)
    return schemas.UserOut.of(admin.get_user(caller.tenant_id, user_id, users=container().users))


@admin_routes.put("/v1/admin/users/<user_id>", tags=["admin"])
def put_user(user_id: PathId, body: Annotated[schemas.UserIn, Body()]) -> schemas.UserOut:
    caller = _admin(admin_routes)
    stored = admin.put_user(caller.tenant_id, body.to_domain(user_id), users=container().users)
    return schemas.UserOut.of(stored)


def _scope(list_name: str, caller: Principal, *filters: str) -> Scope:
    return Scope(list_name, caller.tenant_id, caller.user_id, filters)


@admin_routes.get("/v1/admin/metrics", tags=["admin"])
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


@admin_routes.get("/v1/admin/metrics/<metric_id>", tags=["admin"])
def get_metric(metric_id: PathId) -> schemas.MetricOut:
    caller = _admin(admin_routes)
    found = admin.get_metric(caller.tenant_id, metric_id, config=container().config)
    return schemas.MetricOut.of(found)


@admin_routes.put("/v1/admin/metrics/<metric_id>", tags=["admin"])
def put_metric(metric_id: PathId, body: Annotated[schemas.MetricIn, Body()]) -> schemas.MetricOut:
    caller = _admin(admin_routes)
    stored = admin.put_metric(
        caller.tenant_id, body.to_domain(metric_id), config=container().config
    )
    return schemas.MetricOut.of(stored)


@admin_routes.post(
    "/v1/admin/achievements", tags=["admin"], responses={201: {"description": "Created"}}
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


@admin_routes.get("/v1/admin/achievements", tags=["admin"])
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


@admin_routes.get("/v1/admin/achievements/<achievement_id>", tags=["admin"])
def get_achievement(achievement_id: PathId) -> schemas.AchievementOut:
    caller = _admin(admin_routes)
    found = admin.get_achievement(caller.tenant_id, achievement_id, config=container().config)
    return schemas.AchievementOut.of(found)


@admin_routes.patch("/v1/admin/achievements/<achievement_id>", tags=["admin"])
def edit_achievement(
    achievement_id: PathId, body: Annotated[schemas.AchievementPatch, Body()]
) -> schemas.AchievementOut:
    caller = _admin(admin_routes)
    c = container()
    edited = admin.edit_achievement(
        caller.tenant_id, achievement_id, body.changes(), config=c.config, clock=c.clock
    )
    return schemas.AchievementOut.of(edited)


@me_routes.get("/v1/me/achievements", tags=["me"])
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


@me_routes.get("/v1/me/awards", tags=["me"])
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


@me_routes.get("/v1/me/wallet", tags=["me"])
def my_wallet() -> schemas.WalletOut:
    caller = _caller(me_routes)
    wallet = me.my_wallet(caller.tenant_id, caller.user_id, awards=container().awards)
    return schemas.WalletOut(points=wallet.points, coins=wallet.coins)


@me_routes.get("/v1/me/ledger", tags=["me"])
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


@me_routes.get("/v1/me/messages", tags=["me"])
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


@me_routes.get("/v1/leaderboards/<metric_id>", tags=["leaderboards"])
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
