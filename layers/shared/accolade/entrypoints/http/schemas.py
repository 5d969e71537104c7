"""Request and response bodies of the HTTP API. Unknown fields are refused (422)."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, Self, TypeVar, get_args

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    create_model,
    field_validator,
)

from accolade.domain.courses import (
    MAX_COURSE_ACHIEVEMENTS,
    MAX_CUSTOM_FIELDS,
    MAX_PATH_ACHIEVEMENTS,
    MAX_PATH_COURSES,
    MAX_RESULTS,
    MAX_SESSIONS,
    AwardRule,
    CourseEvent,
    CourseTemplate,
    Delivery,
    LearningPath,
    Outcome,
)
from accolade.domain.limits import MAX_MAGNITUDE, check_instant, check_number
from accolade.domain.models import (
    DEFAULT_LEADERBOARDS,
    MAX_EXPIRY_NOTICE_DAYS,
    MAX_WINNERS_GRACE_HOURS,
    Achievement,
    ActivityEvent,
    Aggregate,
    AwardStatus,
    GoalPeriod,
    LedgerEntry,
    Message,
    Metric,
    TenantSettings,
    TimeZoneName,
    UserProfile,
)
from accolade.domain.periods import TimeRange
from accolade.domain.sequences import MAX_FORMAT, MAX_PADDING, MAX_START, Numbering
from accolade.entrypoints.http.jsonbody import InexactFloat
from accolade.services.admin import build
from accolade.services.awards import UserAwardView
from accolade.services.credentials import Verification
from accolade.services.goals import GoalSetting, GoalView
from accolade.services.me import AchievementView, AwardView

Id = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@-]*$")]
EventType = Annotated[
    str, Field(min_length=1, max_length=100, pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
]
Name = Annotated[str, Field(min_length=1, max_length=200)]
GroupName = Annotated[str, Field(min_length=1, max_length=64)]
AttributeName = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z_][A-Za-z0-9_.-]*$")
]
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")
MAX_ATTRIBUTES = 20


def _storable(value: Any) -> Any:
    """Numbers DynamoDB can store and sum: see accolade.domain.limits."""
    if isinstance(value, InexactFloat):
        raise ValueError("has more significant digits than a 64-bit float holds (15)")
    if isinstance(value, int | float) and not isinstance(value, bool):
        check_number(value)
    return value


def _in_range(value: datetime) -> datetime:
    return check_instant(value)


# Every number a client sends: finite, |x| <= 1e15, at most 9 decimals.
Number = Annotated[StrictInt | StrictFloat, BeforeValidator(_storable)]
Instant = Annotated[AwareDatetime, AfterValidator(_in_range)]
AttributeValue = Annotated[
    Annotated[StrictStr, Field(max_length=256)] | StrictBool | StrictInt | StrictFloat,
    BeforeValidator(_storable),
]


class Schema(BaseModel):
    # A route's schemas are built when it first validates (or the OpenAPI document is made):
    # a function pays only for the routes it serves.
    model_config = ConfigDict(defer_build=True)


class Body(Schema):
    model_config = ConfigDict(extra="forbid")


class Out(Schema):
    """A response body, read off domain objects by field name."""

    @classmethod
    def read(cls, *sources: object, **values: Any) -> Self:
        """The fields ``sources`` have (a later one wins), then ``values`` for the rest."""
        found = {
            name: getattr(source, name)
            for source in sources
            for name in cls.model_fields
            if name not in values and hasattr(source, name)
        }
        return cls.model_validate({**found, **values}, from_attributes=True)

    @classmethod
    def of(cls, source: Any) -> Self:
        """The body of one domain object; overridden where a field is not read off it."""
        return cls.read(source)


def _rfc3339(value: Any) -> Any:
    if not isinstance(value, str) or not RFC3339.match(value):
        raise ValueError("must be an RFC 3339 date-time with an offset, e.g. 2026-11-24T10:00:00Z")
    return value


def _occurred(value: datetime) -> datetime:
    # The upper bound (5 minutes from now) needs the clock: the service checks it.
    return check_instant(value, latest=None)


class EventIn(Body):
    id: Id
    type: EventType
    user_id: Id
    # Not later than 5 minutes from now either: checked by the service, which has the clock.
    occurred_at: Annotated[AwareDatetime, AfterValidator(_occurred)]
    value: Number | None = None
    attributes: dict[AttributeName, AttributeValue] = Field(default_factory=dict)

    _occurred_at_format = field_validator("occurred_at", mode="before")(_rfc3339)

    @field_validator("attributes")
    @classmethod
    def _few(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > MAX_ATTRIBUTES:
            raise ValueError(f"at most {MAX_ATTRIBUTES} attributes")
        return value

    def to_domain(self) -> ActivityEvent:
        return ActivityEvent(
            event_id=self.id,
            type=self.type,
            user_id=self.user_id,
            occurred_at=self.occurred_at,
            value=None if self.value is None else Decimal(str(self.value)),
            attributes=self.attributes,
        )


class EventsIn(Body):
    events: Annotated[list[EventIn], Field(min_length=1, max_length=100)]


class EventsAccepted(Schema):
    accepted: list[str]
    duplicates: list[str]


class FeaturesIn(Body):
    coins: StrictBool = False


class SettingsIn(Body):
    timezone: Annotated[TimeZoneName, Field(min_length=1, max_length=64)] = "UTC"
    features: FeaturesIn = FeaturesIn()
    winners_grace_hours: Annotated[StrictInt, Field(ge=0, le=MAX_WINNERS_GRACE_HOURS)] = 1
    expiry_notice_days: Annotated[StrictInt, Field(ge=0, le=MAX_EXPIRY_NOTICE_DAYS)] = 30

    def to_domain(self) -> TenantSettings:
        return TenantSettings.model_validate(self.model_dump())


class SettingsOut(Out):
    timezone: str
    features: dict[str, bool]
    winners_grace_hours: int
    expiry_notice_days: int

    @classmethod
    def of(cls, settings: TenantSettings) -> SettingsOut:
        return cls.read(settings, features=settings.features.model_dump())


class UserIn(Body):
    display_name: Annotated[str, Field(max_length=200)] = ""
    org_id: Id | None = None
    groups: Annotated[list[GroupName], Field(max_length=50)] = Field(default_factory=list)

    def to_domain(self, user_id: str) -> UserProfile:
        return UserProfile(
            user_id=user_id,
            display_name=self.display_name,
            org_id=self.org_id,
            groups=tuple(dict.fromkeys(self.groups)),
        )


class UserOut(Out):
    user_id: str
    display_name: str
    org_id: str | None
    groups: list[str]


class MetricIn(Body):
    event_type: EventType
    aggregate: Aggregate
    field: AttributeName | None = None
    leaderboards: list[TimeRange] = Field(
        default=list(DEFAULT_LEADERBOARDS),
        max_length=len(TimeRange),
        description="the periods ranked on a leaderboard (GET /v1/leaderboards/{metric}); "
        "counters of other periods are kept but not ranked, which saves an index write per "
        "event. A period_top achievement needs its period here.",
    )

    def to_domain(self, metric_id: str) -> Metric:
        return Metric(
            metric_id=metric_id,
            event_type=self.event_type,
            aggregate=self.aggregate,
            field=self.field if self.aggregate is Aggregate.SUM else None,
            leaderboards=tuple(dict.fromkeys(self.leaderboards)),
        )


class MetricOut(Out):
    metric_id: str
    event_type: str
    aggregate: str
    field: str | None
    leaderboards: list[str]


NextCursor = Annotated[
    str | None, Field(description="pass as ?cursor= for the next page; null on the last page")
]
Item = TypeVar("Item", bound=Out)


class Listing(Schema, Generic[Item]):
    # No docstring: it would become the description of every list in the OpenAPI document.
    items: list[Item]
    next_cursor: NextCursor

    @classmethod
    def of(cls, found: list[Any], next_cursor: str | None) -> Self:
        """The page of ``found`` (domain objects), each read by its item schema's ``of``."""
        (item,) = get_args(cls.model_fields["items"].annotation)
        return cls(items=[item.of(each) for each in found], next_cursor=next_cursor)


