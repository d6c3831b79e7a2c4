"""Data Integrity proofs, cryptosuite ``eddsa-rdfc-2022`` (W3C vc-di-eddsa; 1EdTech certifies it).

Signing: the document without its proof and the proof options (with the document's ``@context``) are
each canonicalised with RDFC-1.0 (URDNA2015, pyld) and hashed with SHA-256; Ed25519 signs
``hash(proof options) + hash(document)``; the signature goes into ``proofValue`` as multibase
base58btc. Contexts come only from the package (:mod:`hocvuso.credentials.documents`).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import nacl.exceptions
import nacl.signing
from pyld import jsonld

from hocvuso.credentials import documents
from hocvuso.credentials.multikey import decode_base58btc, encode_base58btc

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"
#: A term that no shipped context defines expands under this vocabulary (so it can be found).
_UNDEFINED = "urn:hocvuso:undefined-term#"

Reason = Literal[
    "valid", "no-proof", "unsupported-proof", "unknown-key", "bad-signature", "malformed"
]


class Signer:
    """What signs: an Ed25519 key (``hocvuso.credentials.keys.SigningKey`` is one)."""

    def sign(self, data: bytes) -> bytes:  # pragma: no cover - protocol
        raise NotImplementedError


@dataclass(frozen=True)
class Verification:
    ok: bool
    reason: Reason
    verification_method: str | None = None


def canonical(document: Mapping[str, Any]) -> str:
    """The RDFC-1.0 (URDNA2015) canonical N-Quads of a JSON-LD document, offline."""
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": documents.load,
    }
    result: str = jsonld.normalize(dict(document), options)
    return result


def undefined_terms(document: Mapping[str, Any]) -> list[str]:
    """The properties and types no context of the document defines: JSON-LD would silently drop
    them from the canonical form, so they would not be signed. Empty for a sound document."""
    probe = dict(document)
    contexts = probe.get("@context", [])
    probe["@context"] = [*(contexts if isinstance(contexts, list) else [contexts])]
    probe["@context"].append({"@vocab": _UNDEFINED})
    expanded = jsonld.expand(probe, {"documentLoader": documents.load})
    found: set[str] = set()
    _collect(expanded, found)
    return sorted(found)


def _collect(node: object, found: set[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _collect(item, found)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key.startswith(_UNDEFINED):
                found.add(key.removeprefix(_UNDEFINED))
            if key == "@type":
                for kind in value if isinstance(value, list) else [value]:
                    if isinstance(kind, str) and kind.startswith(_UNDEFINED):
                        found.add(kind.removeprefix(_UNDEFINED))
            _collect(value, found)


def data_to_sign(document: Mapping[str, Any], options: Mapping[str, Any]) -> bytes:
    """SHA-256 of the canonical proof options (under the document's context), then SHA-256 of the
    canonical document without its proof: the 64 bytes Ed25519 signs."""
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    config = {k: v for k, v in options.items() if k != "proofValue"}
    config["@context"] = unsigned.get("@context")
    proof_hash = hashlib.sha256(canonical(config).encode("utf-8")).digest()
    document_hash = hashlib.sha256(canonical(unsigned).encode("utf-8")).digest()
    return proof_hash + document_hash


def with_data_integrity_context(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document with a context that defines ``DataIntegrityProof`` (VC 2.0 has it; VC 1.1
    needs the Data Integrity context added, as the Open Badges test vector shows)."""
    result = copy.deepcopy(dict(document))
    contexts = result.get("@context", [])
    contexts = list(contexts) if isinstance(contexts, list) else [contexts]
    known = {documents.CREDENTIALS_V2, documents.DATA_INTEGRITY_V1, documents.DATA_INTEGRITY_V2}
    if not known.intersection(c for c in contexts if isinstance(c, str)):
        contexts.append(documents.DATA_INTEGRITY_V1)
    result["@context"] = contexts
    return result


def sign(
    document: Mapping[str, Any], key: Signer, verification_method: str, *, created: str
) -> dict[str, Any]:
    """A copy of ``document`` with a ``DataIntegrityProof`` made by ``key``.

    Refuses (ValueError) a document with a term no context defines: it would not be signed.
    """
    signed = with_data_integrity_context({k: v for k, v in document.items() if k != "proof"})
    undefined = undefined_terms(signed)
    if undefined:
        raise ValueError(f"terms no context defines (they would not be signed): {undefined}")
    options: dict[str, Any] = {
        "type": PROOF_TYPE,
        "created": created,
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(data_to_sign(signed, options))
    signed["proof"] = {**options, "proofValue": encode_base58btc(signature)}
    return signed


def verify(
    document: Mapping[str, Any], public_key_for: Callable[[str], bytes | None]
) -> Verification:
    """Check the document's ``eddsa-rdfc-2022`` proof. ``public_key_for(verificationMethod)``
    gives the 32-byte Ed25519 public key the verifier trusts for that method, or None."""
    proof = document.get("proof")
    if proof is None:
        return Verification(False, "no-proof")
    if not isinstance(proof, dict):
        return Verification(False, "unsupported-proof")
    method = proof.get("verificationMethod")
    if (
        proof.get("type") != PROOF_TYPE
        or proof.get("cryptosuite") != CRYPTOSUITE
        or proof.get("proofPurpose") != "assertionMethod"
        or not isinstance(method, str)
    ):
        return Verification(False, "unsupported-proof", method if isinstance(method, str) else None)
    public = public_key_for(method)
    if public is None:
        return Verification(False, "unknown-key", method)
    try:
        signature = decode_base58btc(str(proof.get("proofValue", "")))
        if documents.CREDENTIALS_V2 not in _contexts(document) and undefined_terms(document):
            return Verification(False, "malformed", method)
        data = data_to_sign(document, proof)
    except (ValueError, TypeError, KeyError, jsonld.JsonLdError):
        return Verification(False, "malformed", method)
    try:
        nacl.signing.VerifyKey(public).verify(data, signature)
    except (nacl.exceptions.BadSignatureError, ValueError, TypeError):
        return Verification(False, "bad-signature", method)
    return Verification(True, "valid", method)


def _contexts(document: Mapping[str, Any]) -> list[object]:
    contexts = document.get("@context", [])
    return list(contexts) if isinstance(contexts, list) else [contexts]
