"""The ranked rows of a (metric, period) leaderboard, with display names, each user's featured
award and the badges shown next to names."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from accolade.domain.errors import InvalidInputError, NotFoundError, or_not_found
from accolade.domain.models import Achievement, AwardKey, AwardStatus, UserProfile
from accolade.domain.periods import TimeRange, period_bounds, period_key, zone
from accolade.ports import (
    AwardRepository,
    Clock,
    ConfigRepository,
    LeaderboardRepository,
    UserRepository,
)


class Badge(NamedTuple):
    award_id: str | None  # the featured award's id; badges stand for an achievement held
    achievement_id: str
    name: str
    badge: str | None
    level: int


@dataclass(frozen=True)
class Row:
    rank: int
    user_id: str
    display_name: str
    score: Decimal
    featured: Badge | None = None
    badges: list[Badge] = field(default_factory=list)


def leaderboard(
    tenant_id: str,
    metric_id: str,
    time_range: TimeRange,
    *,
    limit: int,
    period: str | None = None,
    config: ConfigRepository,
    users: UserRepository,
    leaderboards: LeaderboardRepository,
    awards: AwardRepository,
    clock: Clock,
) -> tuple[str, list[Row]]:
    """The top ``limit`` of the current period, or of the past ``period`` key (ties share a
    rank), highest score first; each row with the user's featured award and the active awards
    of achievements shown next to names, as they stand now."""
    tenant = config.get_config(tenant_id)
    found = next((m for m in tenant.metrics if m.metric_id == metric_id), None)
    metric = or_not_found(found, f"metric {metric_id}")
    if time_range not in metric.leaderboards:
        raise NotFoundError(f"metric {metric_id} has no {time_range.value} leaderboard")
    tz = zone(tenant.settings.timezone)
    now = clock.now()
    key = period_key(time_range, now, tz) if period is None else _past(period, time_range, tz, now)
    standings = leaderboards.standings(tenant_id, metric_id, key, limit)
    user_ids = [s.user_id for s in standings]
    profiles = users.get_users(tenant_id, user_ids)
    definitions = {a.achievement_id: a for a in tenant.achievements}
    featured = _featured(tenant_id, profiles, definitions, awards, now)
    badges = _badges(tenant_id, user_ids, definitions, awards, now)
    rows: list[Row] = []
    for index, standing in enumerate(standings):
        tied = rows and rows[-1].score == standing.score
        rank = rows[-1].rank if tied else index + 1
        profile = profiles.get(standing.user_id)
        name = profile.display_name if profile and profile.display_name else standing.user_id
        rows.append(
            Row(
                rank,
                standing.user_id,
                name,
                standing.score,
                featured.get(standing.user_id),
                badges.get(standing.user_id, []),
            )
        )
    return key, rows


def _past(period: str, time_range: TimeRange, tz: ZoneInfo, now: datetime) -> str:
    """A period key of ``time_range`` that has started; 422 naming period_key otherwise."""
    try:
        start = period_bounds(period, tz)[0]
        valid = period_key(time_range, start, tz) == period
    except (ValueError, IndexError):
        valid = False
    if not valid:
        example = period_key(time_range, now, tz)
        raise InvalidInputError("period_key", f"is not a {time_range.value} key like {example}")
    if start > now:
        raise InvalidInputError("period_key", "has not started yet")
    return period


def _featured(
    tenant_id: str,
    profiles: dict[str, UserProfile],
    definitions: dict[str, Achievement],
    awards: AwardRepository,
    now: datetime,
) -> dict[str, Badge]:
    wanted: dict[AwardKey, str] = {}
    for user_id, profile in profiles.items():
        if profile.featured_award_id:
            wanted[AwardKey.from_award_id(profile.featured_award_id)] = user_id
    found = awards.get_awards(tenant_id, wanted)
    shown: dict[str, Badge] = {}
    for key, award in found.items():
        achievement = definitions.get(award.achievement_id)
        if achievement is not None and award.status_at(now) is AwardStatus.ACTIVE:
            shown[wanted[key]] = _badge(achievement, award.level, award.award_id)
    return shown


def _badges(
    tenant_id: str,
    user_ids: list[str],
    definitions: dict[str, Achievement],
    awards: AwardRepository,
    now: datetime,
) -> dict[str, list[Badge]]:
    shown = [a for a in definitions.values() if a.show_next_to_name]
    pairs = [(user, a.achievement_id) for user in user_ids for a in shown]
    summaries = awards.summaries_of(tenant_id, pairs) if pairs else {}
    badges: dict[str, list[Badge]] = {}
    for (user_id, achievement_id), summary in sorted(summaries.items()):
        if summary.held_at(now):
            badge = _badge(definitions[achievement_id], summary.highest_level, None)
            badges.setdefault(user_id, []).append(badge)
    return badges


def _badge(achievement: Achievement, level: int, award_id: str | None) -> Badge:
    return Badge(award_id, achievement.achievement_id, achievement.name, achievement.badge, level)