class MetricList(Listing[MetricOut]):
    pass


class LevelIn(Body):
    threshold: Annotated[Number, Field(gt=0, le=float(MAX_MAGNITUDE))] = 1
    points: Annotated[StrictInt, Field(ge=0, le=1_000_000)] = 0
    coins: Annotated[StrictInt, Field(ge=0, le=1_000_000)] = 0


class AudienceIn(Body):
    groups: Annotated[list[GroupName], Field(max_length=50)] = Field(default_factory=list)


def _fields(
    model: type[BaseModel], *, exclude: Collection[str] = (), optional: bool = False
) -> dict[str, Any]:
    """``model``'s fields with their constraints, for create_model. Booleans are strict (JSON
    true or false, never "true" or 1); with ``optional``, none is required or defaulted."""
    fields: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if name in exclude:
            continue
        annotation: Any = StrictBool if field.annotation is bool else field.annotation
        if field.metadata:
            annotation = Annotated[(annotation, *field.metadata)]
        default = ... if field.is_required() else field.default
        fields[name] = (annotation | None, None) if optional else (annotation, default)
    return fields


class AchievementChanges(Body):
    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, mode="json")


if TYPE_CHECKING:  # mypy cannot type a model made by create_model; routes need a class
    Definition = Body
else:
    # What an admin defines: the domain's Achievement, less what the server sets.
    Definition = create_model(
        "Definition",
        __base__=Body,
        __module__=__name__,
        **_fields(
            Achievement,
            exclude={"achievement_id", "version", "created_at", "updated_at", "enabled_at"},
        ),
    )


