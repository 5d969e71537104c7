"""What a user sees: their achievements with progress, their awards, wallet and inbox."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple, Self

from accolade.domain.errors import InvalidCursorError, InvalidInputError, or_not_found
from accolade.domain.models import (
    Achievement,
    AchievementSummary,
    AchievementType,
    Award,
    AwardKey,
    AwardStatus,
    CounterKey,
    LedgerEntry,
    Message,
    MessageType,
    Wallet,
)
from accolade.domain.periods import zone
from accolade.domain.rules import current_period, levels_reached
from accolade.ports import (
    FIRST_PAGE,
    AwardRepository,
    Clock,
    ConfigRepository,
    DocumentStore,
    InboxQuery,
    InboxRepository,
    Page,
    PageRequest,
    ProgressRepository,
    UserRepository,
)


class StatusFilter(StrEnum):
    COMPLETED = "completed"
    NOT_COMPLETED = "not_completed"


class SortKey(StrEnum):
    NAME = "name"
    POINTS = "points"


class Progress(NamedTuple):
    period_key: str
    value: Decimal
    levels_earned: int
    next_level: int | None
    next_threshold: Decimal | None
    remaining: Decimal | None


class AchievementView(NamedTuple):
    achievement: Achievement
    earned: bool
    times_earned: int
    highest_level: int
    points_earned: int
    progress: Progress | None

    @property
    def points(self) -> int:
        return sum(level.points for level in self.achievement.levels)


class AchievementViewPorts(NamedTuple):
    """What a user's achievements with progress are read from: the definitions (``config``), the
    user's profile and award summaries, their counters and the clock. ``bootstrap.inject``
    builds one."""

    config: ConfigRepository
    users: UserRepository
    awards: AwardRepository
    progress: ProgressRepository
    clock: Clock


def my_achievements(
    tenant_id: str,
    user_id: str,
    *,
    status: StatusFilter | None = None,
    sort: SortKey = SortKey.NAME,
    descending: bool = False,
    page: PageRequest = FIRST_PAGE,
    ports: AchievementViewPorts,
) -> Page[AchievementView]:
    """Every achievement the user may see, earned or not, with progress in the current period.

    Reads the user's award summary of each achievement they may see, by key (one per
    achievement), never their awards: neither the reads nor their time grow with the user's
    history.

    Computed in memory over the tenant's achievements (at most ``MAX_ACHIEVEMENTS``), so it pages
    by position in the filtered, sorted list: ``page.after`` is the offset where the page starts.
    """
    tenant = ports.config.get_config(tenant_id)
    tz = zone(tenant.settings.timezone)
    now = ports.clock.now()
    profile = ports.users.get_users(tenant_id, [user_id]).get(user_id)
    groups = profile.groups if profile else ()
    seen = [a for a in tenant.achievements if a.visible_to(groups)]
    summaries = ports.awards.summaries_of(tenant_id, [(user_id, a.achievement_id) for a in seen])
    held = {a: summary for (_, a), summary in summaries.items() if summary.times_earned}
    visible = [a for a in seen if a.enabled or a.achievement_id in held]
    counters = {
        a.achievement_id: CounterKey(user_id, a.metric or "", current_period(a, now, tz))
        for a in visible
        if a.type is AchievementType.METRIC_THRESHOLD
    }
    values = ports.progress.counters(tenant_id, counters.values()) if counters else {}
    views = [
        _view(a, held.get(a.achievement_id), counters.get(a.achievement_id), values)
        for a in visible
    ]
    if status is StatusFilter.COMPLETED:
        views = [view for view in views if view.earned]
    elif status is StatusFilter.NOT_COMPLETED:
        views = [view for view in views if not view.earned]
    if sort is SortKey.POINTS:
        views.sort(key=lambda v: (v.points, v.achievement.name.casefold()), reverse=descending)
    else:
        views.sort(key=lambda v: (v.achievement.name.casefold(), v.points), reverse=descending)
    start = _offset(page.after)
    end = start + page.limit
    return Page(views[start:end], str(end) if end < len(views) else None)


def _offset(after: str | None) -> int:
    if after is None:
        return 0
    if not after.isascii() or not after.isdigit() or len(after) > 9:
        raise InvalidCursorError("does not belong to this list")
    return int(after)


def _view(
    achievement: Achievement,
    held: AchievementSummary | None,
    counter: CounterKey | None,
    values: dict[CounterKey, Decimal],
) -> AchievementView:
    summary = held or AchievementSummary(achievement_id=achievement.achievement_id)
    progress = None
    if counter is not None:
        value = values.get(counter, Decimal(0))
        earned_now = (
            summary.period_levels if summary.period_key == counter.period_key else frozenset()
        )
        reached = max([*levels_reached(achievement, value), *earned_now, 0])
        following = reached + 1 if reached < len(achievement.levels) else None
        threshold = achievement.levels[following - 1].threshold if following else None
        progress = Progress(
            period_key=counter.period_key,
            value=value,
            levels_earned=len(earned_now),
            next_level=following,
            next_threshold=threshold,
            remaining=(threshold - value) if threshold is not None else None,
        )
    return AchievementView(
        achievement=achievement,
        earned=summary.times_earned > 0,
        times_earned=summary.times_earned,
        highest_level=summary.highest_level,
        points_earned=summary.points_earned,
        progress=progress,
    )


@dataclass(frozen=True)
class AwardView:
    """An award as shown now, with its achievement's definition and a short-lived link to its
    certificate when it has one."""

    award: Award
    achievement: Achievement | None  # None once the definition is gone
    certificate_url: str | None

    @classmethod
    def page(
        cls,
        found: Page[Award],
        achievements: Iterable[Achievement],
        *,
        documents: DocumentStore,
        now: datetime,
    ) -> Page[Self]:
        """The views of a page of awards, each with the status it shows ``now``."""
        definitions = {a.achievement_id: a for a in achievements}
        return Page(
            [
                cls(
                    award=award.model_copy(update={"status": award.status_at(now)}),
                    achievement=definitions.get(award.achievement_id),
                    certificate_url=documents.url(award.certificate_key)
                    if award.certificate_key
                    else None,
                )
                for award in found.items
            ],
            found.next,
        )


def my_awards(
    tenant_id: str,
    user_id: str,
    *,
    page: PageRequest = FIRST_PAGE,
    awards: AwardRepository,
    config: ConfigRepository,
    documents: DocumentStore,
    clock: Clock,
) -> Page[AwardView]:
    """The user's awards by achievement, period and level (the order of their keys, so a page
    is one query), each with its achievement's definition and a link to its certificate;
    revoked ones are hidden, lapsed ones show as expired."""
    found = awards.awards_page(tenant_id, user_id, limit=page.limit, after=page.after)
    achievements = config.get_config(tenant_id).achievements
    return AwardView.page(found, achievements, documents=documents, now=clock.now())


def my_wallet(tenant_id: str, user_id: str, *, awards: AwardRepository) -> Wallet:
    return awards.wallet(tenant_id, user_id)


def my_ledger(
    tenant_id: str,
    user_id: str,
    *,
    page: PageRequest = FIRST_PAGE,
    awards: AwardRepository,
) -> Page[LedgerEntry]:
    """The user's wallet movements in sequence order, each with its running balances."""
    return awards.ledger(tenant_id, user_id, limit=page.limit, after=page.after)


