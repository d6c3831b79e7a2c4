"""A learner's record: lessons done, answers, review cards, streaks.

Domain functions of the open session and plain values: no chat, no transport. Every answer is
appended once (``quiz_attempt`` is unique per prompt nonce), so a redelivered press is harmless.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import Table, bindparam, exists, func, insert, update
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hocvuso.content.loader import LessonRef, Pack
from hocvuso.learning import srs
from hocvuso.storage.models import NO_PREDICTION, LessonProgress, QuizAttempt, ReviewCard

REVIEWS_PER_SESSION = 5
STREAK_WINDOW_DAYS = 400

# The statements of the study loop, built once (building one costs more than running it); Core
# rows, not ORM objects: nothing of these is kept in the session.
_PROGRESS: Table = SQLModel.metadata.tables["lesson_progress"]
_ATTEMPTS: Table = SQLModel.metadata.tables["quiz_attempt"]
_CARDS: Table = SQLModel.metadata.tables["review_card"]
_FINISHED = select(_PROGRESS.c.lesson_id).where(
    _PROGRESS.c.learner_id == bindparam("learner"),
    _PROGRESS.c.status.in_(("done", "placed_out")),
)
_DUE = (
    select(_CARDS.c.question_id)
    .where(_CARDS.c.learner_id == bindparam("learner"), _CARDS.c.due <= bindparam("now"))
    .order_by(_CARDS.c.due)
    .limit(bindparam("limit"))
)


def _insert_once(table: Table, columns: list[str], *key: str) -> Any:
    """INSERT of the ``columns`` (bound by name) unless a row with the same ``key`` columns
    exists: one statement, whether or not there was one; its row count says which."""
    values = sa.select(*(bindparam(name, type_=table.c[name].type) for name in columns))
    absent = ~exists().where(*(table.c[name] == bindparam(name) for name in key))
    return insert(table).from_select(columns, values.where(absent))


# A lesson shown counts as started once.
_START = _insert_once(
    _PROGRESS,
    ["learner_id", "lesson_id", "level", "status", "started_at"],
    "learner_id",
    "lesson_id",
)
_FINISH = (
    update(_PROGRESS)
    .where(
        _PROGRESS.c.learner_id == bindparam("learner"), _PROGRESS.c.lesson_id == bindparam("lesson")
    )
    .values(status="done", completed_at=bindparam("now"))
)
_ANSWER = insert(_ATTEMPTS)
_CARD = select(*(_CARDS.c[name] for name in ("id", *srs.COLUMNS))).where(
    _CARDS.c.learner_id == bindparam("learner_id"),
    _CARDS.c.question_id == bindparam("question_id"),
)
_NEW_CARD = insert(_CARDS)
#: A lesson's question is answered for the first time: its card is new (one statement).
_FIRST_CARD = _insert_once(
    _CARDS, ["learner_id", "question_id", *srs.COLUMNS], "learner_id", "question_id"
)
_UPDATE_CARD = update(_CARDS).where(_CARDS.c.id == bindparam("card"))


async def _run(session: AsyncSession, statement: Any, params: dict[str, Any]) -> Any:
    """Run one of the statements above. Without autoflush: they touch no object of the session
    (lesson records added as objects are flushed first, :func:`_flush_progress`), and flushing
    the learner's changed state here would only write the learner twice in one update."""
    with session.no_autoflush:
        return await session.exec(statement, params=params)


async def _flush_progress(session: AsyncSession) -> None:
    """Lesson records added or changed as objects (``place_out``) are written before a statement
    reads or writes the table directly."""
    if any(isinstance(obj, LessonProgress) for obj in chain(session.new, session.dirty)):
        await session.flush()


async def finished_lessons(session: AsyncSession, learner_id: int) -> set[str]:
    """Lessons done or placed out of."""
    await _flush_progress(session)
    result = await _run(session, _FINISHED, {"learner": learner_id})
    return set(result.all())


async def due_questions(
    session: AsyncSession,
    learner_id: int,
    pack: Pack,
    now: datetime,
    limit: int = REVIEWS_PER_SESSION,
) -> list[str]:
    """Questions of the cards due now, most overdue first; those no longer in the pack are
    skipped."""
    result = await _run(session, _DUE, {"learner": learner_id, "now": now, "limit": limit})
    return [question_id for question_id in result.all() if question_id in pack.questions]


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
    await _flush_progress(session)
    await _run(
        session,
        _START,
        {
            "learner_id": learner_id,
            "lesson_id": ref.lesson.id,
            "level": ref.level,
            "status": "started",
            "started_at": now,
        },
    )


async def finish_lesson(
    session: AsyncSession, learner_id: int, lesson_id: str, now: datetime
) -> set[str]:
    """The lesson's questions are answered: it is done. Returns the lessons finished now."""
    await _flush_progress(session)
    await _run(session, _FINISH, {"learner": learner_id, "lesson": lesson_id, "now": now})
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
    """Append the answer; in lessons and reviews, schedule the question's next review (FSRS).
    A review's answer keeps the recall FSRS predicted for it, the card's retrievability just
    before it (:data:`NO_PREDICTION` for a card with no state): the retention report sums those."""
    card = {"learner_id": learner_id, "question_id": question_id}
    found = None
    predicted: float | None = None
    if mode == "review":
        found = (await _run(session, _CARD, card)).first()
        recall = None if found is None else srs.retrievability(found._mapping, now)
        predicted = NO_PREDICTION if recall is None else recall
    await _run(
        session,
        _ANSWER,
        {
            "learner_id": learner_id,
            "question_id": question_id,
            "mode": mode,
            "chosen": chosen,
            "correct": correct,
            "prompt_nonce": nonce,
            "lesson_id": lesson_id,
            "exam_id": exam_id,
            "answered_at": now,
            "predicted_recall": predicted,
        },
    )
    if mode not in {"lesson", "review"}:
        return
    if mode == "lesson":  # a lesson's questions are new to the learner (but in a lesson redone)
        first = await _run(session, _FIRST_CARD, {**card, **srs.next_values(None, correct, now)})
        if first.rowcount == 1:
            return
        found = (await _run(session, _CARD, card)).first()
    if found is None:
        await _run(session, _NEW_CARD, {**card, **srs.next_values(None, correct, now)})
    else:
        values = srs.next_values(found._mapping, correct, now)
        await _run(session, _UPDATE_CARD, {"card": found.id, **values})


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
