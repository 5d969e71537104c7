"""Request and response bodies of the HTTP API. Unknown fields are refused (422)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, Self, TypeVar, get_args

from pydantic import (
    BaseModel,
    Field,
    StrictBool,
    StrictInt,
    create_model,
)

from accolade.domain.limits import MAX_MAGNITUDE
from accolade.domain.models import (
    DEFAULT_LEADERBOARDS,
    MAX_WINNERS_GRACE_HOURS,
    Achievement,
    Aggregate,
    GoalPeriod,
    LedgerEntry,
    Metric,
    TenantSettings,
    TimeZoneName,
    UserProfile,
)
from accolade.domain.periods import TimeRange

# The bases, the shared field types and the events batch are ``bodies``' (the ingest function
# loads only that module); every other route reads them from here.
from accolade.entrypoints.http.bodies import (  # noqa: F401 - the events' bodies re-exported
    AttributeName,
    Body,
    EventIn,
    EventsAccepted,
    EventsIn,
    EventType,
    GroupName,
    Id,
    Instant,
    Name,
    Number,
    Out,
    Schema,
)
from accolade.services.goals import GoalSetting, GoalView
from accolade.services.me import AchievementView, AwardView


class FeaturesIn(Body):
    coins: StrictBool = False


class SettingsIn(Body):
    timezone: Annotated[TimeZoneName, Field(min_length=1, max_length=64)] = "UTC"
    features: FeaturesIn = FeaturesIn()
    winners_grace_hours: Annotated[StrictInt, Field(ge=0, le=MAX_WINNERS_GRACE_HOURS)] = 1

    def to_domain(self) -> TenantSettings:
        return TenantSettings.model_validate(self.model_dump())


class SettingsOut(Out):
    timezone: str
    features: dict[str, bool]
    winners_grace_hours: int

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


class HolderList(Listing[HolderOut]):
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


class Health(Schema):
    status: Literal["ok"]
    stage: str