class AchievementIn(Definition):
    # Where a request is held to more than the domain's types (Definition keeps their order).
    name: Name
    description: Annotated[str, Field(max_length=2000)] = ""
    badge: Annotated[str, Field(max_length=200)] | None = None
    levels: Annotated[list[LevelIn], Field(min_length=1, max_length=3)] | None = None
    metric: Id | None = None
    period: Literal["week", "month"] | None = None
    event_type: EventType | None = None
    activity_types: Annotated[list[EventType], Field(min_length=1, max_length=20)] | None = None
    effective_from: Instant | None = None
    effective_to: Instant | None = None
    audience: AudienceIn = AudienceIn()
    sequence_id: Id | None = None

    def definition(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True, mode="json")
        for absent in ("levels", "activity_types"):
            if data.get(absent) is None:
                data.pop(absent, None)
        return data


if TYPE_CHECKING:
    AchievementPatch = AchievementChanges
else:
    # A patch names only what it changes: AchievementIn's fields, none required.
    AchievementPatch = create_model(
        "AchievementPatch",
        __base__=AchievementChanges,
        __module__=__name__,
        **_fields(AchievementIn, optional=True),
    )


class LevelOut(Out):
    level: int
    threshold: float
    points: int
    coins: int

    @classmethod
    def all_of(cls, achievement: Achievement) -> list[LevelOut]:
        return [cls.read(lv, level=i) for i, lv in enumerate(achievement.levels, 1)]


class AchievementOut(Out):
    id: str
    name: str
    description: str
    type: str
    enabled: bool
    badge: str | None
    levels: list[LevelOut]
    metric: str | None
    time_range: str | None
    period: str | None
    event_type: str | None
    activity_types: list[str]
    category: str
    validity: dict[str, Any] | None
    repeatable: bool
    effective_from: datetime | None
    effective_to: datetime | None
    audience: dict[str, list[str]]
    show_next_to_name: bool
    certificate: bool
    sequence_id: str | None = None
    send_certificate: bool = False
    version: int
    created_at: datetime
    updated_at: datetime
    enabled_at: datetime | None

    @classmethod
    def of(cls, a: Achievement) -> AchievementOut:
        return cls.read(
            a,
            id=a.achievement_id,
            levels=LevelOut.all_of(a),
            audience=a.audience.model_dump(),
            validity=a.validity.model_dump(mode="json", exclude_none=True) if a.validity else None,
        )


class AchievementList(Listing[AchievementOut]):
    pass


class ProgressOut(Out):
    period_key: str
    value: float
    levels_earned: int
    next_level: int | None
    next_threshold: float | None
    remaining: float | None


class MyAchievementOut(Out):
    id: str
    name: str
    description: str
    type: str
    badge: str | None
    category: str
    earned: bool
    times_earned: int
    highest_level: int
    levels: list[LevelOut]
    points: int
    points_earned: int
    progress: ProgressOut | None

    @classmethod
    def of(cls, view: AchievementView) -> MyAchievementOut:
        a = view.achievement
        return cls.read(a, view, id=a.achievement_id, levels=LevelOut.all_of(a))


class MyAchievementList(Listing[MyAchievementOut]):
    pass


