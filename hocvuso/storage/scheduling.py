"""Tables of the scheduler: campaigns, broadcasts and the durable delivery queue.

Every outgoing bulk message (reminder, campaign message, announcement) is one ``delivery`` row with
an idempotency key (unique) and a state that is written before the message is sent:

``pending`` → ``claimed`` (reserved by a sender, with a lease) → ``sending`` (committed just
before the Bot API call) → ``sent`` | ``blocked`` | ``dead`` | ``skipped``; a 429 or a
transient failure puts the row back to ``pending`` with ``not_before`` in the future. A claim whose
sender died goes back to ``pending`` (nothing was sent); a ``sending`` row whose sender died becomes
``unknown``: it may or may not have reached Telegram, so it is never resent automatically.

The chat id is not copied here: it is read from the learner when the row is claimed, so erasure or
blocking always wins over a queued message.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    Float,
    Index,
    LargeBinary,
    Table,
    Text,
    Unicode,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlmodel import Field, SQLModel

from hocvuso.storage.types import UTCDateTime, utcnow


class CampaignStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    CANCELLED = "cancelled"


class Campaign(SQLModel, table=True):
    """A drive toward a milestone: messages placed relative to its date (scheduler.campaigns)."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    milestone: date = Field(sa_type=Date)
    #: The whole definition as loaded from YAML (audience, target, peak, messages).
    spec: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=CampaignStatus.ACTIVE, max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BroadcastKind(StrEnum):
    ANNOUNCEMENT = "announcement"
    CAMPAIGN = "campaign"


class Broadcast(SQLModel, table=True):
    """One bulk send: an organiser's announcement or one occurrence of a campaign message."""

    __table_args__ = (
        UniqueConstraint("campaign_id", "occurrence", name="uq_broadcast_occurrence"),
        # The progress sweep: broadcasts someone asked for in chat that are not finished yet.
        Index("ix_broadcast_open", "finished_at", "requested_by"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", ondelete="CASCADE")
    #: Which campaign message on which day, e.g. ``"2:2026-12-01"`` (unique per campaign).
    occurrence: str | None = Field(default=None, max_length=32)
    text: str = Field(sa_column=Column(Text, nullable=False))
    audience: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: The organiser who sent it from the chat: told of its progress (None: CLI or campaign).
    requested_by: int | None = Field(default=None)
    #: The last progress step the organiser was told of (25, 50, 75 per cent).
    progress_reported: int = Field(default=0)
    #: When every delivery reached a final state and the organiser was told.
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DeliveryKind(StrEnum):
    REMINDER = "reminder"
    CAMPAIGN = "campaign"
    ANNOUNCEMENT = "announcement"
    NUDGE = "nudge"  # a mentor's "nhắc nhở" to a mentee
    MENTOR = "mentor"  # to a mentor: a mentee's reply, a mentee's new certificate
    PROGRESS = "progress"  # to an organiser: how their broadcast is going


class DeliveryState(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENDING = "sending"
    SENT = "sent"
    BLOCKED = "blocked"  # 403: the person blocked the bot
    SKIPPED = "skipped"  # the learner was blocked or erased before the message went out
    DEAD = "dead"  # failed permanently or too often: the dead letters the CLI shows
    UNKNOWN = "unknown"  # the sender died during the Bot API call: maybe sent, never resent


#: States a delivery never leaves by itself.
FINAL_STATES = (
    DeliveryState.SENT,
    DeliveryState.BLOCKED,
    DeliveryState.SKIPPED,
    DeliveryState.DEAD,
    DeliveryState.UNKNOWN,
)


class Delivery(SQLModel, table=True):
    __table_args__ = (
        # The sender's claim query: pending rows whose time has come, by priority.
        Index("ix_delivery_queue", "state", "bot_id", "not_before"),
        Index("ix_delivery_broadcast_state", "broadcast_id", "state"),
        # The reminder sweep: a learner's reminders of the last days (the per-day cap).
        Index("ix_delivery_learner_kind_day", "learner_id", "kind", "day"),
        # The retention sweep (hocvuso.delivery.retention): finished rows past their time, and
        # rows whose text is still kept (a partial index: blanked rows leave it).
        Index("ix_delivery_state_created", "state", "created_at"),
        Index(
            "ix_delivery_text_kept",
            "created_at",
            postgresql_where=sql_text("text <> ''"),
            sqlite_where=sql_text("text <> ''"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    #: Idempotency key: enqueueing the same message twice is a no-op.
    key: str = Field(max_length=96, unique=True)
    kind: str = Field(max_length=16)
    broadcast_id: int | None = Field(default=None, foreign_key="broadcast.id", ondelete="CASCADE")
    learner_id: int = Field(foreign_key="learner.id", ondelete="CASCADE")
    #: The learner's bot, which sends it (each bot's sender claims its own deliveries).
    bot_id: int = Field(default=0, sa_type=BigInteger)
    #: Lower goes first (reminders before campaign messages before announcements).
    priority: int = Field(default=0)
    #: The learner's local date the message belongs to (reminders: one per day).
    day: str | None = Field(default=None, max_length=10)
    text: str = Field(sa_column=Column(Text, nullable=False))
    buttons: list[list[list[str]]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    state: str = Field(default=DeliveryState.PENDING, max_length=16)
    attempts: int = Field(default=0)
    not_before: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


#: APScheduler's persistent job store (``SQLAlchemyJobStore``), declared here so that migrations,
#: not the scheduler at start-up, create it. Same shape as APScheduler 3.11 creates.
JOBS_TABLE = "apscheduler_jobs"
apscheduler_jobs = Table(
    JOBS_TABLE,
    SQLModel.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
