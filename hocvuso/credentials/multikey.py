"""Ed25519 keys as Multikey strings: multibase base58btc ("z") of a multicodec-prefixed key."""

from __future__ import annotations

import base58

#: multicodec ed25519-pub (0xed) and ed25519-priv (0x1300), as unsigned varints.
ED25519_PUB = b"\xed\x01"
ED25519_PRIV = b"\x80\x26"


def encode_base58btc(data: bytes) -> str:
    return "z" + base58.b58encode(data).decode("ascii")


def decode_base58btc(text: str) -> bytes:
    if not text.startswith("z"):
        raise ValueError("not multibase base58btc (it must start with 'z')")
    try:
        return base58.b58decode(text[1:])
    except ValueError as error:
        raise ValueError("not valid base58") from error


def encode_public(raw: bytes) -> str:
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key has 32 bytes")
    return encode_base58btc(ED25519_PUB + raw)


def decode_public(text: str) -> bytes:
    """The 32-byte key of an Ed25519 public Multikey ("z6Mk…"), or ValueError."""
    data = decode_base58btc(text.strip())
    if not data.startswith(ED25519_PUB) or len(data) != 34:
        raise ValueError("not an Ed25519 public Multikey (z6Mk…)")
    return data[2:]


def encode_secret(seed: bytes, public: bytes) -> str:
    """The secret Multikey in the form the Open Badges test vector uses: the 32-byte seed followed
    by the 32-byte public key."""
    if len(seed) != 32 or len(public) != 32:
        raise ValueError("an Ed25519 seed and public key have 32 bytes each")
    return encode_base58btc(ED25519_PRIV + seed + public)


def decode_secret(text: str) -> bytes:
    """The 32-byte seed of a secret Multikey (seed alone, or seed + public key)."""
    data = decode_base58btc(text.strip())
    if not data.startswith(ED25519_PRIV) or len(data) not in (34, 66):
        raise ValueError("not an Ed25519 secret Multikey")
    return data[2:34]
