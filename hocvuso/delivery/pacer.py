"""The pacer: keeps a bot under Telegram's limits (global messages/s and 1 message/s per chat).

A generic cell rate algorithm: the bot has a "theoretical arrival time" (TAT) for its next slot;
a slot is free when the TAT is at most ``burst - 1`` intervals in the future, and taking it moves
the TAT one interval on.
Each chat has its own TAT at the per-chat interval. A 429 pauses the whole bot for
``retry_after``. Interactive replies (``note``) take a slot without ever waiting, which pushes bulk
sending back: a broadcast never starves the people who are talking to the bot (given the chat,
they also hold that chat's next bulk message a per-chat interval back). That debt is
bounded: however many replies go out, the next bulk slot is at most ``max_debt`` (default 1 s)
beyond now, so a busy minute never holds a broadcast back for minutes.

Safety margin: every rate is applied per ``1 + margin`` seconds instead of per second, and the
send times of the last ``floor(rate)`` messages are kept: a message leaves only when the one
``floor(rate)`` messages before it left at least ``1 + margin`` seconds ago. So a Bot API counting
a strict sliding one-second window never sees more than the cap, bursts included, even when each
request reaches it up to ``margin`` seconds later or earlier than the others. (Above
``MAX_WINDOW`` messages/s only the stretched rate applies: no Bot API goes that fast.)

``RedisPacer`` keeps the state in Redis (one Lua script, atomic), shared by every sender process;
``MemoryPacer`` is the single-process fallback with the same behaviour.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from hocvuso.storage.state import key

if TYPE_CHECKING:  # redis is imported only where it is configured
    from redis.asyncio import Redis

#: Up to this many messages may leave back to back (after a pause, or to make up for a sender
#: that woke up late); the sustained rate stays exactly the configured one. Telegram (and the
#: fake) tolerate short bursts; without this, every millisecond a sender is late is lost for good.
BURST = 3
#: … and at high rates, whatever falls due in the next 50 ms leaves as one group (one commit of
#: ``sending`` per group instead of one per message); the sustained rate is unchanged.
WINDOW = 0.05
#: Seconds added to each one-second window (``HOCVUSO_SEND_MARGIN``): the bot sends at
#: ``rate / (1 + margin)``, 98% of the cap by default.
MARGIN = 0.02
#: Interactive replies push bulk sending back by at most this many seconds
#: (``HOCVUSO_INTERACTIVE_DEBT``).
MAX_DEBT = 1.0
#: The strict window is kept for rates up to this many messages/s (one timestamp per message).
MAX_WINDOW = 1000


def window_cap(rate: float) -> int:
    """Messages allowed in one sliding window (0: no window is kept)."""
    return math.floor(rate) if 1 <= rate <= MAX_WINDOW else 0


class Pacer(Protocol):
    async def reserve(self, chats: Sequence[int]) -> tuple[list[bool], float]:
        """Take slots now for a prefix of ``chats`` (in order).

        Returns one flag per chat considered (False: that chat had a message less than a per-chat
        interval ago; it took no global slot) and the seconds until the next global slot when the
        bot-wide rate or a pause stopped it (0.0 when every chat was considered).
        """

    async def note(self, chat: int | None = None) -> None:
        """An interactive message went out (to ``chat``, when given): count it against the
        bot-wide rate (and that chat's), never wait."""

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
        margin: float = MARGIN,
        max_debt: float = MAX_DEBT,
        clock: Callable[[], float] = time.monotonic,
        max_chats: int = 200_000,
    ) -> None:
        self.span = 1.0 + margin
        self.interval = self.span / rate
        self.tolerance = max(self.interval * (burst - 1), window)
        self.chat_interval = self.span / per_chat_rate
        self.max_debt = max_debt
        self.cap = window_cap(rate)
        self.clock = clock
        self._tat = 0.0
        self._paused_until = 0.0
        self._recent: deque[float] = deque(maxlen=self.cap or None)
        self._chats: OrderedDict[int, float] = OrderedDict()
        self._max_chats = max_chats

    async def reserve(self, chats: Sequence[int]) -> tuple[list[bool], float]:
        now = self.clock()
        if self._paused_until > now:
            return [], self._paused_until - now
        granted: list[bool] = []
        recent = self._recent
        for chat in chats:
            tat = max(self._tat, now)
            if tat - self.tolerance > now:
                return granted, tat - self.tolerance - now
            if self.cap and len(recent) == self.cap and recent[0] + self.span > now:
                return granted, recent[0] + self.span - now
            chat_tat = self._chats.get(chat, 0.0)
            if chat_tat > now:
                granted.append(False)
                continue
            self._chats[chat] = now + self.chat_interval
            self._chats.move_to_end(chat)
            self._tat = tat + self.interval
            if self.cap:
                recent.append(now)
            granted.append(True)
        while len(self._chats) > self._max_chats:
            self._chats.popitem(last=False)
        return granted, 0.0

    async def note(self, chat: int | None = None) -> None:
        now = self.clock()
        self._tat = min(max(self._tat, now) + self.interval, now + self.max_debt)
        if self.cap:
            self._recent.append(now)
        if chat is not None:
            self._chats[chat] = max(self._chats.get(chat, 0.0), now + self.chat_interval)
            self._chats.move_to_end(chat)

    async def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self.clock() + seconds)


