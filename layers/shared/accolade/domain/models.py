"""Domain models: what Accolade knows about tenants, users, metrics, achievements and awards.

Unlike the rest of the layer, without ``from __future__ import annotations``: pydantic reads
every field's annotation when it creates a model class, and evaluating them from strings made
creating these classes cost every cold start about 1% more (callgrind). A method that returns
its own class says ``Self``; a forward reference is quoted.
"""

import base64
import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal, NamedTuple, Self
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from accolade.domain.periods import TimeRange, add_calendar, period_bounds, period_key, zone

Scalar = str | int | float | bool


class Model(BaseModel):
    # Each model builds its validator when first used, not at import: a handler pays only for
    # the models it reads or writes.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Features(Model):
    coins: bool = False


def _iana(name: str) -> str:
    zone(name)
    return name


TimeZoneName = Annotated[str, AfterValidator(_iana)]


MAX_WINNERS_GRACE_HOURS = 72
MAX_EXPIRY_NOTICE_DAYS = 365


class TenantSettings(Model):
    timezone: TimeZoneName = "UTC"
    features: Features = Features()
    # Hours a closed week or month still takes late events before its winner is chosen.
    winners_grace_hours: Annotated[int, Field(ge=0, le=MAX_WINNERS_GRACE_HOURS)] = 1
    # Days before an award's valid_until that its holder is told it expires soon.
    expiry_notice_days: Annotated[int, Field(ge=0, le=MAX_EXPIRY_NOTICE_DAYS)] = 30


class UserProfile(Model):
    user_id: str
    display_name: str = ""
    org_id: str | None = None
    groups: tuple[str, ...] = ()
    featured_award_id: str | None = None


class Aggregate(StrEnum):
    COUNT = "count"
    SUM = "sum"


DEFAULT_LEADERBOARDS = (TimeRange.WEEK, TimeRange.MONTH, TimeRange.ALL_TIME)


class Metric(Model):
    metric_id: str
    event_type: str
    aggregate: Aggregate
    field: str | None = None
    # The periods ranked on a leaderboard; counters of other periods stay out of the index.
    leaderboards: tuple[TimeRange, ...] = DEFAULT_LEADERBOARDS

    def delta(self, event: "ActivityEvent") -> Decimal | None:
        """How much ``event`` moves this metric; None when it does not apply."""
        if event.type != self.event_type:
            return None
        if self.aggregate is Aggregate.COUNT:
            return Decimal(1)
        if self.field is None:
            return event.value
        raw = event.attributes.get(self.field)
        if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
            return None
        return Decimal(str(raw))


class AchievementType(StrEnum):
    METRIC_THRESHOLD = "metric_threshold"
    PERIOD_TOP = "period_top"
    GOAL_REACHED = "goal_reached"
    FIRST_ACTIVITY_IN_PROJECT = "first_activity_in_project"
    EVENT = "event"
    MANUAL = "manual"
    COURSE_COMPLETION = "course_completion"


# The engine grants these today; the others are part of the contract and land with their issues.
GRANTED_TYPES = frozenset(
    {
        AchievementType.METRIC_THRESHOLD,
        AchievementType.EVENT,
        AchievementType.PERIOD_TOP,
        AchievementType.MANUAL,
        AchievementType.FIRST_ACTIVITY_IN_PROJECT,
        AchievementType.GOAL_REACHED,
        AchievementType.COURSE_COMPLETION,
    }
)
MAX_ACTIVITY_TYPES = 20
WINNER_PERIODS = frozenset({TimeRange.WEEK, TimeRange.MONTH})


class Category(StrEnum):
    AWARD = "award"
    MEMBERSHIP = "membership"
    RECORD = "record"


