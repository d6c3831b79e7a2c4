"""An organiser gives colleagues with no mentor to the subtree's mentors (/assign_mentor), and
both are told; nobody outside the organiser's subtree can be chosen or paired."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.chat.engine import Engine
from hocvuso.chat.events import Press
from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.storage.models import Learner
from hocvuso.storage.organising import MentorLink, Role, Unit
from hocvuso.storage.scheduling import Delivery
from tests.factories import OLD_TERMS, TERMS, Clock, add_learner, grant, set_terms, talk

JOINED = datetime(2026, 10, 1, tzinfo=UTC)


async def _links(sessions: async_sessionmaker[AsyncSession]) -> set[tuple[int, int]]:
    async with sessions() as session:
        found = await session.exec(select(MentorLink))
        return {(link.mentor_id, link.mentee_id) for link in found.all()}


async def _texts_to(sessions: async_sessionmaker[AsyncSession], learner: Learner) -> list[str]:
    async with sessions() as session:
        found = await session.exec(
            select(Delivery.text)
            .where(Delivery.learner_id == learner.id)
            .order_by(col(Delivery.id))
        )
        return list(found.all())


async def test_an_organiser_pairs_the_colleague_who_needs_help_most_with_a_mentor(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    organiser = await add_learner(sessions, unit="A2", name="Tổ Chức A2", created_at=JOINED)
    await grant(sessions, organiser, Role.ORGANISER, tree["A2"])
    mentor = await add_learner(
        sessions, unit="A2x", name="Cô Hướng Dẫn", created_at=JOINED, certified=[(1, JOINED)]
    )
    await grant(sessions, mentor, Role.MENTOR, tree["A2x"])
    never = await add_learner(sessions, unit="A2x", name="Chưa Học Lần Nào", created_at=JOINED)
    await add_learner(
        sessions,
        unit="A2",
        name="Mới Học Hôm Qua",
        created_at=JOINED,
        last_active_at=JOINED + timedelta(days=50),
    )
    await add_learner(  # certified already: no need of a mentor
        sessions, unit="A2", name="Đã Đạt Chuẩn", created_at=JOINED, certified=[(1, JOINED)]
    )
    await add_learner(sessions, unit="A1", name="Ngoài Phạm Vi", created_at=JOINED)
    chat = talk(engine, pack, organiser)

    await chat.send("/assign_mentor")
    await chat.press("Cô Hướng Dẫn (0 học viên)")
    listed = chat.text
    assert listed.index("Chưa Học Lần Nào") < listed.index("Mới Học Hôm Qua")
    assert "Đã Đạt Chuẩn" not in listed and "Ngoài Phạm Vi" not in listed
    assert "Tổ Chức A2" in listed  # the organiser has no mentor either and may be given one
    await chat.press("Chưa Học Lần Nào")
    assert chat.last.toast == "Đã giao Chưa Học Lần Nào cho người hướng dẫn Cô Hướng Dẫn."
    assert await _links(sessions) == {(mentor.id, never.id)}
    assert "Chưa Học Lần Nào" not in chat.text  # the list was refreshed
    assert any("Cô Hướng Dẫn" in t for t in await _texts_to(sessions, never))
    assert any("Chưa Học Lần Nào" in t for t in await _texts_to(sessions, mentor))

    mentor_chat = talk(engine, pack, mentor)
    await mentor_chat.send("/mentees")
    assert "Chưa Học Lần Nào" in mentor_chat.text


async def test_pairing_across_the_organisers_scope_is_refused(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    organiser = await add_learner(sessions, unit="A2", name="Tổ Chức A2", created_at=JOINED)
    await grant(sessions, organiser, Role.ORGANISER, tree["A2"])
    mentor = await add_learner(
        sessions, unit="A2", name="Hướng Dẫn A2", created_at=JOINED, certified=[(1, JOINED)]
    )
    await grant(sessions, mentor, Role.MENTOR, tree["A2"])
    outside = await add_learner(sessions, unit="B1", name="Ở Đơn Vị B", created_at=JOINED)
    chat = talk(engine, pack, organiser)
    await chat.event(Press(f"pa::{mentor.id}.{outside.id}"))  # a forged button
    assert chat.last.toast and "không thuộc phạm vi" in chat.last.toast
    assert await _links(sessions) == set()
    assert await _texts_to(sessions, outside) == []

    learner = talk(engine, pack, outside)
    await learner.send("/assign_mentor")
    assert "chỉ người tổ chức" in learner.text
    await learner.event(Press(f"pa::{mentor.id}.{outside.id}"))
    assert await _links(sessions) == set()


async def test_erasing_a_mentor_withdraws_the_queued_notice_that_names_them(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    organiser = await add_learner(sessions, unit="A", name="Tổ Chức A", created_at=JOINED)
    await grant(sessions, organiser, Role.ORGANISER, tree["A"])
    mentor = await add_learner(
        sessions, unit="A1", name="Cô Sẽ Xóa Dữ Liệu", created_at=JOINED, certified=[(1, JOINED)]
    )
    await grant(sessions, mentor, Role.MENTOR, tree["A1"])
    mentee = await add_learner(sessions, unit="A1", name="Anh Học Viên", created_at=JOINED)
    chat = talk(engine, pack, organiser)
    await chat.event(Press(f"pa::{mentor.id}.{mentee.id}"))
    assert any("Cô Sẽ Xóa Dữ Liệu" in t for t in await _texts_to(sessions, mentee))

    mentor_chat = talk(engine, pack, mentor)
    await mentor_chat.send("/forget")
    await mentor_chat.press("Xóa")
    assert not any("Cô Sẽ Xóa Dữ Liệu" in t for t in await _texts_to(sessions, mentee))
    assert await _links(sessions) == set()


async def test_mentors_and_colleagues_who_declined_the_updated_terms_are_not_listed_to_pair(
    engine: Engine,
    engine_db: AsyncEngine,
    pack: Pack,
    sessions: async_sessionmaker[AsyncSession],
    tree: dict[str, Unit],
) -> None:
    organiser = await add_learner(sessions, unit="A2", name="Tổ Chức A2", created_at=JOINED)
    await grant(sessions, organiser, Role.ORGANISER, tree["A2"])
    mentor = await add_learner(
        sessions, unit="A2x", name="Cô Hướng Dẫn", created_at=JOINED, certified=[(1, JOINED)]
    )
    await grant(sessions, mentor, Role.MENTOR, tree["A2x"])
    other = await add_learner(
        sessions, unit="A2x", name="Thầy Chưa Đồng Ý", created_at=JOINED, certified=[(1, JOINED)]
    )
    await grant(sessions, other, Role.MENTOR, tree["A2x"])
    declined = await add_learner(sessions, unit="A2x", name="Chưa Đồng Ý", created_at=JOINED)
    assert other.id is not None and declined.id is not None
    for person in (other.id, declined.id):
        await set_terms(engine_db, person, OLD_TERMS)
    chat = talk(engine, pack, organiser)

    await chat.send("/assign_mentor")
    assert [b.label for b in chat.buttons()] == ["Cô Hướng Dẫn (0 học viên)"]
    await chat.press("Cô Hướng Dẫn (0 học viên)")
    assert "Chưa Đồng Ý" not in chat.text
    await chat.event(Press(f"pa::{mentor.id}.{declined.id}"))  # a forged or stale press
    assert chat.last.toast is not None and "Chưa Đồng Ý" not in chat.last.toast
    await chat.event(Press(f"pa::{other.id}.{organiser.id}"))
    assert await _links(sessions) == set()

    await set_terms(engine_db, declined.id, TERMS)  # accepted the updated terms
    await chat.send("/assign_mentor")
    await chat.press("Cô Hướng Dẫn (0 học viên)")
    assert "Chưa Đồng Ý" in chat.text


async def test_a_mentor_at_capacity_is_refused_a_new_mentee_and_nothing_is_linked(
    pack: Pack,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    clock: Clock,
    tree: dict[str, Unit],
) -> None:
    full = Engine(
        sessions,
        pack,
        settings.model_copy(update={"mentor_capacity": 1}),
        clock=clock,
        rng=random.Random(7),
    )
    organiser = await add_learner(sessions, unit="A2", name="Tổ Chức A2", created_at=JOINED)
    await grant(sessions, organiser, Role.ORGANISER, tree["A2"])
    mentor = await add_learner(
        sessions, unit="A2", name="Hướng Dẫn A2", created_at=JOINED, certified=[(1, JOINED)]
    )
    await grant(sessions, mentor, Role.MENTOR, tree["A2"])
    first = await add_learner(sessions, unit="A2", name="Người Thứ Nhất", created_at=JOINED)
    second = await add_learner(sessions, unit="A2", name="Người Thứ Hai", created_at=JOINED)
    chat = talk(full, pack, organiser)
    await chat.event(Press(f"pa::{mentor.id}.{first.id}"))
    await chat.event(Press(f"pa::{mentor.id}.{first.id}"))  # pressed twice: still fine
    assert chat.last.toast and "Đã giao" in chat.last.toast
    await chat.event(Press(f"pa::{mentor.id}.{second.id}"))
    assert chat.last.toast and "đã có đủ 1 học viên" in chat.last.toast
    assert await _links(sessions) == {(mentor.id, first.id)}
    assert await _texts_to(sessions, second) == []