# KEYS: global TAT, pause, recent send times (a list, oldest first), then one key per chat.
# ARGV: interval, chat interval, tolerance, window cap, window span, clock offset.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000 + tonumber(ARGV[6])
local interval = tonumber(ARGV[1])
local chat_interval = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local cap = tonumber(ARGV[4])
local span = tonumber(ARGV[5])
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return {'', string.format('%.6f', paused - now)} end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local recent = 0
if cap > 0 then recent = redis.call('LLEN', KEYS[3]) end
local out = {}
local wait = 0
for i = 4, #KEYS do
  local slot = math.max(tat, now)
  if slot - tolerance > now then wait = slot - tolerance - now; break end
  if cap > 0 and recent >= cap then
    local oldest = tonumber(redis.call('LINDEX', KEYS[3], -cap))
    if oldest + span > now then wait = oldest + span - now; break end
  end
  local chat_tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if chat_tat > now then
    out[#out + 1] = '0'
  else
    redis.call('SET', KEYS[i], string.format('%.6f', now + chat_interval),
      'PX', math.ceil(chat_interval * 1000) + 1000)
    tat = slot + interval
    if cap > 0 then
      redis.call('RPUSH', KEYS[3], string.format('%.6f', now))
      recent = recent + 1
    end
    out[#out + 1] = '1'
  end
end
redis.call('SET', KEYS[1], string.format('%.6f', tat), 'PX', 60000)
if cap > 0 and recent > 0 then
  redis.call('LTRIM', KEYS[3], -cap, -1)
  redis.call('PEXPIRE', KEYS[3], math.ceil(span * 1000) + 1000)
end
return {table.concat(out, ''), string.format('%.6f', wait)}
"""

# KEYS: global TAT, recent send times, the chat's key (optional).
# ARGV: interval, max debt, window cap, span, clock offset, chat interval.
_NOTE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000 + tonumber(ARGV[5])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
tat = math.min(math.max(tat, now) + tonumber(ARGV[1]), now + tonumber(ARGV[2]))
redis.call('SET', KEYS[1], string.format('%.6f', tat), 'PX', 60000)
local cap = tonumber(ARGV[3])
if cap > 0 then
  redis.call('RPUSH', KEYS[2], string.format('%.6f', now))
  redis.call('LTRIM', KEYS[2], -cap, -1)
  redis.call('PEXPIRE', KEYS[2], math.ceil(tonumber(ARGV[4]) * 1000) + 1000)
end
if #KEYS >= 3 then
  local chat_interval = tonumber(ARGV[6])
  local chat_tat = math.max(tonumber(redis.call('GET', KEYS[3]) or '0'), now + chat_interval)
  redis.call('SET', KEYS[3], string.format('%.6f', chat_tat),
    'PX', math.ceil((chat_tat - now) * 1000) + 1000)
end
return 1
"""

_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000 + tonumber(ARGV[2])
local paused = tonumber(redis.call('GET', KEYS[1]) or '0')
local until_ = math.max(paused, now + tonumber(ARGV[1]))
local ttl = math.ceil((until_ - now) * 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.6f', until_), 'PX', ttl)
return 1
"""


class RedisPacer:
    """The same pacer, shared by every process of one bot through Redis.

    Time is Redis's own clock (``TIME``), the same for every process; ``offset`` (seconds, added
    to it) lets a test move time on instead of sleeping.
    """

    def __init__(
        self,
        redis: Redis,
        bot_id: int | str,
        rate: float,
        per_chat_rate: float = 1.0,
        *,
        burst: int = BURST,
        window: float = WINDOW,
        margin: float = MARGIN,
        max_debt: float = MAX_DEBT,
        offset: Callable[[], float] = lambda: 0.0,
    ) -> None:
        self.redis = redis
        self.bot_id = bot_id
        self.span = 1.0 + margin
        self.interval = self.span / rate
        self.tolerance = max(self.interval * (burst - 1), window)
        self.chat_interval = self.span / per_chat_rate
        self.max_debt = max_debt
        self.cap = window_cap(rate)
        self.offset = offset
        self._reserve = redis.register_script(_RESERVE)
        self._note = redis.register_script(_NOTE)
        self._pause = redis.register_script(_PAUSE)
        self._global = key("pace", bot_id, "global")
        self._paused = key("pace", bot_id, "paused")
        self._recent = key("pace", bot_id, "recent")

    async def reserve(self, chats: Sequence[int]) -> tuple[list[bool], float]:
        keys = [
            self._global,
            self._paused,
            self._recent,
            *(key("pace", self.bot_id, "chat", c) for c in chats),
        ]
        args = [
            self.interval,
            self.chat_interval,
            self.tolerance,
            self.cap,
            self.span,
            self.offset(),
        ]
        flags, wait = await self._reserve(keys=keys, args=args)
        if isinstance(flags, bytes):
            flags = flags.decode()
        return [f == "1" for f in flags], float(wait)

    async def note(self, chat: int | None = None) -> None:
        keys = [self._global, self._recent]
        if chat is not None:
            keys.append(key("pace", self.bot_id, "chat", chat))
        args = [
            self.interval,
            self.max_debt,
            self.cap,
            self.span,
            self.offset(),
            self.chat_interval,
        ]
        await self._note(keys=keys, args=args)

    async def pause(self, seconds: float) -> None:
        await self._pause(keys=[self._paused], args=[seconds, self.offset()])
