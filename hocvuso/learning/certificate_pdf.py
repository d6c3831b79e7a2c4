"""A certificate's PDF, made from its code: what the chat sends and the CLI writes.

The bytes are never stored: the same code gives the same certificate again (the chat rebuilds a
replayed document this way). A revoked certificate has no PDF: its check page says only
"revoked", and a file that looks valid must not outlive that.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.credentials import pdf
from hocvuso.credentials.issuer import issuer_from
from hocvuso.learning import certification
from hocvuso.storage.models import Certificate, ExamAttempt, Learner


class NoPdf(Exception):
    """Why a certificate has no PDF: ``unknown`` (no such code) or ``revoked``."""

    def __init__(self, reason: Literal["unknown", "revoked"], code: str) -> None:
        super().__init__(f"certificate {code}: {reason}")
        self.reason = reason
        self.code = code


@dataclass(frozen=True)
class CertificatePdf:
    code: str
    filename: str
    content: bytes


def _name_in(credential: dict[str, Any] | None) -> str | None:
    """The name the signed credential carries (what the signature covers), if any."""
    subject = (credential or {}).get("credentialSubject")
    identifiers = subject.get("identifier") if isinstance(subject, dict) else None
    for item in identifiers if isinstance(identifiers, list) else []:
        if (
            isinstance(item, dict)
            and item.get("identityType") == "name"
            and not item.get("hashed")
            and isinstance(item.get("identityHash"), str)
        ):
            return str(item["identityHash"])
    return None


async def view_of(
    session: AsyncSession, pack: Pack, settings: Settings, certificate: Certificate
) -> pdf.CertificateView:
    learner = await session.get(Learner, certificate.learner_id)
    exam = await session.get(ExamAttempt, certificate.exam_id)
    areas = certification.competences(pack, certificate.level, exam.question_ids if exam else ())
    name = _name_in(certificate.credential) or (learner.display_name if learner else None)
    # The day as the deployment's people count it (a pass at 06:00 in Hà Nội is that day).
    issued_on = certificate.issued_at.astimezone(ZoneInfo(settings.timezone)).date()
    return pdf.CertificateView(
        name=name or "—",
        level=certificate.level,
        level_title_vi=pack.level_title(certificate.level, "vi"),
        level_title_en=pack.level_title(certificate.level, "en"),
        areas_vi=tuple(area.name_vi for area in areas),
        areas_en=tuple(area.name_en for area in areas),
        issued_on=issued_on,
        code=certificate.id,
        verify_url=issuer_from(settings).verify_url(certificate.id),
        issuer_name=settings.issuer_name,
    )


async def render_certificate(
    session: AsyncSession,
    pack: Pack,
    settings: Settings,
    certificate: Certificate,
) -> CertificatePdf:
    """The PDF of a certificate row (:class:`NoPdf` ``revoked`` if it was revoked)."""
    if certificate.revoked_at is not None:
        raise NoPdf("revoked", certificate.id)
    view = await view_of(session, pack, settings, certificate)
    # About 80 ms of pure Python: off the event loop, so other chats are not held up.
    content = await asyncio.to_thread(pdf.render, view, certificate.credential)
    return CertificatePdf(certificate.id, pdf.filename(certificate.id), content)


async def certificate_pdf(
    session: AsyncSession,
    pack: Pack,
    settings: Settings,
    code: str,
    *,
    learner_id: int | None = None,
) -> CertificatePdf:
    """The PDF of the certificate with this code; with ``learner_id``, only that learner's."""
    certificate = await certification.find(session, code)
    if certificate is None or (learner_id is not None and certificate.learner_id != learner_id):
        raise NoPdf("unknown", certification.normalise_code(code))
    return await render_certificate(session, pack, settings, certificate)
