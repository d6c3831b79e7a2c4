"""Updated terms (organisers and mentors now see some personal data): people who agreed to an
older version are asked again before anything else, keep their rights meanwhile, and are not
shown to organisers by name until they agree."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.chat.engine import Engine
from hocvuso.content.loader import Pack
from hocvuso.storage.models import Learner
from hocvuso.storage.organising import Role, Unit
from tests.factories import Conversation, add_learner, grant, talk

JOINED = datetime(2026, 10, 1, tzinfo=UTC)


async def test_a_learner_who_agreed_to_old_terms_is_asked_again_and_keeps_their_rights(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession], tree: dict[str, Unit]
) -> None:
    organiser = await add_learner(sessions, unit="A", name="Tổ Chức", created_at=JOINED)
    await grant(sessions, organiser, Role.ORGANISER, tree["A"])
    old = await add_learner(
        sessions,
        unit="A1",
        name="Người Đồng Ý Cũ",
        created_at=JOINED,
        certified=[(1, JOINED)],
        consent_version="2026-11",
    )
    boss, chat = talk(engine, pack, organiser), talk(engine, pack, old)

    # Not listed to the organiser by name under terms the person never saw.
    await boss.send("/mentor_candidates")
    assert "Người Đồng Ý Cũ" not in boss.text

    await chat.send("/learn")
    assert "Điều khoản xử lý dữ liệu đã được cập nhật" in chat.text
    assert "Ai được xem" in chat.text and "người hướng dẫn" in chat.text
    assert "Bài" not in chat.text  # nothing else happened
    await chat.send("/mydata")  # rights do not wait for consent
    assert any(r.document for r in chat.last.replies)

    await chat.press("Không đồng ý")
    assert "chưa đồng ý với điều khoản mới" in chat.text
    async with sessions() as session:
        stored = await session.get(Learner, old.id)
        assert stored is not None and stored.consent_version == "2026-11"

    await chat.send("/start")
    await chat.press("Tôi đồng ý")
    assert "Cảm ơn anh/chị đã đồng ý với điều khoản mới" in chat.text
    async with sessions() as session:
        stored = await session.get(Learner, old.id)
        assert stored is not None
        assert stored.consent_version == engine.settings.consent_version
    await boss.send("/mentor_candidates")
    assert "Người Đồng Ý Cũ" in boss.text


async def test_a_telegram_name_is_stored_without_bidi_overrides_or_zero_width_characters(
    engine: Engine, pack: Pack, sessions: async_sessionmaker[AsyncSession]
) -> None:
    name = "\u202eNguyễn\u200b Thị\u2066  Lan\u2069"
    spoofed = Conversation(engine, pack, chat_id=1201, name=name)
    invisible = Conversation(engine, pack, chat_id=1202, name="\u200b\u202e\ufeff")
    for chat in (spoofed, invisible):
        await chat.send("/start")
        await chat.press("Tôi đồng ý")
        assert "Cảm ơn" in chat.text

    async with sessions() as session:
        names = {
            learner.chat_id: learner.display_name
            for learner in (await session.exec(select(Learner))).all()
        }
    # An invisible name is no name: never shown as a blank on a leaderboard or to a mentor.
    assert names == {1201: "Nguyễn Thị Lan", 1202: None}
