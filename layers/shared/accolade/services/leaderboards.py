"""The ranked rows of a (metric, period) leaderboard, with display names."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from accolade.domain.errors import NotFoundError
from accolade.domain.periods import TimeRange, period_key, zone
from accolade.ports import Clock, ConfigRepository, LeaderboardRepository, UserRepository


@dataclass(frozen=True)
class Row:
    rank: int
    user_id: str
    display_name: str
    score: Decimal


def leaderboard(
    tenant_id: str,
    metric_id: str,
    time_range: TimeRange,
    *,
    limit: int,
    config: ConfigRepository,
    users: UserRepository,
    leaderboards: LeaderboardRepository,
    clock: Clock,
) -> tuple[str, list[Row]]:
    """The current period's top ``limit`` (ties share a rank), highest score first."""
    tenant = config.get_config(tenant_id)
    metric = next((m for m in tenant.metrics if m.metric_id == metric_id), None)
    if metric is None:
        raise NotFoundError(f"metric {metric_id} not found")
    if time_range not in metric.leaderboards:
        raise NotFoundError(f"metric {metric_id} has no {time_range.value} leaderboard")
    key = period_key(time_range, clock.now(), zone(tenant.settings.timezone))
    standings = leaderboards.standings(tenant_id, metric_id, key, limit)
    profiles = users.get_users(tenant_id, [s.user_id for s in standings])
    rows: list[Row] = []
    for index, standing in enumerate(standings):
        tied = rows and rows[-1].score == standing.score
        rank = rows[-1].rank if tied else index + 1
        profile = profiles.get(standing.user_id)
        name = profile.display_name if profile and profile.display_name else standing.user_id
        rows.append(Row(rank, standing.user_id, name, standing.score))
    return key, rows
