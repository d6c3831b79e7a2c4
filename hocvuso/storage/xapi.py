"""The xAPI outbox: statements waiting for (or accepted by) the Learning Record Store.

A statement is written in the same transaction as what it records (an answer, a lesson done, an
exam graded), under an id derived from what it records (``uuid5``), so a retried transaction or a
redelivered update can only ever make the same statement. The sender (``hocvuso.delivery.xapi``)
claims ``pending`` rows whose ``next_try_at`` has come by setting ``lease_until``; a row stays
``pending`` while leased, so a sender that died leaves it to the next one when the lease runs
out (the LRS recognises the id: sending a statement twice stores it once).

``pending`` → ``sent`` (the LRS stored it, or already had it) | ``dead`` (refused for good, or
too many failed attempts; ``hocvuso xapi retry`` puts it back).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from hocvuso.storage.types import UTCDateTime, utcnow


class XapiState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class XapiStatement(SQLModel, table=True):
    __tablename__ = "xapi_statement"
    __table_args__ = (
        # The sender's sweep: pending rows whose time has come, oldest first.
        Index("ix_xapi_state_next", "state", "next_try_at"),
        # The retention sweep: statements sent long ago.
        Index("ix_xapi_state_sent", "state", "sent_at"),
    )

    #: The statement's id (a UUID in its canonical text form), the same in the LRS.
    id: str = Field(primary_key=True, max_length=36)
    learner_id: int = Field(foreign_key="learner.id", index=True, ondelete="CASCADE")
    #: ``answered``, ``completed``, ``passed`` or ``failed`` (the verb's last word).
    verb: str = Field(max_length=16)
    statement: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    state: str = Field(default=XapiState.PENDING, max_length=16)
    attempts: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    next_try_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: A sender holds the row until then (it stays ``pending``).
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    #: The LRS's status code and a short reason; never a statement's content.
    last_error: str | None = Field(default=None, max_length=200)
