"""Stamping an admin action's writes (standard library only: every function's cold start loads
it with the table's models). See ``domain.audit`` for what a stamp becomes.

While an admin route runs (``begin`` .. ``end``), every write of an item of the kinds the route
declares carries a ``Stamp`` in that same write: who, what, when, and a number unique to the
write. The stamp travels in a context variable rather than through every service's signature:
the route opens it, the adapters' write paths read it, and a write outside an admin request
(the evaluator, the schedules) carries none.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple


class Stamp(NamedTuple):
    """What one audited write carries: the action it belongs to, and its number in it."""

    action_id: str
    write: int
    at: datetime
    actor_id: str
    roles: tuple[str, ...]
    action: str
    route: str
    targets: Mapping[str, str]

    def to_json(self) -> str:
        return json.dumps(
            {
                "id": self.action_id,
                "n": self.write,
                "at": self.at.isoformat(),
                "actor": self.actor_id,
                "roles": list(self.roles),
                "action": self.action,
                "route": self.route,
                "targets": dict(self.targets),
            },
            separators=(",", ":"),
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Stamp:
        raw = json.loads(text)
        return cls(
            action_id=str(raw["id"]),
            write=int(raw["n"]),
            at=datetime.fromisoformat(raw["at"]),
            actor_id=str(raw["actor"]),
            roles=tuple(raw["roles"]),
            action=str(raw["action"]),
            route=str(raw["route"]),
            targets={str(k): str(v) for k, v in raw["targets"].items()},
        )

    @property
    def entry_id(self) -> str:
        """The entry's id: its time first (newest first by key), then the action and write."""
        moment = self.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # fixed width
        return f"{moment}#{self.action_id}#{self.write:05d}"


@dataclass
class Acting:
    """An admin action under way: the stamps its writes of ``entities`` carry."""

    actor_id: str
    roles: tuple[str, ...]
    action: str
    route: str
    targets: Mapping[str, str]
    entities: frozenset[str]
    at: datetime
    action_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    writes: int = 0

    def stamp(self, entity: str) -> Stamp | None:
        """The stamp of the next write of an ``entity`` item; None for a kind not declared."""
        if entity not in self.entities:
            return None
        self.writes += 1
        return Stamp(
            self.action_id,
            self.writes,
            self.at,
            self.actor_id,
            self.roles,
            self.action,
            self.route,
            self.targets,
        )


_acting: ContextVar[Acting | None] = ContextVar("accolade_acting", default=None)


def begin(acting: Acting) -> None:
    """Stamp the writes that follow (until ``end``) as ``acting``'s."""
    _acting.set(acting)


def end() -> None:
    _acting.set(None)


@contextmanager
def acting_as(acting: Acting) -> Iterator[Acting]:
    """``acting`` for the writes inside the block."""
    token = _acting.set(acting)
    try:
        yield acting
    finally:
        _acting.reset(token)


def stamp_for(entity: str) -> Stamp | None:
    """The stamp a write of an ``entity`` item carries now; None outside an audited action."""
    acting = _acting.get()
    return None if acting is None else acting.stamp(entity)
