"""The Core tables behind the models, for set-based statements (sweeps, reports, fan-out).

One place names them, typed as :class:`sqlalchemy.Table`, so that modules need no
``Model.__table__`` (which SQLModel does not declare) of their own.
"""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert
from sqlmodel import SQLModel

from hocvuso.storage import models, organising, scheduling, xapi  # noqa: F401  (registers the tables)

_tables = SQLModel.metadata.tables
LEARNER: Table = _tables["learner"]
REVIEW_CARD: Table = _tables["review_card"]
QUIZ_ATTEMPT: Table = _tables["quiz_attempt"]
LESSON_PROGRESS: Table = _tables["lesson_progress"]
CERTIFICATE: Table = _tables["certificate"]
EXAM_ATTEMPT: Table = _tables["exam_attempt"]
UNIT: Table = _tables["unit"]
DELIVERY: Table = _tables["delivery"]
BROADCAST: Table = _tables["broadcast"]
CAMPAIGN: Table = _tables["campaign"]
SENDER_LEASE: Table = _tables["sender_lease"]
PROCESSED_UPDATE: Table = _tables["processed_update"]
BOT: Table = _tables["bot"]
ROLE_INVITE: Table = _tables["role_invite"]
XAPI_STATEMENT: Table = _tables["xapi_statement"]
MENTOR_LINK: Table = _tables["mentor_link"]


def insert_ignore(connection: AsyncConnection, table: Table, *conflict: str) -> Insert:
    """``INSERT … ON CONFLICT [(conflict columns)] DO NOTHING`` for the connection's dialect."""
    columns = list(conflict) or None
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=columns)
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=columns)
