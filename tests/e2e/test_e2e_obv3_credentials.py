"""Open Badges 3.0 over the running local stack: a holder fetches their award as a credential,
and a verifier checks it with nothing but the public issuer documents its own URLs name (the
JWKS in its kid, the status list in its credentialStatus), before and after a revoke."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import jwt as pyjwt
import requests

from accolade.domain.openbadges import status_at
from tests.audit_samples import body_of
from tests.stack_fixtures import Api, Tenant

SCHEMA = json.loads(
    (
        Path(__file__).resolve().parents[1] / "schemas/ob_v3p0_achievementcredential_schema.json"
    ).read_text()
)


def verified(token: str) -> dict[str, Any]:
    """A verifier's check, with PyJWT (the API signs with joserfc) and only public URLs."""
    kid = pyjwt.get_unverified_header(token)["kid"]
    jwks = requests.get(kid.split("#")[0], timeout=10)
    assert jwks.status_code == 200
    assert jwks.headers["Cache-Control"].startswith("public, max-age=")
    key = next(k for k in pyjwt.PyJWKSet.from_dict(jwks.json()).keys if k.key_id == kid)
    return dict(pyjwt.decode(token, key=key.key, algorithms=["RS256"]))


def revoked(credential: dict[str, Any]) -> bool:
    entry = credential["credentialStatus"]
    listed = requests.get(entry["statusListCredential"], timeout=10)
    assert listed.status_code == 200
    assert listed.headers["Content-Type"].startswith("application/vc+jwt")
    status_list = verified(listed.text)
    assert status_list["iss"] == credential["issuer"]["id"]
    return status_at(status_list["credentialSubject"]["encodedList"], int(entry["statusListIndex"]))


def test_a_credential_verifies_with_only_the_public_issuer_documents_until_revoked(
    api: Api, tenant: Tenant, drain: Callable[..., int]
) -> None:
    admin, holder = tenant.admin(), tenant.user("ana")
    award_id = api.given_award(admin, body_of("post_achievement_course"), "ana")["award_id"]

    fetched = api.get(f"/v1/me/awards/{award_id}/credential", token=holder)
    assert fetched.status_code == 200, fetched.text
    token = fetched.json()["credential"]
    credential = verified(token)
    profile = requests.get(credential["issuer"]["id"], timeout=10)

    jsonschema.Draft201909Validator(SCHEMA).validate(credential)
    assert credential["credentialSubject"]["achievement"]["achievementType"] == "Certificate"
    assert profile.status_code == 200 and profile.json()["id"] == credential["iss"]
    assert revoked(credential) is False
    assert (
        api.get(f"/v1/me/awards/{award_id}/credential", token=tenant.user("ben")).status_code == 404
    )

    assert (
        api.post(
            f"/v1/admin/awards/{award_id}/revoke", token=admin, json={"reason": "fraud"}
        ).status_code
        == 200
    )
    drain()

    assert revoked(verified(token)) is True
