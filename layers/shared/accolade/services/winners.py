"""SelectWinners: close the last week or month and grant each period-winner achievement once."""

from __future__ import annotations

from dataclasses import dataclass, field

from accolade.domain.models import Achievement, Award, AwardKey, Slot
from accolade.domain.periods import TimeRange, zone
from accolade.domain.rules import AwardIntent, Standing, closed_period, pick_winner
from accolade.ports import (
    AwardRepository,
    Clock,
    ConfigRepository,
    LeaderboardRepository,
    TenantConfig,
    UserRepository,
)

AUDIENCE_PAGE = 25  # with an audience, rows read per page until someone eligible
MAX_ROWS = 3200


@dataclass
class WinnersResult:
    granted: list[Award] = field(default_factory=list)
    already_chosen: int = 0
    no_activity: int = 0


def select_winners(
    period: TimeRange,
    *,
    config: ConfigRepository,
    users: UserRepository,
    leaderboards: LeaderboardRepository,
    awards: AwardRepository,
    clock: Clock,
) -> WinnersResult:
    """Grant every enabled period-winner achievement of ``period`` for its last closed period.

    Safe to run again: the winning award takes a slot per (achievement, period) with a
    conditional write, so a second run, or a late event that changes the ranking, grants nothing.
    """
    result = WinnersResult()
    now = clock.now()
    tenants: dict[str, TenantConfig] = {}
    for tenant_id, achievement in config.period_top_achievements():
        if achievement.period is not period:
            continue
        tenant = tenants.get(tenant_id) or tenants.setdefault(
            tenant_id, config.get_config(tenant_id)
        )
        live = next(
            (a for a in tenant.achievements if a.achievement_id == achievement.achievement_id),
            None,
        )
        if live is None or not live.enabled:
            continue
        closed = closed_period(period, now, zone(tenant.settings.timezone))
        winner = _winner(tenant_id, live, closed, users, leaderboards)
        if winner is None:
            result.no_activity += 1
            continue
        key = AwardKey(winner.user_id, live.achievement_id, closed, 1)
        award = AwardIntent(key, live, None).to_award(
            now, coins_enabled=tenant.settings.features.coins
        )
        granted = awards.grant(
            tenant_id, winner.user_id, [award], slot=Slot(live.achievement_id, closed)
        )
        if granted:
            result.granted += granted
        else:
            result.already_chosen += 1
    return result


def _winner(
    tenant_id: str,
    achievement: Achievement,
    period_key: str,
    users: UserRepository,
    leaderboards: LeaderboardRepository,
) -> Standing | None:
    """The first eligible row of the leaderboard, which comes in winner order.

    Without an audience this is one query of one row, for 10 tied users or 100,000.
    """
    assert achievement.metric is not None
    if not achievement.audience.groups:
        return pick_winner(leaderboards.standings(tenant_id, achievement.metric, period_key, 1))
    seen = 0
    limit = AUDIENCE_PAGE
    while True:
        rows = leaderboards.standings(tenant_id, achievement.metric, period_key, limit)
        fresh = rows[seen:]
        allowed = _eligibility(tenant_id, achievement, fresh, users)
        assert allowed is not None
        winner = pick_winner(fresh, allowed.__getitem__)
        below_zero = bool(rows) and rows[-1].score <= 0  # the rest cannot win either
        if winner is not None or below_zero or len(rows) < limit or limit >= MAX_ROWS:
            return winner
        seen, limit = len(rows), limit * 4


def _eligibility(
    tenant_id: str, achievement: Achievement, rows: list[Standing], users: UserRepository
) -> dict[str, bool] | None:
    if not achievement.audience.groups:
        return None
    profiles = users.get_users(tenant_id, [row.user_id for row in rows])
    return {
        row.user_id: achievement.visible_to(profiles[row.user_id].groups)
        if row.user_id in profiles
        else False
        for row in rows
    }