class AwardOut(Out):
    award_id: str
    achievement_id: str
    achievement_name: str | None
    badge: str | None
    level: int
    period_key: str
    status: str
    awarded_at: datetime
    valid_until: datetime | None
    points: int
    coins: int
    certificate_url: str | None = None
    identifier: str | None = None

    @classmethod
    def of(cls, view: AwardView) -> AwardOut:
        achievement = view.achievement
        return cls.read(
            view.award,
            view,
            achievement_name=achievement.name if achievement else None,
            badge=achievement.badge if achievement else None,
        )


class AwardList(Listing[AwardOut]):
    pass


class GiveAwardIn(Body):
    user_id: Id
    level: Annotated[StrictInt, Field(ge=1, le=3)] = 1
    valid_from: Instant | None = None
    valid_until: Instant | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None


class RevokeIn(Body):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class HolderOut(Out):
    """An award as its admins see it: who holds it, who gave it, and whether it was revoked."""

    award_id: str
    user_id: str
    achievement_id: str
    level: int
    period_key: str
    status: str
    awarded_at: datetime
    valid_from: datetime | None
    valid_until: datetime | None
    points: int
    coins: int
    given_by: str | None
    note: str | None
    revoked_at: datetime | None
    revoke_reason: str | None
    identifier: str | None = None
    certificate_status: str | None = None


class HolderList(Listing[HolderOut]):
    pass


class ExpiryIn(Body):
    # Required, null allowed: null means the award never expires.
    valid_until: Instant | None = Field(description="when the award expires; null: never")


class UserAwardOut(HolderOut):
    """An award in a learner's list: what issued it, its identifier, the award it renews and a
    short-lived link to its certificate."""

    achievement_name: str | None
    issued_by: str | None
    identifier: str | None
    supersedes: str | None
    certificate_url: str | None

    @classmethod
    def of(cls, view: UserAwardView) -> UserAwardOut:
        return cls.read(view.award, view)


class UserAwardList(Listing[UserAwardOut]):
    pass


class WalletOut(Out):
    points: int
    coins: int


if TYPE_CHECKING:
    LedgerEntryOut = Out
else:
    # A wallet movement as the domain records it, less the user (the caller).
    LedgerEntryOut = create_model(
        "LedgerEntryOut",
        __base__=Out,
        __module__=__name__,
        **_fields(LedgerEntry, exclude={"user_id"}),
    )


class LedgerOut(Listing[LedgerEntryOut]):
    pass


class MessageOut(Out):
    message_id: str
    type: str
    title: str
    body: str
    award_id: str | None
    created_at: datetime
    # An award's notification, when its achievement sends the certificate: the API route that
    # answers a short-lived link to it.
    certificate_url: str | None = None

    @classmethod
    def of(cls, message: Message) -> MessageOut:
        return cls.read(message, certificate_url=message.data.get("certificate_url"))


class MessageList(Listing[MessageOut]):
    pass


class BadgeOut(Out):
    award_id: str | None
    achievement_id: str
    name: str
    badge: str | None
    level: int


class GoalIn(Body):
    metric: Id = Field(description="the metric whose counter the goal reads; it must exist")
    period: GoalPeriod = Field(
        description="the goal holds for each day, week or month, in the tenant's time zone"
    )
    target: Annotated[Number, Field(gt=0, le=float(MAX_MAGNITUDE))] = Field(
        description="reached when the metric's value in the period is at least this"
    )

    def to_domain(self) -> GoalSetting:
        return GoalSetting(metric=self.metric, period=self.period, target=Decimal(str(self.target)))


class GoalOut(Out):
    goal_id: str
    user_id: str
    metric: str
    period: str
    target: float
    period_key: str = Field(description="the current period")
    value: float = Field(description="the metric's value in the current period")
    reached: bool
    set_by: str
    updated_at: datetime

    @classmethod
    def of(cls, view: GoalView) -> GoalOut:
        return cls.read(view.goal, view)


class GoalList(BaseModel):
    # Not paged: a user has at most MAX_GOALS_PER_USER goals.
    items: list[GoalOut]

    @classmethod
    def of(cls, views: list[GoalView]) -> GoalList:
        return cls(items=[GoalOut.of(view) for view in views])


class LeaderboardRowOut(Out):
    rank: int
    user_id: str
    display_name: str
    score: float
    featured: BadgeOut | None
    badges: list[BadgeOut]

    @classmethod
    def of(cls, row: Any) -> Self:
        featured = BadgeOut.read(row.featured) if row.featured else None
        return cls.read(row, featured=featured, badges=[BadgeOut.read(b) for b in row.badges])


