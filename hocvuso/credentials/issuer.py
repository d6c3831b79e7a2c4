"""The deployment as an issuer: its id, the addresses of its keys, check pages and status lists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hocvuso.config import Settings
from hocvuso.credentials.keys import KeyRing


@dataclass(frozen=True)
class Issuer:
    public_url: str
    name: str

    @property
    def id(self) -> str:
        return f"{self.public_url}/issuer"

    def verification_method(self, key_name: str) -> str:
        return f"{self.id}#{key_name}"

    def key_name_of(self, verification_method: str) -> str | None:
        """The key's name if the method is one of this issuer's, else None."""
        prefix = f"{self.id}#"
        if not verification_method.startswith(prefix):
            return None
        return verification_method.removeprefix(prefix) or None

    def verify_url(self, certificate_id: str) -> str:
        return f"{self.public_url}/verify/{certificate_id}"

    def credential_url(self, certificate_id: str) -> str:
        return f"{self.public_url}/credentials/{certificate_id}.json"

    def status_list_url(self, number: int) -> str:
        return f"{self.public_url}/status/{number}"

    def public_key_for(self, ring: KeyRing) -> Callable[[str], bytes | None]:
        """What :func:`hocvuso.credentials.proof.verify` asks: this issuer's key for a method."""

        def lookup(verification_method: str) -> bytes | None:
            name = self.key_name_of(verification_method)
            key = ring.by_name(name) if name else None
            return key.public if key else None

        return lookup

    def profile(self, ring: KeyRing) -> dict[str, Any]:
        """The issuer's Open Badges Profile with every key it has signed with (Multikey)."""
        return {
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                "https://w3id.org/security/data-integrity/v2",
            ],
            "id": self.id,
            "type": ["Profile"],
            "name": self.name,
            "url": self.public_url,
            "assertionMethod": [self.verification_method(key.name) for key in ring.keys],
            "verificationMethod": [
                {
                    "id": self.verification_method(key.name),
                    "type": "Multikey",
                    "controller": self.id,
                    "publicKeyMultibase": key.public_multibase,
                }
                for key in ring.keys
            ],
        }


def issuer_from(settings: Settings) -> Issuer:
    return Issuer(settings.public_url, settings.issuer_name)
