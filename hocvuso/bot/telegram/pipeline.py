"""Applying updates as they come: one chat's in order, different chats at the same time.

Every update is put in its chat's queue; a chat's queue is drained by one task, so the updates
of one person are applied strictly in arrival order (not in whatever order asyncio happens to
wake lock waiters). Different chats run concurrently. At most ``limit`` updates are accepted and
not yet finished: ``submit`` waits for room, so a flood slows the intake down (back-pressure)
instead of growing memory.

``watermark`` is the smallest update id that is not finished yet (or one past the highest one
seen): everything below it has been applied and delivered. Long polling confirms exactly that
offset to Telegram, so a crash means redelivery (which the engine recognises), never loss.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable

from aiogram.enums import ChatType
from aiogram.types import Update

log = logging.getLogger(__name__)
#: Updates accepted and not finished at most (long polling holds at most 100 beyond the
#: watermark anyway: that is the most one getUpdates returns).
LIMIT = 256
Entry = tuple[Update, "asyncio.Future[None]"]


def chat_key(update: Update) -> Hashable:
    """Whose turn an update waits for: the person (private chats: who pressed, who wrote),
    else the update alone (a group's or a channel's updates are not served: they are
    dropped at once, and never wait behind, or hold up, a person's)."""
    if update.callback_query is not None:
        query = update.callback_query
        if query.message is not None and query.message.chat.type == ChatType.PRIVATE:
            return ("user", query.from_user.id)
    elif update.message is not None:
        message = update.message
        if message.chat.type == ChatType.PRIVATE and message.from_user is not None:
            return ("user", message.from_user.id)
    return ("update", update.update_id)


class Pipeline:
    def __init__(self, handle: Callable[[Update], Awaitable[object]], limit: int = LIMIT) -> None:
        self._handle = handle
        self.limit = limit
        self._room = asyncio.Semaphore(limit)
        self._queues: dict[Hashable, deque[Entry]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._open: set[int] = set()
        self._highest: int | None = None
        self._progress = asyncio.Event()
        self.peak = 0  # the most updates in flight at once (observability, tests)
        self.finished = 0  # updates finished so far

    @property
    def in_flight(self) -> int:
        return len(self._open)

    @property
    def highest(self) -> int | None:
        """The highest update id accepted so far."""
        return self._highest

    def watermark(self) -> int | None:
        """The offset to confirm: every update below it is finished."""
        if self._open:
            return min(self._open)
        return None if self._highest is None else self._highest + 1

    def seen(self, update_id: int) -> bool:
        return self._highest is not None and update_id <= self._highest

    def skip(self, update_id: int) -> None:
        """An update that is not applied (it cannot be read): confirmed like a finished one."""
        if self._highest is None or update_id > self._highest:
            self._highest = update_id

    async def submit(self, update: Update) -> asyncio.Future[None]:
        """Accept an update (waiting for room); the future is done once it has been applied."""
        await self._room.acquire()
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._open.add(update.update_id)
        self.peak = max(self.peak, len(self._open))
        if self._highest is None or update.update_id > self._highest:
            self._highest = update.update_id
        key = chat_key(update)
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = deque()
            task = asyncio.create_task(self._drain(key, queue))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        queue.append((update, done))
        return done

    async def _drain(self, key: Hashable, queue: deque[Entry]) -> None:
        while queue:
            update, done = queue[0]
            try:
                await self._handle(update)
            except Exception:  # the error router has told the person; go on with the next
                log.exception("update %s failed", update.update_id)
            finally:
                queue.popleft()
                self._open.discard(update.update_id)
                self.finished += 1
                self._room.release()
                if not done.done():
                    done.set_result(None)
                self._progress.set()
        del self._queues[key]

    async def progress(self, seconds: float) -> None:
        """Wait until some update finishes (or ``seconds`` pass)."""
        self._progress.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._progress.wait(), seconds)

    async def join(self) -> None:
        """Wait until every accepted update is finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
