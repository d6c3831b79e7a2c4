"""Spaced repetition: FSRS state of review cards (the ``fsrs`` package, 6.x API)."""

from __future__ import annotations

from datetime import datetime

from fsrs import Card, Rating, Scheduler, State

from hocvuso.storage.models import ReviewCard

#: Chat sessions happen at most a few times a day: no minute-long learning steps. A new card
#: answered well comes back in days; a lapse comes back at the next day's session.
_scheduler = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=True)


def rating_for(correct: bool) -> Rating:
    return Rating.Good if correct else Rating.Again


#: fsrs numbers a card it creates by the clock and then sleeps a millisecond (``time.sleep``, which
#: would stall the event loop); our cards have their own ids, so fsrs's is a constant.
CARD_ID = 0


def _to_fsrs(card: ReviewCard) -> Card:
    return Card(
        card_id=CARD_ID,
        state=State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def new_card(learner_id: int, question_id: str, now: datetime) -> ReviewCard:
    fresh = Card(card_id=CARD_ID, due=now)
    return ReviewCard(
        learner_id=learner_id,
        question_id=question_id,
        state=int(fresh.state),
        step=fresh.step,
        stability=fresh.stability,
        difficulty=fresh.difficulty,
        due=now,
    )


def review(card: ReviewCard, correct: bool, now: datetime) -> ReviewCard:
    """Apply one answer to a card, in place, and return it."""
    updated, _log = _scheduler.review_card(_to_fsrs(card), rating_for(correct), now)
    card.state = int(updated.state)
    card.step = updated.step
    card.stability = updated.stability
    card.difficulty = updated.difficulty
    card.due = updated.due
    card.last_review = now
    card.reps += 1
    if not correct:
        card.lapses += 1
    return card
