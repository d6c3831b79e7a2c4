"""signed certificates

``certificate.credential``: the signed Open Badges 3.0 credential as issued;
``certificate.status_index``: its bit in the revocation status lists (unique);
``certificate.revoked_reason``: why it was revoked.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 13:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("revoked_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True)
        )
        batch_op.add_column(sa.Column("credential", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("status_index", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint("uq_certificate_status_index", ["status_index"])


def downgrade() -> None:
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_constraint("uq_certificate_status_index", type_="unique")
        batch_op.drop_column("status_index")
        batch_op.drop_column("credential")
        batch_op.drop_column("revoked_reason")
