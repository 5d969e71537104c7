"""Personal goals, pure: which users' goals a batch needs, and which goal awards it earns.

A goal is reached in a period when its counter (the user's metric in that day, week or month)
is at or above its target. A ``goal_reached`` achievement grants once per goal and period: the
award key's period is ``{period_key}#{goal_id}``, so however often events race or are delivered
again, the conditional write of the award keeps one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from accolade.domain.models import (
    Achievement,
    AchievementType,
    ActivityEvent,
    AwardKey,
    CounterKey,
    Goal,
)
from accolade.domain.periods import period_kind
from accolade.domain.rules import AwardIntent, applies

GOAL_SEPARATOR = "#"  # not in a period key nor in an id: the goal id follows the period


def goal_period_key(period_key: str, goal_id: str) -> str:
    """The period part of a goal award's key: one award per goal and period."""
    return f"{period_key}{GOAL_SEPARATOR}{goal_id}"


def _live(
    event: ActivityEvent, achievements: Iterable[Achievement], groups: tuple[str, ...]
) -> list[Achievement]:
    return _live_at(event.occurred_at, achievements, groups)


def _live_at(
    moment: datetime, achievements: Iterable[Achievement], groups: tuple[str, ...]
) -> list[Achievement]:
    return [
        a
        for a in achievements
        if a.type is AchievementType.GOAL_REACHED and applies(a, moment, groups)
    ]


def _watches(achievement: Achievement, metric_id: str) -> bool:
    """A goal_reached achievement without a metric grants for goals on any metric."""
    return achievement.metric is None or achievement.metric == metric_id


def goal_users(
    events: Iterable[ActivityEvent],
    achievements: Collection[Achievement],
    groups: Mapping[str, tuple[str, ...]],
    moved: Mapping[str, Collection[CounterKey]],
) -> set[str]:
    """The users whose goals can decide an award: an event of theirs moved a metric that a
    live goal_reached achievement watches. Only their goals are read."""
    users: set[str] = set()
    for event in events:
        live = _live(event, achievements, groups.get(event.user_id, ()))
        metrics = {counter.metric_id for counter in moved.get(event.event_id, ())}
        if any(_watches(a, metric_id) for a in live for metric_id in metrics):
            users.add(event.user_id)
    return users


def _reachable(
    event: ActivityEvent,
    goals: Mapping[str, Collection[Goal]],
    moved: Mapping[str, Collection[CounterKey]],
) -> Iterable[tuple[Goal, CounterKey]]:
    """The event's user's goals whose counter the event moved (a counter that did not move
    cannot reach a goal), each with that counter."""
    moved_here = set(moved.get(event.event_id, ()))
    for goal in goals.get(event.user_id, ()):
        for counter in moved_here:
            if counter.metric_id == goal.metric and period_kind(counter.period_key) == goal.period:
                yield goal, counter


def goal_counters(
    events: Iterable[ActivityEvent],
    goals: Mapping[str, Collection[Goal]],
    moved: Mapping[str, Collection[CounterKey]],
) -> set[CounterKey]:
    """The counters whose values decide these events' goals."""
    return {counter for event in events for _, counter in _reachable(event, goals, moved)}


def plan_goal_awards(
    events: Iterable[ActivityEvent],
    achievements: Collection[Achievement],
    groups: Mapping[str, tuple[str, ...]],
    goals: Mapping[str, Collection[Goal]],
    counters: Mapping[CounterKey, Decimal],
    moved: Mapping[str, Collection[CounterKey]],
) -> list[AwardIntent]:
    """Every goal award these events earn, one per award key, in a stable order."""
    intents: dict[AwardKey, AwardIntent] = {}
    for event in events:
        live = _live(event, achievements, groups.get(event.user_id, ()))
        if not live:
            continue
        for goal, counter in _reachable(event, goals, moved):
            value = counters.get(counter, Decimal(0))
            for intent in goal_intents(live, goal, counter, value, event.event_id):
                intents.setdefault(intent.key, intent)
    return [intents[key] for key in sorted(intents)]


def goal_intents(
    live: Iterable[Achievement],
    goal: Goal,
    counter: CounterKey,
    value: Decimal,
    event_id: str | None,
) -> Iterable[AwardIntent]:
    """The awards of the ``live`` achievements watching ``goal`` once its counter's ``value``
    reaches the target: one per goal and period."""
    if value < goal.target:
        return
    period = goal_period_key(counter.period_key, goal.goal_id)
    for achievement in live:
        if _watches(achievement, goal.metric):
            key = AwardKey(goal.user_id, achievement.achievement_id, period, 1)
            yield AwardIntent(key, achievement, event_id)


def standing_goal_counters(
    goals: Mapping[str, Collection[Goal]], now: datetime, tz: ZoneInfo
) -> set[CounterKey]:
    """The counters of the current periods that decide these goals at ``now``."""
    return {goal.counter(now, tz) for its in goals.values() for goal in its}


def plan_standing_goals(
    achievements: Collection[Achievement],
    groups: Mapping[str, tuple[str, ...]],
    goals: Mapping[str, Collection[Goal]],
    counters: Mapping[CounterKey, Decimal],
    now: datetime,
    tz: ZoneInfo,
) -> list[AwardIntent]:
    """Every goal award the users' goals earn at ``now`` from the counters of their current
    periods (a sync): the rules ``plan_goal_awards`` applies, with ``now`` as the moment."""
    intents: dict[AwardKey, AwardIntent] = {}
    for user_id, its in goals.items():
        live = _live_at(now, achievements, groups.get(user_id, ()))
        for goal in its if live else ():
            counter = goal.counter(now, tz)
            value = counters.get(counter, Decimal(0))
            for intent in goal_intents(live, goal, counter, value, None):
                intents.setdefault(intent.key, intent)
    return [intents[key] for key in sorted(intents)]
