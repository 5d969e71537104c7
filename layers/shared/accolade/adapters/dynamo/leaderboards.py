"""Leaderboards: a query of the sparse Leaderboard index, never a scan."""

from __future__ import annotations

from accolade.adapters.dynamo import keys
from accolade.adapters.dynamo.models import (
    CounterItem,
)
from accolade.domain.rules import Standing


class DynamoLeaderboardRepository:
    """A (metric, period) leaderboard is a query of the sparse Leaderboard index, never a scan.

    Rows come in winner order: score, then who reached it first, then user id.
    """

    def standings(
        self, tenant_id: str, metric_id: str, period_key: str, limit: int
    ) -> list[Standing]:
        items = CounterItem.leaderboard.query(
            keys.leaderboard_pk(tenant_id, metric_id, period_key),
            scan_index_forward=False,
            limit=limit,
            page_size=limit,
        )
        return [Standing(item.user_id, item.score, item.reached_at) for item in items]
