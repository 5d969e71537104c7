"""Bodies of the Open Badges 3.0 routes (``routes_credentials``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from accolade.entrypoints.http.bodies import Schema


class CredentialOut(Schema):
    credential: str = Field(
        description="the OpenBadgeCredential as a VC-JWT (compact JWS, RS256): what a wallet "
        "or a verifier takes"
    )
    decoded: dict[str, Any] = Field(
        description="its payload: the credential with the JWT claims iss, jti, sub, nbf "
        "and exp (when it has a validUntil), for display; only the signed form is proof"
    )


class IssuerKeyOut(Schema):
    kid: str = Field(description="the key's URI, as signed credentials' headers name it")
    created_at: datetime


class IssuerProfileOut(Schema):
    """The Open Badges 3.0 issuer Profile (JSON-LD)."""

    context: list[str] = Field(alias="@context")
    id: str
    type: list[str]
    name: str
    url: str


class JwkOut(Schema):
    kty: str
    kid: str
    use: str
    alg: str
    n: str
    e: str


class JwksOut(Schema):
    keys: list[JwkOut]
