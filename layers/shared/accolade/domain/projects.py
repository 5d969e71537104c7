"""Projects, pure: which project an event is about, who came first in it, and whether a project
is new enough to award a first activity.

A project is registered by a ``project.created`` event and keeps that event's ``occurred_at``;
the first activity of each achievement in it is recorded once (a claim), whether the project was
registered yet or not. The claim decides the winner; the award follows as soon as the project is
known to be created after the achievement was enabled. See ``services/projects.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import Field

from accolade.domain.models import Achievement, ActivityEvent, Model

PROJECT_CREATED = "project.created"
PROJECT_ATTRIBUTE = "project_id"
PROJECT_PERIOD_PREFIX = "P:"  # an award's period key: the project it was won in


class FirstActivity(Model):
    """The activity that came first, for one achievement, in one project."""

    user_id: str
    event_id: str
    occurred_at: datetime

    @classmethod
    def of(cls, event: ActivityEvent) -> FirstActivity:
        return cls(user_id=event.user_id, event_id=event.event_id, occurred_at=event.occurred_at)


class Project(Model):
    project_id: str
    created_at: datetime | None = None  # None: no project.created seen yet
    first: Mapping[str, FirstActivity] = Field(default_factory=dict)  # by achievement id
    # Grows with every claim: a claim is written on the condition that it is unchanged.
    version: int = 0

    def qualifies_for(self, achievement: Achievement) -> bool:
        """Created (registered) not before the achievement was last enabled: older projects,
        and projects never registered, never award it."""
        return self.created_at is not None and self.created_at >= achievement.enabled_since

    def older_than(self, achievement: Achievement) -> bool:
        """Registered, and created before the achievement was enabled: it never awards it."""
        return self.created_at is not None and self.created_at < achievement.enabled_since


def project_of(event: ActivityEvent) -> str | None:
    """The project an event is about: its ``attributes.project_id`` (a string or an integer)."""
    value = event.attributes.get(PROJECT_ATTRIBUTE)
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value)


def project_period(project_id: str) -> str:
    """The period key of a first-activity award, and of its slot: one winner per project."""
    return f"{PROJECT_PERIOD_PREFIX}{project_id}"
