"""Open Badges 3.0: an award as an ``OpenBadgeCredential`` (a W3C verifiable credential), the
issuer's profile, and the W3C Bitstring Status List that tells verifiers which are revoked.

Pure: the shapes and the JWT claims the spec (1EdTech ob_v3p0, "JSON Web Token Proof Format")
asks for. Signing and keys live in the adapters.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, NamedTuple
from urllib.parse import quote

from accolade.domain.models import Achievement, AchievementType, Award, Category

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# The spec's minimum for interoperability ("alg MUST be RS256 as a minimum"): every verifier
# supports it, where ES256 or EdDSA "limits interoperability".
ALGORITHM = "RS256"
# W3C Bitstring Status List: at least 131,072 entries (16 KiB) per list, for herd privacy.
STATUS_LIST_SIZE = 131_072
STATUS_PURPOSE = "revocation"
JWKS_MAX_AGE = 3600  # seconds public issuer documents may be cached
STATUS_LIST_MAX_AGE = 300  # a revocation shows to verifiers within five minutes
LEVEL_NUMERALS = ("I", "II", "III")


class CredentialRecord(NamedTuple):
    """What makes an award's credential the same each time it is signed: its id, the subject's
    pseudonymous id, the salt of the hashed identity, and its entry in the status lists.
    Allocated once, at the award's first credential."""

    award_id: str
    credential_id: str  # urn:uuid:...
    subject_id: str  # urn:uuid:..., not the user id
    salt: str
    status_index: int
    issued_at: datetime

    @property
    def status_list(self) -> int:
        return self.status_index // STATUS_LIST_SIZE

    @property
    def status_offset(self) -> int:
        return self.status_index % STATUS_LIST_SIZE


class IssuerUrls(NamedTuple):
    """The public addresses of a tenant's issuer documents, under the API's public base URL."""

    base_url: str
    tenant_id: str

    @property
    def issuer_id(self) -> str:
        return f"{self.base_url.rstrip('/')}/v1/issuers/{quote(self.tenant_id, safe='')}"

    @property
    def jwks(self) -> str:
        return f"{self.issuer_id}/jwks.json"

    def kid(self, key_id: str) -> str:
        """The spec's ``kid``: a URI that dereferences to the key (its entry in the JWKS)."""
        return f"{self.jwks}#{key_id}"

    def status_list(self, number: int) -> str:
        return f"{self.issuer_id}/status/{number}"

    def achievement(self, achievement_id: str, level: int) -> str:
        return f"{self.issuer_id}/achievements/{quote(achievement_id, safe='')}/levels/{level}"

    def badge_image(self, badge: str, level: int) -> str:
        return f"{self.base_url.rstrip('/')}/v1/badges/{quote(badge, safe='')}/{level}.svg"


def achievement_type(achievement: Achievement) -> str:
    """Our type and category in the spec's AchievementType vocabulary."""
    if achievement.certificate or achievement.type is AchievementType.COURSE_COMPLETION:
        return "Certificate"
    if achievement.category is Category.MEMBERSHIP:
        return "Membership"
    if achievement.category is Category.RECORD or achievement.type in (
        AchievementType.PERIOD_TOP,
        AchievementType.MANUAL,
    ):
        return "Award"
    return "Badge"


def criteria(achievement: Achievement, level: int) -> str:
    """What earns the achievement at ``level``, in words (the spec's criteria narrative)."""
    kind = achievement.type
    threshold = achievement.levels[level - 1].threshold if level <= len(achievement.levels) else 1
    if kind is AchievementType.METRIC_THRESHOLD:
        span = achievement.time_range.value if achievement.time_range else "all_time"
        within = "in all time" if span == "all_time" else f"within one {span}"
        text = f"Reach {threshold} on {achievement.metric} {within}."
    elif kind is AchievementType.PERIOD_TOP:
        period = achievement.period.value if achievement.period else "period"
        text = f"Have the highest {achievement.metric} of a {period}."
    elif kind is AchievementType.EVENT:
        text = f"Complete the activity {achievement.event_type}."
    elif kind is AchievementType.GOAL_REACHED:
        text = "Reach a personal goal" + (
            f" on {achievement.metric}." if achievement.metric else "."
        )
    elif kind is AchievementType.FIRST_ACTIVITY_IN_PROJECT:
        text = "Be the first with activity in a project."
    elif kind is AchievementType.COURSE_COMPLETION:
        text = "Complete the course or learning path that issues it."
    else:
        text = "Given by an administrator."
    return f"{achievement.description} {text}".strip() if achievement.description else text


