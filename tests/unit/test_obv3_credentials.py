"""Open Badges 3.0 credentials through the HTTP API in process: each validates against 1EdTech's
AchievementCredential schema, verifies with PyJWT (not joserfc, which signed it) and only the
issuer's public JWKS, and a revocation shows in the status list a verifier reads."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import jsonschema
import jwt as pyjwt
import pytest

from accolade.config import Settings
from accolade.domain.models import Achievement, AchievementType, Category
from accolade.domain.openbadges import CredentialRecord, achievement_type, status_at
from accolade_local.handlers import LambdaContext, load_handler
from tests.fakes import FakeContainer
from tests.http_events import call, claims, http_event
from tests.unit.builders import ADMIN, OTHER_TENANT, TENANT, at

api = load_handler("api")
publish = load_handler("publish_credential_status")
BASE = "https://badges.example.org"
SCHEMA_PATH = (
    Path(__file__).resolve().parents[1] / "schemas/ob_v3p0_achievementcredential_schema.json"
)
SCHEMA = json.loads(SCHEMA_PATH.read_text())
ALICE, BOB = claims(TENANT, "alice"), claims(TENANT, "bob")

pytestmark = pytest.mark.usefixtures("fakes")


@pytest.fixture
def c() -> FakeContainer:
    return FakeContainer(
        settings=Settings(table_name="fake-table", topic_arn="arn:fake:topic", public_base_url=BASE)
    )


def request(method: str, path: str, who: dict[str, str] | None = ADMIN, body: Any = None) -> Any:
    event = http_event(method, path, body=body, claims=who)
    return api.lambda_handler(event, LambdaContext())


def ask(method: str, path: str, who: dict[str, str] | None = ADMIN, body: Any = None) -> Any:
    return call(api, http_event(method, path, body=body, claims=who))


def give(body: dict[str, Any] | None = None, user: str = "alice") -> dict[str, Any]:
    definition = {
        "name": "Basic Life Support",
        "description": "Adult CPR and AED.",
        "type": "manual",
        "badge": "lifesaver",
        "validity": {"amount": 5, "unit": "year"},
        **(body or {}),
    }
    status, created = ask("POST", "/v1/admin/achievements", body=definition)
    assert status == 201, created
    status, award = ask(
        "POST", f"/v1/admin/achievements/{created['id']}/awards", body={"user_id": user}
    )
    assert status == 201, award
    return dict(award)


def public_jwks(tenant_id: str = TENANT) -> pyjwt.PyJWKSet:
    response = request("GET", f"/v1/issuers/{tenant_id}/jwks.json", who=None)
    assert response["statusCode"] == 200, response
    return pyjwt.PyJWKSet.from_dict(json.loads(response["body"]))


def verify(token: str, jwks: pyjwt.PyJWKSet) -> dict[str, Any]:
    """What a verifier does with only the public documents: the key its header's kid names in
    the issuer's JWKS, RS256, and the spec's claims."""
    header = pyjwt.get_unverified_header(token)
    key = next(k for k in jwks.keys if k.key_id == header["kid"])
    return dict(
        pyjwt.decode(
            token,
            key=key.key,
            algorithms=["RS256"],
            options={"require": ["iss", "jti", "sub", "nbf"]},
        )
    )


def test_a_credential_validates_against_the_1edtech_schema_and_verifies_with_the_jwks() -> None:
    award = give()

    status, body = ask("GET", f"/v1/me/awards/{award['award_id']}/credential", who=ALICE)
    claims_ = verify(body["credential"], public_jwks())

    assert status == 200
    jsonschema.Draft201909Validator(SCHEMA).validate(claims_)
    assert claims_ == body["decoded"]
    assert claims_["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims_["iss"] == claims_["issuer"]["id"] == f"{BASE}/v1/issuers/{TENANT}"
    assert claims_["jti"] == claims_["id"]
    assert claims_["sub"] == claims_["credentialSubject"]["id"]
    subject = claims_["credentialSubject"]
    assert subject["achievement"]["achievementType"] == "Award"
    assert subject["achievement"]["name"] == "Basic Life Support"
    assert subject["achievement"]["image"]["id"] == f"{BASE}/v1/badges/lifesaver/1.svg"
    assert claims_["validUntil"].startswith("2031-11-24")
    assert claims_["exp"] > claims_["nbf"]


def test_the_holder_is_a_salted_hash_never_the_user_id() -> None:
    award = give()

    _, body = ask("GET", f"/v1/me/awards/{award['award_id']}/credential", who=ALICE)
    (identity,) = body["decoded"]["credentialSubject"]["identifier"]

    assert "alice" not in json.dumps(body["decoded"])
    assert identity["hashed"] is True

    expected = hashlib.sha256(("alice" + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"


def test_a_tampered_credential_fails_verification() -> None:
    award = give()
    _, body = ask("GET", f"/v1/me/awards/{award['award_id']}/credential", who=ALICE)
    header, payload, signature = body["credential"].split(".")
    claims_ = json.loads(pyjwt.utils.base64url_decode(payload))
    claims_["credentialSubject"]["achievement"]["name"] = "Brain Surgery"
    forged = pyjwt.utils.base64url_encode(json.dumps(claims_).encode()).decode()

    with pytest.raises(pyjwt.InvalidSignatureError):
        verify(f"{header}.{forged}.{signature}", public_jwks())


def test_another_users_award_is_404_and_an_admin_gets_any_award_of_the_tenant() -> None:
    award = give()
    path = f"/v1/me/awards/{award['award_id']}/credential"

    assert ask("GET", path, who=BOB)[0] == 404
    status, body = ask("GET", f"/v1/admin/awards/{award['award_id']}/credential")
    assert status == 200
    assert verify(body["credential"], public_jwks())["credentialSubject"]["identifier"]
    assert ask("GET", f"/v1/admin/awards/{award['award_id']}/credential", who=BOB)[0] == 403
    other_admin = claims(OTHER_TENANT, "root", admin=True)
    assert ask("GET", f"/v1/admin/awards/{award['award_id']}/credential", who=other_admin)[0] == 404
    assert ask("GET", "/v1/me/awards/not-an-award!/credential", who=ALICE)[0] == 422


def test_fetching_again_signs_the_same_credential(c: FakeContainer) -> None:
    award = give()
    path = f"/v1/me/awards/{award['award_id']}/credential"

    first = ask("GET", path, who=ALICE)[1]
    c.clock.advance(timedelta(hours=1))
    second = ask("GET", path, who=ALICE)[1]

    assert first == second  # the same id, subject, salt and status entry: the same JWT
    assert c.keyring.made == 1


def _status_of(credential: dict[str, Any], jwks: pyjwt.PyJWKSet) -> bool:
    entry = credential["credentialStatus"]
    path = entry["statusListCredential"].removeprefix(BASE)
    response = request("GET", path, who=None)
    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"] == "application/vc+jwt"
    assert response["headers"]["Cache-Control"].startswith("public, max-age=")
    status_list = verify(response["body"], jwks)
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert status_list["credentialSubject"]["statusPurpose"] == entry["statusPurpose"]
    return status_at(status_list["credentialSubject"]["encodedList"], int(entry["statusListIndex"]))


def _revocation_record(c: FakeContainer, award_id: str) -> dict[str, Any]:
    """The stream record of the award's revocation, as DynamoDB Streams would send it."""
    from accolade.adapters.dynamo.awards import _award_item
    from accolade.domain.models import AwardKey

    award = c.awards.get_award(TENANT, AwardKey.from_award_id(award_id))
    assert award is not None
    image = _award_item(TENANT, award).serialize()
    return {
        "eventID": "1",
        "eventName": "MODIFY",
        "eventSource": "aws:dynamodb",
        "dynamodb": {"NewImage": image, "SequenceNumber": "100", "SizeBytes": 1},
    }


