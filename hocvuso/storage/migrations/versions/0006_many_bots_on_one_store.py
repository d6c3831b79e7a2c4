"""many bots on one store

A ``bot`` registry; learners and deliveries carry their bot. Existing rows get bot 0 ("not yet
assigned"): the first Telegram bot registered adopts them (``hocvuso.delivery.bots``).
Downgrading fails if one chat has become a learner of two bots.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 08:23:03.808380
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import hocvuso.storage.types


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('bot',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('token_env', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('added_at', hocvuso.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('retired_at', hocvuso.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bot_id', sa.BigInteger(), nullable=False, server_default='0'))
        batch_op.drop_index(batch_op.f('ix_delivery_queue'))
        batch_op.create_index('ix_delivery_queue', ['state', 'bot_id', 'not_before'], unique=False)

    with op.batch_alter_table('learner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bot_id', sa.BigInteger(), nullable=False, server_default='0'))
        batch_op.drop_constraint(batch_op.f('uq_learner_platform_chat'), type_='unique')
        batch_op.create_unique_constraint('uq_learner_platform_bot_chat', ['platform', 'bot_id', 'chat_id'])



def downgrade() -> None:
    with op.batch_alter_table('learner', schema=None) as batch_op:
        batch_op.drop_constraint('uq_learner_platform_bot_chat', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_learner_platform_chat'), ['platform', 'chat_id'])
        batch_op.drop_column('bot_id')

    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_queue')
        batch_op.create_index(batch_op.f('ix_delivery_queue'), ['state', 'not_before'], unique=False)
        batch_op.drop_column('bot_id')

    op.drop_table('bot')
