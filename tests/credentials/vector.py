"""The official Open Badges 3.0 test vector, read from its unmodified copy in ``data/``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TEXT = (Path(__file__).parent / "data" / "linked-data-proof-test-vector.md").read_text("utf-8")


def _section(title: str) -> str:
    """The code block under the heading ``### title`` (or, without one, its inline code)."""
    body = TEXT.split(f"### {title}\n", 1)[1].split("\n### ", 1)[0]
    block = re.search(r"```[a-z]*\n(.*?)```", body, re.S)
    if block:
        return block.group(1)
    inline = re.search(r"`([^`]+)`", body)
    assert inline, title
    return inline.group(1)


def _bullet(label: str) -> str:
    found = re.search(rf"\* {re.escape(label)}: `([0-9a-f]+)`", TEXT)
    assert found, label
    return found.group(1)


def _quoted(name: str, text: str) -> str:
    found = re.search(rf"{name}: '(\w+)'", text)
    assert found, name
    return found.group(1)


@dataclass(frozen=True)
class Vector:
    public_hex: str
    private_hex: str
    public_multibase: str
    secret_multibase: str
    verification_method: str
    credential: dict[str, Any]
    with_context: dict[str, Any]
    proof_options: dict[str, Any]
    proof_nquads: str
    document_nquads: str
    document_hash: str
    proof_hash: str
    data_to_sign: str
    signature: str
    proof_value: str
    proof: dict[str, Any]
    signed: dict[str, Any]


def load() -> Vector:
    multikey = _section("Key pair & Multikey")
    proof_options = json.loads(_section("Proof before signing"))
    return Vector(
        public_hex=_bullet("Public key (hex)"),
        private_hex=_bullet("Private key (hex)"),
        public_multibase=_quoted("publicKeyMultibase", multikey),
        secret_multibase=_quoted("secretKeyMultibase", multikey),
        verification_method=proof_options["verificationMethod"],
        credential=json.loads(_section("Test data")),
        with_context=json.loads(_section("Document with cryptosuite context")),
        proof_options=proof_options,
        proof_nquads=_section("Proof normalized"),
        document_nquads=_section("Document normalized"),
        document_hash=_section("Document hash (hex)"),
        proof_hash=_section("Proof hash (hex)"),
        data_to_sign=_section("Data to sign (hex)"),
        signature=_section("Signature (hex)"),
        proof_value=_section("Proof value (hex)"),
        proof=json.loads(_section("Proof")),
        signed=json.loads(_section("Signed credential")),
    )