class Validity(Model):
    """How long an award stays active: until the end of the current day, week or month in the
    tenant's zone, or ``amount`` ``unit``s from when it becomes valid."""

    until_end_of: Literal[TimeRange.DAY, TimeRange.WEEK, TimeRange.MONTH] | None = None
    amount: Annotated[int, Field(ge=1, le=100)] | None = None
    unit: Literal["day", "week", "month", "year"] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        if (self.until_end_of is None) == (self.amount is None):
            raise ValueError("validity: give either until_end_of, or amount and unit")
        if (self.amount is None) != (self.unit is None):
            raise ValueError("validity: amount and unit go together")
        return self

    def until(self, valid_from: datetime, tz: ZoneInfo) -> datetime:
        """When an award valid from ``valid_from`` stops being active."""
        if self.until_end_of is not None:
            end = period_bounds(period_key(self.until_end_of, valid_from, tz), tz)[1]
            return end.astimezone(UTC)
        assert self.amount is not None and self.unit is not None
        local = valid_from.astimezone(tz)
        return add_calendar(local, self.amount, self.unit).astimezone(UTC)


class Level(Model):
    threshold: Annotated[Decimal, Field(gt=0, allow_inf_nan=False)] = Decimal(1)
    points: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    coins: Annotated[int, Field(ge=0, le=1_000_000)] = 0


class Audience(Model):
    groups: tuple[str, ...] = ()


class Achievement(Model):
    """A versioned achievement definition (one per id; ``version`` grows with each edit)."""

    achievement_id: str
    name: str
    description: str = ""
    type: AchievementType
    enabled: bool = True
    badge: str | None = None
    levels: tuple[Level, ...] = (Level(),)
    metric: str | None = None
    time_range: TimeRange | None = None
    period: TimeRange | None = None
    event_type: str | None = None
    # first_activity_in_project: the event types that count as activity in a project.
    activity_types: tuple[str, ...] = ()
    category: Category = Category.AWARD
    validity: Validity | None = None
    repeatable: bool = False
    effective_from: datetime | None = None
    effective_to: datetime | None = None
    audience: Audience = Audience()
    show_next_to_name: bool = False
    certificate: bool = False
    # The sequence its awards' identifiers are numbered from (none: awards carry no identifier).
    sequence_id: str | None = None
    # Attach the certificate's link to the award notification.
    send_certificate: bool = False
    version: int = 1
    created_at: datetime
    updated_at: datetime
    # When it was last enabled (set by the server; None in definitions older than the field:
    # ``enabled_since`` falls back to created_at).
    enabled_at: datetime | None = None

    @model_validator(mode="after")
    def _fits_its_type(self) -> Self:
        if self.type not in GRANTED_TYPES:
            raise ValueError(f"type: {self.type.value!r} is not available yet")
        if self.type is AchievementType.METRIC_THRESHOLD:
            _require(self.metric, "metric")
            _require(self.time_range, "time_range")
            if not 1 <= len(self.levels) <= 3:
                raise ValueError("levels: a metric threshold has 1 to 3 levels")
            thresholds = [level.threshold for level in self.levels]
            if thresholds != sorted(set(thresholds)):
                raise ValueError("levels: thresholds must strictly increase from level I to III")
        else:
            if len(self.levels) != 1 or self.levels[0].threshold != 1:
                raise ValueError("levels: this type has exactly one level whose threshold is 1")
            if self.type is AchievementType.EVENT:
                _require(self.event_type, "event_type")
            elif self.type is AchievementType.PERIOD_TOP:
                _require(self.metric, "metric")
                if self.period not in WINNER_PERIODS:
                    raise ValueError("period: a period winner is chosen per week or month")
            elif self.type is AchievementType.FIRST_ACTIVITY_IN_PROJECT:
                types = self.activity_types
                if not 1 <= len(types) <= MAX_ACTIVITY_TYPES or len(set(types)) != len(types):
                    raise ValueError(
                        f"activity_types: 1 to {MAX_ACTIVITY_TYPES} different event types"
                    )
                if self.category is not Category.AWARD:
                    # Its one holder is per project: a second limit per period would need a
                    # second slot in the same grant, and could leave a project without winner.
                    raise ValueError("category: a first activity in a project is an award")
            elif self.type is AchievementType.COURSE_COMPLETION and self.category is not (
                Category.AWARD
            ):
                # One award per (learner, course event or learning path): its period is that.
                raise ValueError("category: a course completion is an award")
        if self.category is not Category.AWARD and self.period not in WINNER_PERIODS:
            raise ValueError(f"period: a {self.category.value} is held per week or month")
        if self.effective_from and self.effective_to and self.effective_to <= self.effective_from:
            raise ValueError("effective_to: must be after effective_from")
        return self

    @property
    def enabled_since(self) -> datetime:
        """When it was last enabled: created enabled, or the last enable."""
        return self.enabled_at or self.created_at

    def in_effect(self, moment: datetime) -> bool:
        """Whether an event at ``moment`` counts: inside [effective_from, effective_to)."""
        if self.effective_from and moment < self.effective_from:
            return False
        return not (self.effective_to and moment >= self.effective_to)

    def visible_to(self, groups: tuple[str, ...]) -> bool:
        """An empty audience is everyone; otherwise the user must share a group."""
        return not self.audience.groups or bool(set(self.audience.groups) & set(groups))


