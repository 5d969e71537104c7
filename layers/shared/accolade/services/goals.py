"""Personal goals: set by the user for themself or by an admin for them, read with the current
period's progress."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from accolade.domain.errors import InvalidInputError, LimitExceededError, NotFoundError
from accolade.domain.limits import MAX_GOALS_PER_USER
from accolade.domain.models import Goal, GoalPeriod
from accolade.domain.periods import zone
from accolade.ports import (
    Clock,
    ConfigRepository,
    GoalRepository,
    ProgressRepository,
    UserRepository,
)


class GoalView(NamedTuple):
    """A goal and where its user stands in the current period (in the tenant's zone)."""

    goal: Goal
    period_key: str
    value: Decimal

    @property
    def reached(self) -> bool:
        return self.value >= self.goal.target


class GoalSetting(NamedTuple):
    metric: str
    period: GoalPeriod
    target: Decimal


def set_goal(
    tenant_id: str,
    user_id: str,
    goal_id: str,
    setting: GoalSetting,
    *,
    set_by: str,
    config: ConfigRepository,
    goals: GoalRepository,
    progress: ProgressRepository,
    clock: Clock,
) -> GoalView:
    """Create or replace a goal of ``user_id``: its metric must exist; a user has at most
    ``MAX_GOALS_PER_USER`` goals. Reaching it again in a period where it was already reached
    grants nothing more, even with another target."""
    if config.get_metric(tenant_id, setting.metric) is None:
        raise InvalidInputError("metric", f"no metric {setting.metric!r}: create it first")
    goal = Goal(
        user_id=user_id,
        goal_id=goal_id,
        metric=setting.metric,
        period=setting.period,
        target=setting.target,
        set_by=set_by,
        updated_at=clock.now(),
    )
    if not goals.put_goal(tenant_id, goal, cap=MAX_GOALS_PER_USER):
        raise LimitExceededError(
            "goal_id",
            f"a user has at most {MAX_GOALS_PER_USER} goals; replace or delete one instead",
        )
    (view,) = _views(tenant_id, [goal], config, progress, clock)
    return view


def list_goals(
    tenant_id: str,
    user_id: str,
    *,
    config: ConfigRepository,
    goals: GoalRepository,
    progress: ProgressRepository,
    clock: Clock,
) -> list[GoalView]:
    """The user's goals by id, each with the current period's value and whether it is reached
    (at most ``MAX_GOALS_PER_USER``: one read of the goals, one of their counters)."""
    found = sorted(goals.goals_of(tenant_id, [user_id]).get(user_id, []), key=lambda g: g.goal_id)
    return _views(tenant_id, found, config, progress, clock)


def user_goals(
    tenant_id: str,
    user_id: str,
    *,
    users: UserRepository,
    config: ConfigRepository,
    goals: GoalRepository,
    progress: ProgressRepository,
    clock: Clock,
) -> list[GoalView]:
    """A user's goals as they see them, for an admin; NotFoundError for a user the tenant has
    neither a profile nor a goal of."""
    found = list_goals(
        tenant_id, user_id, config=config, goals=goals, progress=progress, clock=clock
    )
    if not found and user_id not in users.get_users(tenant_id, [user_id]):
        raise NotFoundError(f"user {user_id} not found")
    return found


def delete_goal(tenant_id: str, user_id: str, goal_id: str, *, goals: GoalRepository) -> None:
    """Remove the goal; awards it earned stay."""
    if not goals.delete_goal(tenant_id, user_id, goal_id):
        raise NotFoundError(f"goal {goal_id} not found")


def _views(
    tenant_id: str,
    found: list[Goal],
    config: ConfigRepository,
    progress: ProgressRepository,
    clock: Clock,
) -> list[GoalView]:
    if not found:
        return []
    tz = zone(config.get_config(tenant_id).settings.timezone)
    now = clock.now()
    counters = [goal.counter(now, tz) for goal in found]
    values = progress.counters(tenant_id, counters)
    return [
        GoalView(goal, counter.period_key, values.get(counter, Decimal(0)))
        for goal, counter in zip(found, counters, strict=True)
    ]
