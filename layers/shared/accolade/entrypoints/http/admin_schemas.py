"""The admin routes' bodies (settings, users, metrics, achievements, awards given by hand).

Loaded when an admin route first validates or answers, or the OpenAPI document is made: the api
function's first request of a user (GET /v1/me/...) does not build them (``routes`` reaches this
module through a lazy import).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    create_model,
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
from accolade.domain.limits import MAX_MAGNITUDE
from accolade.domain.models import (
    DEFAULT_LEADERBOARDS,
    MAX_EXPIRY_NOTICE_DAYS,
    MAX_WINNERS_GRACE_HOURS,
    Achievement,
    Aggregate,
    Metric,
    TenantSettings,
    TimeZoneName,
    UserProfile,
)
from accolade.domain.periods import TimeRange
from accolade.domain.sequences import MAX_FORMAT, MAX_PADDING, MAX_START, Numbering
from accolade.entrypoints.http.bodies import (
    AttributeName,
    Body,
    EventType,
    GroupName,
    Id,
    Instant,
    Name,
    Number,
    Out,
    Schema,
)
from accolade.entrypoints.http.schemas import LevelOut, Listing, fields_of
from accolade.services.admin import build
from accolade.services.courses import LearnerResults

if TYPE_CHECKING:
    from accolade.services.awards import UserAwardView


class StampedIn(Body):
    """A PUT body that defines one ``domain`` model, whose ``id_field`` is the id the path
    names, stamped with the time it is stored."""

    domain: ClassVar[type[BaseModel]]
    id_field: ClassVar[str]

    def to_domain(self, key: str, now: datetime) -> Any:
        """The domain model under ``key``, stored ``now``; a rule it breaks is a 422 naming the
        field."""
        fields = {**self.model_dump(mode="json"), self.id_field: key, "updated_at": now}
        return build(self.domain, fields)


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


class MetricList(Listing[MetricOut]):
    pass


class LevelIn(Body):
    threshold: Annotated[Number, Field(gt=0, le=float(MAX_MAGNITUDE))] = 1
    points: Annotated[StrictInt, Field(ge=0, le=1_000_000)] = 0
    coins: Annotated[StrictInt, Field(ge=0, le=1_000_000)] = 0


class AudienceIn(Body):
    groups: Annotated[list[GroupName], Field(max_length=50)] = Field(default_factory=list)


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
        **fields_of(
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
        **fields_of(AchievementIn, optional=True),
    )


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


class RefreshOut(Schema):
    award_id: str
    certificate_status: Literal["pending"]


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


class CourseTemplateIn(StampedIn):
    domain = CourseTemplate
    id_field = "template_id"

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


class CourseEventIn(StampedIn):
    domain = CourseEvent
    id_field = "course_event_id"

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


class LearningPathIn(StampedIn):
    domain = LearningPath
    id_field = "path_id"

    name: Name
    code: Code = ""
    courses: Annotated[list[Id], Field(min_length=1, max_length=MAX_PATH_COURSES)] = Field(
        description="course template ids: the path is complete when the learner completed a "
        "course event of each"
    )
    achievements: Annotated[list[Id], Field(max_length=MAX_PATH_ACHIEVEMENTS)] = Field(
        default_factory=list, description="course_completion achievements the path issues"
    )


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


class LearnerResultsList(Listing[LearnerResults]):
    pass
