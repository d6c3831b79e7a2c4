"""The bots of a deployment: a registry in the store, their tokens in the environment.

A deployment may run several Telegram bots on one store (one per province, say: each bot has
its own 30 messages/s, so 34 bots reach a million learners in minutes, not hours). A learner
belongs to the bot they talk to (``learner.bot_id``); everything sent to them goes through that
bot, paced on its own.

The registry (table ``bot``) holds each bot's id (Telegram's: the digits before the colon of
its token), a short name, and the *name* of the environment variable that holds its token; the
token itself never enters the database or a log. ``hocvuso bots add`` registers a bot,
``hocvuso bots list`` shows them, ``hocvuso bots retire`` stops serving one (its learners and
their history stay). A deployment with one bot needs none of this: the bot of
``HOCVUSO_TELEGRAM_TOKEN`` registers itself as ``main`` when it first runs.

Before there were several bots, learners had none recorded: they have bot 0. They talked to
the bot of ``HOCVUSO_TELEGRAM_TOKEN`` (the only one there was), so that bot adopts them, and
their queued messages, when it is registered; a bot added with ``hocvuso bots add`` never does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import SecretStr
from sqlalchemy import func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hocvuso.config import DEFAULT_TOKEN_ENV, Settings, environment_secret
from hocvuso.storage import tables
from hocvuso.storage.scheduling import DeliveryState
from hocvuso.storage.types import utcnow

B = tables.BOT
L = tables.LEARNER
D = tables.DELIVERY
PLATFORM = "telegram"
#: The name the bot of ``HOCVUSO_TELEGRAM_TOKEN`` registers itself under.
DEFAULT_NAME = "main"
#: Learners and deliveries from before the registry: the first bot adopts them.
UNASSIGNED = 0
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
#: Deliveries still to be sent (the ones an adopting bot takes over).
OPEN = (DeliveryState.PENDING, DeliveryState.CLAIMED, DeliveryState.SENDING)
TOKEN = re.compile(r"^(\d{1,20}):[A-Za-z0-9_-]{20,}$")


class BotError(Exception):
    """A bot that cannot be added, found or served; the message says what to do."""


@dataclass(frozen=True)
class ServedBot:
    """A bot this process serves: its id, its name and its token (from the environment)."""

    id: int
    name: str
    token: SecretStr
    username: str | None = None


@dataclass(frozen=True)
class Registered:
    id: int
    name: str
    token_env: str
    username: str | None
    added_at: datetime
    retired_at: datetime | None
    learners: int = 0


def bot_id_of(token: str) -> int:
    """Telegram's id of the bot a token belongs to (the digits before the colon)."""
    found = TOKEN.match(token.strip())
    if found is None:
        raise BotError("that is not a bot token (it looks like 123456:ABC…, from @BotFather)")
    return int(found.group(1))


async def _adopt(connection: AsyncConnection, bot_id: int) -> int:
    """The bot of ``HOCVUSO_TELEGRAM_TOKEN`` takes the Telegram learners without a bot (from
    before the registry), and their queued messages."""
    adopted = await connection.execute(
        update(L).where(L.c.platform == PLATFORM, L.c.bot_id == UNASSIGNED).values(bot_id=bot_id)
    )
    theirs = select(L.c.id).where(L.c.platform == PLATFORM, L.c.bot_id == bot_id)
    await connection.execute(
        update(D)
        .where(
            D.c.state.in_(OPEN),
            D.c.bot_id == UNASSIGNED,
            D.c.learner_id.in_(theirs),
        )
        .values(bot_id=bot_id)
    )
    return int(adopted.rowcount or 0)


async def add(
    database: AsyncEngine,
    name: str,
    token_env: str,
    environ: Mapping[str, str] | None = None,
    *,
    now: datetime | None = None,
) -> Registered:
    """Register a bot whose token is in the environment variable ``token_env`` (a retired bot
    added again is served again)."""
    if not NAME.match(name):
        raise BotError(
            f"{name!r}: a bot's name is 1-32 lower-case letters, digits, '-' or '_' "
            "(for example: hanoi)"
        )
    if not ENV_NAME.match(token_env):
        raise BotError(f"{token_env!r} is not the name of an environment variable")
    token = environment_secret(token_env, environ)
    if token is None:
        raise BotError(
            f"{token_env} is not set: put the bot's token there (never on the command line)"
        )
    bot_id = bot_id_of(token.get_secret_value())
    now = now or utcnow()
    async with database.begin() as connection:
        rows = (
            await connection.execute(select(B).where((B.c.id == bot_id) | (B.c.name == name)))
        ).all()
        for row in rows:
            if row.id != bot_id:
                raise BotError(f"the name {name!r} is taken by bot {row.id}")
            if row.name != name and row.retired_at is None:
                raise BotError(f"this token's bot is registered already, as {row.name!r}")
        if rows:
            await connection.execute(
                update(B)
                .where(B.c.id == bot_id)
                .values(name=name, token_env=token_env, retired_at=None)
            )
        else:
            await connection.execute(
                B.insert().values(
                    id=bot_id, platform=PLATFORM, name=name, token_env=token_env, added_at=now
                )
            )
    return await get(database, name)


