"""Open Badges 3.0 routes: an award as a signed credential (the holder's, an admin's), the
rotation of the issuer key, and the public, cacheable issuer documents a verifier reads (profile,
JWKS, status lists)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from accolade.bootstrap import container, inject
from accolade.domain.openbadges import JWKS_MAX_AGE, STATUS_LIST_MAX_AGE, IssuerUrls
from accolade.entrypoints.http.routes import ID_PATTERN, AwardId, _admin
from accolade.entrypoints.http.routing import answer, caller_of, documented, lazily

if TYPE_CHECKING:
    from accolade.entrypoints.http import credential_schemas
    from accolade.services import openbadges
else:
    credential_schemas = lazily("accolade.entrypoints.http.credential_schemas")
    openbadges = lazily("accolade.services.openbadges")

credential_routes = Router()

TenantPath = Annotated[str, Path(pattern=ID_PATTERN, max_length=128)]
# Lists of 131,072 entries each: a million lists is more credentials than a tenant issues.
StatusListNumber = Annotated[int, Path(ge=0, le=999_999)]
VC_JWT = "application/vc+jwt"


def _signed(award_id: str, holder: str | None, tenant_id: str) -> credential_schemas.CredentialOut:
    c = container()
    signed = inject(openbadges.award_credential, c)(
        tenant_id, award_id, holder=holder, public_base_url=c.settings.public_base_url
    )
    return credential_schemas.CredentialOut(credential=signed.jwt, decoded=signed.credential)


@documented(
    credential_routes.get,
    "/v1/me/awards/<award_id>/credential",
    "The award as a signed OpenBadgeCredential",
    errors={409: "The award was revoked while its first credential was being issued"},
)
def my_credential(award_id: AwardId) -> credential_schemas.CredentialOut:
    """Get my award as an Open Badges 3.0 credential

    One of the caller's own awards as an OpenBadgeCredential (a W3C verifiable credential),
    signed as a VC-JWT with the tenant's issuer key: what a wallet, LinkedIn or another employer
    checks with only the issuer's public documents. The holder is a salted hash, not the user
    id; credentialStatus points at the tenant's status list, where a revocation shows. Fetching
    it again signs the same credential again. Another user's award, or a revoked one, is 404.
    """
    caller = caller_of(credential_routes)
    return _signed(award_id, caller.user_id, caller.tenant_id)


@documented(
    credential_routes.get,
    "/v1/admin/awards/<award_id>/credential",
    "The award as a signed OpenBadgeCredential",
    errors={409: "The award is revoked and had no credential: none is issued for it"},
)
def award_credential(award_id: AwardId) -> credential_schemas.CredentialOut:
    """Get an award as an Open Badges 3.0 credential

    Any award of the tenant as the signed OpenBadgeCredential its holder gets from
    GET /v1/me/awards/{award_id}/credential. A revoked award's credential, issued before, says
    so through its status list; a revoked award never given one is 409.
    """
    caller = _admin(credential_routes)
    return _signed(award_id, None, caller.tenant_id)


@documented(
    credential_routes.post,
    "/v1/admin/credential-keys",
    "The new active issuer key",
    status=201,
)
def rotate_issuer_key() -> Response[credential_schemas.IssuerKeyOut]:
    """Rotate the issuer key

    Make a new signing key the tenant's active one: credentials are signed with it from now on.
    The old public keys stay in the JWKS, so credentials they signed still verify. Two rotations
    at once: the second is 409.
    """
    caller = _admin(credential_routes)
    c = container()
    key = inject(openbadges.rotate_key, c)(caller.tenant_id)
    urls = IssuerUrls(c.settings.public_base_url, caller.tenant_id)
    body = credential_schemas.IssuerKeyOut(kid=urls.kid(key.key_id), created_at=key.created_at)
    return answer(201, body)


def _public(body: Any, max_age: int, content_type: str = "application/json") -> Response[Any]:
    return Response(
        status_code=200,
        content_type=content_type,
        body=body,
        headers={"Cache-Control": f"public, max-age={max_age}"},
    )


@documented(credential_routes.get, "/v1/issuers/<tenant_id>", "The issuer's Profile", tag="verify")
def issuer_profile(tenant_id: TenantPath) -> Response[credential_schemas.IssuerProfileOut]:
    """Read an issuer's profile

    Public, no token, cacheable: the tenant's Open Badges 3.0 issuer Profile, where the issuer id
    of its credentials leads. A tenant that never issued a credential is 404.
    """
    c = container()
    found = inject(openbadges.issuer, c)(tenant_id, public_base_url=c.settings.public_base_url)
    return _public(found, JWKS_MAX_AGE)


@documented(
    credential_routes.get, "/v1/issuers/<tenant_id>/jwks.json", "The issuer's JWK Set", tag="verify"
)
def issuer_jwks(tenant_id: TenantPath) -> Response[credential_schemas.JwksOut]:
    """Read an issuer's public keys

    Public, no token, cacheable: every key the tenant signs or signed credentials with (a JWK
    Set), each kid the URI a credential's header names; keys rotated out stay, so credentials
    they signed still verify. A tenant that never issued a credential is 404.
    """
    c = container()
    found = inject(openbadges.jwks, c)(tenant_id, public_base_url=c.settings.public_base_url)
    return _public(found, JWKS_MAX_AGE)


@credential_routes.get(
    "/v1/issuers/<tenant_id>/status/<number>",
    tags=["verify"],
    summary="Read a status list",
    description="Public, no token, cacheable for a few minutes: one of the tenant's W3C Bitstring "
    "Status Lists as a BitstringStatusListCredential signed as a VC-JWT. The bit at a "
    "credential's statusListIndex is 1 once its award is revoked. A tenant that never issued a "
    "credential is 404.",
    # Not JSON: documented here, where ``documented`` would describe an application/json body.
    responses={
        200: {
            "description": "The status list credential, a VC-JWT",
            "content": {VC_JWT: {"schema": {"type": "string"}}},
        }
    },
)
def issuer_status_list(tenant_id: TenantPath, number: StatusListNumber) -> Response[str]:
    """Read a status list (see the route's description)."""
    c = container()
    signed = inject(openbadges.status_list, c)(
        tenant_id, number, public_base_url=c.settings.public_base_url
    )
    return _public(signed, STATUS_LIST_MAX_AGE, VC_JWT)
