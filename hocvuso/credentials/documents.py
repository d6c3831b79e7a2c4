"""The JSON-LD contexts a credential may name, served from the package and never from the network.

A verifier that fetched contexts would let whoever controls a URL change what a signed credential
means, and would fail offline. Every URL outside :data:`CONTEXTS` is refused.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

CREDENTIALS_V1 = "https://www.w3.org/2018/credentials/v1"
CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
DATA_INTEGRITY_V1 = "https://w3id.org/security/data-integrity/v1"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld"
OB_V3P0_303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

CONTEXTS: dict[str, str] = {
    CREDENTIALS_V1: "credentials-v1.jsonld",
    CREDENTIALS_V2: "credentials-v2.jsonld",
    DATA_INTEGRITY_V1: "data-integrity-v1.jsonld",
    DATA_INTEGRITY_V2: "data-integrity-v2.jsonld",
    OB_V3P0: "ob_v3p0.jsonld",
    OB_V3P0_303: "ob-context-3.0.3.json",
}


class UnknownContext(ValueError):
    """A document names a context hocvuso does not ship (it is never fetched)."""


@cache
def context(url: str) -> dict[str, Any]:
    name = CONTEXTS.get(url)
    if name is None:
        raise UnknownContext(f"unknown JSON-LD context (never fetched): {url}")
    text = resources.files("hocvuso.credentials").joinpath("contexts", name).read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def load(url: str, options: object = None) -> dict[str, Any]:
    """A pyld document loader over the shipped contexts. They never change, so pyld may keep
    them resolved between operations (the ``static`` tag): processing the contexts is most of
    the work of canonicalising a credential."""
    return {"contextUrl": None, "documentUrl": url, "document": context(url), "tag": "static"}