def test_a_revoked_awards_credential_reports_revoked_through_the_status_list(
    c: FakeContainer,
) -> None:
    kept, revoked = give(), give(user="bob")
    _, kept_body = ask("GET", f"/v1/me/awards/{kept['award_id']}/credential", who=ALICE)
    _, revoked_body = ask("GET", f"/v1/me/awards/{revoked['award_id']}/credential", who=BOB)
    jwks = public_jwks()
    assert not _status_of(revoked_body["decoded"], jwks)

    status, _ = ask(
        "POST", f"/v1/admin/awards/{revoked['award_id']}/revoke", body={"reason": "fraud"}
    )
    record = _revocation_record(c, revoked["award_id"])
    stream = {"Records": [record, record]}  # a redelivered record sets the same bit again
    answer = publish.lambda_handler(stream, LambdaContext())

    assert status == 200
    assert answer == {"batchItemFailures": []}
    assert _status_of(revoked_body["decoded"], jwks) is True
    assert _status_of(kept_body["decoded"], jwks) is False
    assert ask("GET", f"/v1/me/awards/{revoked['award_id']}/credential", who=BOB)[0] == 404


def test_a_revoked_award_never_given_a_credential_gets_none() -> None:
    award = give()
    ask("POST", f"/v1/admin/awards/{award['award_id']}/revoke", body={"reason": "error"})

    status, body = ask("GET", f"/v1/admin/awards/{award['award_id']}/credential")

    assert status == 409, body
    assert "revoked" in body["error"]["message"]


def test_a_rotated_key_keeps_credentials_it_signed_verifiable(c: FakeContainer) -> None:
    award = give()
    path = f"/v1/me/awards/{award['award_id']}/credential"
    before = ask("GET", path, who=ALICE)[1]["credential"]

    response = request("POST", "/v1/admin/credential-keys")
    rotated = json.loads(response["body"])
    after = ask("GET", path, who=ALICE)[1]["credential"]
    jwks = public_jwks()

    assert response["statusCode"] == 201
    assert pyjwt.get_unverified_header(after)["kid"] == rotated["kid"]
    assert pyjwt.get_unverified_header(before)["kid"] != rotated["kid"]
    assert len(jwks.keys) == 2
    assert verify(before, jwks)["id"] == verify(after, jwks)["id"]
    assert ask("POST", "/v1/admin/credential-keys", who=ALICE)[0] == 403


