"""Jobs: long work run by kraftkartan worker, with progress for the pages

Revision ID: 21943e28341f
Revises: 5fbd46805f4d
Create Date: 2026-12-03 07:08:35.169717+00:00


One new table, nothing else changes. The starter's account may go; the job row stays (SET NULL). Params
hold ids and options, never members' data (an uploaded registry file lives in the instance folder and is
removed when its job ends).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "21943e28341f"
down_revision = "5fbd46805f4d"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("result_url", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["users.id"], name=op.f("fk_jobs_started_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_started_by_id"), ["started_by_id"], unique=False)



def downgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_started_by_id"))

    op.drop_table("jobs")
