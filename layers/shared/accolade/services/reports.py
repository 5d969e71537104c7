"""What admins read about their users: a user's page as the user sees it, and (below) the
completion report by organisation."""

from __future__ import annotations

from typing import Any

from accolade.domain.errors import or_not_found
from accolade.ports import (
    AwardRepository,
    Clock,
    ConfigRepository,
    Page,
    ProgressRepository,
    UserRepository,
)
from accolade.services.me import AchievementView, my_achievements


def user_achievements(
    tenant_id: str,
    user_id: str,
    *,
    config: ConfigRepository,
    users: UserRepository,
    awards: AwardRepository,
    progress: ProgressRepository,
    clock: Clock,
    **page: Any,
) -> Page[AchievementView]:
    """A user's achievements page exactly as ``GET /v1/me/achievements`` shows it to them (the
    same service, filters and order), for an admin; an unknown user is not found."""
    or_not_found(users.get_users(tenant_id, [user_id]).get(user_id), f"user {user_id}")
    return my_achievements(
        tenant_id,
        user_id,
        config=config,
        users=users,
        awards=awards,
        progress=progress,
        clock=clock,
        **page,
    )
