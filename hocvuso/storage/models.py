"""The central store: SQLModel tables.

Every time is a timezone-aware UTC datetime. Quiz attempts are append-only. Indexes are declared
for every query the learning loop, the sweeps and the reports run.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from hocvuso.storage.types import UTCDateTime, utcnow


def _time(*, index: bool = False, nullable: bool = True) -> Any:
    return Field(default=None, sa_type=UTCDateTime, index=index, nullable=nullable)


class LearnerStatus(StrEnum):
    ACTIVE = "active"
    BLOCKED = "blocked"  # the person blocked the bot: we stop sending
    ERASED = "erased"  # personal data erased on request; anonymous aggregates stay


class Learner(SQLModel, table=True):
    __table_args__ = (
        # A person is a learner of the bot they talk to: identity is platform + bot + chat.
        UniqueConstraint("platform", "bot_id", "chat_id", name="uq_learner_platform_bot_chat"),
        Index("ix_learner_unit_status", "unit_code", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    #: The bot (``bot.id``, Telegram's id of the bot) this learner talks to; 0 for a platform
    #: without bots (the terminal chat), and for Telegram learners from before there were
    #: several bots until the first registered bot adopts them (``hocvuso.delivery.bots``).
    bot_id: int = Field(default=0, sa_type=BigInteger)
    chat_id: int | None = Field(default=None, sa_type=BigInteger)
    display_name: str | None = Field(default=None, max_length=128)
    role: str | None = Field(default=None, max_length=32)
    unit_code: str | None = Field(default=None, max_length=64)
    language: str = Field(default="vi", max_length=8)
    timezone: str = Field(default="Asia/Ho_Chi_Minh", max_length=64)
    reminder_hour: int = Field(default=19)
    consent_at: datetime | None = _time()
    consent_version: str | None = Field(default=None, max_length=32)
    status: str = Field(default=LearnerStatus.ACTIVE, max_length=16)
    level: int = Field(default=1)
    placement_done: bool = Field(default=False)
    #: The learner's place in the conversation: step, pending prompt nonce, question queue.
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_active_at: datetime | None = _time()
    erased_at: datetime | None = _time()
    #: "Tạm nghỉ": no reminders or campaign messages before this moment.
    reminders_paused_until: datetime | None = _time()


class Bot(SQLModel, table=True):
    """A bot of this deployment (one per province, say). Its token is never stored: only the
    name of the environment variable that holds it."""

    id: int = Field(primary_key=True, sa_type=BigInteger)  # Telegram's id of the bot
    platform: str = Field(default="telegram", max_length=16)
    name: str = Field(max_length=32, unique=True)
    token_env: str = Field(max_length=64)
    username: str | None = Field(default=None, max_length=64)
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: Retired: not served, not sent through; its learners stay (their history, their reports).
    retired_at: datetime | None = _time()


class ConsentRefusal(SQLModel, table=True):
    """A refusal of consent: the only thing kept about someone who declined (no identifier)."""

    __tablename__ = "consent_refusal"
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    consent_version: str = Field(max_length=32)
    refused_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LessonProgress(SQLModel, table=True):
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("learner_id", "lesson_id", name="uq_progress_lesson"),)

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", index=True, ondelete="CASCADE")
    lesson_id: str = Field(max_length=64)
    level: int
    #: started | done | placed_out (the placement showed the learner already knows it)
    status: str = Field(max_length=16)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = _time()


UNPREDICTED = "mode = 'review' AND predicted_recall IS NULL"


class QuizAttempt(SQLModel, table=True):
    """One answer a learner gave. Append-only: never updated, never deleted while identified."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (
        # A prompt (identified by its nonce) is answered at most once: exactly-once in the store.
        UniqueConstraint("learner_id", "prompt_nonce", name="uq_attempt_prompt"),
        Index("ix_attempt_learner_time", "learner_id", "answered_at"),
        # The reviews recorded before migration 0012, which the retention report replays (and
        # ``db backfill-recall`` fills): empty once backfilled, so finding none is instant.
        Index(
            "ix_attempt_unpredicted",
            "learner_id",
            "question_id",
            sqlite_where=text(UNPREDICTED),
            postgresql_where=text(UNPREDICTED),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", ondelete="CASCADE")
    question_id: str = Field(max_length=64)
    mode: str = Field(max_length=16)  # placement | lesson | review | exam
    chosen: int
    correct: bool
    prompt_nonce: str = Field(max_length=16)
    lesson_id: str | None = Field(default=None, max_length=64)
    exam_id: int | None = Field(default=None, foreign_key="exam_attempt.id")
    answered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: A review's FSRS retrievability of the card just before it (``record_answer``);
    #: NO_PREDICTION for a review of a card with no state; None for other answers and for
    #: reviews recorded before migration 0012 (the retention report replays those).
    predicted_recall: float | None = None


#: ``QuizAttempt.predicted_recall`` of a review that could predict nothing (no earlier card).
NO_PREDICTION = -1.0


class ReviewCard(SQLModel, table=True):
    """FSRS state of one question for one learner."""

    __tablename__ = "review_card"
    __table_args__ = (
        UniqueConstraint("learner_id", "question_id", name="uq_card_question"),
        Index("ix_card_learner_due", "learner_id", "due"),
        Index("ix_card_due", "due"),
    )

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", ondelete="CASCADE")
    question_id: str = Field(max_length=64)
    state: int
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime = Field(sa_type=UTCDateTime)
    last_review: datetime | None = _time()
    reps: int = Field(default=0)
    lapses: int = Field(default=0)


class ExamAttempt(SQLModel, table=True):
    """A level exam taken: the level result."""

    __tablename__ = "exam_attempt"
    __table_args__ = (Index("ix_exam_learner_level", "learner_id", "level"),)

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", ondelete="CASCADE")
    level: int
    question_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    correct: int = Field(default=0)
    answered: int = Field(default=0)
    passed: bool | None = None
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = _time()


class Certificate(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("learner_id", "level", name="uq_certificate_level"),
        UniqueConstraint("status_index", name="uq_certificate_status_index"),
        Index("ix_certificate_issued", "issued_at"),
    )

    id: str = Field(primary_key=True, max_length=32)
    learner_id: int = Field(foreign_key="learner.id", ondelete="CASCADE")
    level: int
    exam_id: int = Field(foreign_key="exam_attempt.id", unique=True)
    score: int
    total: int
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: Revoked by an admin (``hocvuso certificate revoke``) or when its holder erased their data
    #: (``/forget``): the code stays findable and its page says only "revoked".
    revoked_at: datetime | None = _time()
    #: Why it was revoked (for the audit and the CLI; never shown on the public page).
    revoked_reason: str | None = Field(default=None, max_length=500)
    #: The signed Open Badges 3.0 credential as issued (``hocvuso.learning.certification``);
    #: None before it was signed (``hocvuso certificate backfill``) and after an erasure.
    credential: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    #: Its bit in the revocation status lists (list ``index // LIST_SIZE``).
    status_index: int | None = None


class ProcessedUpdate(SQLModel, table=True):
    """A platform update already applied, with the replies it produced.

    Written in the same transaction as the update's effects. A redelivered update is recognised
    here; if its replies were never confirmed as sent, they are sent again instead of re-applying.
    """

    __tablename__ = "processed_update"
    bot_id: int = Field(primary_key=True, sa_type=BigInteger)
    update_id: int = Field(primary_key=True, sa_type=BigInteger)
    learner_id: int | None = Field(default=None, index=True)
    #: The chat the update came from: its replies are replayed only to that chat (Telegram
    #: starts update ids again after a week without updates, so an id can come back from
    #: someone else). Pruned with the row.
    chat_id: int | None = Field(default=None, sa_type=BigInteger)
    replies: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    processed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    delivered_at: datetime | None = _time()


class SenderLease(SQLModel, table=True):
    """Without Redis, one process at a time sends a bot's queued messages (each would pace itself
    to the full rate): its holder renews ``seen_at`` every few seconds; a lease not renewed for
    ``HOCVUSO_SENDER_TTL`` seconds is free (see ``hocvuso.scheduler.senders``)."""

    __tablename__ = "sender_lease"
    bot_id: str = Field(primary_key=True, max_length=32)
    #: ``host:pid:nonce`` of the holding process.
    holder: str = Field(max_length=128)
    #: What it is: ``run``, ``scheduler`` or ``broadcast``.
    command: str = Field(max_length=16)
    seen_at: datetime = Field(sa_type=UTCDateTime)
