"""The audit log: who changed what, when, and the changed thing before and after.

An admin action is *stamped* (``domain.acting``): while an admin route runs, every write of an item of
the kinds the route declares (its ``entities``) carries a stamp, in the same DynamoDB write as
the change: who (user id, roles), what (action, route, target ids), when, and a number unique
to that write. The audit entry is derived from the table's stream record of that write (its old
and new images are the before and after), put under a key made from the stamp alone. So an entry
exists exactly when the change landed: a change that did not land has no stream record, one that
did always has one, and a redelivered record (or a stale stamp written back by a later writer)
maps to the key of the entry already put, which the put's condition refuses.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict

from accolade.domain.acting import Stamp

# Kept 400 days (a year of look-back and a month's margin), then removed by the table's TTL.
RETENTION = timedelta(days=400)
# The before and after of one entry are kept whole up to this size (an item is at most 400 KB);
# a larger pair is stored as the names of the attributes that changed.
MAX_IMAGES_BYTES = 300 * 1024


class Actor(BaseModel):
    model_config = ConfigDict(frozen=True)

    user_id: str
    roles: list[str]


class AuditEntry(BaseModel):
    """One audited write: who, what (action, route, targets, the item's kind), when, and the
    item before (None: created) and after (None: deleted)."""

    model_config = ConfigDict(frozen=True)

    entry_id: str
    at: datetime
    actor: Actor
    action: str
    route: str
    targets: dict[str, str]
    entity: str
    target_ids: list[str]
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    changed: list[str]
    images_omitted: bool = False


ID_SUFFIX = "_id"


def _ids_in(fields: dict[str, Any]) -> set[str]:
    return {
        value
        for name, value in fields.items()
        if name.endswith(ID_SUFFIX) and name != "tenant_id" and isinstance(value, str)
    }


def entry_of(
    stamp: Stamp, entity: str, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> AuditEntry:
    """The entry of one stamped write of an ``entity`` item, from its images (plain values)."""
    names = set(before or {}) | set(after or {})
    changed = sorted(n for n in names if (before or {}).get(n) != (after or {}).get(n))
    ids = set(stamp.targets.values())
    for image in (before, after):
        ids |= _ids_in(image or {})
        for document in (v for v in (image or {}).values() if isinstance(v, dict)):
            ids |= _ids_in(document)  # a definition stored whole (``doc``) names its own id
    size = len(json.dumps([before, after], default=str))
    omitted = size > MAX_IMAGES_BYTES
    return AuditEntry(
        entry_id=stamp.entry_id,
        at=stamp.at,
        actor=Actor(user_id=stamp.actor_id, roles=list(stamp.roles)),
        action=stamp.action,
        route=stamp.route,
        targets=dict(stamp.targets),
        entity=entity,
        target_ids=sorted(ids),
        before=None if omitted else before,
        after=None if omitted else after,
        changed=changed,
        images_omitted=omitted,
    )


class AuditQuery(NamedTuple):
    """A page of a tenant's audit log, newest first, filtered by actor, action or target id."""

    limit: int
    after: str | None = None
    actor: str | None = None
    action: str | None = None
    target: str | None = None