def _canonical_number(value: int | float | Decimal) -> str:
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    return str(number.normalize()) if number else "0"


def _require(value: object, name: str) -> None:
    if value is None:
        raise ValueError(f"{name}: required for this type")


class ActivityEvent(Model):
    """One user activity, as accepted by ingestion."""

    event_id: str
    type: str
    user_id: str
    occurred_at: datetime
    value: Decimal | None = None
    attributes: dict[str, Scalar] = Field(default_factory=dict)

    def fingerprint(self) -> str:
        """Digest of what the payload means: the same id with another fingerprint is a conflict.

        The same instant in another offset, or 1.0 resent as 1, is the same event.
        """
        canonical = {
            "type": self.type,
            "user_id": self.user_id,
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(),
            "value": None if self.value is None else _canonical_number(self.value),
            "attributes": {
                name: [type(value).__name__, value]
                if isinstance(value, str | bool)
                else ["number", _canonical_number(value)]
                for name, value in self.attributes.items()
            },
        }
        encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(encoded.encode()).hexdigest()


_SEP = "\x1f"


class CounterKey(NamedTuple):
    user_id: str
    metric_id: str
    period_key: str


class AwardKey(NamedTuple):
    """What makes an award unique: (achievement, user, level, period or event)."""

    user_id: str
    achievement_id: str
    period_key: str
    level: int

    @property
    def award_id(self) -> str:
        """The award's public id: its key, opaque (the one place award ids are made)."""
        raw = _SEP.join((self.user_id, self.achievement_id, self.period_key, str(self.level)))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def parse(cls, award_id: str) -> Self | None:
        """The key of an award id a client sent; None when it is not one."""
        try:
            return cls.from_award_id(award_id)
        except ValueError:
            return None

    @classmethod
    def from_award_id(cls, award_id: str) -> Self:
        """Decode an award id; ValueError when it is not one."""
        try:
            padded = award_id + "=" * (-len(award_id) % 4)
            user_id, achievement_id, period, level = (
                base64.urlsafe_b64decode(padded.encode()).decode().split(_SEP)
            )
            return cls(user_id, achievement_id, period, int(level))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError(f"{award_id!r} is not an award id") from exc


class Slot(NamedTuple):
    """What only one grant may ever take, whoever the user: a period winner's achievement and
    period."""

    achievement_id: str
    period_key: str


class IssuerKind(StrEnum):
    COURSE_EVENT = "course_event"
    LEARNING_PATH = "learning_path"


class Issuer(Model):
    """What issued an award other than a rule on counters (a course event, a learning path), with
    the merge fields a sequence's formatter may use: ``code`` is ``{{course_code}}`` or
    ``{{path_code}}``, ``custom`` the ``{{custom.NAME}}`` fields."""

    kind: IssuerKind
    id: str
    code: str = ""
    custom: dict[str, str] = Field(default_factory=dict)

    @property
    def ref(self) -> str:
        """How an award names it in ``issued_by``."""
        return f"{self.kind.value}:{self.id}"


