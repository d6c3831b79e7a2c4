"""xapi outbox

The outbox of xAPI statements for the Learning Record Store (``hocvuso.storage.xapi``): one row
per statement, written with what it records, with the index of the sender's sweep (state, next
try) and of the retention sweep (state, sent).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 13:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import hocvuso.storage.types


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'xapi_statement',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column('learner_id', sa.Integer(), nullable=False),
        sa.Column('verb', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('statement', sa.JSON(), nullable=False),
        sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', hocvuso.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('next_try_at', hocvuso.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('lease_until', hocvuso.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('sent_at', hocvuso.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('xapi_statement', schema=None) as batch_op:
        batch_op.create_index('ix_xapi_state_next', ['state', 'next_try_at'], unique=False)
        batch_op.create_index('ix_xapi_state_sent', ['state', 'sent_at'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_xapi_statement_learner_id'), ['learner_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('xapi_statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_xapi_statement_learner_id'))
        batch_op.drop_index('ix_xapi_state_sent')
        batch_op.drop_index('ix_xapi_state_next')
    op.drop_table('xapi_statement')
