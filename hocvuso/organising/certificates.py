"""Revoking a certificate: admins only, audited, idempotent.

The row keeps its code, so the public check page says "revoked" (and nothing else), and its bit
in the revocation status list is set (``hocvuso.learning.certification.status_list_credential``).
The reason is stored with the certificate, never in the audit log (it may name someone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.learning import certification
from hocvuso.organising import audit
from hocvuso.organising.errors import Invalid, NotFound
from hocvuso.organising.permissions import Action, Actor, check_role
from hocvuso.storage.models import Certificate, Learner
from hocvuso.storage.organising import Unit

REASON_MAX = 500


@dataclass(frozen=True)
class Revoked:
    certificate: Certificate
    #: False when it had been revoked before (nothing changed, nothing audited).
    changed: bool


async def _unit_id(session: AsyncSession, learner_id: int) -> int | None:
    learner = await session.get(Learner, learner_id)
    if learner is None or not learner.unit_code:
        return None
    unit = (await session.exec(select(Unit).where(Unit.code == learner.unit_code))).first()
    return unit.id if unit else None


async def do_revoke_certificate(
    session: AsyncSession, actor: Actor, code: str, reason: str, now: datetime
) -> Revoked:
    """Revoke the certificate with this code (admins only; a second time changes nothing)."""
    check_role(actor, Action.REVOKE_CERTIFICATE)
    reason = " ".join(reason.split())
    if not reason or len(reason) > REASON_MAX:
        raise Invalid("certificate-reason-needed", max=REASON_MAX)
    certificate = await certification.find(session, code)
    if certificate is None:
        raise NotFound("certificate-not-found", code=certification.normalise_code(code)[:40])
    if certificate.revoked_at is not None:
        return Revoked(certificate, changed=False)
    certificate.revoked_at = now
    certificate.revoked_reason = reason
    session.add(certificate)
    await audit.record_by(
        session,
        actor,
        "certificate.revoke",
        await _unit_id(session, certificate.learner_id),
        now,
        certificate=certificate.id,
        learner=certificate.learner_id,
        level=certificate.level,
    )
    return Revoked(certificate, changed=True)
