"""Sync, dry run and explain: the rules evaluation applies (``domain/rules.py``), run for one user
now, for a draft or saved achievement without writing, or to say why a user holds it or not."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from accolade.domain.diagnosis import (
    Reason,
    explained_by_counter,
    level_keys,
    pending_slots,
    verdict,
)
from accolade.domain.errors import ConflictError, InvalidInputError, NotFoundError
from accolade.domain.goals import plan_standing_goals, standing_goal_counters
from accolade.domain.models import (
    Achievement,
    AchievementType,
    ActivityEvent,
    Award,
    CounterKey,
    Goal,
    UserProfile,
)
from accolade.domain.periods import ALL_TIME_KEY, period_bounds, zone
from accolade.domain.rules import (
    ONCE,
    AchievementIndex,
    AwardIntent,
    counter_deltas,
    plan_awards,
    plan_standing,
    standing_counters,
    threshold_counter,
)
from accolade.ports import (
    AwardRepository,
    Clock,
    ConfigRepository,
    Diagnostics,
    EventWindow,
    GoalRepository,
    ProgressRepository,
    TenantConfig,
    UserRepository,
)
from accolade.services.admin import DefinitionPorts, draft_achievement, get_achievement
from accolade.services.evaluate import EvaluationResult, grant_intents

# All time, for the events index: from the earliest occurred_at the API takes (period_bounds'
# datetime.min and max do not convert to UTC).
_EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC))
EXPLAIN_EVENTS = 20  # the newest events explain lists: one query of at most this many items


class StandingPorts(NamedTuple):
    """What a user's standing is read from, as evaluation reads it, and granted through: the
    definitions and metrics (``config``), users' groups, counters (``progress``), goals and
    awards. ``bootstrap.inject`` builds one."""

    config: ConfigRepository
    users: UserRepository
    progress: ProgressRepository
    awards: AwardRepository
    goals: GoalRepository | None = None


def sync_user(tenant_id: str, user_id: str, *, ports: StandingPorts, clock: Clock) -> list[Award]:
    """Grant what the user's counters of the current periods earn against every enabled
    achievement now, through evaluation's grant (award keys make a second sync, or one racing
    the evaluator, grant nothing twice). Metric thresholds and goals are decided by counters;
    the other types are decided per event (event, first activity in a project), at a period's
    close (winners) or by hand and course results, with nothing a counter keeps to redo: a sync
    grants none of them."""
    tenant = ports.config.get_config(tenant_id)
    tz = zone(tenant.settings.timezone)
    now = clock.now()
    live = [a for a in tenant.achievements if a.enabled]
    intents = _standing(tenant_id, [user_id], live, tenant, now, ports)
    if not intents:
        return []
    result = EvaluationResult()
    coins = tenant.settings.features.coins
    if grant_intents(tenant_id, intents, coins, tz, ports.awards, clock, result):
        raise ConflictError("the awards could not be written now: sync again")
    return sorted(result.granted, key=lambda award: award.key)


def _standing(
    tenant_id: str,
    user_ids: Sequence[str],
    achievements: Sequence[Achievement],
    tenant: TenantConfig,
    now: datetime,
    ports: StandingPorts,
) -> list[AwardIntent]:
    """Evaluation's threshold and goal rules over the users' counters of the current periods."""
    tz = zone(tenant.settings.timezone)
    groups = _groups(tenant_id, user_ids, achievements, ports.users)
    needed = standing_counters(user_ids, achievements, groups, now, tz)
    goals_of: dict[str, list[Goal]] = {}
    goals = ports.goals
    if goals is not None and any(a.type is AchievementType.GOAL_REACHED for a in achievements):
        goals_of = goals.goals_of(tenant_id, user_ids)  # one BatchGetItem per 100 users
        needed |= standing_goal_counters(goals_of, now, tz)
    values = ports.progress.counters(tenant_id, needed) if needed else {}
    intents = plan_standing(user_ids, achievements, groups, values, now, tz)
    return intents + plan_standing_goals(achievements, groups, goals_of, values, now, tz)


def _groups(
    tenant_id: str,
    user_ids: Sequence[str],
    achievements: Sequence[Achievement],
    users: UserRepository,
) -> dict[str, tuple[str, ...]]:
    if not any(achievement.audience.groups for achievement in achievements):
        return {}
    return {u: profile.groups for u, profile in users.get_users(tenant_id, user_ids).items()}


class WouldGrant(NamedTuple):
    user_id: str
    level: int
    period_key: str
    points: int
    coins: int


def simulate(
    tenant_id: str,
    *,
    definition: Mapping[str, Any] | None = None,
    achievement_id: str | None = None,
    events: Sequence[ActivityEvent] | None = None,
    user_ids: Sequence[str] | None = None,
    ports: StandingPorts,
    definitions: DefinitionPorts,
    clock: Clock,
) -> list[WouldGrant]:
    """What a draft definition or a saved achievement would grant, writing nothing: to the
    sample ``events`` counted on top of their users' stored counters (as if they arrived now,
    new), or to ``user_ids`` from their counters of the current periods. It is simulated as
    enabled (a dry run is how an admin tries it before enabling); awards already held are left
    out. Records' and memberships' one-holder slots are not read."""
    if definition is not None:
        try:
            target = draft_achievement(tenant_id, definition, ports=definitions, clock=clock)
        except InvalidInputError as exc:  # named inside the request's definition
            raise InvalidInputError(f"definition.{exc.field}", exc.details[0]["message"]) from exc
    else:
        target = get_achievement(tenant_id, achievement_id or "", config=ports.config)
    target = target.model_copy(update={"enabled": True})
    tenant = ports.config.get_config(tenant_id)
    tz = zone(tenant.settings.timezone)
    now = clock.now()
    if events is not None:
        intents = _fold(tenant_id, target, events, tenant, ports)
    else:
        intents = _standing(tenant_id, list(user_ids or ()), [target], tenant, now, ports)
    held = ports.awards.get_awards(tenant_id, [intent.key for intent in intents]) if intents else {}
    coins = tenant.settings.features.coins
    found = [
        intent.to_award(now, coins_enabled=coins, tz=tz)
        for intent in intents
        if intent.key not in held
    ]
    return [WouldGrant(a.user_id, a.level, a.period_key, a.points, a.coins) for a in found]


def _fold(
    tenant_id: str,
    target: Achievement,
    events: Sequence[ActivityEvent],
    tenant: TenantConfig,
    ports: StandingPorts,
) -> list[AwardIntent]:
    """Evaluation's planning over in-memory counters: the stored ones plus these events."""
    tz = zone(tenant.settings.timezone)
    moved: dict[str, set[CounterKey]] = {}
    deltas: dict[CounterKey, Decimal] = {}
    for event in events:
        for key, delta in counter_deltas(event, tenant.metrics, tz).items():
            deltas[key] = deltas.get(key, Decimal(0)) + delta
            moved.setdefault(event.event_id, set()).add(key)
    stored = ports.progress.counters(tenant_id, deltas) if deltas else {}
    values = {key: stored.get(key, Decimal(0)) + delta for key, delta in deltas.items()}
    groups = _groups(tenant_id, sorted({e.user_id for e in events}), [target], ports.users)
    index = AchievementIndex.build([target], tenant.metrics)
    return plan_awards(events, index, groups, values, tz, moved)