class AwardStatus(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"
    EXPIRED = "expired"


class CertificateStatus(StrEnum):
    PENDING = "pending"
    ISSUED = "issued"
    REVOKED = "revoked"  # its award was revoked: the certificate's verification says so


class Award(Model):
    award_id: str
    user_id: str
    achievement_id: str
    achievement_type: AchievementType
    achievement_version: int
    level: int
    period_key: str
    status: AwardStatus = AwardStatus.ACTIVE
    awarded_at: datetime
    valid_from: datetime | None = None  # None: from awarded_at
    valid_until: datetime | None = None  # None: never expires
    points: int = 0
    coins: int = 0
    event_id: str | None = None
    certificate_status: CertificateStatus | None = None
    certificate_key: str | None = None
    given_by: str | None = None  # the admin who gave it by hand
    note: str | None = None
    revoked_at: datetime | None = None
    revoke_reason: str | None = None
    identifier: str | None = None  # from the achievement's sequence, e.g. CPR-2026-00005
    # The sequence that numbers it (the achievement's when granted): the grant's transaction
    # takes the next number of it and writes ``identifier``.
    sequence_id: str | None = None
    supersedes: str | None = None  # the award id of the one this re-earning replaces
    issued_by: str | None = None  # what issued it: Issuer.ref, e.g. course_event:{id}
    # Valid for the rest of its day, week or month (validity until_end_of): a time-boxed award,
    # not a credential: never told it expires soon, and earning it again renews nothing.
    time_boxed: bool = False

    def status_at(self, moment: datetime) -> AwardStatus:
        """Revoked, expired once ``valid_until`` has passed, else active: what is shown."""
        if self.status is AwardStatus.REVOKED:
            return AwardStatus.REVOKED
        if self.valid_until is not None and self.valid_until <= moment:
            return AwardStatus.EXPIRED
        return AwardStatus.ACTIVE

    @property
    def key(self) -> AwardKey:
        return AwardKey(self.user_id, self.achievement_id, self.period_key, self.level)


class AchievementSummary(Model):
    """What a user's active awards of one achievement add up to, kept beside them so their page
    never reads the awards: only the latest period's levels, the one progress can be in."""

    achievement_id: str
    times_earned: int = 0
    highest_level: int = 0
    points_earned: int = 0
    period_key: str | None = None
    period_levels: frozenset[int] = frozenset()
    valid_until: datetime | None = None  # when the last of them lapses (None: one never does)
    # The newest of them (the last granted): what a re-earned credential renews (``renewing``).
    latest_award_id: str | None = None
    latest_level: int | None = None

    def held_at(self, moment: datetime) -> bool:
        """Whether one of the awards counted is still valid at ``moment``."""
        return self.times_earned > 0 and (self.valid_until is None or self.valid_until > moment)

    def add(self, award: Award) -> Self:
        """This summary with ``award`` counted (an inactive award counts for nothing)."""
        if award.status is not AwardStatus.ACTIVE:
            return self
        # Period keys of one achievement share a format whose text order is time order.
        if self.period_key is None or award.period_key > self.period_key:
            period_key, levels = award.period_key, frozenset({award.level})
        elif award.period_key == self.period_key:
            period_key, levels = self.period_key, self.period_levels | {award.level}
        else:
            period_key, levels = self.period_key, self.period_levels
        lapses = award.valid_until
        if self.times_earned and (lapses is None or self.valid_until is None):
            lapses = None
        elif self.times_earned and lapses is not None and self.valid_until is not None:
            lapses = max(lapses, self.valid_until)
        return self.model_copy(
            update={
                # Counted in grant order (``of`` sorts by awarded_at): the last one is the newest.
                "latest_award_id": award.award_id,
                "latest_level": award.level,
                "times_earned": self.times_earned + 1,
                "highest_level": max(self.highest_level, award.level),
                "points_earned": self.points_earned + award.points,
                "period_key": period_key,
                "period_levels": levels,
                "valid_until": lapses,
            }
        )

    def renewing(self, award: Award) -> Award:
        """``award`` as the renewal of the newest award counted here, when it is one: a
        credential that lapses (``valid_until``) earned again at the same level supersedes it.
        An award without expiry or time-boxed (a weekly badge earned again next week) renews
        nothing, nor does a higher level reached in a period (progress, not renewal)."""
        if (
            award.valid_until is None
            or award.time_boxed
            or self.latest_award_id is None
            or self.latest_award_id == award.award_id
            or self.latest_level != award.level
        ):
            return award
        return award.model_copy(update={"supersedes": self.latest_award_id})

    def superseded(self, award: Award) -> bool:
        """Whether a newer award of the same level renewed ``award`` (it is not the newest)."""
        return self.latest_award_id not in (None, award.award_id) and (
            self.latest_level == award.level
        )

    @classmethod
    def of(cls, achievement_id: str, awards: Iterable[Award]) -> Self:
        summary = cls(achievement_id=achievement_id)
        for award in sorted(awards, key=lambda a: (a.awarded_at, a.award_id)):
            summary = summary.add(award)
        return summary


GoalPeriod = Literal[TimeRange.DAY, TimeRange.WEEK, TimeRange.MONTH]


class Goal(Model):
    """A user's personal goal: reach ``target`` on a metric in each day, week or month (in the
    tenant's zone). ``set_by`` is whoever set it last: the user, or an admin for them."""

    user_id: str
    goal_id: str
    metric: str
    period: GoalPeriod
    target: Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]
    set_by: str
    updated_at: datetime

    def counter(self, moment: datetime, tz: ZoneInfo) -> CounterKey:
        """The counter whose value decides the goal in the period of ``moment``."""
        return CounterKey(self.user_id, self.metric, period_key(self.period, moment, tz))


