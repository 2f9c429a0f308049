"""Shift attendance: which shifts were held and who came, typed back in from the printed roster

Revision ID: 104d05c100d0
Revises: 927f09df03e8
Create Date: 2026-12-02 20:00:58.896925

Two new tables, nothing else changes. Members' rows cascade away with the member (erasure); the count
on held_shifts stays, so the campaign's numbers survive an erasure.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "104d05c100d0"
down_revision = "927f09df03e8"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "held_shifts",
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("came", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_held_shifts_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shifts.id"], name=op.f("fk_held_shifts_shift_id_shifts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("shift_id", name=op.f("pk_held_shifts")),
    )
    op.create_table(
        "shift_attendances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_shift_attendances_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shifts.id"], name=op.f("fk_shift_attendances_shift_id_shifts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_attendances")),
        sa.UniqueConstraint("shift_id", "member_id", name=op.f("uq_shift_attendances_shift_id_member_id")),
    )
    with op.batch_alter_table("shift_attendances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shift_attendances_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shift_attendances_shift_id"), ["shift_id"], unique=False)


def downgrade():
    with op.batch_alter_table("shift_attendances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shift_attendances_shift_id"))
        batch_op.drop_index(batch_op.f("ix_shift_attendances_member_id"))
    op.drop_table("shift_attendances")
    op.drop_table("held_shifts")