class FeaturedIn(Body):
    award_id: Annotated[str, Field(min_length=1, max_length=1024, pattern=r"^[A-Za-z0-9_-]+$")]


class FeaturedOut(BaseModel):
    award_id: str | None


class LeaderboardOut(Schema):
    metric_id: str
    period_key: str
    rows: list[LeaderboardRowOut]


class SequenceIn(Body):
    name: Name
    start: Annotated[StrictInt, Field(ge=1, le=MAX_START)] = 1
    padding: Annotated[StrictInt, Field(ge=0, le=MAX_PADDING)] = 0
    event_format: Annotated[
        str,
        Field(
            min_length=1,
            max_length=MAX_FORMAT,
            description="text and merge fields: {{sequence_number}} (required), {{year}}, "
            "{{course_code}}, {{path_code}}, {{custom.NAME}}; no whitespace",
        ),
    ]
    path_format: (
        Annotated[
            str,
            Field(
                min_length=1,
                max_length=MAX_FORMAT,
                description="the same for awards issued by a learning path (default: event_format)",
            ),
        ]
        | None
    ) = None

    def definition(self, sequence_id: str) -> dict[str, Any]:
        return {**self.model_dump(), "sequence_id": sequence_id}


class SequenceOut(Out):
    sequence_id: str
    name: str
    start: int
    padding: int
    event_format: str
    path_format: str | None
    next_number: int = Field(description="the number the next award takes")
    issued: int = Field(description="how many numbers were issued")

    @classmethod
    def of(cls, numbering: Numbering) -> SequenceOut:
        return cls.read(numbering.sequence, numbering)


class CertificateLinkOut(Schema):
    url: str
    expires_in: int = Field(description="seconds the link stays valid")


class RefreshOut(Schema):
    award_id: str
    certificate_status: Literal["pending"]


class VerifiedAchievement(Schema):
    name: str


class VerifiedHolder(Schema):
    display_name: str


class VerificationOut(Schema):
    status: Literal["valid", "expired", "revoked"]
    identifier: str
    achievement: VerifiedAchievement
    holder: VerifiedHolder
    issued_at: datetime
    valid_until: datetime | None

    @classmethod
    def of(cls, found: Verification) -> VerificationOut:
        status = "valid" if found.status is AwardStatus.ACTIVE else found.status.value
        return cls(
            status=status,
            identifier=found.identifier,
            achievement=VerifiedAchievement(name=found.achievement_name),
            holder=VerifiedHolder(display_name=found.holder_display_name),
            issued_at=found.issued_at,
            valid_until=found.valid_until,
        )


class Health(Schema):
    status: Literal["ok"]
    stage: str


# --- courses ----------------------------------------------------------------------------------

# A code merges into award identifiers ({{course_code}}, {{path_code}}): no whitespace.
Code = Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9._:/-]*$")]
CustomValue = Annotated[StrictStr, Field(max_length=256)]
Percent = Annotated[StrictInt, Field(ge=0, le=100)]
Absences = Annotated[StrictInt, Field(ge=0, le=MAX_SESSIONS)]


def _few_custom(value: dict[str, str] | None) -> dict[str, str] | None:
    if value is not None and len(value) > MAX_CUSTOM_FIELDS:
        raise ValueError(f"at most {MAX_CUSTOM_FIELDS} custom fields")
    return value


Custom = Annotated[dict[AttributeName, CustomValue], AfterValidator(_few_custom)]


class CourseAchievementIn(Body):
    achievement_id: Id = Field(description="a course_completion achievement")
    rule: AwardRule = Field(
        default=AwardRule.COMPLETION,
        description="completion: granted when the course is complete; pass: granted on a pass "
        "(an assessment.result passed after completion, or a manual pass)",
    )


CourseAchievements = Annotated[list[CourseAchievementIn], Field(max_length=MAX_COURSE_ACHIEVEMENTS)]


class CourseTemplateIn(Body):
    name: Name
    code: Code = ""
    delivery: Delivery
    achievements: CourseAchievements = Field(default_factory=list)
    completion_threshold: Percent = Field(
        default=100, description="self-paced and blended: the completion (percent) that counts"
    )
    allowed_absences: Absences = Field(
        default=0, description="classroom and blended: required sessions a learner may miss"
    )
    invoice_required: StrictBool = Field(
        default=False, description="award only once the registration invoice is paid"
    )
    custom: Custom = Field(default_factory=dict)

    def to_domain(self, template_id: str, now: datetime) -> CourseTemplate:
        data = {**self.model_dump(mode="json"), "template_id": template_id, "updated_at": now}
        return build(CourseTemplate, data)


