"""Shared by the xAPI tests: settings with an LRS, a learner's session driven to the exam."""

from __future__ import annotations

import random
import uuid
from typing import Any

from pydantic import SecretStr
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.chat.engine import Engine
from hocvuso.config import Settings
from hocvuso.content.loader import Pack
from tests.factories import Clock, Conversation
from tests.lrs import PASSWORD, USER


def xapi_settings(database_url: str, endpoint: str, **extra: Any) -> Settings:
    """Settings sending to ``endpoint``, under a public URL of this test's own (its actors'
    home page: the statements of one test are told apart from the others' in the LRS)."""
    return Settings(  # type: ignore[call-arg]
        database_url=database_url,
        xapi_endpoint=endpoint,
        xapi_username=USER,
        xapi_password=SecretStr(PASSWORD),
        xapi_pseudonym_key=SecretStr("test-pseudonym-key-" + uuid.uuid4().hex),
        public_url=f"http://127.0.0.1:8000/t{uuid.uuid4().hex[:12]}",
        _env_file=None,
        **extra,
    )


def conversation(
    sessions: async_sessionmaker[AsyncSession],
    pack: Pack,
    settings: Settings,
    clock: Clock,
    chat_id: int = 1001,
) -> Conversation:
    engine = Engine(sessions, pack, settings, clock=clock, rng=random.Random(7))
    return Conversation(engine, pack, chat_id=chat_id, name="Nguyễn Thị Lan")


async def study_until_exam(chat: Conversation, *, wrong_first: bool = True) -> None:
    """Onboard and do every lesson of level 1 (the first answer wrong), up to the exam."""
    await chat.onboard(role="Cán bộ")
    wrong = wrong_first
    while "Bắt đầu thi" not in " ".join(b.label for b in chat.buttons()):
        labels = " ".join(b.label for b in chat.buttons())
        if "Làm câu hỏi" in labels:
            await chat.press("Làm câu hỏi")
        elif "Học tiếp" in labels:
            await chat.press("Học tiếp")
        else:
            await chat.answer(correct=not wrong)
            wrong = False


async def take_exam(chat: Conversation, *, correct: bool = True) -> None:
    await chat.press("Bắt đầu thi")
    while "Chúc mừng" not in chat.text and "chưa đạt" not in chat.text.lower():
        await chat.answer(correct=correct)
