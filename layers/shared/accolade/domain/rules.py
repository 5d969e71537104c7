"""The award rules, pure: which counters an event moves and which awards it earns."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal, localcontext
from typing import NamedTuple
from zoneinfo import ZoneInfo

from accolade.domain.models import (
    Achievement,
    AchievementType,
    ActivityEvent,
    Award,
    AwardKey,
    Category,
    CertificateStatus,
    CounterKey,
    Metric,
    Slot,
)
from accolade.domain.periods import (
    TimeRange,
    period_bounds,
    period_key,
    period_keys,
    period_kind,
)
from accolade.domain.projects import project_of

ONCE = "ONCE"


def holder_slot(achievement: Achievement, award: Award, tz: ZoneInfo) -> Slot | None:
    """What only one award may hold, for the categories that restrict holders: a record's
    level in its period (one holder), or a user's membership level in its period (one each).
    The period is the achievement's `period` (week or month) holding the award's own day, week
    or month (a threshold's), else the award's start, in the tenant's zone. None for the
    `award` category: any number."""
    if achievement.category is Category.AWARD or achievement.period is None:
        return None
    own = award.period_key.partition("#")[0]
    if own[:1] in ("D", "W", "M") and own[1:2].isdigit():
        start = period_bounds(own, tz)[0]
    else:
        start = award.valid_from or award.awarded_at
    held = period_key(achievement.period, start, tz)
    held += f"#L{award.level}" if award.level > 1 else ""
    if achievement.category is Category.MEMBERSHIP:
        held += f"#{award.user_id}"
    return Slot(achievement.achievement_id, held)


def ranked_counters(
    deltas: Iterable[CounterKey], metrics: Iterable[Metric]
) -> frozenset[CounterKey]:
    """The counters among ``deltas`` whose (metric, period) has a leaderboard."""
    ranked = {metric.metric_id: set(metric.leaderboards) for metric in metrics}
    return frozenset(
        key for key in deltas if period_kind(key.period_key) in ranked.get(key.metric_id, ())
    )


def counter_deltas(
    event: ActivityEvent, metrics: Iterable[Metric], tz: ZoneInfo
) -> dict[CounterKey, Decimal]:
    """Every counter the event moves: each matching metric in each period it falls in."""
    deltas: dict[CounterKey, Decimal] = {}
    keys = period_keys(event.occurred_at, tz)
    for metric in metrics:
        delta = metric.delta(event)
        if not delta:
            continue
        for key in keys.values():
            counter = CounterKey(event.user_id, metric.metric_id, key)
            deltas[counter] = deltas.get(counter, Decimal(0)) + delta
    return deltas


class AchievementIndex(NamedTuple):
    """A tenant's achievements by the event type that can move them: a threshold achievement's
    by its metric's event type, an event achievement's by its own, a first activity in a project
    by each of its activity types; others no event moves."""

    by_event_type: Mapping[str, tuple[Achievement, ...]]

    @classmethod
    def build(
        cls, achievements: Iterable[Achievement], metrics: Iterable[Metric]
    ) -> AchievementIndex:
        metric_types = {metric.metric_id: metric.event_type for metric in metrics}
        by_type: dict[str, list[Achievement]] = {}
        for achievement in achievements:
            if achievement.type is AchievementType.METRIC_THRESHOLD:
                event_type = metric_types.get(achievement.metric or "")
            elif achievement.type is AchievementType.EVENT:
                event_type = achievement.event_type
            else:
                event_type = None
            if event_type is not None:
                by_type.setdefault(event_type, []).append(achievement)
            if achievement.type is AchievementType.FIRST_ACTIVITY_IN_PROJECT:
                for activity_type in achievement.activity_types:
                    by_type.setdefault(activity_type, []).append(achievement)
        return cls({event_type: tuple(found) for event_type, found in by_type.items()})

    def moved_by(self, event: ActivityEvent) -> tuple[Achievement, ...]:
        return self.by_event_type.get(event.type, ())


def _candidates(
    event: ActivityEvent,
    achievements: Iterable[Achievement] | AchievementIndex,
    groups: tuple[str, ...],
) -> Iterable[Achievement]:
    if isinstance(achievements, AchievementIndex):
        achievements = achievements.moved_by(event)
    for achievement in achievements:
        if applies(achievement, event.occurred_at, groups):
            yield achievement


def applies(achievement: Achievement, moment: datetime, groups: tuple[str, ...]) -> bool:
    """Whether the achievement can grant for activity at ``moment`` of a user in ``groups``:
    enabled, in effect then, and the user in its audience."""
    return achievement.enabled and achievement.in_effect(moment) and achievement.visible_to(groups)


def threshold_counter(
    achievement: Achievement, user_id: str, moment: datetime, tz: ZoneInfo
) -> CounterKey:
    """The counter a metric-threshold achievement reads for ``user_id`` at ``moment``."""
    assert achievement.metric is not None and achievement.time_range is not None
    return CounterKey(user_id, achievement.metric, period_key(achievement.time_range, moment, tz))


def counters_to_read(
    events: Iterable[ActivityEvent],
    achievements: Iterable[Achievement] | AchievementIndex,
    groups: Mapping[str, tuple[str, ...]],
    tz: ZoneInfo,
    moved: Mapping[str, Collection[CounterKey]] | None = None,
) -> set[CounterKey]:
    """The counters whose values decide the threshold awards of these events.

    Given ``moved`` (event id: the counters it moved), only counters the event moved: a counter
    that did not move cannot cross a threshold.
    """
    needed: set[CounterKey] = set()
    for event in events:
        for achievement in _candidates(event, achievements, groups.get(event.user_id, ())):
            if achievement.type is AchievementType.METRIC_THRESHOLD:
                counter = threshold_counter(achievement, event.user_id, event.occurred_at, tz)
                if moved is None or counter in moved.get(event.event_id, ()):
                    needed.add(counter)
    return needed


def levels_reached(achievement: Achievement, value: Decimal) -> list[int]:
    """Reaching level k means every level up to k (12 against 5/10/15 is I and II)."""
    return [index for index, level in enumerate(achievement.levels, 1) if value >= level.threshold]


class AwardIntent(NamedTuple):
    key: AwardKey
    achievement: Achievement
    event_id: str | None

    def to_award(
        self, awarded_at: datetime, *, coins_enabled: bool, tz: ZoneInfo | None = None
    ) -> Award:
        """The award, valid from ``awarded_at`` for as long as the achievement's validity says
        (cut in ``tz``, the tenant's zone; no validity, or no zone given: no expiry)."""
        level = self.achievement.levels[self.key.level - 1]
        validity = self.achievement.validity
        return Award(
            award_id=self.key.award_id,
            user_id=self.key.user_id,
            achievement_id=self.key.achievement_id,
            achievement_type=self.achievement.type,
            achievement_version=self.achievement.version,
            level=self.key.level,
            period_key=self.key.period_key,
            awarded_at=awarded_at,
            points=level.points,
            coins=level.coins if coins_enabled else 0,
            event_id=self.event_id,
            certificate_status=CertificateStatus.PENDING if self.achievement.certificate else None,
            sequence_id=self.achievement.sequence_id,
            valid_until=validity.until(awarded_at, tz) if validity and tz else None,
            time_boxed=bool(validity and tz and validity.until_end_of is not None),
        )


def plan_awards(
    events: Iterable[ActivityEvent],
    achievements: Iterable[Achievement] | AchievementIndex,
    groups: Mapping[str, tuple[str, ...]],
    counters: Mapping[CounterKey, Decimal],
    tz: ZoneInfo,
    moved: Mapping[str, Collection[CounterKey]] | None = None,
) -> list[AwardIntent]:
    """Every award these events earn, one per award key, in a stable order.

    Given ``moved`` (as for ``counters_to_read``), a threshold is earned by an event that moved
    its counter.
    """
    if not isinstance(achievements, AchievementIndex):
        achievements = list(achievements)
    intents: dict[AwardKey, AwardIntent] = {}
    for event in events:
        for achievement in _candidates(event, achievements, groups.get(event.user_id, ())):
            if (
                moved is not None
                and achievement.type is AchievementType.METRIC_THRESHOLD
                and threshold_counter(achievement, event.user_id, event.occurred_at, tz)
                not in moved.get(event.event_id, ())
            ):
                continue
            for intent in _earned(achievement, event, counters, tz):
                intents.setdefault(intent.key, intent)
    return [intents[key] for key in sorted(intents)]


def _earned(
    achievement: Achievement,
    event: ActivityEvent,
    counters: Mapping[CounterKey, Decimal],
    tz: ZoneInfo,
) -> Iterable[AwardIntent]:
    if achievement.type is AchievementType.METRIC_THRESHOLD:
        counter = threshold_counter(achievement, event.user_id, event.occurred_at, tz)
        yield from threshold_intents(achievement, counter, counters, event.event_id)
    elif achievement.type is AchievementType.EVENT and achievement.event_type == event.type:
        period = f"E:{event.event_id}" if achievement.repeatable else ONCE
        key = AwardKey(event.user_id, achievement.achievement_id, period, 1)
        yield AwardIntent(key, achievement, event.event_id)


def threshold_intents(
    achievement: Achievement,
    counter: CounterKey,
    counters: Mapping[CounterKey, Decimal],
    event_id: str | None,
) -> Iterable[AwardIntent]:
    """The levels of a threshold achievement that ``counter``'s value reaches, as awards."""
    for level in levels_reached(achievement, counters.get(counter, Decimal(0))):
        key = AwardKey(counter.user_id, achievement.achievement_id, counter.period_key, level)
        yield AwardIntent(key, achievement, event_id)


def standing_counters(
    user_ids: Iterable[str],
    achievements: Iterable[Achievement],
    groups: Mapping[str, tuple[str, ...]],
    now: datetime,
    tz: ZoneInfo,
) -> set[CounterKey]:
    """The counters whose current values decide what ``plan_standing`` grants."""
    return {
        threshold_counter(achievement, user_id, now, tz)
        for user_id in user_ids
        for achievement in achievements
        if achievement.type is AchievementType.METRIC_THRESHOLD
        and applies(achievement, now, groups.get(user_id, ()))
    }


def plan_standing(
    user_ids: Iterable[str],
    achievements: Iterable[Achievement],
    groups: Mapping[str, tuple[str, ...]],
    counters: Mapping[CounterKey, Decimal],
    now: datetime,
    tz: ZoneInfo,
) -> list[AwardIntent]:
    """Every threshold award the users' counters of the current periods earn at ``now`` (a
    sync, a dry run over users): the rules evaluation applies, with ``now`` as the moment.
    Only metric thresholds have counters; other types earn nothing here."""
    intents: dict[AwardKey, AwardIntent] = {}
    for user_id in user_ids:
        for achievement in achievements:
            if achievement.type is not AchievementType.METRIC_THRESHOLD or not applies(
                achievement, now, groups.get(user_id, ())
            ):
                continue
            counter = threshold_counter(achievement, user_id, now, tz)
            for intent in threshold_intents(achievement, counter, counters, None):
                intents.setdefault(intent.key, intent)
    return [intents[key] for key in sorted(intents)]


def first_activities(
    events: Iterable[ActivityEvent],
    achievements: Iterable[Achievement] | AchievementIndex,
    groups: Mapping[str, tuple[str, ...]],
) -> dict[tuple[str, str], tuple[Achievement, ActivityEvent]]:
    """For each (achievement, project) these events are qualifying activity in, the first of
    them: the earliest ``occurred_at``, a tie to the lower user id, then the lower event id."""
    if not isinstance(achievements, AchievementIndex):
        achievements = list(achievements)
    firsts: dict[tuple[str, str], tuple[Achievement, ActivityEvent]] = {}
    for event in events:
        project_id = project_of(event)
        if project_id is None:
            continue
        for achievement in _candidates(event, achievements, groups.get(event.user_id, ())):
            if (
                achievement.type is not AchievementType.FIRST_ACTIVITY_IN_PROJECT
                or event.type not in achievement.activity_types
            ):
                continue
            key = (achievement.achievement_id, project_id)
            found = firsts.get(key)
            if found is None or _sooner(event, found[1]):
                firsts[key] = (achievement, event)
    return firsts


def _sooner(event: ActivityEvent, than: ActivityEvent) -> bool:
    return (event.occurred_at, event.user_id, event.event_id) < (
        than.occurred_at,
        than.user_id,
        than.event_id,
    )


def current_period(achievement: Achievement, now: datetime, tz: ZoneInfo) -> str:
    """The period whose progress a user sees now for a threshold achievement."""
    return period_key(achievement.time_range or TimeRange.ALL_TIME, now, tz)


class Standing(NamedTuple):
    """One row of a (metric, period) leaderboard."""

    user_id: str
    score: Decimal
    reached_at: str


def pick_winner(
    standings: Iterable[Standing], eligible: Callable[[str], bool] = lambda _: True
) -> Standing | None:
    """The first eligible row of standings in leaderboard order (``standing_order``, highest
    first): the highest score wins; a tie goes to whoever reached it first, then to the lower
    user id.

    Nobody wins a period without activity (no positive score).
    """
    for standing in standings:
        if standing.score <= 0:
            return None
        if eligible(standing.user_id):
            return standing
    return None


def closed_period(period: TimeRange, now: datetime, tz: ZoneInfo) -> str:
    """The last period that has ended at ``now`` in ``tz`` (the one before the current one)."""
    current = period_key(period, now, tz)
    start, _ = period_bounds(current, tz)
    return period_key(period, start - timedelta(microseconds=1), tz)


# The Leaderboard index sorts on one string, read highest first: ``standing_order`` makes that
# order the winner order (-score, reached_at, user_id), so one row of a descending query is the
# winner however many users tie.
SCORE_DECIMALS = 9
SCORE_DIGITS = 38  # DynamoDB numbers hold 38 significant digits
_MOMENT_DIGITS = 18  # microseconds since 1970; 9999-12-31 is about 2.5e17
USER_ID_ALPHABET = (
    "-.0123456789:@ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"  # ASCII order
)
USER_ID_MAX_LENGTH = 128
_ABOVE_EVERY_COMPLEMENT = "~"
_COMPLEMENT = str.maketrans(USER_ID_ALPHABET, USER_ID_ALPHABET[::-1])
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def standing_order(score: Decimal, reached_at: datetime, user_id: str) -> str:
    """The Leaderboard sort key: descending string order is (-score, reached_at, user_id) order.

    Score: a sign digit (1 for >= 0), then the score scaled by 10^9 in 38 fixed digits, negative
    scores as their complement to 10^38 (a deeper negative sorts lower); finer fractions are
    floored, so order is kept up to 10^-9. Then the moment inverted (earlier is higher), then the
    user id with each character complemented within the id alphabet and padded with a character
    above every complement (a lower or shorter id is higher).
    """
    with localcontext(prec=2 * SCORE_DIGITS):  # the default 28 digits would round the score
        scaled = int((score * 10**SCORE_DECIMALS).to_integral_value(rounding=ROUND_FLOOR))
    limit = 10**SCORE_DIGITS
    if not -limit < scaled < limit:
        raise ValueError(f"score {score} is outside DynamoDB's 38 digits")
    head = f"1{scaled:0{SCORE_DIGITS}d}" if scaled >= 0 else f"0{limit + scaled:0{SCORE_DIGITS}d}"
    micros = (reached_at - _EPOCH) // timedelta(microseconds=1)
    moment = f"{10**_MOMENT_DIGITS - 1 - micros:0{_MOMENT_DIGITS}d}"
    if len(user_id) > USER_ID_MAX_LENGTH or user_id.strip(USER_ID_ALPHABET):
        raise ValueError("user id outside [A-Za-z0-9._:@-]{1,128}")
    tail = user_id.translate(_COMPLEMENT).ljust(USER_ID_MAX_LENGTH, _ABOVE_EVERY_COMPLEMENT)
    return head + moment + tail
