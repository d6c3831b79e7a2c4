"""sender lease: one sending process per bot without Redis

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 01:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import hocvuso.storage.types


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sender_lease',
    sa.Column('bot_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('command', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('seen_at', hocvuso.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('bot_id')
    )


def downgrade() -> None:
    op.drop_table('sender_lease')
