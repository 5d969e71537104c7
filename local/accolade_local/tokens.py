"""Local JWTs: an RS256 key pair under .local/jwt standing in for Cognito's user pool."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from jwt import InvalidTokenError

__all__ = ["InvalidTokenError", "LocalSigner", "to_apigw_claims"]

_KID = "accolade-local"
_ALGORITHM = "RS256"


@dataclass
class LocalSigner:
    """Mints and verifies the tokens the local HTTP API accepts, as API Gateway's JWT authorizer."""

    key_dir: Path
    issuer: str
    audience: str

    @cached_property
    def private_key(self) -> rsa.RSAPrivateKey:
        """The key pair under key_dir, made on first use."""
        path = self.key_dir / "private.pem"
        if not path.exists():
            self.key_dir.mkdir(parents=True, exist_ok=True)
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(pem)
            tmp.chmod(0o600)
            tmp.replace(path)  # atomic: a reader never sees a torn file
        loaded = load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise ValueError(f"{path} is not an RSA private key")
        return loaded

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        """The public key set, as a user pool publishes at /.well-known/jwks.json."""
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": _KID, "alg": _ALGORITHM, "use": "sig"}]}

    def mint(
        self,
        tenant: str,
        user: str,
        admin: bool = False,
        scopes: Iterable[str] = (),
        expires_in: int = 3600,
        **extra: Any,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": user,
            "tenant_id": tenant,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "exp": now + expires_in,
            "token_use": "access",
        }
        if admin:
            claims["roles"] = ["admin"]
        if scopes:
            claims["scope"] = " ".join(scopes)
        claims.update(extra)
        # `aud=None` drops the claim: Cognito access tokens carry client_id instead.
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, self.private_key, algorithm=_ALGORITHM, headers={"kid": _KID})

    def verify(self, token: str) -> dict[str, Any]:
        """Claims of a valid token; InvalidTokenError for a bad signature, exp, iss or aud."""
        claims: dict[str, Any] = jwt.decode(
            token,
            self.private_key.public_key(),
            algorithms=[_ALGORITHM],
            issuer=self.issuer,
            options={"require": ["exp", "iss"], "verify_aud": False},
        )
        # API Gateway accepts the audience in `aud` or, for Cognito access tokens, `client_id`.
        audiences = claims.get("aud") or claims.get("client_id") or []
        if self.audience not in ([audiences] if isinstance(audiences, str) else audiences):
            raise jwt.InvalidAudienceError("Audience doesn't match")
        return claims


def to_apigw_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    """Claims as API Gateway hands them to the function: every value a string, lists "[a b]"."""

    def text(value: Any) -> str:
        if isinstance(value, list | tuple):
            return "[" + " ".join(map(text, value)) + "]"
        if isinstance(value, dict):
            return json.dumps(value, separators=(",", ":"))
        return json.dumps(value) if isinstance(value, bool) else str(value)

    return {key: text(value) for key, value in claims.items()}
