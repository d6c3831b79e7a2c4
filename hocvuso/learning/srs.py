"""Spaced repetition: FSRS state of review cards (the ``fsrs`` package, 6.x API)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fsrs import Card, Rating, Scheduler, State

#: Chat sessions happen at most a few times a day: no minute-long learning steps. A new card
#: answered well comes back in days; a lapse comes back at the next day's session.
_scheduler = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=True)


def rating_for(correct: bool) -> Rating:
    return Rating.Good if correct else Rating.Again


#: fsrs numbers a card it creates by the clock and then sleeps a millisecond (``time.sleep``, which
#: would stall the event loop); our cards have their own ids, so fsrs's is a constant.
CARD_ID = 0


#: The columns of a review card that an answer changes.
COLUMNS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")


def next_values(card: Mapping[str, Any] | None, correct: bool, now: datetime) -> dict[str, Any]:
    """The card's :data:`COLUMNS` after one answer; ``card`` holds their current values (``None``:
    the question's first answer, a new card)."""
    if card is None:
        current = Card(card_id=CARD_ID, due=now)
        reps = lapses = 0
    else:
        current = _card(card)
        reps, lapses = card["reps"], card["lapses"]
    updated, _log = _scheduler.review_card(current, rating_for(correct), now)
    return {
        "state": int(updated.state),
        "step": updated.step,
        "stability": updated.stability,
        "difficulty": updated.difficulty,
        "due": updated.due,
        "last_review": now,
        "reps": reps + 1,
        "lapses": lapses + (0 if correct else 1),
    }


def _card(card: Mapping[str, Any]) -> Card:
    return Card(
        card_id=CARD_ID,
        state=State(card["state"]),
        step=card["step"],
        stability=card["stability"],
        difficulty=card["difficulty"],
        due=card["due"],
        last_review=card["last_review"],
    )


def retrievability(card: Mapping[str, Any], now: datetime) -> float | None:
    """FSRS's predicted probability of recalling the card's question at ``now`` (None: a card
    never reviewed)."""
    if card["stability"] is None or card["last_review"] is None:
        return None
    return float(_scheduler.get_card_retrievability(_card(card), now))
