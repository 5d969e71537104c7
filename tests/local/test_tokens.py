from __future__ import annotations

from pathlib import Path

import jwt
import pytest

from accolade_local.tokens import InvalidTokenError, LocalSigner, to_apigw_claims

ISSUER = "http://127.0.0.1:3000/local-issuer"
AUDIENCE = "accolade-local"


@pytest.fixture
def signer(tmp_path: Path) -> LocalSigner:
    return LocalSigner(tmp_path / "jwt", ISSUER, AUDIENCE)


def test_mint_then_verify(signer: LocalSigner) -> None:
    expires_in = 600
    token = signer.mint(
        "t1", "u1", admin=True, scopes=("events:write", "profile"), expires_in=expires_in
    )
    claims = signer.verify(token)
    assert claims["sub"] == "u1"
    assert claims["tenant_id"] == "t1"
    assert claims["roles"] == ["admin"]
    assert claims["scope"] == "events:write profile"
    assert claims["iss"] == ISSUER
    assert claims["aud"] == AUDIENCE
    assert claims["token_use"] == "access"
    assert claims["exp"] - claims["iat"] == expires_in
    assert jwt.get_unverified_header(token)["alg"] == "RS256"


def test_plain_user_has_no_roles_nor_scope(signer: LocalSigner) -> None:
    claims = signer.verify(signer.mint("t1", "u1", email="u1@example.com"))
    assert "roles" not in claims
    assert "scope" not in claims
    assert claims["email"] == "u1@example.com"


def test_key_pair_is_kept_on_disk(signer: LocalSigner, tmp_path: Path) -> None:
    token = signer.mint("t1", "u1")
    assert (tmp_path / "jwt" / "private.pem").exists()
    assert LocalSigner(tmp_path / "jwt", ISSUER, AUDIENCE).verify(token)["sub"] == "u1"


def test_jwks_verifies_tokens(signer: LocalSigner) -> None:
    token = signer.mint("t1", "u1")
    (key,) = signer.jwks()["keys"]
    assert key["kid"] == jwt.get_unverified_header(token)["kid"]
    public = jwt.PyJWK(key).key
    assert jwt.decode(token, public, algorithms=["RS256"], audience=AUDIENCE)["sub"] == "u1"


def test_expired_token_is_rejected(signer: LocalSigner) -> None:
    with pytest.raises(jwt.ExpiredSignatureError):
        signer.verify(signer.mint("t1", "u1", expires_in=-10))


def test_wrong_key_is_rejected(signer: LocalSigner, tmp_path: Path) -> None:
    other = LocalSigner(tmp_path / "other", ISSUER, AUDIENCE)
    with pytest.raises(jwt.InvalidSignatureError):
        signer.verify(other.mint("t1", "u1"))


def test_wrong_issuer_or_audience_is_rejected(signer: LocalSigner) -> None:
    other_issuer = LocalSigner(signer.key_dir, "http://elsewhere", AUDIENCE)
    with pytest.raises(jwt.InvalidIssuerError):
        signer.verify(other_issuer.mint("t1", "u1"))
    other_audience = LocalSigner(signer.key_dir, ISSUER, "someone-else")
    with pytest.raises(jwt.InvalidAudienceError):
        signer.verify(other_audience.mint("t1", "u1"))


def test_client_id_stands_for_audience(signer: LocalSigner) -> None:
    token = signer.mint("t1", "machine", aud=None, client_id=AUDIENCE)
    assert signer.verify(token)["client_id"] == AUDIENCE


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c"])
def test_garbage_is_rejected(signer: LocalSigner, token: str) -> None:
    with pytest.raises(InvalidTokenError):
        signer.verify(token)


def test_unsigned_token_is_rejected(signer: LocalSigner) -> None:
    token = jwt.encode({"sub": "u1", "iss": ISSUER, "aud": AUDIENCE, "exp": 2**40}, "", "none")
    with pytest.raises(InvalidTokenError):
        signer.verify(token)


def test_to_apigw_claims() -> None:
    claims = {
        "sub": "u1",
        "roles": ["admin", "user"],
        "exp": 1700000000,
        "scope": "events:write",
        "email_verified": True,
    }
    assert to_apigw_claims(claims) == {
        "sub": "u1",
        "roles": "[admin user]",
        "exp": "1700000000",
        "scope": "events:write",
        "email_verified": "true",
    }
