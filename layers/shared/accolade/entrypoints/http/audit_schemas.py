"""Response bodies of the audit log's route (GET /v1/admin/audit)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from accolade.entrypoints.http.bodies import Out
from accolade.entrypoints.http.schemas import Listing


class ActorOut(Out):
    """Who acted: the token's user id and the roles it held."""

    user_id: str
    roles: list[str]


class AuditEntryOut(Out):
    """One change an admin action made: who, what, when, and the item before and after."""

    entry_id: str = Field(description="unique; newest first in the log")
    at: datetime = Field(description="when the action was taken")
    actor: ActorOut
    action: str = Field(description="e.g. achievement.edit, award.revoke, settings.put")
    route: str = Field(description="the route called, e.g. PATCH /v1/admin/achievements/{id}")
    targets: dict[str, str] = Field(description="the ids in the route's path")
    entity: str = Field(description="the kind of item changed: achievement, award, settings...")
    target_ids: list[str] = Field(description="every id the change names (?target= matches one)")
    before: dict[str, Any] | None = Field(description="the item before; null: it was created")
    after: dict[str, Any] | None = Field(description="the item after; null: it was deleted")
    changed: list[str] = Field(description="the attributes whose value changed")
    images_omitted: bool = Field(
        description="true when before and after were too large to keep (changed still says what)"
    )


class AuditList(Listing[AuditEntryOut]):
    pass
