"""A small in-process cache of computed figures, for a few minutes (the dashboard's item
analysis and trend: seconds, or hundreds of milliseconds, at national scale; they change
slowly). Each web process keeps its own; nothing is shared or needs clearing."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class TimedCache(Generic[K, V]):
    """Values kept ``ttl`` from when they were computed, at most ``size`` (the oldest go)."""

    def __init__(self, ttl: timedelta, size: int = 256) -> None:
        self.ttl = ttl
        self.size = size
        self._items: OrderedDict[K, tuple[datetime, V]] = OrderedDict()

    def get(self, key: K, now: datetime) -> tuple[datetime, V] | None:
        """(when it was computed, the value), or None when missing or too old."""
        found = self._items.get(key)
        if found is None or found[0] + self.ttl <= now or found[0] > now:
            return None
        return found

    def put(self, key: K, at: datetime, value: V) -> None:
        self._items[key] = (at, value)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
