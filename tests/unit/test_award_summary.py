"""An achievement's summary adds up the user's active awards; it keeps the latest period's levels."""

from __future__ import annotations

from datetime import UTC, datetime

from accolade.domain.models import AchievementSummary, AchievementType, Award, AwardKey, AwardStatus

AT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def award(period: str, level: int, **extra: object) -> Award:
    return Award.model_validate(
        {
            "award_id": AwardKey("alice", "closer", period, level).award_id,
            "user_id": "alice",
            "achievement_id": "closer",
            "achievement_type": AchievementType.METRIC_THRESHOLD,
            "achievement_version": 1,
            "level": level,
            "period_key": period,
            "awarded_at": AT,
            "points": 10 * level,
            **extra,
        }
    )


def test_counts_times_highest_level_and_points_and_keeps_the_latest_periods_levels() -> None:
    summary = AchievementSummary.of(
        "closer",
        [
            award("W2026-W48", 1),
            award("W2026-W48", 2),
            award("W2026-W48", 3),
            award("W2026-W47", 1),  # a late award of an older period
            award("W2026-W46", 2),
        ],
    )

    assert (summary.times_earned, summary.highest_level, summary.points_earned) == (5, 3, 90)
    assert (summary.period_key, summary.period_levels) == ("W2026-W48", frozenset({1, 2, 3}))


def test_a_newer_period_starts_its_levels_afresh() -> None:
    summary = AchievementSummary.of("closer", [award("W2026-W47", 1), award("W2026-W47", 2)])

    summary = summary.add(award("W2026-W48", 1))

    assert (summary.period_key, summary.period_levels) == ("W2026-W48", frozenset({1}))
    assert summary.times_earned == 3


def test_an_inactive_award_counts_for_nothing() -> None:
    summary = AchievementSummary.of("closer", [award("W2026-W48", 1, status=AwardStatus.REVOKED)])

    assert summary == AchievementSummary(achievement_id="closer")
