"""The bases of every HTTP body, the field types they share, and the events batch.

POST /v1/events reads only what is here: the ingest function loads this module, not
``schemas`` (every other route's bodies and the services their views come from).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Self

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
    field_validator,
)

from accolade.domain.limits import check_instant, check_number
from accolade.domain.models import ActivityEvent
from accolade.entrypoints.http.jsonbody import InexactFloat

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

    @classmethod
    def of_each(cls, found: Iterable[Any]) -> list[Self]:
        """The bodies of ``found``, each read by ``of``."""
        return [cls.of(each) for each in found]


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
