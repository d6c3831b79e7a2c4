"""dashboard sign-in links and sessions

``dashboard_login``: one-time sign-in links (the token's SHA-256 only), 10 minutes.
``dashboard_session``: the cookie's SHA-256, idle and absolute expiry, the CSRF secret.
Both indexed by ``expires_at`` for the expiry sweep and by ``learner_id`` for ``/forget``.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 13:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import hocvuso.storage.types


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'dashboard_login',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('learner_id', sa.Integer(), nullable=False),
        sa.Column('created_at', hocvuso.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', hocvuso.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', hocvuso.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('dashboard_login', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dashboard_login_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dashboard_login_learner_id'), ['learner_id'], unique=False)

    op.create_table(
        'dashboard_session',
        sa.Column('id_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('learner_id', sa.Integer(), nullable=False),
        sa.Column('created_at', hocvuso.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', hocvuso.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', hocvuso.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('csrf_secret', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('revoked_at', hocvuso.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id_hash'),
    )
    with op.batch_alter_table('dashboard_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dashboard_session_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dashboard_session_learner_id'), ['learner_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dashboard_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dashboard_session_learner_id'))
        batch_op.drop_index(batch_op.f('ix_dashboard_session_expires_at'))
    op.drop_table('dashboard_session')
    with op.batch_alter_table('dashboard_login', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dashboard_login_learner_id'))
        batch_op.drop_index(batch_op.f('ix_dashboard_login_expires_at'))
    op.drop_table('dashboard_login')