def my_messages(
    tenant_id: str,
    user_id: str,
    *,
    message_type: MessageType | None = None,
    unread: bool | None = None,
    page: PageRequest = FIRST_PAGE,
    inbox: InboxRepository,
) -> Page[Message]:
    """The user's inbox, newest first: of one type, and only unread or read ones, when asked."""
    query = InboxQuery(page.limit, page.after, message_type, unread)
    return inbox.messages(tenant_id, user_id, query)


def read_message(
    tenant_id: str, user_id: str, message_id: str, *, inbox: InboxRepository, clock: Clock
) -> Message:
    """Mark one of my messages read (idempotent); another user's or an unknown one: not found."""
    return or_not_found(
        inbox.mark_read(tenant_id, user_id, message_id, clock.now()), f"message {message_id}"
    )


def feature_award(
    tenant_id: str,
    user_id: str,
    award_id: str | None,
    *,
    users: UserRepository,
    awards: AwardRepository,
    clock: Clock,
) -> str | None:
    """Feature one of my active awards next to my name (None: feature none)."""
    if award_id is not None:
        key = AwardKey.parse(award_id)
        award = awards.get_award(tenant_id, key) if key and key.user_id == user_id else None
        if award is None or award.status_at(clock.now()) is not AwardStatus.ACTIVE:
            raise InvalidInputError("award_id", "is not one of your active awards")
    users.set_featured(tenant_id, user_id, award_id)
    return award_id