def identity_hash(identity: str, salt: str) -> str:
    """The spec's IdentityHash: sha256 over the identity then the salt, in hex."""
    return "sha256$" + hashlib.sha256((identity + salt).encode()).hexdigest()


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def level_name(achievement: Achievement, level: int) -> str:
    if len(achievement.levels) > 1 and 1 <= level <= len(LEVEL_NUMERALS):
        return f"{achievement.name} {LEVEL_NUMERALS[level - 1]}"
    return achievement.name


def open_badge_credential(
    award: Award,
    achievement: Achievement,
    record: CredentialRecord,
    urls: IssuerUrls,
    issuer_name: str,
) -> dict[str, Any]:
    """The award as an OpenBadgeCredential (VC data model 2.0), unsigned."""
    name = level_name(achievement, award.level)
    subject_achievement: dict[str, Any] = {
        "id": urls.achievement(achievement.achievement_id, award.level),
        "type": ["Achievement"],
        "achievementType": achievement_type(achievement),
        "name": name,
        "description": achievement.description or name,
        "criteria": {"narrative": criteria(achievement, award.level)},
    }
    if achievement.badge:
        subject_achievement["image"] = {
            "id": urls.badge_image(achievement.badge, award.level),
            "type": "Image",
            "caption": name,
        }
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": record.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": {"id": urls.issuer_id, "type": ["Profile"], "name": issuer_name},
        "validFrom": _stamp(award.valid_from or award.awarded_at),
        "awardedDate": _stamp(award.awarded_at),
        "credentialSubject": {
            "id": record.subject_id,
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": identity_hash(award.user_id, record.salt),
                    "identityType": "identifier",
                    "hashed": True,
                    "salt": record.salt,
                }
            ],
            "achievement": subject_achievement,
        },
        "credentialStatus": {
            "id": f"{urls.status_list(record.status_list)}#{record.status_offset}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": STATUS_PURPOSE,
            "statusListIndex": str(record.status_offset),
            "statusListCredential": urls.status_list(record.status_list),
        },
    }
    if award.identifier:
        # The identifier its certificate carries, checkable at the verification route too.
        credential["credentialSubject"]["licenseNumber"] = award.identifier
    if award.valid_until is not None:
        credential["validUntil"] = _stamp(award.valid_until)
    return credential


def jwt_claims(credential: dict[str, Any]) -> dict[str, Any]:
    """The JWT payload: the credential itself with the registered claims the spec maps to it.
    No ``iat``: signed again with the same key, the same credential is the same JWT."""
    valid_from = datetime.fromisoformat(credential["validFrom"])
    claims = {
        **credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "sub": credential["credentialSubject"]["id"],
        "nbf": _seconds(valid_from),
    }
    if "validUntil" in credential:
        claims["exp"] = _seconds(datetime.fromisoformat(credential["validUntil"]))
    return claims


def issuer_profile(urls: IssuerUrls, name: str) -> dict[str, Any]:
    """The issuer's OB 3.0 Profile, where ``issuer.id`` of its credentials dereferences."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": urls.issuer_id,
        "type": ["Profile"],
        "name": name,
        "url": urls.issuer_id,
    }


def encode_status_list(revoked: Iterable[int], size: int = STATUS_LIST_SIZE) -> str:
    """The spec's encodedList: the bitstring (entry 0 is the first byte's highest bit),
    GZIP-compressed, base64url without padding, with the multibase prefix ``u``."""
    bits = bytearray(size // 8)
    for offset in revoked:
        bits[offset // 8] |= 0x80 >> (offset % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def status_at(encoded_list: str, offset: int) -> bool:
    """Whether entry ``offset`` of an encodedList is set (what a verifier computes)."""
    raw = encoded_list.removeprefix("u")
    bits = gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    return bool(bits[offset // 8] & (0x80 >> (offset % 8)))


def status_list_credential(
    urls: IssuerUrls, number: int, revoked: Iterable[int], now: datetime
) -> dict[str, Any]:
    """The BitstringStatusListCredential of one of the tenant's lists, unsigned."""
    list_id = urls.status_list(number)
    return {
        "@context": [VC_CONTEXT],
        "id": list_id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": urls.issuer_id, "type": ["Profile"]},
        "validFrom": _stamp(now),
        "credentialSubject": {
            "id": f"{list_id}#list",
            "type": "BitstringStatusList",
            "statusPurpose": STATUS_PURPOSE,
            "encodedList": encode_status_list(revoked),
        },
    }
