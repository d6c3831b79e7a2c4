"""Spaced repetition through fsrs: scheduling an answer never stalls the event loop."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from hocvuso.learning import srs


def test_answers_are_scheduled_without_sleeping(monkeypatch: pytest.MonkeyPatch) -> None:
    # fsrs's Card() sleeps a millisecond when it has to number a card by the clock; in a bot
    # that serves many people from one event loop, every such sleep stalls all of them.
    def no_sleep(seconds: float) -> None:
        raise AssertionError(f"time.sleep({seconds}) on the event loop")

    monkeypatch.setattr(time, "sleep", no_sleep)
    now = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    card = srs.next_values(None, correct=True, now=now)  # the question's first answer
    first_due = card["due"]
    card = srs.next_values(card, correct=True, now=first_due)
    assert card["reps"] == 2
    assert card["due"] - first_due > timedelta(hours=1)  # a remembered card comes back later
    card = srs.next_values(card, correct=False, now=card["due"])
    assert card["lapses"] == 1
