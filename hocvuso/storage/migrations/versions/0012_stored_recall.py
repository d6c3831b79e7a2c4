"""stored predicted recall on review answers; audit log by action

``quiz_attempt.predicted_recall``: FSRS's retrievability of the card just before a review,
written by ``record_answer`` (-1: a review of a card with no state, nothing predicted; NULL: a
lesson or exam answer, or a review recorded before this revision, which the retention report
replays; ``ix_attempt_unpredicted``, partial, holds those). ``ix_audit_action_id``: the
dashboard's audit page filters by action, newest first.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 20:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNPREDICTED = "mode = 'review' AND predicted_recall IS NULL"


def upgrade() -> None:
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('predicted_recall', sa.Float(), nullable=True))
    # Every review so far has no prediction: the index holds the rows to replay or backfill.
    op.create_index(
        'ix_attempt_unpredicted',
        'quiz_attempt',
        ['learner_id', 'question_id'],
        unique=False,
        sqlite_where=sa.text(UNPREDICTED),
        postgresql_where=sa.text(UNPREDICTED),
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_action_id', ['action', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_action_id')
    op.drop_index('ix_attempt_unpredicted', table_name='quiz_attempt')
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.drop_column('predicted_recall')