@dataclass(frozen=True)
class Explanation:
    granted: bool
    reason: Reason
    period_key: str | None
    value: Decimal | None
    thresholds: list[Decimal]
    definition_version: int
    events: list[ActivityEvent] = field(default_factory=list)


def explain(
    tenant_id: str,
    user_id: str,
    achievement_id: str,
    *,
    ports: StandingPorts,
    diagnostics: Diagnostics,
    clock: Clock,
) -> Explanation:
    """Why the user holds the achievement in its current period or not (``Reason``), with the
    counter, the thresholds, the definition's version and the newest events that counted."""
    achievement = get_achievement(tenant_id, achievement_id, config=ports.config)
    profile = _known_user(tenant_id, user_id, ports.users, diagnostics)
    groups = profile.groups if profile else ()
    tenant = ports.config.get_config(tenant_id)
    tz = zone(tenant.settings.timezone)
    now = clock.now()
    thresholds = [level.threshold for level in achievement.levels]
    if not explained_by_counter(achievement):
        summary = ports.awards.summaries_of(tenant_id, [(user_id, achievement_id)])
        held = (user_id, achievement_id) in summary and summary[(user_id, achievement_id)].held_at(
            now
        )
        return Explanation(held, Reason.NOT_APPLICABLE, None, None, thresholds, achievement.version)
    if achievement.type is AchievementType.METRIC_THRESHOLD:
        counter = threshold_counter(achievement, user_id, now, tz)
        period_key = counter.period_key
        metric = next((m for m in tenant.metrics if m.metric_id == achievement.metric), None)
        event_type = metric.event_type if metric else None
        value = ports.progress.counters(tenant_id, [counter]).get(counter, Decimal(0))
        start, end = _EVER if period_key == ALL_TIME_KEY else period_bounds(period_key, tz)
        counted = _newest(diagnostics, tenant_id, user_id, event_type, start, end)
    else:  # a one-off event achievement: its events in effect are what counted
        period_key, event_type = ONCE, achievement.event_type
        start, end = _EVER
        found = _newest(diagnostics, tenant_id, user_id, event_type, start, end)
        counted = [e for e in found if achievement.in_effect(e.occurred_at)]
        value = Decimal(len(counted))
    keys = level_keys(achievement, user_id, period_key)
    held_awards = {
        key.level: award for key, award in ports.awards.get_awards(tenant_id, keys).items()
    }
    reached_missing = [
        key.level
        for key in keys
        if key.level not in held_awards and value >= achievement.levels[key.level - 1].threshold
    ]
    slots = pending_slots(achievement, user_id, period_key, reached_missing, now, tz)
    holders = diagnostics.slot_holders(tenant_id, slots.values()) if slots else {}
    taken = {level for level, slot in slots.items() if slot in holders}
    found_verdict = verdict(achievement, value, held_awards, groups, now, taken)
    return Explanation(
        found_verdict.granted,
        found_verdict.reason,
        period_key,
        value,
        thresholds,
        achievement.version,
        counted,
    )


def _newest(
    diagnostics: Diagnostics,
    tenant_id: str,
    user_id: str,
    event_type: str | None,
    start: datetime,
    end: datetime,
) -> list[ActivityEvent]:
    if event_type is None:
        return []
    return diagnostics.newest_events(
        tenant_id, user_id, EventWindow(event_type, start, end, limit=EXPLAIN_EVENTS)
    )


def sync_known_user(
    tenant_id: str, user_id: str, *, ports: StandingPorts, diagnostics: Diagnostics, clock: Clock
) -> list[Award]:
    """An admin's sync of a user: 404 for a user with neither a profile nor an event."""
    _known_user(tenant_id, user_id, ports.users, diagnostics)
    return sync_user(tenant_id, user_id, ports=ports, clock=clock)


def _known_user(
    tenant_id: str, user_id: str, users: UserRepository, diagnostics: Diagnostics
) -> UserProfile | None:
    """The user's profile, None for a user with events and no profile; 404 for neither."""
    profile = users.get_users(tenant_id, [user_id]).get(user_id)
    if profile is None and not diagnostics.has_events(tenant_id, user_id):
        raise NotFoundError(f"user {user_id}: no profile and no events")
    return profile
