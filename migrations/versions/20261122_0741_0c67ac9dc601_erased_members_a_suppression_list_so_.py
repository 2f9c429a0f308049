"""Erased members: a suppression list so registry imports honour erasure.

Revision ID: 0c67ac9dc601
Revises: 66032667cc27
Create Date: 2026-11-22 07:41:11.306867

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0c67ac9dc601"
down_revision = "66032667cc27"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "erased_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number_hash", sa.String(length=64), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erased_members")),
        sa.UniqueConstraint("number_hash", name=op.f("uq_erased_members_number_hash")),
    )


def downgrade():
    op.drop_table("erased_members")
