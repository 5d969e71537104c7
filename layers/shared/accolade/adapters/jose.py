"""Issuer keys with joserfc (RSA, RS256: the Open Badges 3.0 minimum) sealed by KMS.

A tenant's private key is stored in the table encrypted under the stack's one KMS key, with the
tenant and key id as encryption context: a sealed key copied to another tenant's item does not
open. One KMS key for every tenant costs the same for 10 tenants as for 10,000 (a key per tenant
in KMS, or a secret per tenant in Secrets Manager, costs each tenant a monthly fee); a process
opens each key once and keeps it for its lifetime. joserfc comes with the api function alone
(its requirements.txt).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

from accolade.domain.openbadges import ALGORITHM
from accolade.ports import IssuerKey, SealedKeyError

# What KMS answers for a ciphertext its key cannot open (the key deleted, another key's).
UNOPENABLE = frozenset({"InvalidCiphertextException", "IncorrectKeyException", "NotFoundException"})
RSA_BITS = 2048
OPEN_KEYS = 64  # private keys a process keeps open (one per tenant it served lately)


def open_key(private_pem: bytes) -> RSAKey:
    """The private key of a PEM. Costly (cryptography checks the RSA key): done once per key."""
    return RSAKey.import_key(private_pem)


def sign_with(key: RSAKey, kid: str, claims: dict[str, Any]) -> str:
    """``claims`` as a compact JWS signed RS256, the header the spec allows: alg, kid, typ."""
    return jwt.encode({"alg": ALGORITHM, "kid": kid, "typ": "JWT"}, claims, key)


def generate() -> tuple[dict[str, Any], bytes]:
    """A new key pair: its public JWK and its private key (PKCS#8 PEM)."""
    key = RSAKey.generate_key(RSA_BITS, private=True)
    public = dict(key.as_dict(private=False))
    return public, key.as_pem(private=True)


def encryption_context(tenant_id: str, key_id: str) -> dict[str, str]:
    return {"tenant_id": tenant_id, "key_id": key_id, "purpose": "credential-issuer"}


class KmsKeyRing:
    """Keys made with joserfc, sealed and opened with KMS Encrypt / Decrypt."""

    def __init__(self, kms_key_id: str, client: Any) -> None:
        self._kms_key_id = kms_key_id
        self._client = client
        self._open = lru_cache(maxsize=OPEN_KEYS)(self._decrypt)

    def new_key(self, tenant_id: str, key_id: str, created_at: datetime) -> IssuerKey:
        public, private_pem = generate()
        sealed = self._client.encrypt(
            KeyId=self._kms_key_id,
            Plaintext=private_pem,
            EncryptionContext=encryption_context(tenant_id, key_id),
        )["CiphertextBlob"]
        return IssuerKey(key_id, public, bytes(sealed), created_at)

    def _decrypt(self, tenant_id: str, key_id: str, sealed: bytes) -> RSAKey:
        from botocore.exceptions import ClientError

        try:
            answer = self._client.decrypt(
                CiphertextBlob=sealed, EncryptionContext=encryption_context(tenant_id, key_id)
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in UNOPENABLE:
                raise SealedKeyError(
                    f"issuer key {key_id} of {tenant_id} cannot be opened"
                ) from exc
            raise
        return open_key(bytes(answer["Plaintext"]))

    def sign(self, tenant_id: str, key: IssuerKey, kid: str, claims: dict[str, Any]) -> str:
        return sign_with(self._open(tenant_id, key.key_id, key.sealed_private_key), kid, claims)
