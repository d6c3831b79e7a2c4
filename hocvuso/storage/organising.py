"""Tables of organisers and peer mentors: the unit tree, scoped roles, invites, the audit log,
mentor links, nudges and a learner's preferences about them.

The unit tree keeps a materialised path of ids (``/1/5/23/``): a unit's subtree is every unit
whose path starts with its own, which keeps report and audience queries set-based. Learners
belong to a unit through ``learner.unit_code`` (= ``unit.code``), so the existing audiences and
campaign statistics see the same membership.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from hocvuso.storage.types import UTCDateTime, utcnow


class Role(StrEnum):
    LEARNER = "learner"  # everyone; never stored as a grant
    MENTOR = "mentor"
    ORGANISER = "organiser"
    ADMIN = "admin"


#: Roles that can be granted (a learner is simply someone who agreed to the consent screen).
GRANTABLE = (Role.MENTOR, Role.ORGANISER, Role.ADMIN)


class Unit(SQLModel, table=True):
    __table_args__ = (Index("ix_unit_path", "path"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=300)
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    #: Ids from the root down to this unit, ``/1/5/23/``: the subtree is ``path LIKE '/1/5/%'``.
    path: str = Field(max_length=512)
    #: What a learner types in onboarding or opens as ``t.me/<bot>?start=<invite_code>``.
    invite_code: str = Field(max_length=32, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RoleGrant(SQLModel, table=True):
    """A role held by a learner, scoped to a unit subtree (admins: ``unit_id`` is None)."""

    __tablename__ = "role_grant"
    __table_args__ = (Index("ix_role_grant_learner", "learner_id", "revoked_at"),)

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", ondelete="CASCADE")
    role: str = Field(max_length=16)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    #: Who granted it (a learner id; None: the command line).
    granted_by: int | None = None
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RoleInvite(SQLModel, table=True):
    """A one-time, expiring invitation to a role (``t.me/<bot>?start=r-<token>``)."""

    __tablename__ = "role_invite"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=48, unique=True)
    role: str = Field(max_length=16)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", ondelete="CASCADE")
    created_by: int | None = None
    #: A personal invitation (an organiser invited a suggested mentor): only they may accept.
    invitee_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_by: int | None = None
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuditEntry(SQLModel, table=True):
    """Who did what, when, in which scope. Ids only: never names, chat ids or message texts."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_unit_at", "unit_id", "at"),
        # The dashboard's audit page: one action, newest first.
        Index("ix_audit_action_id", "action", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    #: The acting learner (None: the command line, see ``via``).
    actor_id: int | None = Field(default=None, index=True)
    via: str = Field(max_length=16)  # chat | cli
    action: str = Field(max_length=48)
    unit_id: int | None = None
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class MentorLink(SQLModel, table=True):
    __tablename__ = "mentor_link"
    __table_args__ = (UniqueConstraint("mentor_id", "mentee_id", name="uq_mentor_mentee"),)

    id: int | None = Field(default=None, primary_key=True)
    mentor_id: int = Field(foreign_key="learner.id", ondelete="CASCADE")
    mentee_id: int = Field(foreign_key="learner.id", ondelete="CASCADE", index=True)
    created_by: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MentorCode(SQLModel, table=True):
    """A mentor's own invite link for mentees (``t.me/<bot>?start=m-<code>``), reusable."""

    __tablename__ = "mentor_code"

    mentor_id: int = Field(primary_key=True, foreign_key="learner.id", ondelete="CASCADE")
    code: str = Field(max_length=32, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Nudge(SQLModel, table=True):
    """A "nhắc nhở" a mentor sent (its text goes through the delivery queue, not stored here)."""

    __table_args__ = (
        Index("ix_nudge_mentee_sent", "mentee_id", "sent_at"),
        Index("ix_nudge_mentor_sent", "mentor_id", "sent_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    mentor_id: int = Field(foreign_key="learner.id", ondelete="CASCADE")
    mentee_id: int = Field(foreign_key="learner.id", ondelete="CASCADE")
    custom: bool = Field(default=False)
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LearnerPreference(SQLModel, table=True):
    """What a learner chose about mentors and leaderboards (absent row: the defaults)."""

    __tablename__ = "learner_preference"

    learner_id: int = Field(primary_key=True, foreign_key="learner.id", ondelete="CASCADE")
    nudges_muted: bool = Field(default=False)
    leaderboard_opt_in: bool = Field(default=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DashboardLogin(SQLModel, table=True):
    """A one-time sign-in link to the organisers' dashboard (``/dashboard`` in the chat).

    Only the SHA-256 of the link's token is kept: whoever reads the table cannot sign in.
    """

    __tablename__ = "dashboard_login"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    learner_id: int = Field(foreign_key="learner.id", ondelete="CASCADE", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: The expiry sweep deletes old links by this column.
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DashboardSession(SQLModel, table=True):
    """A signed-in dashboard session: the cookie's SHA-256, idle and absolute expiry, CSRF."""

    __tablename__ = "dashboard_session"

    #: SHA-256 (hex) of the cookie's value; the value itself is never stored.
    id_hash: str = Field(max_length=64, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", ondelete="CASCADE", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: Absolute expiry (idle expiry is ``last_seen_at`` + the idle timeout); swept by this column.
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    #: Every form of the session carries it; a POST without it is refused.
    csrf_secret: str = Field(max_length=64)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
