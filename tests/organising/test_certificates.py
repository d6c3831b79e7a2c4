"""Revoking a certificate: admins only, audited without names or reasons, idempotent, clear
refusals. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.organising import certificates
from hocvuso.organising import permissions as perm
from hocvuso.organising.errors import Forbidden, Invalid, NotFound, StaffError
from hocvuso.storage.models import Certificate, Learner
from hocvuso.storage.organising import AuditEntry, Role, Unit
from tests.factories import add_learner, grant

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


async def _world(
    sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> tuple[Learner, Learner, Learner, str]:
    holder = await add_learner(
        sessions, unit="A1", name="Phạm Thị Hoa", created_at=NOW, certified=[(1, NOW)]
    )
    admin = await add_learner(sessions, unit=None, name="Quản trị", created_at=NOW)
    organiser = await add_learner(sessions, unit="A", name="Tổ chức", created_at=NOW)
    await grant(sessions, admin, Role.ADMIN, None)
    await grant(sessions, organiser, Role.ORGANISER, tree["A"])
    async with sessions() as session:
        code = (
            await session.exec(select(Certificate.id).where(Certificate.learner_id == holder.id))
        ).one()
    return holder, admin, organiser, code


async def _revoke(
    sessions: async_sessionmaker[AsyncSession], who: int | None, code: str, reason: str
) -> certificates.Revoked:
    async with sessions() as session, session.begin():
        actor = perm.CLI if who is None else await perm.load_actor(session, who)
        return await certificates.do_revoke_certificate(session, actor, code, reason, NOW)


async def _audit(sessions: async_sessionmaker[AsyncSession]) -> list[AuditEntry]:
    async with sessions() as session:
        found = await session.exec(
            select(AuditEntry).where(AuditEntry.action == "certificate.revoke")
        )
        return list(found.all())


async def test_only_admins_revoke_and_each_revocation_is_audited_once(
    sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    holder, admin, organiser, code = await _world(sessions, tree)
    for who in (holder.id, organiser.id):
        with pytest.raises(Forbidden) as refused:
            await _revoke(sessions, who, code, "cấp nhầm")
        assert refused.value.message("vi") == (
            "Xin lỗi, chỉ quản trị viên mới thu hồi được chứng nhận."
        )
    assert await _audit(sessions) == []

    first = await _revoke(sessions, admin.id, code, "  cấp   nhầm người ")
    assert first.changed and first.certificate.revoked_reason == "cấp nhầm người"
    again = await _revoke(sessions, None, code, "lần hai")
    assert not again.changed  # idempotent: the first reason and moment stay
    assert (again.certificate.revoked_reason, again.certificate.revoked_at) == (
        "cấp nhầm người",
        NOW,
    )
    (entry,) = await _audit(sessions)
    assert (entry.actor_id, entry.via, entry.unit_id) == (admin.id, "chat", tree["A1"].id)
    assert entry.details == {"certificate": code, "learner": holder.id, "level": 1}
    # The audit holds ids only: no name, no reason.
    assert "Hoa" not in json.dumps(entry.details) and "nhầm" not in json.dumps(entry.details)


@pytest.mark.parametrize(
    ("code", "reason", "error", "vi"),
    [
        ("HVS1-XXXX-YYYY", "cấp nhầm", NotFound, "Không có chứng nhận nào mang mã HVS1-XXXX-YYYY"),
        (None, "   ", Invalid, "Cần ghi lý do thu hồi"),
        (None, "x" * 501, Invalid, "Cần ghi lý do thu hồi"),
    ],
)
async def test_a_bad_code_or_reason_is_refused_clearly_and_changes_nothing(
    sessions: async_sessionmaker[AsyncSession],
    tree: dict[str, Unit],
    code: str | None,
    reason: str,
    error: type[StaffError],
    vi: str,
) -> None:
    _, _, _, real = await _world(sessions, tree)
    with pytest.raises(error) as refused:
        await _revoke(sessions, None, code or real, reason)
    assert refused.value.message("vi").startswith(vi)
    async with sessions() as session:
        stored = await session.get(Certificate, real)
        assert stored is not None and stored.revoked_at is None
    assert await _audit(sessions) == []
