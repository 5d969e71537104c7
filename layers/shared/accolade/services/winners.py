"""Period winners: the hourly job finds each tenant's closed weeks and months, in the tenant's
zone and after its grace, and hands each tenant to its own invocation, which grants each
period-winner achievement's winner once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from accolade.domain.closing import CATCH_UP, PeriodClose, TenantCloses, closes_at, due_period
from accolade.domain.models import Achievement, AchievementType, Award, AwardKey, Slot
from accolade.domain.periods import period_kind, zone
from accolade.domain.rules import AwardIntent, Standing, pick_winner
from accolade.ports import (
    AwardRepository,
    Clock,
    ConfigRepository,
    LeaderboardRepository,
    PeriodTopTenant,
    UserRepository,
    WinnersQueue,
)

AUDIENCE_PAGE = 25  # with an audience, rows read per page until someone eligible
MAX_ROWS = 3200


def due_closes(tenants: Iterable[PeriodTopTenant], as_of: datetime) -> list[TenantCloses]:
    """Each tenant's enabled period-winner achievements whose period became closable, in the
    tenant's zone after its grace, within ``CATCH_UP`` before ``as_of``."""
    work = []
    for tenant in tenants:
        tz = zone(tenant.settings.timezone)
        grace = timedelta(hours=tenant.settings.winners_grace_hours)
        closes = tuple(
            PeriodClose(achievement_id=a.achievement_id, period_key=key)
            for a in tenant.achievements
            if a.enabled
            and a.period is not None
            and (key := due_period(a.period, tz, grace, as_of, CATCH_UP)) is not None
        )
        if closes:
            work.append(TenantCloses(tenant_id=tenant.tenant_id, as_of=as_of, closes=closes))
    return work


def close_periods(
    as_of: datetime, *, config: ConfigRepository, winners_queue: WinnersQueue
) -> list[TenantCloses]:
    """List what is due at ``as_of`` and hand it over, one message per tenant.

    Two index queries and one SQS request per ten tenants: no read per tenant here.
    """
    work = due_closes(config.period_top_tenants(), as_of)
    winners_queue.send(work)
    return work


@dataclass
class WinnersResult:
    granted: list[Award] = field(default_factory=list)
    already_chosen: int = 0
    no_activity: int = 0
    not_due: int = 0  # still open (or in its grace) by the tenant's settings as now read


def select_winners(
    work: TenantCloses,
    *,
    config: ConfigRepository,
    users: UserRepository,
    leaderboards: LeaderboardRepository,
    awards: AwardRepository,
    clock: Clock,
) -> WinnersResult:
    """Grant the winner of each of one tenant's closed periods, once.

    Safe to run again: the winning award takes a slot per (achievement, period) with a
    conditional write, so a second run, or a late event that changes the ranking, grants nothing.
    """
    result = WinnersResult()
    now = clock.now()
    tenant = config.get_config(work.tenant_id)
    tz = zone(tenant.settings.timezone)
    grace = timedelta(hours=tenant.settings.winners_grace_hours)
    live = {a.achievement_id: a for a in tenant.achievements}
    for close in work.closes:
        achievement = _closing(live.get(close.achievement_id), close)
        if achievement is None:
            continue
        # Settings read again, consistently: never choose while late events may still count.
        if closes_at(close.period_key, tz, grace) > now:
            result.not_due += 1
            continue
        winner = _winner(work.tenant_id, achievement, close.period_key, users, leaderboards)
        if winner is None:
            result.no_activity += 1
            continue
        key = AwardKey(winner.user_id, achievement.achievement_id, close.period_key, 1)
        award = AwardIntent(key, achievement, None).to_award(
            now, coins_enabled=tenant.settings.features.coins, tz=tz
        )
        slot = Slot(achievement.achievement_id, close.period_key)
        granted = awards.grant(work.tenant_id, winner.user_id, [award], slot=slot)
        if granted:
            result.granted += granted
        else:
            result.already_chosen += 1
    return result


def _closing(achievement: Achievement | None, close: PeriodClose) -> Achievement | None:
    """The achievement ``close`` names, if it is still an enabled period winner of that kind
    of period (it may have been disabled or edited since the job listed it)."""
    if (
        achievement is None
        or not achievement.enabled
        or achievement.type is not AchievementType.PERIOD_TOP
        or achievement.period is not period_kind(close.period_key)
    ):
        return None
    return achievement


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
