"""Awards an admin gives by hand, lists and revokes (the sales dashboard's "Give achievement",
"View agents" and revoke)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from accolade.domain.errors import ConflictError, InvalidInputError, NotFoundError, or_not_found
from accolade.domain.models import Achievement, Award, AwardKey, AwardStatus, Category, Issuer
from accolade.domain.periods import period_key, zone
from accolade.domain.rules import AwardIntent, holder_slot
from accolade.ports import (
    AwardRepository,
    Clock,
    ConfigRepository,
    DocumentStore,
    HoldersQuery,
    Page,
    PageRequest,
    UserAwardsQuery,
    UserRepository,
)
from accolade.services.admin import get_achievement
from accolade.services.me import AwardView

MANUAL_PERIOD_PREFIX = "G"  # a hand-given award of the `award` category: its own key


class Gift(NamedTuple):
    """What an admin gives: to whom, which level, from and until when, and why."""

    user_id: str
    level: int = 1
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    note: str | None = None


def get_award(tenant_id: str, award_id: str, *, awards: AwardRepository) -> Award:
    """The award an id names; a malformed id is not found either."""
    key = AwardKey.parse(award_id)
    return or_not_found(awards.get_award(tenant_id, key) if key else None, f"award {award_id}")


def give_award(
    tenant_id: str,
    achievement_id: str,
    gift: Gift,
    *,
    given_by: str,
    config: ConfigRepository,
    awards: AwardRepository,
    clock: Clock,
    issuer: Issuer | None = None,
) -> Award:
    """Give an award of any achievement by hand, credited and announced like any other.

    A record has one holder per period and a membership one per user and period: the second,
    also when two admins race, is a ConflictError (a conditional write on the period's slot).
    An `award` may be given any number of times: each gift has its own key. ``issuer`` (a
    course event, a learning path) is what the award says issued it. The award is returned as
    written: with the identifier its achievement's sequence gave it.
    """
    achievement = get_achievement(tenant_id, achievement_id, config=config)
    if not 1 <= gift.level <= len(achievement.levels):
        raise InvalidInputError("level", f"must be between 1 and {len(achievement.levels)}")
    tenant = config.get_config(tenant_id).settings
    tz = zone(tenant.timezone)
    now = clock.now()
    valid_from = gift.valid_from or now
    period = _period(achievement, valid_from, tz, now)
    key = AwardKey(gift.user_id, achievement_id, period, gift.level)
    award = AwardIntent(key, achievement, None).to_award(now, coins_enabled=tenant.features.coins)
    valid_until = gift.valid_until or (
        achievement.validity.until(valid_from, tz) if achievement.validity else None
    )
    if valid_until is not None and valid_until <= valid_from:
        raise InvalidInputError("valid_until", "must be after valid_from")
    award = award.model_copy(
        update={
            "valid_from": gift.valid_from,
            "valid_until": valid_until,
            # Given until a date of the admin's choosing, it is a credential like any other.
            "time_boxed": gift.valid_until is None
            and achievement.validity is not None
            and achievement.validity.until_end_of is not None,
            "given_by": given_by,
            "note": gift.note,
        }
    )
    slot = holder_slot(achievement, award, tz)
    granted = awards.grant(tenant_id, gift.user_id, [award], slot=slot, issuer=issuer)
    if not granted:
        raise ConflictError(_taken(achievement, period))
    return granted[0]


def revoke_award(
    tenant_id: str,
    award_id: str,
    reason: str,
    *,
    config: ConfigRepository,
    awards: AwardRepository,
    clock: Clock,
) -> Award:
    """Revoke an award: hidden from the user's lists and progress, its points and coins taken
    back by a ledger entry, announced; a second revoke is a ConflictError. A record's or a
    membership's period is free again; a threshold level stays taken for its period."""
    award = get_award(tenant_id, award_id, awards=awards)
    if award.status is AwardStatus.REVOKED:
        raise ConflictError(f"award {award_id} is revoked already")
    tenant = config.get_config(tenant_id)
    achievement = next(
        (a for a in tenant.achievements if a.achievement_id == award.achievement_id), None
    )
    tz = zone(tenant.settings.timezone)
    slot = holder_slot(achievement, award, tz) if achievement else None
    return awards.revoke(tenant_id, award, reason=reason, at=clock.now(), slot=slot)


def list_holders(
    tenant_id: str,
    achievement_id: str,
    *,
    status: AwardStatus | None,
    page: PageRequest,
    config: ConfigRepository,
    awards: AwardRepository,
    clock: Clock,
) -> Page[Award]:
    """The achievement's awards, newest first, each with the status shown now."""
    get_achievement(tenant_id, achievement_id, config=config)
    now = clock.now()
    found = awards.holders_page(
        tenant_id, HoldersQuery(achievement_id, status, now, page.limit, page.after)
    )
    shown = [award.model_copy(update={"status": award.status_at(now)}) for award in found.items]
    return Page(shown, found.next)


def _period(achievement: Achievement, valid_from: datetime, tz: ZoneInfo, now: datetime) -> str:
    """The award's period: the achievement's week or month holding ``valid_from``, or, for the
    `award` category, a key of its own (in time order like the period keys: the user's summary
    keeps the latest)."""
    if achievement.category is Category.AWARD or achievement.period is None:
        return f"{MANUAL_PERIOD_PREFIX}{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
    return period_key(achievement.period, valid_from, tz)


def _taken(achievement: Achievement, period: str) -> str:
    if achievement.category is Category.RECORD:
        return f"{achievement.name} already has a holder for {period}"
    return f"the user already holds {achievement.name} for {period}"


def edit_expiry(
    tenant_id: str,
    award_id: str,
    valid_until: datetime | None,
    *,
    awards: AwardRepository,
) -> Award:
    """Change when an award expires (None: never). It must end after it starts; a revoked award
    is a ConflictError. The user's summary and the award's expiry notice follow in the same
    transaction: a new date inside the notice window is told again (once)."""
    award = get_award(tenant_id, award_id, awards=awards)
    if award.status is AwardStatus.REVOKED:
        raise ConflictError(f"award {award_id} is revoked")
    starts = award.valid_from or award.awarded_at
    if valid_until is not None and valid_until <= starts:
        field = "valid_from" if award.valid_from else "awarded_at"
        raise InvalidInputError("valid_until", f"must be after the award's {field}")
    return awards.set_valid_until(tenant_id, award, valid_until)


@dataclass(frozen=True)
class UserAwardView(AwardView):
    """An award in a learner's list as an admin sees it: an AwardView named by its achievement."""

    @property
    def achievement_name(self) -> str | None:
        return self.achievement.name if self.achievement else None


def list_user_awards(
    tenant_id: str,
    user_id: str,
    *,
    status: AwardStatus | None,
    page: PageRequest,
    awards: AwardRepository,
    config: ConfigRepository,
    documents: DocumentStore,
    users: UserRepository,
    clock: Clock,
) -> Page[UserAwardView]:
    """A learner's awards, revoked ones too, by achievement, period and level, each with the
    status shown now (``status`` keeps only those). A user with neither profile nor award is a
    NotFoundError, as for an admin's other reads of a user."""
    now = clock.now()
    found = awards.user_awards_page(
        tenant_id, UserAwardsQuery(user_id, status, now, page.limit, page.after)
    )
    if not found.items and page.after is None and not users.get_users(tenant_id, [user_id]):
        raise NotFoundError(f"user {user_id} not found")
    achievements = config.get_config(tenant_id).achievements
    return UserAwardView.page(found, achievements, documents=documents, now=now)
