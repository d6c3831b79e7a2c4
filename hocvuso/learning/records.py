"""A learner's record: lessons done, answers, review cards, streaks.

Domain functions of the open session and plain values: no chat, no transport. Every answer is
appended once (``quiz_attempt`` is unique per prompt nonce), so a redelivered press is harmless.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.content.loader import LessonRef, Pack
from hocvuso.learning import srs
from hocvuso.storage.models import LessonProgress, QuizAttempt, ReviewCard

REVIEWS_PER_SESSION = 5
STREAK_WINDOW_DAYS = 400


async def finished_lessons(session: AsyncSession, learner_id: int) -> set[str]:
    """Lessons done or placed out of."""
    result = await session.exec(
        select(LessonProgress.lesson_id).where(
            LessonProgress.learner_id == learner_id,
            col(LessonProgress.status).in_(("done", "placed_out")),
        )
    )
    return set(result.all())


async def due_cards(
    session: AsyncSession,
    learner_id: int,
    pack: Pack,
    now: datetime,
    limit: int = REVIEWS_PER_SESSION,
) -> list[ReviewCard]:
    """Cards due now, most overdue first; cards of questions no longer in the pack are skipped."""
    result = await session.exec(
        select(ReviewCard)
        .where(ReviewCard.learner_id == learner_id, ReviewCard.due <= now)
        .order_by(col(ReviewCard.due))
        .limit(limit)
    )
    return [card for card in result.all() if card.question_id in pack.questions]


async def count_due(session: AsyncSession, learner_id: int, now: datetime) -> int:
    result = await session.exec(
        select(func.count())
        .select_from(ReviewCard)
        .where(ReviewCard.learner_id == learner_id, ReviewCard.due <= now)
    )
    return int(result.one())


async def next_review_at(session: AsyncSession, learner_id: int) -> datetime | None:
    result = await session.exec(
        select(func.min(ReviewCard.due)).where(ReviewCard.learner_id == learner_id)
    )
    return result.one()


def place_out(
    session: AsyncSession, learner_id: int, lessons: list[LessonRef], now: datetime
) -> None:
    """Mark lessons the placement showed the learner already knows."""
    session.add_all(
        _progress(learner_id, ref, "placed_out", now, completed=True) for ref in lessons
    )


def _progress(
    learner_id: int, ref: LessonRef, status: str, now: datetime, *, completed: bool
) -> LessonProgress:
    return LessonProgress(
        learner_id=learner_id,
        lesson_id=ref.lesson.id,
        level=ref.level,
        status=status,
        started_at=now,
        completed_at=now if completed else None,
    )


async def start_lesson(
    session: AsyncSession, learner_id: int, ref: LessonRef, now: datetime
) -> None:
    """The lesson is shown: it counts as started (once)."""
    existing = await session.exec(
        select(LessonProgress).where(
            LessonProgress.learner_id == learner_id, LessonProgress.lesson_id == ref.lesson.id
        )
    )
    if existing.first() is None:
        session.add(_progress(learner_id, ref, "started", now, completed=False))


async def finish_lesson(
    session: AsyncSession, learner_id: int, lesson_id: str, now: datetime
) -> set[str]:
    """The lesson's questions are answered: it is done. Returns the lessons finished now."""
    result = await session.exec(
        select(LessonProgress).where(
            LessonProgress.learner_id == learner_id, LessonProgress.lesson_id == lesson_id
        )
    )
    progress = result.first()
    if progress is not None:
        progress.status = "done"
        progress.completed_at = now
    await session.flush()
    return await finished_lessons(session, learner_id)


async def record_answer(
    session: AsyncSession,
    learner_id: int,
    question_id: str,
    *,
    mode: str,
    chosen: int,
    correct: bool,
    nonce: str,
    lesson_id: str | None,
    exam_id: int | None,
    now: datetime,
) -> None:
    """Append the answer; in lessons and reviews, schedule the question's next review (FSRS)."""
    session.add(
        QuizAttempt(
            learner_id=learner_id,
            question_id=question_id,
            mode=mode,
            chosen=chosen,
            correct=correct,
            prompt_nonce=nonce,
            lesson_id=lesson_id,
            exam_id=exam_id,
            answered_at=now,
        )
    )
    if mode not in {"lesson", "review"}:
        return
    result = await session.exec(
        select(ReviewCard).where(
            ReviewCard.learner_id == learner_id, ReviewCard.question_id == question_id
        )
    )
    card = result.first() or srs.new_card(learner_id, question_id, now)
    session.add(srs.review(card, correct, now))


async def streak_days(session: AsyncSession, learner_id: int, zone: ZoneInfo, now: datetime) -> int:
    """Consecutive local days with at least one answer, ending today or yesterday."""
    since = now - timedelta(days=STREAK_WINDOW_DAYS)
    result = await session.exec(
        select(QuizAttempt.answered_at).where(
            QuizAttempt.learner_id == learner_id, QuizAttempt.answered_at >= since
        )
    )
    days: set[date] = {moment.astimezone(zone).date() for moment in result.all()}
    return streak_of(days, now.astimezone(zone).date())


def streak_of(days: set[date], today: date) -> int:
    """Consecutive days in ``days`` ending ``today`` or, if not studied yet today, yesterday."""
    day = today if today in days else today - timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak
