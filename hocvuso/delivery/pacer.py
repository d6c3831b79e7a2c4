"""The pacer: keeps a bot under Telegram's limits (global messages/s and 1 message/s per chat).

A generic cell rate algorithm: the bot has a "theoretical arrival time" (TAT) for its next slot;
a slot is free when the TAT is at most ``burst - 1`` intervals in the future, and taking it moves
the TAT one interval on.
Each chat has its own TAT at the per-chat interval. A 429 pauses the whole bot for
``retry_after``. Interactive replies (``note``) take a slot without ever waiting, which pushes bulk
sending back: a broadcast never starves the people who are talking to the bot.

``RedisPacer`` keeps the state in Redis (one Lua script, atomic), shared by every sender process;
``MemoryPacer`` is the single-process fallback with the same behaviour.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Protocol

from redis.asyncio import Redis

from hocvuso.storage.state import key

#: Up to this many messages may leave back to back (after a pause, or to make up for a sender
#: that woke up late); the sustained rate stays exactly the configured one. Telegram (and the
#: fake) tolerate short bursts; without this, every millisecond a sender is late is lost for good.
BURST = 3
#: … and at high rates, whatever falls due in the next 50 ms leaves as one group (one commit of
#: ``sending`` per group instead of one per message); the sustained rate is unchanged.
WINDOW = 0.05


class Pacer(Protocol):
    async def reserve(self, chats: Sequence[int]) -> tuple[list[bool], float]:
        """Take slots now for a prefix of ``chats`` (in order).

        Returns one flag per chat considered (False: that chat had a message less than a per-chat
        interval ago; it took no global slot) and the seconds until the next global slot when the
        bot-wide rate or a pause stopped it (0.0 when every chat was considered).
        """

    async def note(self) -> None:
        """An interactive message went out: count it against the bot-wide rate, never wait."""

    async def pause(self, seconds: float) -> None:
        """Telegram answered 429: no bulk message for ``seconds``."""


class MemoryPacer:
    def __init__(
        self,
        rate: float,
        per_chat_rate: float = 1.0,
        *,
        burst: int = BURST,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
        max_chats: int = 200_000,
    ) -> None:
        self.interval = 1.0 / rate
        self.tolerance = max(self.interval * (burst - 1), window)
        self.chat_interval = 1.0 / per_chat_rate
        self.clock = clock
        self._tat = 0.0
        self._paused_until = 0.0
        self._chats: OrderedDict[int, float] = OrderedDict()
        self._max_chats = max_chats

    async def reserve(self, chats: Sequence[int]) -> tuple[list[bool], float]:
        now = self.clock()
        if self._paused_until > now:
            return [], self._paused_until - now
        granted: list[bool] = []
        for chat in chats:
            tat = max(self._tat, now)
            if tat - self.tolerance > now:
                return granted, tat - self.tolerance - now
            chat_tat = self._chats.get(chat, 0.0)
            if chat_tat > now:
                granted.append(False)
                continue
            self._chats[chat] = now + self.chat_interval
            self._chats.move_to_end(chat)
            self._tat = tat + self.interval
            granted.append(True)
        while len(self._chats) > self._max_chats:
            self._chats.popitem(last=False)
        return granted, 0.0

    async def note(self) -> None:
        self._tat = max(self._tat, self.clock()) + self.interval

    async def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self.clock() + seconds)


_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval = tonumber(ARGV[1])
local chat_interval = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return {'', string.format('%.6f', paused - now)} end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local out = {}
local wait = 0
for i = 3, #KEYS do
  local slot = math.max(tat, now)
  if slot - tolerance > now then wait = slot - tolerance - now; break end
  local chat_tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if chat_tat > now then
    out[#out + 1] = '0'
  else
    redis.call('SET', KEYS[i], string.format('%.6f', now + chat_interval),
      'PX', math.ceil(chat_interval * 1000) + 1000)
    tat = slot + interval
    out[#out + 1] = '1'
  end
end
redis.call('SET', KEYS[1], string.format('%.6f', tat), 'PX', 60000)
return {table.concat(out, ''), string.format('%.6f', wait)}
"""

_NOTE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
redis.call('SET', KEYS[1], string.format('%.6f', math.max(tat, now) + tonumber(ARGV[1])),
  'PX', 60000)
return 1
"""

_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local paused = tonumber(redis.call('GET', KEYS[1]) or '0')
local until_ = math.max(paused, now + tonumber(ARGV[1]))
local ttl = math.ceil((until_ - now) * 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.6f', until_), 'PX', ttl)
return 1
"""


class RedisPacer:
    """The same pacer, shared by every process of one bot through Redis."""

    def __init__(
        self,
        redis: Redis,
        bot_id: int | str,
        rate: float,
        per_chat_rate: float = 1.0,
        *,
        burst: int = BURST,
        window: float = WINDOW,
    ) -> None:
        self.redis = redis
        self.bot_id = bot_id
        self.interval = 1.0 / rate
        self.tolerance = max(self.interval * (burst - 1), window)
        self.chat_interval = 1.0 / per_chat_rate
        self._reserve = redis.register_script(_RESERVE)
        self._note = redis.register_script(_NOTE)
        self._pause = redis.register_script(_PAUSE)
        self._global = key("pace", bot_id, "global")
        self._paused = key("pace", bot_id, "paused")

    async def reserve(self, chats: Sequence[int]) -> tuple[list[bool], float]:
        keys = [self._global, self._paused, *(key("pace", self.bot_id, "chat", c) for c in chats)]
        flags, wait = await self._reserve(
            keys=keys, args=[self.interval, self.chat_interval, self.tolerance]
        )
        if isinstance(flags, bytes):
            flags = flags.decode()
        return [f == "1" for f in flags], float(wait)

    async def note(self) -> None:
        await self._note(keys=[self._global], args=[self.interval])

    async def pause(self, seconds: float) -> None:
        await self._pause(keys=[self._paused], args=[seconds])
