"""Bodies of the badge routes: the built-in families, and the tenant's custom badges."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import Field

from accolade.config import settings
from accolade.domain.badges import MAX_BADGE_BYTES
from accolade.entrypoints.http.bodies import Body, Name, Out, Schema
from accolade.entrypoints.http.schemas import Listing
from accolade.services.badges import BadgeView, FamilyLevel, FamilyView, NewBadge

ContentType = Literal["image/png", "image/webp", "image/svg+xml"]


class FamilyLevelOut(Out):
    level: int = Field(description="1, 2 or 3 (I, II, III)")
    name: str
    material: str = Field(description="bronze, silver or gold")
    url: str = Field(description="the level's SVG (public, cached for a year)")

    @classmethod
    def of(cls, source: FamilyLevel) -> Self:
        return cls.read(source, url=settings().public_base_url + source.path)


class FamilyOut(Out):
    family_id: str
    badge: str = Field(description="what an achievement's badge field names this family by")
    name: str
    description: str
    levels: list[FamilyLevelOut]

    @classmethod
    def of(cls, source: FamilyView) -> Self:
        levels = FamilyLevelOut.of_each(source.levels)
        return cls.read(source, badge=source.family_id, levels=levels)


class FamilyList(Listing[FamilyOut]):
    pass


class CustomBadgeIn(Body):
    name: Name
    levels: Literal[1, 3] = Field(description="1: a single image; 3: levels I, II and III")
    content_type: ContentType = Field(description="the media type of every image")


class BadgeUploadOut(Schema):
    level: int
    url: str = Field(description="POST a multipart form here: the fields, then the file")
    fields: dict[str, str]


class BadgeImageLinkOut(Schema):
    level: int
    url: str = Field(description="a short-lived link to the validated image")


class CustomBadgeOut(Out):
    badge_id: str
    badge: str = Field(description="what an achievement's badge field names it by (once ready)")
    name: str
    levels: int
    content_type: str
    status: Literal["pending", "ready", "invalid"]
    reason: str | None = Field(description="why it is invalid (the level and what failed)")
    missing: list[int] = Field(description="levels whose image is not uploaded yet (pending)")
    created_at: datetime
    uploads_expire_at: datetime
    validated_at: datetime | None
    images: list[BadgeImageLinkOut] = Field(description="links to the images of a ready badge")

    @classmethod
    def of(cls, source: BadgeView) -> Self:
        return cls.read(
            source.badge,
            badge=source.badge.reference,
            status=source.badge.status.value,
            missing=source.missing,
            images=[
                BadgeImageLinkOut(level=lv, url=url) for lv, url in sorted(source.links.items())
            ],
        )


class CustomBadgeList(Listing[CustomBadgeOut]):
    pass


class NewCustomBadgeOut(Schema):
    badge_id: str
    badge: str
    status: Literal["pending"]
    uploads: list[BadgeUploadOut]
    expires_in: int = Field(description="seconds the upload links stay valid")
    max_bytes: Annotated[int, Field(description="the largest image an upload link takes")]

    @classmethod
    def of(cls, created: NewBadge) -> Self:
        return cls(
            badge_id=created.badge.badge_id,
            badge=created.badge.reference,
            status="pending",
            uploads=[
                BadgeUploadOut(level=up.level, url=up.form.url, fields=up.form.fields)
                for up in created.uploads
            ],
            expires_in=created.expires_in,
            max_bytes=MAX_BADGE_BYTES,
        )
