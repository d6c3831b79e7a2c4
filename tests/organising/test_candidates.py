"""Suggested mentors: /report points an organiser at certified learners who are not mentors yet,
/mentor_candidates lists them, "Mời" sends a personal invitation that only they can accept."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.chat.engine import Engine
from hocvuso.chat.events import Press
from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.organising.permissions import load_actor
from hocvuso.storage.models import Learner
from hocvuso.storage.organising import Role, RoleInvite, Unit
from hocvuso.storage.scheduling import Delivery
from tests.factories import Clock, add_learner, grant, talk

JOINED = datetime(2026, 10, 1, tzinfo=UTC)
CERTIFIED = datetime(2026, 11, 10, 3, tzinfo=UTC)


async def _queued_to(
    sessions: async_sessionmaker[AsyncSession], learner: Learner
) -> list[Delivery]:
    async with sessions() as session:
        found = await session.exec(
            select(Delivery).where(Delivery.learner_id == learner.id).order_by(col(Delivery.id))
        )
        return list(found.all())


async def _roles(sessions: async_sessionmaker[AsyncSession], learner: Learner) -> set[Role]:
    async with sessions() as session:
        return (await load_actor(session, learner.id or 0)).roles


async def test_an_organiser_is_shown_certified_colleagues_and_invites_one_who_accepts(
    engine: Engine,
    pack: Pack,
    sessions: async_sessionmaker[AsyncSession],
    tree: dict[str, Unit],
    clock: object,
) -> None:
    organiser = await add_learner(sessions, unit="A", name="Trần Tổ Chức", created_at=JOINED)
    await grant(sessions, organiser, Role.ORGANISER, tree["A"])
    certified = await add_learner(
        sessions, unit="A2x", name="Lê Đạt Chuẩn", created_at=JOINED, certified=[(1, CERTIFIED)]
    )
    await add_learner(sessions, unit="A1", name="Phạm Chưa Học", created_at=JOINED)
    already = await add_learner(
        sessions, unit="A1", name="Vũ Đã Hướng Dẫn", created_at=JOINED, certified=[(1, CERTIFIED)]
    )
    await grant(sessions, already, Role.MENTOR, tree["A1"])
    await add_learner(  # in another unit: never suggested to A's organiser
        sessions, unit="B1", name="Đỗ Đơn Vị Khác", created_at=JOINED, certified=[(1, CERTIFIED)]
    )
    chat = talk(engine, pack, organiser)

    await chat.send("/report")
    assert "1 người đã có chứng nhận cấp 1 nhưng chưa là người hướng dẫn" in chat.text

    await chat.send("/mentor_candidates")
    assert "Lê Đạt Chuẩn" in chat.text and "Tổ A2x" in chat.text
    assert "Vũ Đã Hướng Dẫn" not in chat.text and "Đỗ Đơn Vị Khác" not in chat.text
    assert "Phạm Chưa Học" not in chat.text
    await chat.press("Mời Lê Đạt Chuẩn")
    assert chat.last.toast == "Đã gửi lời mời tới Lê Đạt Chuẩn."

    (invitation,) = await _queued_to(sessions, certified)
    assert "Trần Tổ Chức" in invitation.text and "Tổ A2x" in invitation.text
    accept = invitation.buttons[0][0][1]

    # Someone else who somehow got the button's data cannot use it.
    outsider = await add_learner(
        sessions, unit="A1", name="Người Ngoài", created_at=JOINED, certified=[(1, CERTIFIED)]
    )
    await talk(engine, pack, outsider).event(Press(accept))
    assert Role.MENTOR not in await _roles(sessions, outsider)

    candidate = talk(engine, pack, certified)
    await candidate.event(Press(accept))
    assert "người hướng dẫn (hạt nhân lan tỏa)" in candidate.text
    assert Role.MENTOR in await _roles(sessions, certified)
    (told,) = [d for d in await _queued_to(sessions, organiser) if "nhận lời" in d.text]
    assert "Lê Đạt Chuẩn" in told.text

    await candidate.event(Press(accept))  # the invitation is used up
    assert candidate.last.toast and "không hợp lệ" in candidate.last.toast
    await chat.send("/mentor_candidates")
    assert "Lê Đạt Chuẩn" not in chat.text  # a mentor now
    assert "Người Ngoài" in chat.text


async def test_an_organiser_cannot_invite_someone_outside_their_subtree(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    organiser = await add_learner(sessions, unit="A2", name="Tổ Chức A2", created_at=JOINED)
    await grant(sessions, organiser, Role.ORGANISER, tree["A2"])
    elsewhere = await add_learner(
        sessions, unit="A1", name="Ở Phòng A1", created_at=JOINED, certified=[(1, CERTIFIED)]
    )
    chat = talk(engine, pack, organiser)
    await chat.send("/mentor_candidates")
    assert "Hiện chưa có người nào" in chat.text
    await chat.event(Press(f"mi::{elsewhere.id}"))  # a forged button
    assert chat.last.toast and "không thuộc phạm vi" in chat.last.toast
    assert await _queued_to(sessions, elsewhere) == []


async def test_a_learner_cannot_list_or_invite_candidates(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    learner = await add_learner(sessions, unit="A", name="Học Viên", created_at=JOINED)
    other = await add_learner(
        sessions, unit="A", name="Đạt Chuẩn", created_at=JOINED, certified=[(1, CERTIFIED)]
    )
    chat = talk(engine, pack, learner)
    await chat.send("/mentor_candidates")
    assert "chỉ người tổ chức" in chat.text
    assert "Đạt Chuẩn" not in chat.text
    await chat.event(Press(f"mi::{other.id}"))
    assert chat.last.toast and "chỉ người tổ chức" in chat.last.toast
    assert await _queued_to(sessions, other) == []


async def test_lists_of_people_an_organiser_opens_are_audited_without_names(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    from hocvuso.storage.organising import AuditEntry

    organiser = await add_learner(sessions, unit="A", name="Trần Tổ Chức", created_at=JOINED)
    await grant(sessions, organiser, Role.ORGANISER, tree["A"])
    await add_learner(
        sessions, unit="A1", name="Lê Đạt Chuẩn", created_at=JOINED, certified=[(1, CERTIFIED)]
    )
    chat = talk(engine, pack, organiser)
    await chat.send("/mentor_candidates")
    await chat.send("/assign_mentor")
    async with sessions() as session:
        found = await session.exec(
            select(AuditEntry).where(AuditEntry.actor_id == organiser.id).order_by(AuditEntry.id)
        )
        entries = list(found.all())
    assert [(e.action, e.unit_id) for e in entries] == [
        ("mentor.candidates", tree["A"].id),
        ("mentor.pairing_mentors", tree["A"].id),
    ]
    assert entries[0].details == {"shown": 1}
    assert "Lê Đạt Chuẩn" not in str([e.details for e in entries])


async def test_pressing_moi_again_reuses_the_open_invitation_and_too_many_open_ones_are_refused(
    sessions: async_sessionmaker[AsyncSession],
    pack: Pack,
    settings: Settings,
    clock: Clock,
    tree: dict[str, Unit],
) -> None:
    capped = settings.model_copy(update={"mentor_invites_open": 1})
    engine = Engine(sessions, pack, capped, clock=clock, rng=random.Random(7))
    organiser = await add_learner(sessions, unit="A", name="Trần Tổ Chức", created_at=JOINED)
    await grant(sessions, organiser, Role.ORGANISER, tree["A"])
    first = await add_learner(
        sessions, unit="A2x", name="Lê Đạt Chuẩn", created_at=JOINED, certified=[(1, CERTIFIED)]
    )
    await add_learner(
        sessions, unit="A1", name="Vũ Cũng Đạt", created_at=JOINED, certified=[(1, CERTIFIED)]
    )
    chat = talk(engine, pack, organiser)
    await chat.send("/mentor_candidates")
    await chat.press("Mời Lê Đạt Chuẩn")
    assert chat.last.toast == "Đã gửi lời mời tới Lê Đạt Chuẩn."
    for _ in range(3):
        await chat.press("Mời Lê Đạt Chuẩn")
        assert chat.last.toast == (
            "Lê Đạt Chuẩn đã được mời, lời mời còn hiệu lực đến 26/11/2026. Không gửi thêm lời mời."
        )
    assert len(await _invites(sessions)) == 1
    assert len(await _queued_to(sessions, first)) == 1  # one invitation, sent once

    await chat.press("Mời Vũ Cũng Đạt")  # the organiser's open invitations are capped (here: 1)
    assert chat.last.toast == (
        "Anh/chị đang có 1 lời mời chưa được trả lời. "
        "Xin chờ đồng nghiệp trả lời hoặc lời mời hết hạn rồi mời thêm."
    )
    assert len(await _invites(sessions)) == 1

    clock.advance(hours=73)  # the first invitation expired: a new one may go
    await chat.send("/mentor_candidates")
    await chat.press("Mời Vũ Cũng Đạt")
    assert chat.last.toast == "Đã gửi lời mời tới Vũ Cũng Đạt."
    assert len(await _invites(sessions)) == 2


async def _invites(sessions: async_sessionmaker[AsyncSession]) -> list[RoleInvite]:
    async with sessions() as session:
        return list((await session.exec(select(RoleInvite))).all())
