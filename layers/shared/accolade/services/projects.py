"""First activity in a project: register projects, record who came first, grant the winner.

A project's ``project.created`` and the activity in it are events of different users, evaluated
on different stream shards in any order. Nothing waits for the other: the first activity of each
achievement in a project is recorded on the project (a claim) whether it is registered yet or
not, and the award goes to that claim's user once the project is known to be created after the
achievement was enabled, by whichever of the two comes second (each sees the other: one item,
written atomically). A claim decides, so one project has one winner however activities race; the
award also takes a slot per (achievement, project), so no grant can ever make a second.
"First" is the first claim written: within a batch the earliest activity, across batches and
shards the one evaluated first; a later-arriving earlier activity never moves a winner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from accolade.domain.models import (
    Achievement,
    AchievementType,
    ActivityEvent,
    Award,
    AwardKey,
    Slot,
)
from accolade.domain.periods import zone
from accolade.domain.projects import (
    PROJECT_CREATED,
    FirstActivity,
    Project,
    project_of,
    project_period,
)
from accolade.domain.rules import AwardIntent, first_activities
from accolade.observability import logger
from accolade.ports import (
    AwardRepository,
    Clock,
    ProjectRepository,
    TenantConfig,
    UserRepository,
)


@dataclass
class ProjectOutcome:
    granted: list[Award] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)  # event ids to redeliver


def first_in_projects(
    tenant_id: str,
    events: Sequence[ActivityEvent],
    tenant: TenantConfig,
    *,
    users: UserRepository,
    projects: ProjectRepository,
    awards: AwardRepository,
    clock: Clock,
) -> ProjectOutcome:
    """Register the batch's new projects and grant the first activity in each project."""
    outcome = ProjectOutcome()
    if all(project_of(event) is None for event in events):
        return outcome  # most batches: nothing read, nothing written
    seen: dict[str, Project] = {}
    registered: set[str] = set()
    for event in events:
        project_id = project_of(event)
        if event.type != PROJECT_CREATED or project_id is None:
            continue
        try:
            seen[project_id] = projects.register(tenant_id, project_id, event.occurred_at)
            registered.add(project_id)
        except Exception:
            logger.exception("registering a project failed; its event will be redelivered")
            outcome.failed.add(event.event_id)
    live = {
        a.achievement_id: a
        for a in tenant.achievements
        if a.enabled and a.type is AchievementType.FIRST_ACTIVITY_IN_PROJECT
    }
    if not live:
        return outcome
    groups: dict[str, tuple[str, ...]] = {}
    if any(a.audience.groups for a in live.values()):
        profiles = users.get_users(tenant_id, {event.user_id for event in events})
        groups = {user_id: profile.groups for user_id, profile in profiles.items()}
    firsts = first_activities(events, tenant.index, groups)
    winners: dict[tuple[str, str], tuple[Achievement, FirstActivity]] = {}
    unread = {project_id for _, project_id in firsts} - seen.keys()
    try:
        seen |= projects.projects(tenant_id, unread) if unread else {}
    except Exception:
        logger.exception("reading projects failed; their events will be redelivered")
        outcome.failed |= _in(events, unread)
        return outcome
    for (achievement_id, project_id), (achievement, event) in sorted(firsts.items()):
        project = seen.get(project_id) or Project(project_id=project_id)
        if project.older_than(achievement):
            continue  # older projects never award it: nothing to record either
        try:
            project = seen[project_id] = projects.claim(
                tenant_id, project, achievement_id, FirstActivity.of(event)
            )
        except Exception:
            logger.exception("recording a first activity failed; its events will be redelivered")
            outcome.failed |= _in(events, {project_id})
            continue
        if project.qualifies_for(achievement):
            winners[(achievement_id, project_id)] = (achievement, project.first[achievement_id])
    # A registration settles the claims made before it, whoever made them.
    for project_id in registered:
        project = seen[project_id]
        for achievement_id, first in project.first.items():
            claimed = live.get(achievement_id)
            if claimed is not None and project.qualifies_for(claimed):
                winners.setdefault((achievement_id, project_id), (claimed, first))
    if winners:
        _grant(tenant_id, events, tenant, winners, outcome, awards, clock)
    return outcome


def _grant(
    tenant_id: str,
    events: Sequence[ActivityEvent],
    tenant: TenantConfig,
    winners: dict[tuple[str, str], tuple[Achievement, FirstActivity]],
    outcome: ProjectOutcome,
    awards: AwardRepository,
    clock: Clock,
) -> None:
    intents = {
        (achievement_id, project_id): AwardIntent(
            AwardKey(first.user_id, achievement_id, project_period(project_id), 1),
            achievement,
            first.event_id,
        )
        for (achievement_id, project_id), (achievement, first) in winners.items()
    }
    try:
        held = awards.holdings(tenant_id, [intent.key for intent in intents.values()]).held
    except Exception:
        logger.exception("reading first-activity awards failed; their events will be redelivered")
        outcome.failed |= _in(events, {project_id for _, project_id in intents})
        return
    now = clock.now()
    tz = zone(tenant.settings.timezone)
    for (achievement_id, project_id), intent in sorted(intents.items()):
        if intent.key in held:
            continue
        award = intent.to_award(now, coins_enabled=tenant.settings.features.coins, tz=tz)
        try:
            outcome.granted += awards.grant(
                tenant_id,
                award.user_id,
                [award],
                slot=Slot(achievement_id, project_period(project_id)),
            )
        except Exception:
            logger.exception("granting a first activity failed; its events will be redelivered")
            outcome.failed |= _in(events, {project_id})


def _in(events: Sequence[ActivityEvent], project_ids: set[str]) -> set[str]:
    """The ids of the events about these projects (activity in them, or their registration)."""
    return {event.event_id for event in events if project_of(event) in project_ids}