class LedgerEntry(Model):
    user_id: str
    award_id: str
    sequence: int
    points: int
    coins: int
    points_balance: int
    coins_balance: int
    reason: str
    at: datetime


class Wallet(Model):
    points: int = 0
    coins: int = 0
    entries: int = 0  # the ledger's length: entry n has sequence n

    def credit(self, user_id: str, awards: Iterable[Award]) -> tuple["Wallet", list[LedgerEntry]]:
        """The wallet after these awards, and a ledger entry for each that credits something,
        numbered on from this wallet's and carrying the running balances."""
        wallet, entries = self, []
        for award in awards:
            if award.points or award.coins:
                reason = f"award {award.achievement_id} level {award.level}"
                wallet, entry = wallet.move(user_id, award, 1, reason, award.awarded_at)
                entries.append(entry)
        return wallet, entries

    def move(
        self, user_id: str, award: Award, sign: int, reason: str, at: datetime
    ) -> tuple["Wallet", LedgerEntry]:
        """The wallet with ``award``'s points and coins added (sign 1) or taken back (-1), and
        the ledger entry that says so: the next in sequence, with the running balances."""
        points, coins = sign * award.points, sign * award.coins
        wallet = Wallet(
            points=self.points + points, coins=self.coins + coins, entries=self.entries + 1
        )
        entry = LedgerEntry(
            user_id=user_id,
            award_id=award.award_id,
            sequence=wallet.entries,
            points=points,
            coins=coins,
            points_balance=wallet.points,
            coins_balance=wallet.coins,
            reason=reason,
            at=at,
        )
        return wallet, entry


class Message(Model):
    message_id: str
    user_id: str
    type: str
    title: str
    body: str
    award_id: str | None = None
    created_at: datetime
    data: dict[str, Any] = Field(default_factory=dict)
    read_at: datetime | None = None  # when its user marked it read (None: unread)


class MessageType(StrEnum):
    """The kinds of inbox message: what ``GET /v1/me/messages?type=`` filters on."""

    ACHIEVEMENT = "achievement"  # an award granted
    AWARD_REVOKED = "award_revoked"
    EXPIRING_SOON = "expiring_soon"