class CourseTemplateOut(Out):
    template_id: str
    name: str
    code: str
    delivery: str
    achievements: list[dict[str, str]]
    completion_threshold: int
    allowed_absences: int
    invoice_required: bool
    custom: dict[str, str]
    updated_at: datetime

    @classmethod
    def of(cls, template: CourseTemplate) -> CourseTemplateOut:
        achievements = [a.model_dump(mode="json") for a in template.achievements]
        return cls.read(template, achievements=achievements)


class SessionIn(Body):
    session_id: Id
    optional: StrictBool = False


class CourseEventIn(Body):
    template_id: Id
    name: Name
    starts_at: Instant
    sessions: Annotated[list[SessionIn], Field(max_length=MAX_SESSIONS)] = Field(
        default_factory=list
    )
    # Each left out (or null) is inherited from the template.
    delivery: Delivery | None = None
    achievements: CourseAchievements | None = Field(
        default=None, description="replaces the template's achievements for this event"
    )
    completion_threshold: Percent | None = None
    allowed_absences: Absences | None = None
    invoice_required: StrictBool | None = None
    custom: Custom | None = Field(default=None, description="merged over the template's")

    def to_domain(self, course_event_id: str, now: datetime) -> CourseEvent:
        data = self.model_dump(mode="json")
        data |= {"course_event_id": course_event_id, "updated_at": now}
        return build(CourseEvent, data)


class CourseEventOut(Out):
    course_event_id: str
    template_id: str
    name: str
    starts_at: datetime
    sessions: list[dict[str, Any]]
    delivery: str | None
    achievements: list[dict[str, str]] | None
    completion_threshold: int | None
    allowed_absences: int | None
    invoice_required: bool | None
    custom: dict[str, str] | None
    updated_at: datetime

    @classmethod
    def of(cls, course_event: CourseEvent) -> CourseEventOut:
        dumped = course_event.model_dump(mode="json")
        return cls.read(
            course_event, sessions=dumped["sessions"], achievements=dumped["achievements"]
        )


class LearningPathIn(Body):
    name: Name
    code: Code = ""
    courses: Annotated[list[Id], Field(min_length=1, max_length=MAX_PATH_COURSES)] = Field(
        description="course template ids: the path is complete when the learner completed a "
        "course event of each"
    )
    achievements: Annotated[list[Id], Field(max_length=MAX_PATH_ACHIEVEMENTS)] = Field(
        default_factory=list, description="course_completion achievements the path issues"
    )

    def to_domain(self, path_id: str, now: datetime) -> LearningPath:
        data = {**self.model_dump(mode="json"), "path_id": path_id, "updated_at": now}
        return build(LearningPath, data)


class LearningPathOut(Out):
    path_id: str
    name: str
    code: str
    courses: list[str]
    achievements: list[str]
    updated_at: datetime


class ResultIn(Body):
    user_id: Id
    achievement_id: Id | None = Field(
        default=None,
        description="one of the course event's achievements; left out: each of its pass "
        "achievements",
    )
    outcome: Outcome


class ResultsIn(Body):
    results: Annotated[list[ResultIn], Field(min_length=1, max_length=MAX_RESULTS)]


class ResultsOut(Schema):
    recorded: int = Field(description="the (learner, achievement) results stored")
    granted: list[str] = Field(description="award ids this request granted")
    revoked: list[str] = Field(description="award ids this request revoked")


class AchievementStatusOut(Out):
    achievement_id: str
    rule: str
    outcome: str | None = Field(description="the admins' result: pass, fail, or null (none)")
    status: str | None = Field(description="the award's status now; null: not awarded")
    award_id: str | None


class LearnerResultsOut(Out):
    user_id: str
    registered: bool
    completion: int
    attended: list[str]
    invoice_paid: bool
    complete: bool
    achievements: list[AchievementStatusOut]

    @classmethod
    def of(cls, view: Any) -> Self:
        return cls.read(
            view, achievements=[AchievementStatusOut.read(a) for a in view.achievements]
        )


class LearnerResultsList(Listing[LearnerResultsOut]):
    pass
