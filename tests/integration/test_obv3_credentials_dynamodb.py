"""Open Badges 3.0 credentials on DynamoDB Local and the moto server's KMS: the conditions that
keep one active issuer key, one credential record per award and one award per status entry under
concurrent first requests, the sealed keys, and a revocation's stream record setting its bit."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import jwt as pyjwt
import pytest

from accolade.bootstrap import Container, inject
from accolade.domain.errors import ConflictError
from accolade.domain.models import AwardStatus
from accolade.domain.openbadges import CredentialRecord, status_at
from accolade.ports import SealedKeyError
from accolade.services import admin, awards, openbadges
from accolade_local.handlers import LambdaContext, load_handler
from accolade_local.streams import match_any
from accolade_local.template import LocalNames, Template
from tests.integration.helpers import batch, cold_start, in_threads

BASE = "https://badges.example.org"
MANUAL = {"name": "Lifesaver", "type": "manual", "badge": "lifesaver"}


@pytest.fixture
def c(aws_env: dict[str, str], template: Template, provisioned: LocalNames) -> Iterator[Container]:
    """The container a cold start of the api function builds: its KMS key from the template."""
    api_env = template.functions(provisioned)["ApiFunction"].env
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ISSUER_KMS_KEY", api_env["ISSUER_KMS_KEY"])
        mp.setenv("PUBLIC_BASE_URL", BASE)
        with cold_start() as built:
            yield built


def at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    """``work(i)`` in ``count`` threads released together; what each returned or raised."""
    start = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc

    in_threads(count, run)
    return results


def give(c: Container, tenant_id: str, user_id: str) -> str:
    achievement = admin.create_achievement(
        tenant_id, MANUAL, ports=admin.DefinitionPorts(c.config), clock=c.clock
    )
    award = inject(awards.give_award, c)(
        tenant_id, achievement.achievement_id, awards.Gift(user_id), given_by="root"
    )
    return award.award_id


def credential(c: Container, tenant_id: str, award_id: str, holder: str | None) -> Any:
    return inject(openbadges.award_credential, c)(
        tenant_id, award_id, holder=holder, public_base_url=BASE
    )


def jwks_of(c: Container, tenant_id: str) -> pyjwt.PyJWKSet:
    found = inject(openbadges.jwks, c)(tenant_id, public_base_url=BASE)
    return pyjwt.PyJWKSet.from_dict(found)


def verify(token: str, jwks: pyjwt.PyJWKSet) -> dict[str, Any]:
    kid = pyjwt.get_unverified_header(token)["kid"]
    key = next(k for k in jwks.keys if k.key_id == kid)
    return dict(pyjwt.decode(token, key=key.key, algorithms=["RS256"]))


def test_concurrent_first_credentials_of_a_tenant_end_with_one_key_and_one_record(
    c: Container, tenant_id: str
) -> None:
    award_id = give(c, tenant_id, "ana")

    signed = at_once(4, lambda _: credential(c, tenant_id, award_id, "ana"))

    assert not [s for s in signed if isinstance(s, Exception)], signed
    (key,) = c.badge_credentials.keys(tenant_id)
    assert {pyjwt.get_unverified_header(s.jwt)["kid"] for s in signed} == {
        f"{BASE}/v1/issuers/{tenant_id}/jwks.json#{key.key_id}"
    }
    assert len({s.credential["id"] for s in signed}) == 1
    assert len({s.credential["credentialStatus"]["statusListIndex"] for s in signed}) == 1
    for s in signed:
        assert verify(s.jwt, jwks_of(c, tenant_id))["id"] == s.credential["id"]


def test_concurrent_first_credentials_of_different_awards_take_different_status_entries(
    c: Container, tenant_id: str
) -> None:
    users = [f"user-{i}" for i in range(5)]
    award_ids = [give(c, tenant_id, user) for user in users]

    signed = at_once(5, lambda i: credential(c, tenant_id, award_ids[i], users[i]))

    assert not [s for s in signed if isinstance(s, Exception)], signed
    indexes = sorted(int(s.credential["credentialStatus"]["statusListIndex"]) for s in signed)
    assert indexes == [0, 1, 2, 3, 4]


def test_the_private_key_is_stored_sealed_and_opens_only_for_its_tenant(
    c: Container, tenant_id: str
) -> None:
    credential(c, tenant_id, give(c, tenant_id, "ana"), "ana")
    key = c.badge_credentials.active_key(tenant_id)
    assert key is not None

    assert b"PRIVATE KEY" not in key.sealed_private_key
    assert set(key.public_jwk) >= {"kty", "n", "e"}
    assert "d" not in key.public_jwk
    with pytest.raises(SealedKeyError):
        c.keyring.sign(f"{tenant_id}-other", key, "kid", {"iss": "x"})


def test_rotation_keeps_every_key_in_the_jwks_and_a_stale_rotation_is_refused(
    c: Container, tenant_id: str
) -> None:
    award_id = give(c, tenant_id, "ana")
    before = credential(c, tenant_id, award_id, "ana").jwt

    rotations = at_once(2, lambda _: inject(openbadges.rotate_key, c)(tenant_id))
    after = credential(c, tenant_id, award_id, "ana").jwt
    jwks = jwks_of(c, tenant_id)

    assert sum(isinstance(r, ConflictError) for r in rotations) <= 1
    assert len(jwks.keys) == 1 + sum(not isinstance(r, Exception) for r in rotations)
    assert verify(before, jwks)["id"] == verify(after, jwks)["id"]


def test_a_revocations_stream_record_sets_the_bit_a_verifier_reads(
    c: Container,
    tenant_id: str,
    stream: Any,
    stream_filters: dict[str, list[dict[str, Any]]],
) -> None:
    kept, revoked = give(c, tenant_id, "ana"), give(c, tenant_id, "ben")
    kept_entry = credential(c, tenant_id, kept, "ana").credential["credentialStatus"]
    entry = credential(c, tenant_id, revoked, "ben").credential["credentialStatus"]
    inject(awards.revoke_award, c)(tenant_id, revoked, "fraud")
    records = stream.records(tenant_id, entity="award", count=3, event_names=("INSERT", "MODIFY"))
    passing = [
        r for r in records if match_any(stream_filters["PublishCredentialStatusFunction"], r)
    ]
    handler = load_handler("publish_credential_status")

    answers = [handler.lambda_handler(batch(passing), LambdaContext()) for _ in range(2)]
    listed = inject(openbadges.status_list, c)(tenant_id, 0, public_base_url=BASE)
    encoded = verify(listed, jwks_of(c, tenant_id))["credentialSubject"]["encodedList"]

    assert len(passing) == 1  # the revocation alone, not the grants
    assert answers == [{"batchItemFailures": []}] * 2  # redelivered: the same bit, no error
    assert status_at(encoded, int(entry["statusListIndex"])) is True
    assert status_at(encoded, int(kept_entry["statusListIndex"])) is False


def test_concurrent_revocations_in_one_list_each_keep_their_bit(
    c: Container, tenant_id: str
) -> None:
    users = [f"user-{i}" for i in range(4)]
    award_ids = [give(c, tenant_id, user) for user in users]
    for award_id, user in zip(award_ids, users, strict=True):
        credential(c, tenant_id, award_id, user)
    revoked = [
        inject(awards.revoke_award, c)(tenant_id, award_id, "gone") for award_id in award_ids
    ]

    marked = at_once(
        4,
        lambda i: inject(openbadges.record_revocation, c)(tenant_id, revoked[i]),
    )

    assert marked == [True] * 4
    assert c.badge_credentials.revoked_offsets(tenant_id, 0) == {0, 1, 2, 3}


def test_an_award_revoked_before_its_first_credential_gets_no_status_entry(
    c: Container, tenant_id: str
) -> None:
    award_id = give(c, tenant_id, "ana")
    award = inject(awards.revoke_award, c)(tenant_id, award_id, "error")
    assert award.status is AwardStatus.REVOKED

    with pytest.raises(ConflictError):
        credential(c, tenant_id, award_id, None)
    assert c.badge_credentials.record_of(tenant_id, award) is None

    def make(index: int) -> CredentialRecord:
        return CredentialRecord(award_id, "urn:uuid:c", "urn:uuid:s", "salt", index, c.clock.now())

    # What a first credential racing the revocation writes, had it read the award before it.
    assert c.badge_credentials.add_record(tenant_id, award, make) is None
    assert c.badge_credentials.record_of(tenant_id, award) is None