def test_issuer_documents_are_public_cacheable_and_404_for_an_unknown_tenant() -> None:
    give()
    ask("GET", f"/v1/me/awards/{give()['award_id']}/credential", who=ALICE)

    profile = request("GET", f"/v1/issuers/{TENANT}", who=None)
    jwks = request("GET", f"/v1/issuers/{TENANT}/jwks.json", who=None)

    assert profile["statusCode"] == 200
    assert json.loads(profile["body"])["id"] == f"{BASE}/v1/issuers/{TENANT}"
    assert json.loads(profile["body"])["type"] == ["Profile"]
    assert json.loads(profile["body"])["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert jwks["headers"]["Cache-Control"] == "public, max-age=3600"
    for key in json.loads(jwks["body"])["keys"]:
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)
    for path in (
        f"/v1/issuers/{OTHER_TENANT}",
        f"/v1/issuers/{OTHER_TENANT}/jwks.json",
        f"/v1/issuers/{OTHER_TENANT}/status/0",
    ):
        assert request("GET", path, who=None)["statusCode"] == 404
    assert request("GET", f"/v1/issuers/{TENANT}/status/-1", who=None)["statusCode"] == 422


def test_a_sealed_key_opens_only_for_its_own_tenant(c: FakeContainer) -> None:
    give()
    ask("GET", f"/v1/me/awards/{give()['award_id']}/credential", who=ALICE)
    key = c.badge_credentials.active_key(TENANT)
    assert key is not None

    with pytest.raises(AssertionError, match="another tenant"):
        c.keyring.sign(OTHER_TENANT, key, "kid", {"iss": "x"})


def _achievement(**fields: Any) -> Achievement:
    moment = at("2026-11-24T10:00:00Z")
    return Achievement(achievement_id="a", name="A", created_at=moment, updated_at=moment, **fields)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"type": AchievementType.METRIC_THRESHOLD, "metric": "m", "time_range": "week"}, "Badge"),
        ({"type": AchievementType.EVENT, "event_type": "e"}, "Badge"),
        ({"type": AchievementType.PERIOD_TOP, "metric": "m", "period": "month"}, "Award"),
        ({"type": AchievementType.MANUAL, "category": Category.RECORD, "period": "month"}, "Award"),
        (
            {"type": AchievementType.MANUAL, "category": Category.MEMBERSHIP, "period": "week"},
            "Membership",
        ),
        ({"type": AchievementType.COURSE_COMPLETION}, "Certificate"),
        ({"type": AchievementType.EVENT, "event_type": "e", "certificate": True}, "Certificate"),
    ],
)
def test_our_types_map_onto_the_specs_achievement_types(
    fields: dict[str, Any], expected: str
) -> None:
    vocabulary = SCHEMA["$defs"]["Achievement"]["properties"]["achievementType"]["oneOf"][0]

    assert achievement_type(_achievement(**fields)) == expected
    assert expected in vocabulary["enum"]


def test_a_key_that_no_longer_opens_is_replaced_and_what_it_signed_still_verifies(
    c: FakeContainer,
) -> None:
    award = give()
    path = f"/v1/me/awards/{award['award_id']}/credential"
    before = ask("GET", path, who=ALICE)[1]["credential"]
    lost = c.badge_credentials.active_key(TENANT)
    assert lost is not None
    c.keyring.lost.add(lost.key_id)

    status, body = ask("GET", path, who=ALICE)
    jwks = public_jwks()

    assert status == 200
    assert pyjwt.get_unverified_header(body["credential"])["kid"].endswith(
        c.badge_credentials.active_key(TENANT).key_id  # type: ignore[union-attr]
    )
    assert verify(before, jwks)["id"] == verify(body["credential"], jwks)["id"]
    assert len(jwks.keys) == 2


def test_the_sample_revocation_record_sets_the_bit_of_its_credential_once(
    c: FakeContainer,
) -> None:
    from accolade.adapters.dynamo.award_records import award_from_image
    from accolade.domain.models import AwardStatus

    events = Path(__file__).resolve().parents[2] / "events"
    sample = json.loads((events / "publish_credential_status/award_revoked.json").read_text())
    tenant_id, revoked = award_from_image(sample["Records"][0]["dynamodb"]["NewImage"])
    held = revoked.model_copy(update={"status": AwardStatus.ACTIVE, "revoked_at": None})
    c.awards.grant(tenant_id, held.user_id, [held])
    record = c.badge_credentials.add_record(
        tenant_id,
        held,
        lambda index: CredentialRecord(
            held.award_id, "urn:uuid:c", "urn:uuid:s", "x", index, at("2026-11-24T09:25:00Z")
        ),
    )
    assert record is not None

    answers = [publish.lambda_handler(sample, LambdaContext()) for _ in range(2)]

    assert answers == [{"batchItemFailures": []}] * 2
    assert c.badge_credentials.revoked_offsets(tenant_id, 0) == {record.status_offset}
