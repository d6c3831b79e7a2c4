"""eddsa-rdfc-2022 against the official Open Badges 3.0 test vector, and the verifier's refusals."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from hocvuso.credentials import documents, multikey, proof
from hocvuso.credentials.keys import SigningKey
from tests.credentials import vector

V = vector.load()
SEED = bytes.fromhex(V.private_hex)[:32]
KEY = SigningKey("vector", datetime(2010, 1, 1, tzinfo=UTC), SEED)
OTHER = SigningKey("other", datetime(2010, 1, 1, tzinfo=UTC), hashlib.sha256(b"other").digest())


def trusted(key: SigningKey = KEY) -> Any:
    """The verifier's trust: the vector's verification method is that key, nothing else is known."""
    return lambda method: key.public if method == V.verification_method else None


def test_the_key_pair_is_the_vectors() -> None:
    assert KEY.public.hex() == V.public_hex
    assert bytes.fromhex(V.private_hex) == SEED + KEY.public
    assert KEY.public_multibase == V.public_multibase
    assert multikey.encode_secret(SEED, KEY.public) == V.secret_multibase
    assert multikey.decode_secret(V.secret_multibase) == SEED


def test_the_signer_reproduces_every_value_of_the_vector() -> None:
    signed = proof.sign(V.credential, KEY, V.verification_method, created=V.proof["created"])
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    assert unsigned == V.with_context  # the Data Integrity context added to a VC 1.1 credential
    assert proof.canonical(unsigned) == V.document_nquads
    options = {**V.proof_options, "@context": unsigned["@context"]}
    assert proof.canonical(options) == V.proof_nquads
    assert hashlib.sha256(V.document_nquads.encode()).hexdigest() == V.document_hash
    assert hashlib.sha256(V.proof_nquads.encode()).hexdigest() == V.proof_hash
    data = proof.data_to_sign(unsigned, V.proof_options)
    assert data.hex() == V.data_to_sign == V.proof_hash + V.document_hash
    assert KEY.sign(data).hex() == V.signature
    assert signed["proof"] == V.proof
    assert signed["proof"]["proofValue"] == V.proof_value
    assert signed == V.signed


def test_the_verifier_accepts_the_vectors_signed_credential() -> None:
    result = proof.verify(V.signed, trusted())
    assert result == proof.Verification(True, "valid", V.verification_method)


def _leaves(node: object, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], object]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index))
    else:
        yield path, node


def _changed(document: dict[str, Any], path: tuple[Any, ...], value: object) -> dict[str, Any]:
    result = copy.deepcopy(document)
    target: Any = result
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return result


SIGNED_LEAVES = [
    path for path, value in _leaves(V.signed) if path[0] != "@context" and path[-1] != "proofValue"
]


@pytest.mark.parametrize("path", SIGNED_LEAVES, ids=lambda p: ".".join(map(str, p)))
def test_any_single_changed_field_is_refused(path: tuple[Any, ...]) -> None:
    original: Any = V.signed
    for step in path:
        original = original[step]
    altered = _changed(V.signed, path, f"{original}x")
    result = proof.verify(altered, trusted())
    assert not result.ok
    assert result.reason in ("bad-signature", "unknown-key", "unsupported-proof", "malformed")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("issuanceDate",), "2010-01-02T00:00:00Z"),
        (("proof", "created"), "2010-01-01T19:23:25Z"),
        (("credentialSubject", "achievement", "name"), "Teamwork "),
        (("issuer", "name"), "Example Corp."),
    ],
)
def test_a_changed_date_or_name_is_a_bad_signature(path: tuple[Any, ...], value: str) -> None:
    assert proof.verify(_changed(V.signed, path, value), trusted()).reason == "bad-signature"


def test_a_field_added_or_removed_is_refused() -> None:
    removed = copy.deepcopy(V.signed)
    del removed["credentialSubject"]["achievement"]["description"]
    assert proof.verify(removed, trusted()).reason == "bad-signature"
    added = copy.deepcopy(V.signed)
    added["credentialSubject"]["achievement"]["image"] = {"id": "https://example.com/i.png"}
    assert proof.verify(added, trusted()).reason == "bad-signature"
    # A term no context defines would be dropped from the canonical form: not signed, refused.
    smuggled = copy.deepcopy(V.signed)
    smuggled["level"] = "4"
    assert proof.verify(smuggled, trusted()).reason == "malformed"


def test_another_key_is_refused() -> None:
    assert proof.verify(V.signed, trusted(OTHER)).reason == "bad-signature"
    assert proof.verify(V.signed, lambda method: None).reason == "unknown-key"
    forged = proof.sign(V.credential, OTHER, V.verification_method, created=V.proof["created"])
    assert proof.verify(forged, trusted()).reason == "bad-signature"


@pytest.mark.parametrize(
    "proof_value",
    [
        V.proof_value[:-1] + ("9" if V.proof_value[-1] != "9" else "8"),
        V.proof_value[:-2],
        "u" + V.proof_value[1:],
        "z0OIl",  # not base58
        "",
    ],
)
def test_a_changed_proof_value_is_refused(proof_value: str) -> None:
    altered = _changed(V.signed, ("proof", "proofValue"), proof_value)
    result = proof.verify(altered, trusted())
    assert not result.ok
    assert result.reason in ("bad-signature", "malformed")


def test_an_unsupported_or_missing_proof_is_refused() -> None:
    unsigned = {k: v for k, v in V.signed.items() if k != "proof"}
    assert proof.verify(unsigned, trusted()).reason == "no-proof"
    for field, value in [("cryptosuite", "eddsa-2022"), ("proofPurpose", "authentication")]:
        altered = _changed(V.signed, ("proof", field), value)
        assert proof.verify(altered, trusted()).reason == "unsupported-proof"


def test_contexts_are_never_fetched() -> None:
    foreign = {**V.signed, "@context": [*V.signed["@context"], "https://evil.example/context"]}
    assert proof.verify(foreign, trusted()).reason == "malformed"
    with pytest.raises(documents.UnknownContext):
        documents.load("https://evil.example/context")


def test_the_signer_refuses_terms_no_context_defines() -> None:
    with pytest.raises(ValueError, match="level"):
        proof.sign({**V.credential, "level": 1}, KEY, V.verification_method, created="2026-01-01")


def test_a_vc2_open_badge_signs_and_verifies_with_the_shipped_contexts() -> None:
    credential = {
        "@context": [documents.CREDENTIALS_V2, documents.OB_V3P0_303],
        "id": "urn:uuid:3c2e7a5e-2b1f-4a31-9f44-3f1d1f3e0b0a",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://hocvuso.example.vn/issuer", "type": ["Profile"], "name": "Sở"},
        "validFrom": "2026-12-03T00:00:00Z",
        "name": "Kỹ năng số cấp 1",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://hocvuso.example.vn/achievements/level-1",
                "type": ["Achievement"],
                "name": "Cơ bản",
                "description": "Đạt bài kiểm tra cấp 1",
                "criteria": {"narrative": "Đạt 80% bài kiểm tra cấp 1"},
            },
        },
    }
    method = "https://hocvuso.example.vn/issuer#key-1"
    signed = proof.sign(credential, KEY, method, created="2026-12-03T08:00:00Z")
    assert signed["@context"] == credential["@context"]  # VC 2.0 defines DataIntegrityProof
    key_for = {method: KEY.public}.get
    assert proof.verify(signed, key_for).ok
    renamed = _changed(signed, ("credentialSubject", "achievement", "name"), "Nâng cao")
    assert proof.verify(renamed, key_for).reason == "bad-signature"
