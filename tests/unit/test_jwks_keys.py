"""Which keys of a JWKS document are used, and which algorithms each may verify."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ed448
from jwt.algorithms import OKPAlgorithm

from api.auth.keys import verification_keys
from tests.support.jwks_server import SigningKey


def test_only_asymmetric_keys_of_accepted_algorithms_are_kept() -> None:
    eddsa, rsa = SigningKey.generate(kid="ed"), SigningKey.generate("RS256", kid="rsa")
    body = {
        "keys": [
            eddsa.public_jwk(),
            rsa.public_jwk(),
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},  # would verify HS256 with a public key
            {**eddsa.public_jwk(), "kid": "none", "alg": "none"},
            SigningKey.generate("ES384", kid="p384").public_jwk(),  # ES384: not accepted
            {**eddsa.public_jwk(), "kid": "bad", "x": "!!"},
            {"kty": "OKP", "crv": "X25519", "kid": "x25519", "x": "AAAA"},
            "not a key",
            7,
        ]
    }
    keys = verification_keys(body)
    assert sorted(str(kid) for kid in keys) == ["ed", "rsa"]
    assert keys["ed"].algorithms == {"EdDSA"}
    assert keys["rsa"].algorithms == {"RS256", "PS256"}  # no `alg`: either RSA signature


@pytest.mark.parametrize("algorithm", ["RS256", "PS256", "ES256", "ES512", "EdDSA"])
def test_a_declared_alg_is_the_only_one_its_key_verifies(algorithm: str) -> None:
    jwk = SigningKey.generate(algorithm, kid="k").public_jwk(with_alg=True)
    assert verification_keys({"keys": [jwk]})["k"].algorithms == {algorithm}


@pytest.mark.parametrize(
    "body", [[], {}, {"keys": {}}, {"keys": []}, {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}]
)
def test_a_document_without_a_usable_key_is_refused(body: object) -> None:
    with pytest.raises(ValueError, match="JWKS"):
        verification_keys(body)


def test_an_ed448_key_is_used_only_when_it_names_its_alg() -> None:
    # PyJWK infers EdDSA from an Ed25519 key only: an Ed448 key must name its `alg`.
    public = ed448.Ed448PrivateKey.generate().public_key()
    jwk = {**OKPAlgorithm.to_jwk(public, as_dict=True), "kid": "ed448"}
    with pytest.raises(ValueError, match="no usable key"):
        verification_keys({"keys": [jwk]})
    assert verification_keys({"keys": [{**jwk, "alg": "EdDSA"}]})["ed448"].algorithms == {"EdDSA"}
