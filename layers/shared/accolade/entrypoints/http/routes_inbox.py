"""Routes of the inbox and of the admins' reports: marking a message read, a user's
achievements page as an admin sees it, and the completion report by organisation."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from accolade.domain.limits import PAGE_SIZE_DEFAULT
from accolade.entrypoints.http import reports_schemas, schemas
from accolade.entrypoints.http.routes import (
    ID_PATTERN,
    AchievementSort,
    AchievementStatus,
    Cursor,
    Limit,
    PathId,
    SortOrder,
    _achievements_page,
    _mine,
    _tenant_page,
)
from accolade.entrypoints.http.routing import documented
from accolade.services import me, reports

inbox_routes = Router()
# Message ids are award ids (base64url) and what notices add to them ("." and digits).
MessageId = Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]+$", max_length=1024)]


@documented(
    inbox_routes.post,
    "/v1/me/messages/<message_id>/read",
    "The message, read",
    errors={404: "The caller has no message of that id"},
)
def read_message(message_id: MessageId) -> schemas.MessageOut:
    """Mark a message read

    Marks one of the caller's messages read, so that `?unread=true` leaves it out; marking it
    again changes nothing (it keeps the first `read_at`).
    """
    return schemas.MessageOut.of(_mine(inbox_routes, me.read_message, message_id))


@documented(
    inbox_routes.get,
    "/v1/admin/users/<user_id>/achievements",
    "A page of the user's achievements, as the user sees them",
    errors={404: "No such user"},
)
def user_achievements(
    user_id: PathId,
    status: AchievementStatus = None,
    sort: AchievementSort = me.SortKey.NAME,
    order: SortOrder = "asc",
    limit: Limit = PAGE_SIZE_DEFAULT,
    cursor: Cursor = None,
) -> schemas.MyAchievementList:
    """List a user's achievements with progress

    What the user sees on their own achievements page (`GET /v1/me/achievements`: the same
    filters, order and progress), for an admin of the tenant.
    """
    filters, asked = _achievements_page(status, sort, order, limit)
    return _tenant_page(
        schemas.MyAchievementList,
        "admin/users/achievements",
        cursor,
        reports.user_achievements,
        user_id,
        filters=filters,
        **asked,
    )


@documented(
    inbox_routes.get,
    "/v1/admin/reports/completion",
    "A page of organisations with their users and how many earned the achievement",
    errors={404: "No such achievement"},
)
def completion_report(
    achievement_id: Annotated[
        str, Query(pattern=ID_PATTERN, max_length=128, description="the achievement reported")
    ],
    group: Annotated[
        str | None,
        Query(min_length=1, max_length=64, description="only the users in this group"),
    ] = None,
    period_key: Annotated[
        str | None,
        Query(
            max_length=16,
            description="a periodic achievement's period (W2026-W48, M2026-11, D2026-11-24); "
            "all time when absent, and always for an achievement without periods",
        ),
    ] = None,
    limit: Limit = PAGE_SIZE_DEFAULT,
    cursor: Cursor = None,
) -> reports_schemas.CompletionReport:
    """Report completion by organisation

    For each organisation (by id): its users, how many of them hold an active award of the
    achievement (each user once, however many awards; revoked ones do not count, expired ones
    do) and the share. Counted on write, never by scanning.
    """
    return _tenant_page(
        reports_schemas.CompletionReport,
        "admin/reports/completion",
        cursor,
        reports.completion_report,
        filters=(achievement_id, group or "", period_key or ""),
        asked=reports.ReportRequest(achievement_id, group, period_key),
        limit=limit,
    )
