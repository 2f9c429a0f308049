"""Submission review: when a person settled an open-link answer the registry could not place

Revision ID: 5e1f0c2a9b7d
Revises: 21943e28341f
Create Date: 2026-12-03 07:00:00

One nullable column. A person's decision ("this is <member>", "a new member", "leave it anonymous") must
outlive the respondent re-submitting, which runs the automatic registry match again; existing rows are
simply not reviewed yet.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5e1f0c2a9b7d"
down_revision = "21943e28341f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("reviewed_at")
