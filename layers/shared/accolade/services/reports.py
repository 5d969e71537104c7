"""What admins read about their users: a user's page as the user sees it, and (below) the
completion report by organisation."""

from __future__ import annotations

from typing import Any, NamedTuple

from accolade.domain.errors import InvalidInputError, or_not_found
from accolade.domain.models import Award
from accolade.domain.periods import ALL_TIME_KEY, TimeRange, is_period_key
from accolade.ports import (
    FIRST_PAGE,
    CompletionQuery,
    CompletionRepository,
    ConfigRepository,
    OrgCompletion,
    Page,
    PageRequest,
)
from accolade.services.me import AchievementView, AchievementViewPorts, my_achievements


def user_achievements(
    tenant_id: str, user_id: str, *, ports: AchievementViewPorts, **view: Any
) -> Page[AchievementView]:
    """A user's achievements page exactly as ``GET /v1/me/achievements`` shows it to them (the
    same service, filters and order), for an admin; an unknown user is not found."""
    or_not_found(ports.users.get_users(tenant_id, [user_id]).get(user_id), f"user {user_id}")
    return my_achievements(tenant_id, user_id, ports=ports, **view)


class ReportRequest(NamedTuple):
    """The completion report asked for: of the achievement ``achievement_id``, among the users
    of ``group`` (None: all users), in the period ``period_key`` (None: all time)."""

    achievement_id: str
    group: str | None = None
    period_key: str | None = None


def completion_report(
    tenant_id: str,
    *,
    asked: ReportRequest,
    page: PageRequest = FIRST_PAGE,
    config: ConfigRepository,
    completion: CompletionRepository,
) -> Page[OrgCompletion]:
    """Per organisation (by id): its users (in ``group``, when given) and how many of them hold
    an active award of the achievement, each counted once however many they hold. For a
    periodic achievement ``period_key`` picks one period (default: all time); an achievement
    without periods is reported over all time whatever ``period_key`` says."""
    achievement_id, group, period_key = asked
    if period_key is not None and period_key != ALL_TIME_KEY and not is_period_key(period_key):
        raise InvalidInputError(
            "period_key", "must be ALL or a period key such as W2026-W48, M2026-11, D2026-11-24"
        )
    tenant = config.get_config(tenant_id)
    achievement = or_not_found(
        next((a for a in tenant.achievements if a.achievement_id == achievement_id), None),
        f"achievement {achievement_id}",
    )
    periodic = achievement.period is not None or achievement.time_range not in (
        None,
        TimeRange.ALL_TIME,
    )
    scope = period_key if period_key and periodic else ALL_TIME_KEY
    query = CompletionQuery(achievement_id, scope, group, page.limit, page.after)
    return completion.completion(tenant_id, query)


def count_award(tenant_id: str, award: Award, *, completion: CompletionRepository) -> None:
    """Count a granted award in the completion report (or stop counting a revoked one), once."""
    completion.count_award(tenant_id, award)


def user_moved(tenant_id: str, user_id: str, *, completion: CompletionRepository) -> None:
    """Move the user's completion counts to their profile's organisation and groups."""
    completion.reconcile_user(tenant_id, user_id)
