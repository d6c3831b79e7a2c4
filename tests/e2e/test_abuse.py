"""What one person or one group can do to everyone else (issue 11, items 3 and 9), against the
real ``hocvuso run`` and the strict fake Bot API: a flood from one chat earns one "slow down" per
window and holds nobody else's replies or a broadcast back; a group is not served at all."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from hocvuso.delivery import broadcasts
from hocvuso.i18n import t
from tests.e2e.harness import BotProcess
from tests.factories import LEARNER, insert_learner
from tests.fakes.telegram_api import FakeTelegram, FakeUser, _CallbackQuery

pytestmark = pytest.mark.e2e
CURRENT_TERMS = Settings.model_fields["consent_version"].default
SLOW_DOWN = t("vi", "slow-down")
FLOOD = 400  # more than the pipeline holds (256): before, the flood filled it for everyone
RECIPIENTS = 40
OTHERS = 5
NEWS = "📣 Thông báo: hạn đạt chuẩn kỹ năng số là 31/12/2026."


def sent_to(fake: FakeTelegram, text: str) -> Counter[int]:
    return Counter(
        c.params["chat_id"]
        for c in fake.calls_to("sendMessage")
        if c.ok and text in str(c.params.get("text"))
    )


async def all_confirmed(fake: FakeTelegram, seconds: float) -> None:
    last = fake.updates[-1]["update_id"]
    await fake.wait_until(lambda: fake.confirmed_offset > last, timeout=seconds)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_one_persons_flood_gets_one_notice_and_holds_nobody_else_back(
    database_url: str, engine_db: AsyncEngine, tmp_path: Path, core_pack: Pack
) -> None:
    async with FakeTelegram(per_chat_rate=1.0, global_rate=30) as fake:
        for _ in range(RECIPIENTS):  # people the broadcast goes to
            await insert_learner(engine_db, consent_version=CURRENT_TERMS)
        async with engine_db.connect() as connection:
            recipients = list((await connection.scalars(select(LEARNER.c.chat_id))).all())
        for chat in recipients:
            fake.user(chat)
        bot = BotProcess(fake, database_url, tmp_path, HOCVUSO_RATE_LIMIT="5")
        await bot.start()
        try:
            flooder = fake.user(6201, "Người gửi dồn")
            await flooder.send_text("/start")
            consent = await flooder.wait_for_message(timeout=20)
            for n in range(FLOOD):
                await flooder.send_text(f"/help {n}")
            presses = [await flooder.press(consent, text="Tôi đồng ý") for _ in range(20)]
            others = [fake.user(6300 + i, f"Học viên {i}") for i in range(OTHERS)]
            for other in others:
                await other.send_text("/start")
            await broadcasts.announce(engine_db, NEWS, consent=CURRENT_TERMS)

            await all_confirmed(fake, 60)
            for other in others:  # everyone else was answered…
                await other.wait_for_message(lambda m: "Tôi đồng ý" in " ".join(m.button_texts), 20)
            # … and the broadcast reached everyone it was for.
            await fake.wait_until(lambda: len(sent_to(fake, NEWS)) == RECIPIENTS, timeout=60)
            # The notice goes out beside the flood, paced like any message to that chat.
            await fake.wait_until(lambda: SLOW_DOWN in flooder.texts, timeout=20)
        finally:
            await bot.stop()
        assert sent_to(fake, NEWS) == Counter(recipients)
        # One notice per window (the flood took a window, or two if it crossed a boundary).
        assert 1 <= flooder.texts.count(SLOW_DOWN) <= 2
        # Every press was answered (no button left spinning), only one with the notice.
        answered = {a.query_id for a in flooder.callback_answer_details}
        assert set(presses) <= answered
        assert not flooder.pending_callback_queries
        fake.assert_no_invalid_requests()


GROUP = -1_001_234_567_890


def group_message(fake: FakeTelegram, member: FakeUser, text: str, **extra: Any) -> None:
    fake.enqueue_update(
        {
            "message": {
                "message_id": len(fake.updates) + 1,
                "date": 0,
                "chat": {"id": GROUP, "type": "supergroup", "title": "Tổ dân phố 3"},
                "from": member.to_api(),
                "text": text,
                **extra,
            }
        }
    )


def press_in_group(fake: FakeTelegram, member: FakeUser, query_id: str) -> None:
    fake._callback_queries[query_id] = _CallbackQuery(member, fake.clock())
    fake.enqueue_update(
        {
            "callback_query": {
                "id": query_id,
                "from": member.to_api(),
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": GROUP, "type": "supergroup", "title": "Tổ dân phố 3"},
                    "from": fake.bot_user,
                    "text": "Chọn một mục",
                },
                "chat_instance": "42",
                "data": "consent:yes",
            }
        }
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_group_is_not_served_and_a_press_there_only_gets_a_toast(
    database_url: str, engine_db: AsyncEngine, tmp_path: Path
) -> None:
    async with FakeTelegram() as fake:
        bot = BotProcess(fake, database_url, tmp_path, HOCVUSO_RATE_LIMIT="3")
        await bot.start()
        try:
            member = fake.user(6401, "Thành viên nhóm")
            command = [{"type": "bot_command", "offset": 0, "length": 6}]
            for _ in range(20):  # a flood in the group: over the limit too
                group_message(fake, member, "/start", entities=command)
            press_in_group(fake, member, "7001")
            press_in_group(fake, member, "7002")
            await all_confirmed(fake, 30)
            await fake.wait_until(lambda: not member.pending_callback_queries, timeout=10)
            # Nothing at all went to the group, nobody became a learner through it.
            assert not [c for c in fake.calls if c.params.get("chat_id") == GROUP]
            assert member.messages == []
            assert member.callback_answers == [t("vi", "private-only")] * 2
            async with engine_db.connect() as connection:
                assert (await connection.scalars(select(LEARNER.c.chat_id))).all() == []
            # The same person, privately, is served.
            await member.send_text("/start")
            consent = await member.wait_for_message(timeout=20)
            assert "Tôi đồng ý" in " ".join(consent.button_texts)
        finally:
            await bot.stop()
        fake.assert_no_invalid_requests()
