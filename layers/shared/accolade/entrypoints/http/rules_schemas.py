"""Bodies of sync, dry run and explain (``routes_rules``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import Field

from accolade.domain.diagnosis import Reason
from accolade.domain.errors import InvalidInputError
from accolade.domain.models import ActivityEvent
from accolade.entrypoints.http.admin_schemas import AchievementIn, HolderOut
from accolade.entrypoints.http.bodies import Body, EventIn, Id, Out, Schema
from accolade.services.diagnose import Explanation


class Synced(Schema):
    granted: list[HolderOut]


class SimulateIn(Body):
    """Exactly one of definition (as POST /v1/admin/achievements takes it) and achievement_id,
    and exactly one of events (as POST /v1/events takes them) and user_ids."""

    definition: AchievementIn | None = None
    achievement_id: Id | None = None
    events: Annotated[list[EventIn], Field(min_length=1, max_length=100)] | None = None
    user_ids: Annotated[list[Id], Field(min_length=1, max_length=100)] | None = None

    def chosen(self) -> dict[str, Any]:
        """The service's arguments; 422 naming the field when not exactly one of each pair."""
        _one_of(self.definition, self.achievement_id, "definition", "achievement_id")
        _one_of(self.events, self.user_ids, "events", "user_ids")
        found: list[ActivityEvent] | None = None
        if self.events is not None:
            found = [item.to_domain() for item in self.events]
        return {
            "definition": self.definition.definition() if self.definition else None,
            "achievement_id": self.achievement_id,
            "events": found,
            "user_ids": list(dict.fromkeys(self.user_ids)) if self.user_ids else None,
        }


def _one_of(first: object, second: object, first_name: str, second_name: str) -> None:
    if (first is None) == (second is None):
        raise InvalidInputError(first_name, f"give exactly one of {first_name} and {second_name}")


class WouldGrantOut(Out):
    user_id: str
    level: int
    period_key: str
    points: int
    coins: int


class Simulated(Schema):
    would_grant: list[WouldGrantOut]


class ExplainedEvent(Out):
    id: str
    type: str
    occurred_at: datetime
    value: float | None
    attributes: dict[str, Any]

    @classmethod
    def of(cls, event: ActivityEvent) -> Self:
        return cls.read(event, id=event.event_id)


class Explained(Out):
    granted: bool
    reason: Reason
    period_key: str | None
    value: float | None
    thresholds: list[float]
    definition_version: int
    events: list[ExplainedEvent]

    @classmethod
    def of(cls, found: Explanation) -> Self:
        return cls.read(found, events=ExplainedEvent.of_each(found.events))
