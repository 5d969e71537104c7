"""Badges: how an achievement names its artwork, and the tenant's own (custom) badges.

An achievement's ``badge`` is a built-in family id (``sales``: its levels I-III are
``/v1/badges/sales/{1,2,3}.svg``) or ``custom:{badge_id}``, one of the tenant's uploads, usable
once every image of it is validated (ready). Any other text is kept as before, for products that
name their own artwork.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from accolade.domain.models import Model

CUSTOM_PREFIX = "custom:"
# What a client may upload, by the media type it declares; the bytes must say the same.
CONTENT_TYPES = ("image/png", "image/webp", "image/svg+xml")
MAX_BADGE_BYTES = 512 * 1024  # per image; the upload policy holds S3 to it too
MIN_PIXELS, MAX_PIXELS = 64, 1024  # a badge is square, this many pixels a side
UPLOAD_SECONDS = 15 * 60  # how long an upload link is valid
LINK_SECONDS = 5 * 60  # how long a link to a ready badge's image is valid
# An upload not validated within this long after its links expire is dropped (item TTL, and
# the bucket's lifecycle rule on uploads/).
ABANDONED_AFTER = timedelta(days=1)


class BadgeStatus(StrEnum):
    PENDING = "pending"  # waiting for its uploads to be validated
    READY = "ready"  # every image valid: achievements may use it
    INVALID = "invalid"  # an image failed (``reason`` says which and why); upload a new badge


class CustomBadge(Model):
    badge_id: str
    name: str
    levels: Literal[1, 3]
    content_type: str
    status: BadgeStatus = BadgeStatus.PENDING
    reason: str | None = None
    created_at: datetime
    uploads_expire_at: datetime
    validated_at: datetime | None = None

    @property
    def reference(self) -> str:
        """What an achievement's ``badge`` field names it by."""
        return f"{CUSTOM_PREFIX}{self.badge_id}"


def custom_badge_id(badge: str | None) -> str | None:
    """The custom badge an achievement's ``badge`` names, if it names one."""
    if badge is not None and badge.startswith(CUSTOM_PREFIX):
        return badge[len(CUSTOM_PREFIX) :]
    return None
