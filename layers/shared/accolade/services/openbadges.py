"""Open Badges 3.0: an award as a signed OpenBadgeCredential (VC-JWT), the tenant's issuer keys
(made on its first credential, rotated without breaking credentials already issued), its public
profile and JWKS, and the status lists that tell verifiers which credentials are revoked."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from accolade.domain.errors import ConflictError, NotFoundError
from accolade.domain.models import Award, AwardKey, AwardStatus
from accolade.domain.openbadges import (
    ALGORITHM,
    CredentialRecord,
    IssuerUrls,
    issuer_profile,
    jwt_claims,
    open_badge_credential,
    status_list_credential,
)
from accolade.ports import (
    AwardRepository,
    Clock,
    ConfigRepository,
    CredentialRepository,
    IssuerKey,
    KeyRing,
    SealedKeyError,
)

KEY_ATTEMPTS = 3  # a lost race for the active key: read the winner's
PUBLIC_JWK_MEMBERS = frozenset({"kty", "n", "e", "crv", "x", "y"})  # never d, p, q...


class SignedCredential(NamedTuple):
    """A VC-JWT and the credential it carries (its payload, decoded for display)."""

    jwt: str
    credential: dict[str, Any]


def _new_key_id(now: datetime) -> str:
    # Sortable by creation, unique without coordination.
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(4)}"


def active_key(
    tenant_id: str, *, badge_credentials: CredentialRepository, keyring: KeyRing, clock: Clock
) -> IssuerKey:
    """The tenant's signing key, made on its first credential. Two first requests at once end
    with one active key: the loser's conditional write fails and it signs with the winner's."""
    for _ in range(KEY_ATTEMPTS):
        current = badge_credentials.active_key(tenant_id)
        if current is not None:
            return current
        now = clock.now()
        key = keyring.new_key(tenant_id, _new_key_id(now), now)
        if badge_credentials.add_key(tenant_id, key, replacing=None):
            return key
    raise ConflictError("the issuer key is being created; try again")


def rotate_key(
    tenant_id: str, *, badge_credentials: CredentialRepository, keyring: KeyRing, clock: Clock
) -> IssuerKey:
    """Make a new signing key active. The old one stays in the JWKS, so that credentials it
    signed still verify; two rotations at once: the second is a conflict."""
    current = badge_credentials.active_key(tenant_id)
    now = clock.now()
    key = keyring.new_key(tenant_id, _new_key_id(now), now)
    replacing = current.key_id if current else None
    if not badge_credentials.add_key(tenant_id, key, replacing=replacing):
        raise ConflictError("the issuer key was rotated meanwhile")
    return key


def _sign(
    tenant_id: str,
    urls: IssuerUrls,
    claims: dict[str, Any],
    *,
    badge_credentials: CredentialRepository,
    keyring: KeyRing,
    clock: Clock,
) -> str:
    """``claims`` signed with the active key. A key that cannot be opened any more (its KMS key
    lost) is replaced by a new one: its public part stays in the JWKS, so what it signed still
    verifies."""
    key = active_key(tenant_id, badge_credentials=badge_credentials, keyring=keyring, clock=clock)
    try:
        return keyring.sign(tenant_id, key, urls.kid(key.key_id), claims)
    except SealedKeyError:
        try:
            key = rotate_key(
                tenant_id, badge_credentials=badge_credentials, keyring=keyring, clock=clock
            )
        except ConflictError:  # another request replaced it meanwhile
            key = active_key(
                tenant_id, badge_credentials=badge_credentials, keyring=keyring, clock=clock
            )
        return keyring.sign(tenant_id, key, urls.kid(key.key_id), claims)


def _record(award: Award, now: datetime) -> Callable[[int], CredentialRecord]:
    """What a first credential allocates: random ids (never the user id) and salt."""

    def make(status_index: int) -> CredentialRecord:
        return CredentialRecord(
            award_id=award.award_id,
            credential_id=f"urn:uuid:{uuid.uuid4()}",
            subject_id=f"urn:uuid:{uuid.uuid4()}",
            salt=secrets.token_hex(16),
            status_index=status_index,
            issued_at=now,
        )

    return make


def _tenant_name(tenant_id: str) -> str:
    # Tenant settings carry no display name: the profile names the issuer by its tenant id.
    return tenant_id


def award_credential(
    tenant_id: str,
    award_id: str,
    *,
    holder: str | None,
    public_base_url: str,
    awards: AwardRepository,
    config: ConfigRepository,
    badge_credentials: CredentialRepository,
    keyring: KeyRing,
    clock: Clock,
) -> SignedCredential:
    """The award as a signed OpenBadgeCredential. ``holder``: the caller, who must hold it
    (another user's award is not found, as is a revoked one); None: an admin, for any award of
    the tenant (a revoked one is a conflict: no new credential is issued for it).

    The credential's id, subject id, salt and status entry are allocated at its first issue and
    kept: each fetch signs the same credential again (with the active key)."""
    key = AwardKey.parse(award_id)
    if key is None or (holder is not None and key.user_id != holder):
        raise NotFoundError("no such award among yours" if holder else f"award {award_id}")
    award = awards.get_award(tenant_id, key)
    if award is None or (holder is not None and award.status is AwardStatus.REVOKED):
        raise NotFoundError("no such award among yours" if holder else f"award {award_id}")
    record = badge_credentials.record_of(tenant_id, award)
    if record is None:
        if award.status is AwardStatus.REVOKED:
            raise ConflictError(f"award {award_id} is revoked: no credential is issued for it")
        record = badge_credentials.add_record(tenant_id, award, _record(award, clock.now()))
        if record is None:
            raise ConflictError(f"award {award_id} is revoked: no credential is issued for it")
    achievement = config.get_achievement(tenant_id, award.achievement_id)
    if achievement is None:
        raise NotFoundError(f"award {award_id}")
    urls = IssuerUrls(public_base_url, tenant_id)
    credential = open_badge_credential(award, achievement, record, urls, _tenant_name(tenant_id))
    claims = jwt_claims(credential)
    signed = _sign(
        tenant_id, urls, claims, badge_credentials=badge_credentials, keyring=keyring, clock=clock
    )
    return SignedCredential(signed, claims)


def _known_keys(tenant_id: str, badge_credentials: CredentialRepository) -> list[IssuerKey]:
    """An issuer exists once it signed its first credential: before, it is not found."""
    keys = badge_credentials.keys(tenant_id)
    if not keys:
        raise NotFoundError(f"no issuer {tenant_id}")
    return keys


def issuer(
    tenant_id: str, *, public_base_url: str, badge_credentials: CredentialRepository
) -> dict[str, Any]:
    """The tenant's OB 3.0 issuer Profile."""
    _known_keys(tenant_id, badge_credentials)
    return issuer_profile(IssuerUrls(public_base_url, tenant_id), _tenant_name(tenant_id))


def jwks(
    tenant_id: str, *, public_base_url: str, badge_credentials: CredentialRepository
) -> dict[str, Any]:
    """Every public key the tenant signed with (a JWK Set), each ``kid`` the URI credentials'
    headers name; never a private part."""
    urls = IssuerUrls(public_base_url, tenant_id)
    entries = []
    for key in _known_keys(tenant_id, badge_credentials):
        public = {k: v for k, v in key.public_jwk.items() if k in PUBLIC_JWK_MEMBERS}
        entries.append({**public, "kid": urls.kid(key.key_id), "use": "sig", "alg": ALGORITHM})
    return {"keys": entries}


def status_list(
    tenant_id: str,
    number: int,
    *,
    public_base_url: str,
    badge_credentials: CredentialRepository,
    keyring: KeyRing,
    clock: Clock,
) -> str:
    """One of the tenant's status lists as a signed BitstringStatusListCredential (VC-JWT): the
    bit of each revoked credential set. An issuer without keys is not found."""
    _known_keys(tenant_id, badge_credentials)
    urls = IssuerUrls(public_base_url, tenant_id)
    now = clock.now()
    revoked = badge_credentials.revoked_offsets(tenant_id, number)
    credential = status_list_credential(urls, number, revoked, now)
    claims = jwt_claims(credential)
    return _sign(
        tenant_id, urls, claims, badge_credentials=badge_credentials, keyring=keyring, clock=clock
    )


def record_revocation(
    tenant_id: str, award: Award, *, badge_credentials: CredentialRepository
) -> bool:
    """Set the revoked bit of a revoked award's credential (a stream record of its revocation);
    True when it has a credential. Redelivered records set the same bit again."""
    if award.status is not AwardStatus.REVOKED:
        return False
    return badge_credentials.mark_revoked(tenant_id, award.key)
