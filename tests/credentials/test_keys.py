"""Signing keys: where they come from, rotation, and never a missing key in production."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from hocvuso.config import Settings
from hocvuso.credentials import keys, multikey, proof
from hocvuso.credentials.issuer import Issuer

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
DOC = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "type": ["VerifiableCredential"],
    "issuer": "https://hocvuso.example.vn/issuer",
    "credentialSubject": {"id": "urn:uuid:5c6f3a40-6b39-4bd4-8b5d-111111111111"},
}


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, **values)  # type: ignore[call-arg]


def test_development_creates_a_key_file_only_its_owner_can_read(tmp_path: Path) -> None:
    ring = keys.load_keyring(settings(tmp_path), now=NOW)
    path = tmp_path / "credential-keys.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ring.current.name == "key-20261203"
    # The same key next time: certificates signed today verify tomorrow.
    again = keys.load_keyring(settings(tmp_path))
    assert again.current.public == ring.current.public
    assert "secretKeyMultibase" in path.read_text()


def test_production_without_a_key_does_not_start_and_says_how(tmp_path: Path) -> None:
    production = settings(tmp_path, environment="production", public_url="https://h.example.vn")
    with pytest.raises(SystemExit, match="hocvuso certificate keys rotate"):
        keys.load_keyring(production)
    assert not (tmp_path / "credential-keys.json").exists()


def test_keys_from_the_environment_take_precedence(tmp_path: Path) -> None:
    ring = keys.KeyRing((keys.new_key(NOW),))
    configured = settings(tmp_path, credential_keys=SecretStr(json.dumps(ring.to_json())))
    assert keys.load_keyring(configured).current.public == ring.current.public
    assert not (tmp_path / "credential-keys.json").exists()
    broken = settings(tmp_path, credential_keys=SecretStr("{not json"))
    with pytest.raises(SystemExit, match="HOCVUSO_CREDENTIAL_KEYS"):
        keys.load_keyring(broken)


def test_an_unreadable_key_file_stops_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    path.write_text('{"keys": [{"name": "a", "created": "2026-01-01", "secretKeyMultibase": "x"}]}')
    with pytest.raises(SystemExit, match=r"k\.json"):
        keys.load_keyring(settings(tmp_path, credential_key_file=path))


def test_rotation_signs_with_the_new_key_and_the_old_one_keeps_verifying(tmp_path: Path) -> None:
    path = tmp_path / "credential-keys.json"
    first = keys.rotate(path, NOW)
    issuer = Issuer("https://hocvuso.example.vn", "Sở Nội vụ")
    old = proof.sign(
        DOC, first, issuer.verification_method(first.name), created="2026-12-03T08:00:00Z"
    )
    second = keys.rotate(path, NOW)
    assert second.name == "key-20261203-2"
    ring = keys.read_file(path)
    assert ring.current == second
    assert [key.name for key in ring.keys] == [first.name, second.name]
    new = proof.sign(DOC, ring.current, issuer.verification_method(ring.current.name), created="x")
    assert proof.verify(old, issuer.public_key_for(ring)).ok
    assert proof.verify(new, issuer.public_key_for(ring)).ok
    assert new["proof"]["verificationMethod"].endswith("#key-20261203-2")
    # Keys of another issuer (same name) are not this issuer's.
    stranger = Issuer("https://other.example.vn", "Other")
    assert proof.verify(old, stranger.public_key_for(ring)).reason == "unknown-key"


def test_the_issuer_profile_publishes_every_key_and_no_secret(tmp_path: Path) -> None:
    path = tmp_path / "credential-keys.json"
    keys.rotate(path, NOW)
    keys.rotate(path, NOW)
    ring = keys.read_file(path)
    profile = Issuer("https://hocvuso.example.vn", "Sở Nội vụ").profile(ring)
    published = {
        m["id"]: multikey.decode_public(m["publicKeyMultibase"])
        for m in profile["verificationMethod"]
    }
    assert published == {
        f"https://hocvuso.example.vn/issuer#{key.name}": key.public for key in ring.keys
    }
    assert profile["assertionMethod"] == list(published)
    text = json.dumps(profile)
    assert "secret" not in text.lower()
    assert all(multikey.encode_secret(k.seed, k.public) not in text for k in ring.keys)


@pytest.mark.parametrize(
    "text", ["", "z", "6MkjZRZv", "zrv2bqTbNwCTsRrHFcJCPjVAduh4Ezcnoq1A3ZxH1GW", "z0OIl"]
)
def test_a_public_multikey_that_is_not_ed25519_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        multikey.decode_public(text)


def test_the_public_url_is_an_address_and_https_in_production() -> None:
    with pytest.raises(ValueError, match="HOCVUSO_PUBLIC_URL"):
        Settings(_env_file=None, public_url="hocvuso.example.vn")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="https"):
        Settings(_env_file=None, environment="production")  # type: ignore[call-arg]
    trimmed = Settings(_env_file=None, public_url="https://h.example.vn/")  # type: ignore[call-arg]
    assert trimmed.public_url == "https://h.example.vn"
