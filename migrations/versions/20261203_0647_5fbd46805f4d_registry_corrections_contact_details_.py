"""Registry corrections: contact details members corrected in the survey, proposed to the registry

Revision ID: 5fbd46805f4d
Revises: 25aceb47b441
Create Date: 2026-12-03 06:47:46.215364+00:00

One new table, nothing else changes. Rows hold contact details (the value before and after), so they
cascade away with the member on erasure.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5fbd46805f4d"
down_revision = "25aceb47b441"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "registry_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("old_value", sa.String(length=254), nullable=True),
        sa.Column("new_value", sa.String(length=254), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "auto",
                "rejected",
                "superseded",
                name="correctionstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_registry_corrections_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_registry_corrections_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_registry_corrections_submission_id_submissions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_corrections")),
    )
    with op.batch_alter_table("registry_corrections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_corrections_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_registry_corrections_status"), ["status"], unique=False)



def downgrade():
    with op.batch_alter_table("registry_corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_corrections_status"))
        batch_op.drop_index(batch_op.f("ix_registry_corrections_member_id"))

    op.drop_table("registry_corrections")
