"""The bot registry: adding, adopting the learners from before, retiring, serving; and each
bot's sender claiming only its own learners' deliveries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hocvuso.config import Settings
from hocvuso.delivery import bots
from hocvuso.delivery.queue import DeliveryQueue
from hocvuso.storage.tables import LEARNER
from tests.factories import TERMS, deliveries, insert_learner

MAIN = "7100000001:AAE_main-token_for-the-tests_xxxxx"
HUE = "7100000002:AAE_hue-token_for-the-tests_xxxxxx"
HANOI = "7100000003:AAE_hanoi-token_for-the-tests_xxxx"
ENV = {"TOKEN_HUE": HUE, "TOKEN_HANOI": HANOI}


def settings(token: str | None = MAIN) -> Settings:
    return Settings(telegram_token=SecretStr(token) if token else None)


async def bot_of(database: AsyncEngine, learner_id: int) -> int:
    async with database.connect() as connection:
        found = await connection.scalar(select(LEARNER.c.bot_id).where(LEARNER.c.id == learner_id))
    return int(found)


async def test_the_first_bot_adopts_the_learners_and_queued_messages_from_before(
    engine_db: AsyncEngine,
) -> None:
    old = await insert_learner(engine_db)  # from before the registry: bot 0
    local = await insert_learner(engine_db, platform="local")
    await DeliveryQueue(engine_db).enqueue(
        [{"key": "a", "kind": "announcement", "learner_id": old, "text": "x"}]
    )
    assert [d.bot_id for d in await deliveries(engine_db)] == [0]

    assert await bots.ensure_default(engine_db, settings()) == 7100000001
    assert await bot_of(engine_db, old) == 7100000001
    assert await bot_of(engine_db, local) == 0  # the terminal chat has no bot
    assert [d.bot_id for d in await deliveries(engine_db)] == [7100000001]
    # A bot added adopts nobody; a new learner's message goes through the learner's bot.
    await bots.add(engine_db, "hue", "TOKEN_HUE", ENV)
    assert await bot_of(engine_db, old) == 7100000001
    theirs = await insert_learner(engine_db, bot_id=7100000002)
    await DeliveryQueue(engine_db).enqueue(
        [{"key": "b", "kind": "announcement", "learner_id": theirs, "text": "y"}]
    )
    assert [d.bot_id for d in await deliveries(engine_db, key="b")] == [7100000002]
    listed = {b.name: b.learners for b in await bots.listed(engine_db)}
    assert listed == {"main": 1, "hue": 1}


async def test_each_bots_sender_claims_only_its_own_learners_deliveries(
    engine_db: AsyncEngine,
) -> None:
    ids = {bot: [await insert_learner(engine_db, bot_id=bot) for _ in range(3)] for bot in (1, 2)}
    queue = DeliveryQueue(engine_db)
    await queue.enqueue(
        [
            {"key": f"k{i}", "kind": "announcement", "learner_id": learner, "text": "t"}
            for i, learner in enumerate(ids[1] + ids[2])
        ]
    )
    first = await queue.claim(10, timedelta(seconds=30), bot_id=1, consent=TERMS)
    second = await queue.claim(10, timedelta(seconds=30), bot_id=2, consent=TERMS)
    assert sorted(j.learner_id for j in first) == ids[1]
    assert sorted(j.learner_id for j in second) == ids[2]
    assert await queue.counts(bot_id=2) == {"claimed": 3}


async def test_only_the_bot_of_the_default_token_adopts_the_learners_from_before(
    engine_db: AsyncEngine,
) -> None:
    old = await insert_learner(engine_db)
    # Added before the upgraded bot first ran (its token not in this shell): adopts nobody.
    await bots.add(engine_db, "hue", "TOKEN_HUE", ENV)
    assert await bot_of(engine_db, old) == 0
    await bots.ensure_default(engine_db, settings())
    assert await bot_of(engine_db, old) == 7100000001


async def test_bad_registrations_are_refused_with_the_reason(engine_db: AsyncEngine) -> None:
    with pytest.raises(bots.BotError, match="TOKEN_NONE is not set"):
        await bots.add(engine_db, "hue", "TOKEN_NONE", ENV)
    with pytest.raises(bots.BotError, match="not a bot token"):
        await bots.add(engine_db, "hue", "BAD", {"BAD": "hello"})
    with pytest.raises(bots.BotError, match="lower-case"):
        await bots.add(engine_db, "Huế", "TOKEN_HUE", ENV)
    await bots.add(engine_db, "hue", "TOKEN_HUE", ENV)
    with pytest.raises(bots.BotError, match="taken by bot 7100000002"):
        await bots.add(engine_db, "hue", "TOKEN_HANOI", ENV)
    with pytest.raises(bots.BotError, match="registered already, as 'hue'"):
        await bots.add(engine_db, "hue2", "TOKEN_HUE", ENV)
    assert [b.name for b in await bots.listed(engine_db)] == ["hue"]


async def test_served_bots_are_the_active_ones_whose_tokens_are_here(
    engine_db: AsyncEngine,
) -> None:
    await bots.add(engine_db, "hue", "TOKEN_HUE", ENV)
    await bots.add(engine_db, "hanoi", "TOKEN_HANOI", ENV)
    served = await bots.served(engine_db, settings(), environ=ENV)
    assert [(b.name, b.id) for b in served] == [
        ("hue", 7100000002),
        ("hanoi", 7100000003),
        ("main", 7100000001),
    ]
    assert served[0].token.get_secret_value() == HUE
    # Another process has only Huế's token: it serves only Huế; naming a bot it cannot serve
    # is an error.
    only_hue = await bots.served(engine_db, settings(None), environ={"TOKEN_HUE": HUE})
    assert [b.name for b in only_hue] == ["hue"]
    with pytest.raises(bots.BotError, match="TOKEN_HANOI is not set"):
        await bots.served(engine_db, settings(None), ["hanoi"], environ={})
    with pytest.raises(bots.BotError, match="no active bot named 'hcm'"):
        await bots.served(engine_db, settings(None), ["hcm"], environ=ENV)
    # A variable that holds another bot's token is a misconfiguration, said at start.
    with pytest.raises(bots.BotError, match="another bot than 'hue'"):
        await bots.served(engine_db, settings(None), environ={"TOKEN_HUE": HANOI})

    retired = await bots.retire(engine_db, "hanoi")
    assert retired.retired_at is not None
    with pytest.raises(bots.BotError, match="retired already"):
        await bots.retire(engine_db, "hanoi")
    assert "hanoi" not in [b.name for b in await bots.served(engine_db, settings(), environ=ENV)]
    await bots.add(engine_db, "hanoi", "TOKEN_HANOI", ENV)  # back in service
    assert "hanoi" in [b.name for b in await bots.served(engine_db, settings(), environ=ENV)]
