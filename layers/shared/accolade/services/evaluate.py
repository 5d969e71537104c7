"""EvaluateEvents: move counters exactly once, then grant what the new totals earn."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple
from zoneinfo import ZoneInfo

from accolade.domain.goals import goal_counters, goal_users, plan_goal_awards
from accolade.domain.models import AchievementType, ActivityEvent, Award, Goal, Slot
from accolade.domain.periods import zone
from accolade.domain.rules import (
    AwardIntent,
    counter_deltas,
    counters_to_read,
    holder_slot,
    plan_awards,
    ranked_counters,
)
from accolade.observability import logger
from accolade.ports import (
    AwardRepository,
    AwardsToGrant,
    Clock,
    ConfigRepository,
    CourseRepository,
    EventDeltas,
    GoalRepository,
    ProgressRepository,
    ProjectRepository,
    UserRepository,
)
from accolade.services.courses import award_courses
from accolade.services.projects import first_in_projects


class StreamedEvent(NamedTuple):
    """An event as the stream hands it over: its tenant and its position in the stream (which
    only grows along one user's events)."""

    tenant_id: str
    event: ActivityEvent
    position: int


@dataclass
class EvaluationResult:
    granted: list[Award] = field(default_factory=list)
    failed: set[tuple[str, str]] = field(default_factory=set)  # (tenant_id, event_id)


def evaluate_events(
    events: Sequence[StreamedEvent],
    *,
    config: ConfigRepository,
    users: UserRepository,
    progress: ProgressRepository,
    awards: AwardRepository,
    goals: GoalRepository,
    clock: Clock,
    projects: ProjectRepository,
    courses: CourseRepository,
) -> EvaluationResult:
    """Evaluate a stream batch; events that could not be finished are reported as failed.

    Safe to run again on the same events: a counter skips the events at or below its applied
    position, and awards are unique by key, so a redelivered batch ends in the same state as one
    delivery.
    """
    result = EvaluationResult()
    by_tenant: dict[str, list[StreamedEvent]] = defaultdict(list)
    for streamed in events:
        by_tenant[streamed.tenant_id].append(streamed)
    ports = _Ports(config, users, progress, awards, goals, clock, projects, courses)
    for tenant_id, tenant_events in by_tenant.items():
        _evaluate_tenant(tenant_id, tenant_events, result, ports)
    return result


class _Ports(NamedTuple):
    config: ConfigRepository
    users: UserRepository
    progress: ProgressRepository
    awards: AwardRepository
    goals: GoalRepository
    clock: Clock
    projects: ProjectRepository
    courses: CourseRepository


def _evaluate_tenant(
    tenant_id: str, streamed: list[StreamedEvent], result: EvaluationResult, ports: _Ports
) -> None:
    config, users, progress, awards = ports.config, ports.users, ports.progress, ports.awards
    goals, clock, projects = ports.goals, ports.clock, ports.projects
    tenant = config.get_config(tenant_id)
    tz = zone(tenant.settings.timezone)
    events = [s.event for s in streamed]
    changes = []
    for s in streamed:
        deltas = counter_deltas(s.event, tenant.metrics, tz)
        ranked = ranked_counters(deltas, tenant.metrics)
        changes.append(EventDeltas(s.event.event_id, s.position, deltas, ranked))
    outcome = progress.apply(
        tenant_id, [change for change in changes if change.deltas], clock.now()
    )
    result.failed |= {(tenant_id, event_id) for event_id in outcome.failed}
    # Events counted by an earlier delivery are evaluated again: their awards may not exist yet.
    ready = [event for event in events if event.event_id not in outcome.failed]
    firsts = first_in_projects(
        tenant_id, ready, tenant, users=users, projects=projects, awards=awards, clock=clock
    )
    result.granted += firsts.granted
    result.failed |= {(tenant_id, event_id) for event_id in firsts.failed}
    learned = award_courses(
        tenant_id, ready, tenant, courses=ports.courses, awards=awards, clock=clock
    )
    result.granted += learned.granted
    result.failed |= {(tenant_id, event_id) for event_id in learned.failed}

    live = [achievement for achievement in tenant.achievements if achievement.enabled]
    if not ready or not live:
        return
    groups: dict[str, tuple[str, ...]] = {}
    if any(achievement.audience.groups for achievement in live):
        profiles = users.get_users(tenant_id, {event.user_id for event in ready})
        groups = {user_id: profile.groups for user_id, profile in profiles.items()}
    moved = {change.event_id: change.deltas.keys() for change in changes}
    needed = counters_to_read(ready, tenant.index, groups, tz, moved)
    watching = [a for a in live if a.type is AchievementType.GOAL_REACHED]
    goals_of: dict[str, list[Goal]] = {}
    if watching and (goal_owners := goal_users(ready, watching, groups, moved)):
        goals_of = goals.goals_of(tenant_id, goal_owners)  # one BatchGetItem per 100 users
        needed |= goal_counters(ready, goals_of, moved)
    # The totals this apply wrote need no read; only counters of events applied earlier do.
    values = {key: outcome.values[key] for key in needed if key in outcome.values}
    unread = needed - values.keys()
    values |= progress.counters(tenant_id, unread) if unread else {}
    intents = plan_awards(ready, tenant.index, groups, values, tz, moved)
    if goals_of:
        intents += plan_goal_awards(ready, watching, groups, goals_of, values, moved)
    if not intents:
        return
    coins = tenant.settings.features.coins
    for user_id in grant_intents(tenant_id, intents, coins, tz, awards, clock, result):
        result.failed |= {(tenant_id, e.event_id) for e in ready if e.user_id == user_id}


def grant_intents(
    tenant_id: str,
    intents: list[AwardIntent],
    coins: bool,
    tz: ZoneInfo,
    awards: AwardRepository,
    clock: Clock,
    result: EvaluationResult,
) -> set[str]:
    """Grant what is not held yet; the users whose awards could not be written (their events
    are redelivered)."""
    holdings = awards.holdings(tenant_id, [intent.key for intent in intents])
    now = clock.now()
    per_user: dict[str, list[Award]] = defaultdict(list)
    held_once: list[tuple[Award, Slot]] = []  # records and memberships: one holder each
    for intent in intents:
        if intent.key not in holdings.held:
            award = intent.to_award(now, coins_enabled=coins, tz=tz)
            slot = holder_slot(intent.achievement, award, tz)
            if slot is None:
                per_user[award.user_id].append(award)
            else:
                held_once.append((award, slot))
    failed: set[str] = set()
    one_by_one: list[tuple[str, list[Award], Slot | None]] = [
        (award.user_id, [award], slot) for award, slot in held_once
    ]
    # Usually one transaction for every user of the batch; a user whose part did not commit
    # (a race with another writer) is granted on their own, from a fresh read.
    if per_user:
        to_grant = AwardsToGrant(per_user, holdings)
        try:
            together = awards.grant_together(tenant_id, to_grant)
        except Exception:  # e.g. a connection reset: whether it committed is unknown
            logger.exception("granting together failed; granting user by user")
            together = to_grant.none_written()  # free keys only: nothing twice
        result.granted += together.granted
        one_by_one += [(user, per_user[user], None) for user in sorted(together.unwritten)]
    for user_id, its, slot in one_by_one:
        try:  # with a slot someone else holds, nothing is granted: the record is theirs
            result.granted += awards.grant(tenant_id, user_id, its, slot=slot)
        except Exception:
            logger.exception("granting failed; the user's events will be redelivered")
            failed.add(user_id)
    return failed
