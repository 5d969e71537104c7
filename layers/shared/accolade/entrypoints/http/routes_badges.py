"""Badge routes: the built-in families (public, no token) and the tenant's custom badges
(admins: upload links, validation, listing)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from accolade.domain.limits import PAGE_SIZE_DEFAULT
from accolade.entrypoints.http.cursors import Scope
from accolade.entrypoints.http.routes import (
    Cursor,
    Limit,
    PathId,
    _page,
    _tenant_created,
    _tenant_one,
    _tenant_page,
)
from accolade.entrypoints.http.routing import documented, lazily

if TYPE_CHECKING:
    from accolade.entrypoints.http import badges_schemas
    from accolade.services import badges
else:
    badges_schemas = lazily("accolade.entrypoints.http.badges_schemas")
    badges = lazily("accolade.services.badges")

badge_routes = Router()

# Checked by the service: any other name is a badge that does not exist (404).
FamilyPath = Annotated[str, Path(max_length=64, description="a family id, e.g. sales")]
LevelPath = Annotated[str, Path(max_length=8, description="1, 2 or 3 (or I, II, III)")]
# The artwork of a built-in badge never changes under its URL (a new design is a new family).
IMMUTABLE = "public, max-age=31536000, immutable"


@documented(badge_routes.get, "/v1/badges", "A page of badge families")
def list_families(
    limit: Limit = PAGE_SIZE_DEFAULT, cursor: Cursor = None
) -> badges_schemas.FamilyList:
    """List the built-in badge families

    Public, no token: the badge families Accolade draws (bronze I, silver II, gold III), each
    with the URL of each level's SVG and the value an achievement's badge field takes to use
    it. A tenant's own uploads are listed by GET /v1/admin/badges.
    """
    return _page(
        badges_schemas.FamilyList, Scope("badges", "", ""), cursor, badges.families, limit=limit
    )


@documented(
    badge_routes.get,
    "/v1/badges/<family>/<level>.svg",
    "The level's artwork (image/svg+xml), cacheable for a year",
)
def family_artwork(family: FamilyPath, level: LevelPath) -> Response[str]:
    """Draw a built-in badge

    Public, no token: the SVG of one level of a built-in family, with an ETag; an unchanged
    copy (If-None-Match) is 304. An unknown family or level is 404.
    """
    art = badges.artwork(family, level)
    headers = {"Cache-Control": IMMUTABLE, "ETag": art.etag}
    event = badge_routes.current_event
    if art.etag in (event.headers.get("if-none-match") or "").replace(" ", "").split(","):
        return Response(status_code=304, headers=headers, body="")
    return Response(status_code=200, content_type="image/svg+xml", headers=headers, body=art.svg)


@documented(
    badge_routes.post,
    "/v1/admin/badges",
    "Created (pending), with an upload link per image",
    status=201,
)
def create_badge(
    body: Annotated[badges_schemas.CustomBadgeIn, Body()],
) -> Response[badges_schemas.NewCustomBadgeOut]:
    """Upload a custom badge

    Create a pending custom badge, a single image or levels I-III, and answer an upload link
    for each image: a browser form POST (the fields, then the file) valid 15 minutes, that S3
    takes only under this badge's key, with the declared content type and at most 512 KiB.
    Then call POST /v1/admin/badges/{badge_id}/validate.
    """
    return _tenant_created(
        badges_schemas.NewCustomBadgeOut,
        badges.create_badge,
        body.name,
        body.levels,
        body.content_type,
    )


@documented(badge_routes.get, "/v1/admin/badges", "A page of custom badges")
def list_badges(
    limit: Limit = PAGE_SIZE_DEFAULT, cursor: Cursor = None
) -> badges_schemas.CustomBadgeList:
    """List the tenant's custom badges

    The tenant's uploaded badges by id, with their status (pending, ready, invalid and why),
    ready ones with short-lived links to their images.
    """
    return _tenant_page(
        badges_schemas.CustomBadgeList, "admin/badges", cursor, badges.list_badges, limit=limit
    )


@documented(badge_routes.get, "/v1/admin/badges/<badge_id>", "The custom badge")
def get_badge(badge_id: PathId) -> badges_schemas.CustomBadgeOut:
    """Read a custom badge

    A custom badge's status, and links to its images once ready. Another tenant's badge is
    404.
    """
    return _tenant_one(badges_schemas.CustomBadgeOut, badges.get_badge, badge_id)


@documented(
    badge_routes.post,
    "/v1/admin/badges/<badge_id>/validate",
    "The badge: ready, invalid (with the reason), or pending while images are missing",
)
def validate_badge(badge_id: PathId) -> badges_schemas.CustomBadgeOut:
    """Validate a custom badge's uploads

    Check each uploaded image by its content (PNG, WebP or SVG as declared, at most 512 KiB,
    square, 64-1024 px; an SVG without scripts, event handlers or external references) and
    settle the badge ready or invalid, naming the level that failed. While an image is not
    uploaded and its link is still valid the badge stays pending (missing lists the levels).
    A settled badge is answered as it is.
    """
    return _tenant_one(badges_schemas.CustomBadgeOut, badges.validate_badge, badge_id)