async def ensure_default(
    database: AsyncEngine, settings: Settings, *, now: datetime | None = None
) -> int | None:
    """The bot of ``HOCVUSO_TELEGRAM_TOKEN`` is registered (as ``main``, or by its id when that
    name is taken) the first time it runs, and adopts the learners from before the registry;
    returns its id (None without that token)."""
    if settings.telegram_token is None:
        return None
    bot_id = bot_id_of(settings.telegram_token.get_secret_value())
    async with database.begin() as connection:
        row = (await connection.execute(select(B.c.id).where(B.c.id == bot_id))).first()
        if row is None:
            taken = await connection.scalar(select(B.c.id).where(B.c.name == DEFAULT_NAME))
            await connection.execute(
                tables.insert_ignore(connection, B).values(
                    id=bot_id,
                    platform=PLATFORM,
                    name=DEFAULT_NAME if taken is None else f"bot{bot_id}"[:32],
                    token_env=DEFAULT_TOKEN_ENV,
                    added_at=now or utcnow(),
                )
            )
        await _adopt(connection, bot_id)
    return bot_id


async def retire(database: AsyncEngine, name: str, *, now: datetime | None = None) -> Registered:
    """Stop serving and sending through a bot. Its learners and their history stay; messages
    still queued for them wait (they go out if the bot is added again)."""
    async with database.begin() as connection:
        result = await connection.execute(
            update(B)
            .where(B.c.name == name, B.c.retired_at.is_(None))
            .values(retired_at=now or utcnow())
        )
        if not result.rowcount:
            await get(database, name)  # unknown: says so
            raise BotError(f"bot {name!r} is retired already")
    return await get(database, name)


async def get(database: AsyncEngine, name: str) -> Registered:
    for bot in await listed(database):
        if bot.name == name:
            return bot
    raise BotError(f"no bot named {name!r} (see `hocvuso bots list`)")


async def listed(database: AsyncEngine, *, count_learners: bool = True) -> list[Registered]:
    """Every registered bot, with its number of learners (a scan of ``learner``: not at the
    start of serving, which ``count_learners=False`` is for)."""
    query = select(B, literal(0).label("learners"))
    if count_learners:
        learners = (
            select(L.c.bot_id, func.count().label("n")).group_by(L.c.bot_id).subquery("learners")
        )
        query = select(B, func.coalesce(learners.c.n, 0).label("learners")).outerjoin(
            learners, learners.c.bot_id == B.c.id
        )
    async with database.connect() as connection:
        rows = await connection.execute(query.order_by(B.c.added_at, B.c.id))
        return [
            Registered(
                r.id, r.name, r.token_env, r.username, r.added_at, r.retired_at, int(r.learners)
            )
            for r in rows
        ]


async def served(
    database: AsyncEngine,
    settings: Settings,
    names: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
) -> list[ServedBot]:
    """The bots this process serves: every active registered bot whose token is in the
    environment (or only those named). A named bot that cannot be served is an error; an
    unnamed one without its token is left out (another process serves it)."""
    await ensure_default(database, settings)
    bots = [b for b in await listed(database, count_learners=False) if b.retired_at is None]
    known = {b.name: b for b in bots}
    for name in names:
        if name not in known:
            raise BotError(f"no active bot named {name!r} (see `hocvuso bots list`)")
    chosen = [known[n] for n in dict.fromkeys(names)] if names else bots
    found: list[ServedBot] = []
    for bot in chosen:
        token = environment_secret(bot.token_env, environ)
        if bot.token_env == DEFAULT_TOKEN_ENV and settings.telegram_token is not None:
            token = settings.telegram_token
        if token is None:
            if names:
                raise BotError(f"bot {bot.name!r}: its token variable {bot.token_env} is not set")
            continue
        if bot_id_of(token.get_secret_value()) != bot.id:
            raise BotError(
                f"{bot.token_env} holds the token of another bot than {bot.name!r} ({bot.id})"
            )
        found.append(ServedBot(bot.id, bot.name, token, bot.username))
    return found


async def remember_username(database: AsyncEngine, bot_id: int, username: str | None) -> None:
    """The bot's @name, as Telegram reported it (for invite links)."""
    if not username:
        return
    async with database.begin() as connection:
        await connection.execute(
            update(B)
            .where(B.c.id == bot_id, B.c.username.is_distinct_from(username))
            .values(username=username[:64])
        )
