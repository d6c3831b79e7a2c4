"""Reading a credential from a file someone hands over: a JSON credential, or a certificate PDF
with the credential attached. Light on purpose (pypdf is imported only for a PDF), so the CLI
and the web app import it without loading the PDF writer."""

from __future__ import annotations

import json
from typing import Any

#: The name of the signed credential attached to a certificate PDF.
ATTACHMENT = "credential.json"


class UnreadableCredential(ValueError):
    """A file that holds no credential: ``kind`` says why ("pdf": a PDF that cannot be read,
    "attachment": a PDF without ``credential.json``, "json": not a JSON object)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


def read_credential(data: bytes) -> dict[str, Any]:
    """The credential in a file: a JSON credential, or a certificate PDF with ``credential.json``
    attached (``hocvuso certificate verify`` and the check page's upload both read it here)."""
    if data.lstrip()[:5] == b"%PDF-":
        data = _attachment(data)
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise UnreadableCredential("json") from None
    if not isinstance(document, dict):
        raise UnreadableCredential("json")
    return document


def _attachment(data: bytes) -> bytes:
    import io

    from pypdf import PdfReader

    try:
        found = PdfReader(io.BytesIO(data)).attachments.get(ATTACHMENT)
    except Exception as error:  # an untrusted file in a third-party parser: any failure
        raise UnreadableCredential("pdf", type(error).__name__) from None
    if not found:
        raise UnreadableCredential("attachment")
    return found[0]
