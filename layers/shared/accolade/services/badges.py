"""Badges: the built-in families' artwork, and the tenant's custom badges (upload links, then
validation before any achievement may use them)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NamedTuple

from accolade.domain import badge_art
from accolade.domain.badges import (
    LINK_SECONDS,
    MAX_BADGE_BYTES,
    UPLOAD_SECONDS,
    BadgeStatus,
    CustomBadge,
    custom_badge_id,
)
from accolade.domain.errors import InvalidCursorError, InvalidInputError, NotFoundError
from accolade.ports import (
    FIRST_PAGE,
    BadgeFileStore,
    BadgeImageInspector,
    BadgeRepository,
    Clock,
    Page,
    PageRequest,
    UploadForm,
    UploadPolicy,
)

# Paths name a level by number or numeral; listings use the number.
LEVEL_NAMES = {"1": 1, "2": 2, "3": 3, "I": 1, "II": 2, "III": 3}
# How often validation reads the uploads again when one was replaced while it checked them.
PUBLISH_ATTEMPTS = 3


# --- built-in families -------------------------------------------------------------------------


class FamilyLevel(NamedTuple):
    level: int
    name: str  # "Closer II"
    material: str  # bronze, silver, gold
    path: str  # where GET serves its SVG


class FamilyView(NamedTuple):
    family_id: str  # what an achievement's badge field names it by
    name: str
    description: str
    levels: list[FamilyLevel]


class Artwork(NamedTuple):
    svg: str
    etag: str


def _family_view(family: badge_art.Family) -> FamilyView:
    return FamilyView(
        family.family_id,
        family.name,
        family.description,
        [
            FamilyLevel(
                level,
                f"{family.name} {badge_art.NUMERALS[level]}",
                badge_art.METALS[level].name,
                f"/v1/badges/{family.family_id}/{level}.svg",
            )
            for level in badge_art.LEVELS
        ],
    )


def families(*, page: PageRequest = FIRST_PAGE) -> Page[FamilyView]:
    """The built-in families in catalogue order, a page at a time (after a family id)."""
    ids = [family.family_id for family in badge_art.FAMILIES]
    if page.after is not None and page.after not in ids:
        raise InvalidCursorError("made for another list, or altered")
    start = ids.index(page.after) + 1 if page.after is not None else 0
    end = start + page.limit
    chosen = badge_art.FAMILIES[start:end]
    following = chosen[-1].family_id if end < len(ids) else None
    return Page([_family_view(family) for family in chosen], following)


def artwork(family_id: str, level: str) -> Artwork:
    """The SVG of a built-in family's level (1-3 or I-III) and its ETag (a digest of it)."""
    number = LEVEL_NAMES.get(level)
    if family_id not in badge_art.BY_ID or number is None:
        raise NotFoundError(f"badge {family_id}/{level} not found: levels are 1, 2 and 3")
    svg = badge_art.render(family_id, number)
    return Artwork(svg, '"' + hashlib.sha256(svg.encode()).hexdigest()[:32] + '"')


# --- custom badges -----------------------------------------------------------------------------


class Upload(NamedTuple):
    level: int
    form: UploadForm


class NewBadge(NamedTuple):
    badge: CustomBadge
    uploads: list[Upload]
    expires_in: int = UPLOAD_SECONDS


@dataclass(frozen=True)
class BadgeView:
    badge: CustomBadge
    links: dict[int, str] = field(default_factory=dict)  # level -> short-lived GET, when ready
    missing: list[int] = field(default_factory=list)  # levels not uploaded yet (pending)


def _levels(badge: CustomBadge) -> range:
    return range(1, badge.levels + 1)


def create_badge(
    tenant_id: str,
    name: str,
    levels: int,
    content_type: str,
    *,
    badges: BadgeRepository,
    badge_files: BadgeFileStore,
    clock: Clock,
) -> NewBadge:
    """A pending badge and an upload link for each of its images (one, or levels I-III)."""
    now = clock.now()
    badge = CustomBadge(
        badge_id=uuid.uuid4().hex,
        name=name,
        levels=1 if levels == 1 else 3,
        content_type=content_type,
        created_at=now,
        uploads_expire_at=now + timedelta(seconds=UPLOAD_SECONDS),
    )
    badges.add_badge(tenant_id, badge)
    policy = UploadPolicy(content_type, MAX_BADGE_BYTES, UPLOAD_SECONDS)
    uploads = [
        Upload(level, badge_files.upload_form(tenant_id, badge.badge_id, level, policy))
        for level in _levels(badge)
    ]
    return NewBadge(badge, uploads)


