"""Badges over the running local stack: the public artwork through the gateway (SVG, cache
headers), and a custom badge uploaded through its presigned POST and validated."""

from __future__ import annotations

import io
from collections.abc import Callable

import requests
from defusedxml import ElementTree
from PIL import Image

from tests.stack_fixtures import Api


def test_built_in_badges_are_served_without_a_token_as_cacheable_svg(api: Api) -> None:
    listing = api.get("/v1/badges")
    url = listing.json()["items"][0]["levels"][2]["url"]
    art = api.get(url.removeprefix(api.base_url))
    again = api.get(url.removeprefix(api.base_url), headers={"If-None-Match": art.headers["ETag"]})
    unknown = api.get("/v1/badges/sales/7.svg")

    assert listing.status_code == 200
    assert art.status_code == 200
    assert art.headers["Content-Type"] == "image/svg+xml"
    assert art.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert ElementTree.fromstring(art.content).get("role") == "img"
    assert again.status_code == 304
    assert unknown.status_code == 404


def test_a_custom_badge_is_uploaded_validated_and_used(
    api: Api, tenant_id: str, admin_token: Callable[..., str]
) -> None:
    admin = admin_token(tenant_id)
    body = {"name": "Speedy Gonzales", "levels": 1, "content_type": "image/png"}
    created = api.post("/v1/admin/badges", token=admin, json=body)
    form = created.json()["uploads"][0]
    image = io.BytesIO()
    Image.new("RGB", (200, 200), (250, 200, 30)).save(image, "PNG")

    posted = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": ("b.png", image.getvalue(), "image/png")},
        timeout=30,
    )
    badge_id = created.json()["badge_id"]
    checked = api.post(f"/v1/admin/badges/{badge_id}/validate", token=admin)
    listed = api.get("/v1/admin/badges", token=admin)
    achievement = api.post(
        "/v1/admin/achievements",
        token=admin,
        json={"name": "Speedy", "type": "manual", "badge": f"custom:{badge_id}"},
    )

    assert created.status_code == 201
    assert posted.status_code in (200, 201, 204)
    assert checked.status_code == 200 and checked.json()["status"] == "ready", checked.text
    assert [item["badge_id"] for item in listed.json()["items"]] == [badge_id]
    downloaded = requests.get(listed.json()["items"][0]["images"][0]["url"], timeout=30)
    assert downloaded.content == image.getvalue()
    assert achievement.status_code == 201, achievement.text
