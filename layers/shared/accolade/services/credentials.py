"""Sequences an admin defines for identifiers, and the public verification of an identifier."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from accolade.domain.errors import ConflictError, NotFoundError, or_not_found
from accolade.domain.models import AwardStatus
from accolade.domain.sequences import Numbering, Sequence
from accolade.ports import (
    AwardRepository,
    Clock,
    ConfigRepository,
    SequenceRepository,
    UserRepository,
)
from accolade.services.admin import build

EDIT_ATTEMPTS = 5  # a busy sequence moves with each award: read again and retry the edit


def put_sequence(
    tenant_id: str, definition: dict[str, Any], *, sequences: SequenceRepository
) -> Numbering:
    """Create or replace a sequence. Its start may be raised (numbering goes on from it) but
    never lowered to a number already issued (ConflictError naming ``start``)."""
    sequence = build(Sequence, definition)
    for _ in range(EDIT_ATTEMPTS):
        current = sequences.get_sequence(tenant_id, sequence.sequence_id)
        numbering = current.edited(sequence) if current else Numbering.new(sequence)
        try:
            sequences.put_sequence(tenant_id, numbering, expected=current)
        except ConflictError:
            continue
        return numbering
    raise ConflictError(f"sequence {sequence.sequence_id} is busy; try again")


def get_sequence(tenant_id: str, sequence_id: str, *, sequences: SequenceRepository) -> Numbering:
    return or_not_found(sequences.get_sequence(tenant_id, sequence_id), f"sequence {sequence_id}")


class Verification(NamedTuple):
    """What anyone holding an identifier may learn: nothing private (no user id, no e-mail)."""

    status: AwardStatus
    identifier: str
    achievement_name: str
    holder_display_name: str
    issued_at: datetime
    valid_until: datetime | None


def verify_identifier(
    tenant_id: str,
    identifier: str,
    *,
    awards: AwardRepository,
    config: ConfigRepository,
    users: UserRepository,
    clock: Clock,
) -> Verification:
    """Whether the award an identifier names is valid, expired or revoked, with the achievement's
    name and the holder's display name; an unknown identifier is not found."""
    award = awards.award_by_identifier(tenant_id, identifier)
    if award is None:
        raise NotFoundError(f"no credential {identifier}")
    achievement = config.get_achievement(tenant_id, award.achievement_id)
    profile = users.get_users(tenant_id, [award.user_id]).get(award.user_id)
    return Verification(
        status=award.status_at(clock.now()),
        identifier=identifier,
        achievement_name=achievement.name if achievement else "",
        holder_display_name=profile.display_name if profile else "",
        issued_at=award.awarded_at,
        valid_until=award.valid_until,
    )
