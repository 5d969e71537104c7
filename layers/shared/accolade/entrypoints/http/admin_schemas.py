"""The admin routes' bodies (settings, users, metrics, achievements, awards given by hand).

Loaded when an admin route first validates or answers, or the OpenAPI document is made: the api
function's first request of a user (GET /v1/me/...) does not build them (``routes`` reaches this
module through a lazy import).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, StrictBool, StrictInt, create_model

from accolade.domain.limits import MAX_MAGNITUDE
from accolade.domain.models import (
    DEFAULT_LEADERBOARDS,
    MAX_WINNERS_GRACE_HOURS,
    Achievement,
    Aggregate,
    Metric,
    TenantSettings,
    TimeZoneName,
    UserProfile,
)
from accolade.domain.periods import TimeRange
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
)
from accolade.entrypoints.http.schemas import LevelOut, Listing, fields_of


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


class HolderList(Listing[HolderOut]):
    pass
