"""Why a user holds an achievement or not, pure: the verdict explain gives, from the same rules
evaluation applies (``rules.applies``, ``rules.levels_reached``, ``rules.holder_slot``)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple
from zoneinfo import ZoneInfo

from accolade.domain.models import (
    Achievement,
    AchievementType,
    Award,
    AwardKey,
    AwardStatus,
    Slot,
)
from accolade.domain.rules import AwardIntent, holder_slot, levels_reached


class Reason(StrEnum):
    """Why an achievement is or is not granted to a user in the period explained."""

    GRANTED = "granted"  # every level the counter reaches is held
    NOT_YET_REACHED = "not_yet_reached"  # the counter is below the first level's threshold
    DISABLED = "disabled"  # reached (or not), but the achievement grants nothing while disabled
    OUTSIDE_EFFECTIVE_DATES = "outside_effective_dates"  # now is outside [from, to)
    NOT_IN_AUDIENCE = "not_in_audience"  # the user is in none of its audience's groups
    # A record held by someone else in the period, or the user's own membership of the period.
    ALREADY_HELD = "already_held"
    REVOKED = "revoked"  # the level was granted and revoked: its key is spent for the period
    DUE = "due"  # reached and grantable, not granted yet (enabled later): a sync grants it
    NOT_APPLICABLE = "not_applicable"  # no counter decides it (manual, winners, courses...)


def explained_by_counter(achievement: Achievement) -> bool:
    """Whether a counter (or, for a one-off event achievement, the user's events) decides the
    achievement, so that explain can give a reason other than not_applicable."""
    return achievement.type is AchievementType.METRIC_THRESHOLD or (
        achievement.type is AchievementType.EVENT and not achievement.repeatable
    )


def level_keys(achievement: Achievement, user_id: str, period_key: str) -> list[AwardKey]:
    """The award keys of every level of the achievement for the user in the period."""
    return [
        AwardKey(user_id, achievement.achievement_id, period_key, level)
        for level in range(1, len(achievement.levels) + 1)
    ]


def pending_slots(
    achievement: Achievement,
    user_id: str,
    period_key: str,
    levels: Iterable[int],
    now: datetime,
    tz: ZoneInfo,
) -> dict[int, Slot]:
    """The slot (record or membership) each of these levels would take if granted now."""
    slots: dict[int, Slot] = {}
    for level in levels:
        key = AwardKey(user_id, achievement.achievement_id, period_key, level)
        award = AwardIntent(key, achievement, None).to_award(now, coins_enabled=False, tz=tz)
        if (slot := holder_slot(achievement, award, tz)) is not None:
            slots[level] = slot
    return slots


class Verdict(NamedTuple):
    granted: bool  # the user holds an award of it in the period (revoked ones do not count)
    reason: Reason
    missing: tuple[int, ...]  # levels reached and never granted in the period


def verdict(
    achievement: Achievement,
    value: Decimal,
    held: Mapping[int, Award],
    groups: tuple[str, ...],
    now: datetime,
    taken: Collection[int] = (),
) -> Verdict:
    """The verdict for one period: ``value`` is its counter, ``held`` the user's awards of it in
    the period by level (revoked too), ``taken`` the missing levels whose slot another award
    holds. Held awards come first (disabling never touches them); then why the missing levels
    were not granted, in the order evaluation checks it."""
    reached = levels_reached(achievement, value)
    kept = {level for level, award in held.items() if award.status is not AwardStatus.REVOKED}
    missing = tuple(level for level in reached if level not in held)
    granted = bool(kept)
    if reached and not missing:
        if all(level in kept for level in reached):
            return Verdict(granted, Reason.GRANTED, missing)
        return Verdict(granted, Reason.REVOKED, missing)
    if not achievement.enabled:
        reason = Reason.DISABLED
    elif not achievement.in_effect(now):
        reason = Reason.OUTSIDE_EFFECTIVE_DATES
    elif not achievement.visible_to(groups):
        reason = Reason.NOT_IN_AUDIENCE
    elif not missing:
        reason = Reason.NOT_YET_REACHED
    elif all(level in taken for level in missing):
        reason = Reason.ALREADY_HELD
    else:
        reason = Reason.DUE
    return Verdict(granted, reason, missing)
