"""TOTP codes are good once: remember the last accepted step (RFC 6238 5.2).

NULL for existing accounts: no code has been accepted since the column exists, so none is refused.

Revision ID: 9336e308d1ec
Revises: 0c67ac9dc601
Create Date: 2026-11-22 07:58:06.257506

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9336e308d1ec"
down_revision = "0c67ac9dc601"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("totp_last_step")
