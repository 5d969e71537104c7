"""Badge routes in process (fakes): built-in families and artwork, custom badges and their
validation, and achievements that name a badge."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from defusedxml import ElementTree
from PIL import Image

from accolade.domain.badge_art import FAMILIES
from accolade.domain.badges import MAX_BADGE_BYTES, UPLOAD_SECONDS
from accolade_local.handlers import LambdaContext, load_handler
from tests.fakes import FakeContainer
from tests.http_events import call, claims, http_event
from tests.unit.builders import ADMIN, TENANT

api = load_handler("api")
OTHER_ADMIN = claims("tenant-b", "root", admin=True)
USER = claims(TENANT, "alice")

pytestmark = pytest.mark.usefixtures("fakes")


def png(width: int = 256, height: int | None = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height or width), (200, 120, 40, 255)).save(out, "PNG")
    return out.getvalue()


GOOD_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
    b'<circle cx="50" cy="50" r="40" fill="gold"/></svg>'
)


def raw(event: dict[str, Any]) -> dict[str, Any]:
    return dict(api.lambda_handler(event, LambdaContext()))


def new_badge(levels: int = 1, content_type: str = "image/png", who: Any = ADMIN) -> Any:
    body = {"name": "Deal Maker", "levels": levels, "content_type": content_type}
    status, created = call(api, http_event("POST", "/v1/admin/badges", body=body, claims=who))
    assert status == 201, created
    return created


def validate(badge_id: str, who: Any = ADMIN) -> tuple[int, Any]:
    return call(api, http_event("POST", f"/v1/admin/badges/{badge_id}/validate", claims=who))


# --- built-in families ---------------------------------------------------------------------


def test_families_are_public_and_name_each_level_url() -> None:
    status, page = call(api, http_event("GET", "/v1/badges"))

    assert status == 200
    assert [item["family_id"] for item in page["items"]] == [f.family_id for f in FAMILIES]
    sales = page["items"][0]
    assert sales["badge"] == "sales"
    assert [(lv["level"], lv["material"]) for lv in sales["levels"]] == [
        (1, "bronze"),
        (2, "silver"),
        (3, "gold"),
    ]
    assert sales["levels"][1]["url"].endswith("/v1/badges/sales/2.svg")
    assert page["next_cursor"] is None


def test_families_page_with_a_cursor_bound_to_the_list() -> None:
    first = call(api, http_event("GET", "/v1/badges", query={"limit": "3"}))[1]
    cursor = first["next_cursor"]
    second = call(api, http_event("GET", "/v1/badges", query={"limit": "3", "cursor": cursor}))[1]
    other_list = call(
        api, http_event("GET", "/v1/admin/badges", query={"cursor": cursor}, claims=ADMIN)
    )

    seen = [i["family_id"] for i in first["items"] + second["items"]]
    assert seen == [f.family_id for f in FAMILIES[:6]]
    assert other_list[0] == 400


@pytest.mark.parametrize("level", ["1", "2", "3", "I", "II", "III"])
def test_artwork_is_svg_with_long_cache_headers(level: str) -> None:
    response = raw(http_event("GET", f"/v1/badges/streak/{level}.svg"))

    assert response["statusCode"] == 200
    headers = {k.lower(): v for k, v in response["headers"].items()}
    assert headers["content-type"] == "image/svg+xml"
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["etag"].startswith('"')
    assert response["isBase64Encoded"] is False
    root = ElementTree.fromstring(response["body"])
    assert root.get("role") == "img"


def test_numeral_and_number_name_the_same_artwork_and_an_unchanged_copy_is_304() -> None:
    by_number = raw(http_event("GET", "/v1/badges/team/2.svg"))
    by_numeral = raw(http_event("GET", "/v1/badges/team/II.svg"))
    event = http_event("GET", "/v1/badges/team/2.svg")
    event["headers"]["if-none-match"] = by_number["headers"]["ETag"]
    again = raw(event)

    assert by_number["body"] == by_numeral["body"]
    assert again["statusCode"] == 304
    assert not again.get("body")


@pytest.mark.parametrize(
    "path", ["/v1/badges/unicorn/1.svg", "/v1/badges/sales/4.svg", "/v1/badges/sales/IV.svg"]
)
def test_unknown_family_or_level_is_404(path: str) -> None:
    status, body = call(api, http_event("GET", path))

    assert status == 404, body
    assert body["error"]["code"] == "not_found"


# --- custom badges -------------------------------------------------------------------------


def test_create_answers_one_upload_link_per_level_under_the_tenant(fakes: FakeContainer) -> None:
    created = new_badge(levels=3, content_type="image/svg+xml")

    assert created["status"] == "pending"
    assert created["badge"] == f"custom:{created['badge_id']}"
    assert [u["level"] for u in created["uploads"]] == [1, 2, 3]
    assert created["expires_in"] == UPLOAD_SECONDS == 900
    assert created["max_bytes"] == MAX_BADGE_BYTES
    for key, content_type, max_bytes, expires_in in fakes.badge_files.forms:
        assert key.startswith(f"uploads/{TENANT}/{created['badge_id']}/")
        assert (content_type, max_bytes, expires_in) == ("image/svg+xml", MAX_BADGE_BYTES, 900)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "levels": 2, "content_type": "image/png"}, "levels"),
        ({"name": "X", "levels": 1, "content_type": "text/html"}, "content_type"),
        ({"name": "", "levels": 1, "content_type": "image/png"}, "name"),
        ({"levels": 1, "content_type": "image/png"}, "name"),
        ({"name": "X", "levels": 1, "content_type": "image/png", "url": "x"}, "url"),
    ],
)
def test_bad_badge_requests_are_422_naming_the_field_and_store_nothing(
    fakes: FakeContainer, body: dict[str, Any], field: str
) -> None:
    status, answer = call(api, http_event("POST", "/v1/admin/badges", body=body, claims=ADMIN))

    assert status == 422
    assert answer["error"]["message"].startswith(field), answer
    assert fakes.badges.items == {}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/admin/badges"),
        ("GET", "/v1/admin/badges"),
        ("GET", "/v1/admin/badges/abc"),
        ("POST", "/v1/admin/badges/abc/validate"),
    ],
)
def test_custom_badge_routes_are_for_admins(method: str, path: str) -> None:
    body = {"name": "X", "levels": 1, "content_type": "image/png"} if method == "POST" else None

    assert call(api, http_event(method, path, body=body, claims=USER))[0] == 403
    assert call(api, http_event(method, path, body=body))[0] == 401


def test_a_good_png_makes_the_badge_ready_with_links(fakes: FakeContainer) -> None:
    created = new_badge()
    fakes.badge_files.upload(TENANT, created["badge_id"], 1, png(256))

    status, checked = validate(created["badge_id"])

    assert status == 200
    assert checked["status"] == "ready"
    assert checked["reason"] is None
    assert [image["level"] for image in checked["images"]] == [1]
    published = f"badges/{TENANT}/{created['badge_id']}/1"
    assert published in checked["images"][0]["url"]
    assert fakes.badge_files.objects[published][0] == png(256)


@pytest.mark.parametrize(
    ("content_type", "data", "reason"),
    [
        ("image/png", png(300, 200), "levels[1]: 300x200 px: a badge is square"),
        ("image/png", png(32), "levels[1]: 32x32 px: a badge is 64-1024 px a side"),
        ("image/png", png(2048), "levels[1]: 2048x2048 px: a badge is 64-1024 px a side"),
        ("image/png", GOOD_SVG, "levels[1]: the file is SVG, not the image/png declared"),
        ("image/png", b"GIF89a" + b"\0" * 40, "levels[1]: not a PNG, WebP or SVG image"),
        ("image/png", png(256)[:60], "levels[1]: not a readable PNG image"),
        ("image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_BADGE_BYTES, "larger than 512 KiB"),
        (
            "image/svg+xml",
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><script>alert(1)'
            b"</script></svg>",
            "levels[1]: SVG with a <script> element is refused",
        ),
        (
            "image/svg+xml",
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9" onload="alert(1)"/>',
            "levels[1]: SVG with an event handler (onload) is refused",
        ),
        (
            "image/svg+xml",
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><rect '
            b'fill="url(https://evil.example/x)" width="9" height="9"/></svg>',
            "refers to another resource",
        ),
        (
            "image/svg+xml",
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink" '
            b'viewBox="0 0 9 9"><a x:href="javascript:alert(1)"><rect/></a></svg>',
            "refers to another resource (href)",
        ),
        (
            "image/svg+xml",
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "boom">]><svg '
            b'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9">&x;</svg>',
            "levels[1]: SVG with a DTD or entities is refused",
        ),
        (
            "image/svg+xml",
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 100"/>',
            "levels[1]: 300x100 viewBox: a badge is square",
        ),
        (
            "image/svg+xml",
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>',
            "levels[1]: SVG without a viewBox",
        ),
        ("image/svg+xml", b"<svg><unclosed></svg>", "levels[1]: not well-formed SVG"),
    ],
)
def test_a_bad_image_makes_the_badge_invalid_naming_what_failed(
    fakes: FakeContainer, content_type: str, data: bytes, reason: str
) -> None:
    created = new_badge(content_type=content_type)
    fakes.badge_files.upload(TENANT, created["badge_id"], 1, data)

    status, checked = validate(created["badge_id"])

    assert status == 200
    assert checked["status"] == "invalid"
    assert reason in checked["reason"]
    assert checked["images"] == []
    assert not [k for k in fakes.badge_files.objects if k.startswith("badges/")]


def test_a_good_svg_family_of_three_is_ready_and_the_third_level_decides(
    fakes: FakeContainer,
) -> None:
    created = new_badge(levels=3, content_type="image/svg+xml")
    for level in (1, 2):
        fakes.badge_files.upload(TENANT, created["badge_id"], level, GOOD_SVG)

    waiting = validate(created["badge_id"])[1]
    fakes.badge_files.upload(TENANT, created["badge_id"], 3, GOOD_SVG)
    ready = validate(created["badge_id"])[1]

    assert (waiting["status"], waiting["missing"]) == ("pending", [3])
    assert ready["status"] == "ready"
    assert [image["level"] for image in ready["images"]] == [1, 2, 3]


def test_an_upload_missing_after_its_link_expired_makes_the_badge_invalid(
    fakes: FakeContainer,
) -> None:
    created = new_badge()
    fakes.clock.advance(timedelta(seconds=UPLOAD_SECONDS + 1))

    checked = validate(created["badge_id"])[1]

    assert checked["status"] == "invalid"
    assert checked["reason"] == "levels[1]: not uploaded before its link expired"


def test_a_settled_badge_stays_as_it_is_when_validated_again(fakes: FakeContainer) -> None:
    created = new_badge()
    fakes.badge_files.upload(TENANT, created["badge_id"], 1, png(128, 64))
    first = validate(created["badge_id"])[1]
    fakes.badge_files.upload(TENANT, created["badge_id"], 1, png(128))  # a good one, too late

    second = validate(created["badge_id"])[1]

    assert first["status"] == second["status"] == "invalid"
    assert second["validated_at"] == first["validated_at"]


def test_an_image_replaced_while_it_was_checked_is_checked_again(fakes: FakeContainer) -> None:
    created = new_badge()
    fakes.badge_files.upload(TENANT, created["badge_id"], 1, png(256))
    fakes.badge_files.before_publish = lambda: fakes.badge_files.upload(
        TENANT, created["badge_id"], 1, png(256, 100)
    )

    checked = validate(created["badge_id"])[1]

    assert checked["status"] == "invalid"
    assert checked["reason"] == "levels[1]: 256x100 px: a badge is square"
    assert not [k for k in fakes.badge_files.objects if k.startswith("badges/")]


def test_another_tenants_badge_is_404() -> None:
    created = new_badge()

    assert (
        call(api, http_event("GET", f"/v1/admin/badges/{created['badge_id']}", claims=OTHER_ADMIN))[
            0
        ]
        == 404
    )
    assert validate(created["badge_id"], who=OTHER_ADMIN)[0] == 404
    assert call(api, http_event("GET", "/v1/admin/badges", claims=OTHER_ADMIN))[1]["items"] == []


def test_the_tenants_badges_are_listed_a_page_at_a_time(fakes: FakeContainer) -> None:
    ids = sorted(new_badge()["badge_id"] for _ in range(3))
    fakes.badge_files.upload(TENANT, ids[0], 1, png(64))
    validate(ids[0])

    first = call(api, http_event("GET", "/v1/admin/badges", query={"limit": "2"}, claims=ADMIN))[1]
    query = {"limit": "2", "cursor": first["next_cursor"]}
    second = call(api, http_event("GET", "/v1/admin/badges", query=query, claims=ADMIN))[1]

    assert [b["badge_id"] for b in first["items"] + second["items"]] == ids
    assert first["items"][0]["status"] == "ready" and first["items"][0]["images"]
    assert second["next_cursor"] is None


# --- achievements that name a badge --------------------------------------------------------


def achievement(badge: str) -> dict[str, Any]:
    return {
        "name": "Connected",
        "type": "event",
        "event_type": "app.notifications_enabled",
        "badge": badge,
        "levels": [{"threshold": 1, "points": 5}],
    }


def test_an_achievement_may_name_a_built_in_family() -> None:
    status, created = call(
        api, http_event("POST", "/v1/admin/achievements", body=achievement("streak"), claims=ADMIN)
    )

    assert status == 201, created
    assert created["badge"] == "streak"


def test_an_achievement_may_name_a_custom_badge_only_once_ready(fakes: FakeContainer) -> None:
    badge = new_badge()
    post = http_event(
        "POST", "/v1/admin/achievements", body=achievement(badge["badge"]), claims=ADMIN
    )

    pending = call(api, post)
    fakes.badge_files.upload(TENANT, badge["badge_id"], 1, png(512))
    validate(badge["badge_id"])
    ready = call(api, post)
    unknown = call(
        api,
        http_event("POST", "/v1/admin/achievements", body=achievement("custom:nope"), claims=ADMIN),
    )

    assert pending[0] == 422 and pending[1]["error"]["message"].startswith("badge: ")
    assert "pending" in pending[1]["error"]["message"]
    assert ready[0] == 201 and ready[1]["badge"] == badge["badge"]
    assert unknown[0] == 422 and unknown[1]["error"]["message"].startswith("badge: ")


def test_an_edit_to_an_invalid_custom_badge_is_422_and_changes_nothing(
    fakes: FakeContainer,
) -> None:
    created = call(
        api, http_event("POST", "/v1/admin/achievements", body=achievement("sales"), claims=ADMIN)
    )[1]
    badge = new_badge()
    fakes.badge_files.upload(TENANT, badge["badge_id"], 1, b"not an image")
    validate(badge["badge_id"])
    path = f"/v1/admin/achievements/{created['id']}"

    status, answer = call(
        api, http_event("PATCH", path, body={"badge": badge["badge"]}, claims=ADMIN)
    )
    after = call(api, http_event("GET", path, claims=ADMIN))[1]

    assert status == 422
    assert answer["error"]["message"].startswith("badge: ")
    assert "invalid" in answer["error"]["message"]
    assert after["badge"] == "sales"


def test_svg_bodies_pass_through_unchanged_as_text() -> None:
    response = raw(http_event("GET", "/v1/badges/calls/3.svg"))

    assert json.dumps(response["body"])  # a str body, not bytes
    assert response["body"].startswith("<svg ")


def test_the_request_schema_takes_exactly_the_domains_content_types() -> None:
    from typing import get_args

    from accolade.domain.badges import CONTENT_TYPES
    from accolade.entrypoints.http.badges_schemas import ContentType

    assert set(get_args(ContentType)) == set(CONTENT_TYPES)
