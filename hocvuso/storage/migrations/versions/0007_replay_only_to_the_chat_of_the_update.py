"""Replay only to the chat of the update: processed_update.chat_id.

Rows from before keep the chat of their learner; a row with no learner gets none and is never
replayed (the update is applied as new, which for an update that made no learner changes
nothing twice).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 17:08:14.216751
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("processed_update", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chat_id", sa.BigInteger(), nullable=True))
    op.execute(
        "UPDATE processed_update SET chat_id = "
        "(SELECT learner.chat_id FROM learner WHERE learner.id = processed_update.learner_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("processed_update", schema=None) as batch_op:
        batch_op.drop_column("chat_id")