def _view(tenant_id: str, badge: CustomBadge, files: BadgeFileStore) -> BadgeView:
    if badge.status is not BadgeStatus.READY:
        return BadgeView(badge)
    links = {
        level: files.link(tenant_id, badge.badge_id, level, LINK_SECONDS)
        for level in _levels(badge)
    }
    return BadgeView(badge, links)


def get_badge(
    tenant_id: str, badge_id: str, *, badges: BadgeRepository, badge_files: BadgeFileStore
) -> BadgeView:
    found = badges.get_badge(tenant_id, badge_id)
    if found is None:
        raise NotFoundError(f"badge {badge_id} not found")
    return _view(tenant_id, found, badge_files)


def list_badges(
    tenant_id: str,
    *,
    page: PageRequest = FIRST_PAGE,
    badges: BadgeRepository,
    badge_files: BadgeFileStore,
) -> Page[BadgeView]:
    """The tenant's custom badges by id, ready ones with short-lived links to their images."""
    found = badges.badges_page(tenant_id, limit=page.limit, after=page.after)
    return Page([_view(tenant_id, badge, badge_files) for badge in found.items], found.next)


def validate_badge(
    tenant_id: str,
    badge_id: str,
    *,
    badges: BadgeRepository,
    badge_files: BadgeFileStore,
    badge_images: BadgeImageInspector,
    clock: Clock,
) -> BadgeView:
    """Check every uploaded image of a pending badge (type by content, size, dimensions, no
    active SVG) and settle it ready or invalid, naming the level that failed. While an image is
    missing and its link still valid it stays pending. Settled badges are answered as they are;
    two validations at once settle it once."""
    badge = badges.get_badge(tenant_id, badge_id)
    if badge is None:
        raise NotFoundError(f"badge {badge_id} not found")
    if badge.status is not BadgeStatus.PENDING:
        return _view(tenant_id, badge, badge_files)
    now = clock.now()
    for _ in range(PUBLISH_ATTEMPTS):
        checked = _check_uploads(tenant_id, badge, badge_files, badge_images)
        problem = checked.problem
        if problem is None and checked.missing:
            if now < badge.uploads_expire_at:
                return BadgeView(badge, missing=checked.missing)
            problem = f"levels[{checked.missing[0]}]: not uploaded before its link expired"
        if problem is None and not _publish(tenant_id, badge, checked.etags, badge_files):
            continue  # an image was replaced after it was read (its link still valid): again
        status = BadgeStatus.READY if problem is None else BadgeStatus.INVALID
        settled = badge.model_copy(
            update={"status": status, "reason": problem, "validated_at": now}
        )
        if not badges.settle_badge(tenant_id, settled):
            settled = badges.get_badge(tenant_id, badge_id) or settled  # settled by another
        return _view(tenant_id, settled, badge_files)
    return BadgeView(badge)


@dataclass
class _Checked:
    problem: str | None = None  # the first problem found, naming its level
    missing: list[int] = field(default_factory=list)  # levels not uploaded yet
    etags: dict[int, str] = field(default_factory=dict)  # the version of each image checked


def _check_uploads(
    tenant_id: str, badge: CustomBadge, files: BadgeFileStore, images: BadgeImageInspector
) -> _Checked:
    checked = _Checked()
    for level in _levels(badge):
        stored = files.read_upload(tenant_id, badge.badge_id, level, MAX_BADGE_BYTES)
        if stored is None:
            checked.missing.append(level)
            continue
        wrong = images.problem(stored.data, badge.content_type)
        if wrong is not None:
            checked.problem = f"levels[{level}]: {wrong}"
            return checked
        checked.etags[level] = stored.etag
    return checked


def _publish(
    tenant_id: str, badge: CustomBadge, etags: dict[int, str], files: BadgeFileStore
) -> bool:
    """Copy each checked upload where ready images are linked from, if still the one checked."""
    return all(
        files.publish(tenant_id, badge.badge_id, level, etag, badge.content_type)
        for level, etag in etags.items()
    )


def check_reference(tenant_id: str, badge: str | None, badges: BadgeRepository | None) -> None:
    """An achievement may name a custom badge only once it is ready (422 on ``badge``)."""
    badge_id = custom_badge_id(badge)
    if badge_id is None:
        return
    found = badges.get_badge(tenant_id, badge_id) if badges is not None else None
    if found is None:
        raise InvalidInputError("badge", f"no custom badge {badge_id!r}: upload it first")
    if found.status is not BadgeStatus.READY:
        why = f" ({found.reason})" if found.reason else ""
        raise InvalidInputError(
            "badge", f"custom badge {badge_id!r} is {found.status.value}{why}: use a ready one"
        )
