"""The deployment's signing keys: Ed25519, named, newest signs, all of them keep verifying.

Keys live in a JSON file (``HOCVUSO_CREDENTIAL_KEY_FILE``, default ``credential-keys.json`` in the
data directory, readable by its owner only) or in the environment (``HOCVUSO_CREDENTIAL_KEYS``, the
same JSON), never in the repository or the database::

    {"keys": [{"name": "key-20261203", "created": "2026-12-03T08:00:00+00:00",
               "secretKeyMultibase": "zrv…"}]}

In development a missing file is created with one new key, so the local chat runs as it is; in
production a missing key stops the program with the command that makes one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nacl.signing

from hocvuso.config import Settings
from hocvuso.credentials import multikey

KEYS_MISSING = (
    "hocvuso cannot sign certificates: no signing key. Create one with\n"
    "  hocvuso certificate keys rotate\n"
    "(it writes {path}, readable only by you), or set HOCVUSO_CREDENTIAL_KEYS to the file's "
    "content, or HOCVUSO_CREDENTIAL_KEY_FILE to where it is."
)


class KeyFileError(SystemExit):
    """The key file is missing (in production) or unreadable: nothing can be signed."""


@dataclass(frozen=True)
class SigningKey:
    name: str
    created: datetime
    seed: bytes = field(repr=False)

    @property
    def _key(self) -> nacl.signing.SigningKey:
        return nacl.signing.SigningKey(self.seed)

    @property
    def public(self) -> bytes:
        return bytes(self._key.verify_key)

    @property
    def public_multibase(self) -> str:
        return multikey.encode_public(self.public)

    def sign(self, data: bytes) -> bytes:
        return bytes(self._key.sign(data).signature)

    def to_json(self) -> dict[str, str]:
        return {
            "name": self.name,
            "created": self.created.isoformat(),
            "secretKeyMultibase": multikey.encode_secret(self.seed, self.public),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SigningKey:
        created = datetime.fromisoformat(str(data["created"]))
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        seed = multikey.decode_secret(str(data["secretKeyMultibase"]))
        return cls(str(data["name"]), created, seed)


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[SigningKey, ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise ValueError("a key ring needs at least one key")
        names = [key.name for key in self.keys]
        if len(set(names)) != len(names):
            raise ValueError("two signing keys have the same name")

    @property
    def current(self) -> SigningKey:
        """The key that signs from now on: the newest."""
        return max(self.keys, key=lambda key: (key.created, key.name))

    def by_name(self, name: str) -> SigningKey | None:
        return next((key for key in self.keys if key.name == name), None)

    def to_json(self) -> dict[str, Any]:
        return {"keys": [key.to_json() for key in self.keys]}

    @classmethod
    def from_json(cls, data: object) -> KeyRing:
        if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
            raise ValueError('a key file is {"keys": [...]}')
        return cls(tuple(SigningKey.from_json(item) for item in data["keys"]))


def new_key(now: datetime, taken: Collection[str] = ()) -> SigningKey:
    """A fresh random key named after its day (``key-20261203``; ``-2``, ``-3`` the same day)."""
    base = f"key-{now:%Y%m%d}"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return SigningKey(name, now, bytes(nacl.signing.SigningKey.generate()))


def key_file(settings: Settings) -> Path:
    return settings.credential_key_file or settings.data_dir / "credential-keys.json"


def read_file(path: Path) -> KeyRing:
    try:
        return KeyRing.from_json(json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, KeyError) as error:
        raise KeyFileError(f"hocvuso cannot read the signing keys in {path}: {error}") from None


def write_file(path: Path, ring: KeyRing) -> None:
    """Write the key file readable by its owner only, replacing it atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(ring.to_json(), out, indent=2)
        out.write("\n")
    os.replace(temporary, path)


def load_keyring(settings: Settings, *, now: datetime | None = None) -> KeyRing:
    """The deployment's keys (see the module's text for where they come from)."""
    if settings.credential_keys is not None:
        try:
            return KeyRing.from_json(json.loads(settings.credential_keys.get_secret_value()))
        except (ValueError, KeyError) as error:
            raise KeyFileError(f"HOCVUSO_CREDENTIAL_KEYS is not a key file: {error}") from None
    path = key_file(settings)
    if path.exists():
        return read_file(path)
    if settings.environment == "production":
        raise KeyFileError(KEYS_MISSING.format(path=path))
    ring = KeyRing((new_key(now or datetime.now(UTC)),))
    write_file(path, ring)
    return ring


def rotate(path: Path, now: datetime) -> SigningKey:
    """Add a new key that signs from now on; the old ones stay and keep verifying."""
    ring = read_file(path) if path.exists() else None
    taken = {key.name for key in ring.keys} if ring else set()
    key = new_key(now, taken)
    write_file(path, KeyRing((*(ring.keys if ring else ()), key)))
    return key
