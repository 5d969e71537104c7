"""Request and response bodies of the HTTP API. Unknown fields are refused (422).

The events batch is in ``bodies`` and the admin routes' bodies in ``admin_schemas``: each
function builds the models of the routes it serves, when it serves them.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, Self, TypeVar, get_args

from pydantic import (
    BaseModel,
    Field,
    StrictBool,
    create_model,
)

from accolade.domain.limits import MAX_MAGNITUDE
from accolade.domain.models import (
    Achievement,
    AwardStatus,
    GoalPeriod,
    LedgerEntry,
    Message,
)

# The bases and shared field types are ``bodies``' (the ingest function loads only that module,
# with the events batch, re-exported here); the admin routes' bodies are ``admin_schemas``'.
from accolade.entrypoints.http.bodies import (  # noqa: F401 - the events' bodies re-exported
    Body,
    EventIn,
    EventsAccepted,
    EventsIn,
    Id,
    Number,
    Out,
    Schema,
)
from accolade.services.goals import GoalSetting, GoalView
from accolade.services.me import AchievementView, AwardView

if TYPE_CHECKING:
    from accolade.services.credentials import Verification

NextCursor = Annotated[
    str | None, Field(description="pass as ?cursor= for the next page; null on the last page")
]
Item = TypeVar("Item")  # an Out schema, or a dataclass that is its own body


class Listing(Schema, Generic[Item]):
    # No docstring: it would become the description of every list in the OpenAPI document.
    items: list[Item]
    next_cursor: NextCursor

    @classmethod
    def of(cls, found: list[Any], next_cursor: str | None) -> Self:
        """The page of ``found`` (domain objects), each read by its item schema's ``of`` (an item
        type without one, a dataclass of a service's, is its own body)."""
        (item,) = get_args(cls.model_fields["items"].annotation)
        read = getattr(item, "of", lambda each: each)
        return cls(items=[read(each) for each in found], next_cursor=next_cursor)


def fields_of(
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


class LevelOut(Out):
    level: int
    threshold: float
    points: int
    coins: int

    @classmethod
    def all_of(cls, achievement: Achievement) -> list[LevelOut]:
        return [cls.read(lv, level=i) for i, lv in enumerate(achievement.levels, 1)]


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
    # What the progress counts and over which period, for text such as "4 more sales this week".
    metric: str | None = None
    time_range: str | None = None

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
        **fields_of(LedgerEntry, exclude={"user_id"}),
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
    unread: bool = True
    read_at: datetime | None = None
    # An award's notification, when its achievement sends the certificate: the API route that
    # answers a short-lived link to it.
    certificate_url: str | None = None

    @classmethod
    def of(cls, message: Message) -> MessageOut:
        return cls.read(
            message,
            unread=message.read_at is None,
            certificate_url=message.data.get("certificate_url"),
        )


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
        return cls.read(row, featured=featured, badges=BadgeOut.of_each(row.badges))


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


class CertificateLinkOut(Schema):
    url: str
    expires_in: int = Field(description="seconds the link stays valid")


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
